/**
 * Schema migrations for PostgreSQL: plain SQL files in packages/server/migrations/postgres/, named NNN_description.sql,
 * applied in order, each once, in one transaction under an advisory lock. Any number of instances may start together
 * on an empty database: the first to take the lock creates the schema and the others find it done.
 */
import type pg from 'pg';
import { loadMigrations as loadFrom, migrationsDir, type Migration } from '../migration-files.js';

export function loadMigrations(): Migration[] {
  return loadFrom(migrationsDir('postgres'));
}

/** pg_advisory_xact_lock's key for "migrating Pecta's schema" ('pecta-mg' as ASCII). */
const MIGRATION_LOCK = 0x70656374612d6d67n;

/** The newest schema version this build knows. */
export const SCHEMA_VERSION = loadMigrations().length;

/** Applies what is missing; returns the versions applied by this call. Refuses a database newer than this build. */
export async function migrate(client: pg.ClientBase, schema: string, migrations = loadMigrations()): Promise<number[]> {
  await client.query('BEGIN');
  try {
    await client.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK.toString()]);
    await client.query(`CREATE SCHEMA IF NOT EXISTS ${schema}`);
    await client.query(
      `CREATE TABLE IF NOT EXISTS ${schema}.schema_migrations (version integer PRIMARY KEY, name text NOT NULL, applied_at bigint NOT NULL)`,
    );
    const { rows } = await client.query<{ version: number }>(`SELECT version FROM ${schema}.schema_migrations ORDER BY version`);
    const done = new Set(rows.map((r) => r.version));
    const newest = Math.max(0, ...done);
    if (newest > migrations.length) {
      throw new Error(`database schema version ${newest} is newer than this server supports (${migrations.length})`);
    }
    const applied: number[] = [];
    for (const m of migrations) {
      if (done.has(m.version)) continue;
      await client.query(`SET LOCAL search_path = ${schema}`);
      await client.query(m.sql);
      await client.query(`INSERT INTO ${schema}.schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)`, [m.version, m.name, Date.now()]);
      applied.push(m.version);
    }
    await client.query('COMMIT');
    return applied;
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  }
}
