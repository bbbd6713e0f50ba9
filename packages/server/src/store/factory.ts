/**
 * The one place that picks a back end from the configuration: nothing outside store/ names SQLite or PostgreSQL.
 * PECTA_DATABASE_URL (--database-url) selects PostgreSQL; otherwise the embedded SQLite file in the data directory.
 */
import { join } from 'node:path';
import { isSchemaName } from './postgres/connection.js';
import { PostgresStore } from './postgres/postgres-store.js';
import { SqliteStore } from './sqlite/sqlite-store.js';
import type { Store } from './types.js';

export interface StoreConfig {
  dataDir: string;
  databaseUrl: string | null;
  databaseSchema: string;
  databasePoolSize: number;
}

export { isSchemaName };

export function createStore(config: StoreConfig): Store {
  if (config.databaseUrl !== null) {
    return new PostgresStore({ url: config.databaseUrl, schema: config.databaseSchema, poolSize: config.databasePoolSize });
  }
  return new SqliteStore({ path: join(config.dataDir, 'pecta.db') });
}

/** Where the data lives, for start-up messages (a PostgreSQL URL without its password). */
export function describeStore(config: StoreConfig): string {
  if (config.databaseUrl === null) return `SQLite at ${join(config.dataDir, 'pecta.db')}`;
  return `PostgreSQL at ${redact(config.databaseUrl)} (schema ${config.databaseSchema})`;
}

/** postgres://user:***@host/db */
function redact(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return 'postgres://…';
  }
}
