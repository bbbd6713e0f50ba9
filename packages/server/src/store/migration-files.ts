/**
 * Schema migrations as plain SQL files, one folder per back end under packages/server/migrations/, named
 * NNN_description.sql and numbered 1, 2, 3… without gaps. A released file is never edited; a change is a new file.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export interface Migration {
  version: number;
  name: string;
  sql: string;
}

/** migrations/<backEnd>/, reached from src/store/ and dist/store/ alike. */
export function migrationsDir(backEnd: 'sqlite' | 'postgres'): string {
  return fileURLToPath(new URL(`../../migrations/${backEnd}/`, import.meta.url));
}

const FILE_NAME = /^(\d{3,})_([a-z0-9_]+)\.sql$/;

export function loadMigrations(dir: string): Migration[] {
  const migrations = readdirSync(dir)
    .filter((file) => file.endsWith('.sql'))
    .map((file) => {
      const match = FILE_NAME.exec(file);
      if (!match) throw new Error(`migration file ${file} must be named NNN_description.sql`);
      return { version: Number(match[1]), name: match[2]!, sql: readFileSync(`${dir}/${file}`, 'utf8') };
    })
    .sort((a, b) => a.version - b.version);
  migrations.forEach((m, i) => {
    if (m.version !== i + 1) throw new Error(`migrations must be numbered 1, 2, 3… without gaps; found ${m.version} at position ${i + 1}`);
  });
  return migrations;
}
