/**
 * The embedded schema: the SQL files of packages/server/migrations/sqlite/, versioned with PRAGMA user_version (the
 * number of files applied). The writer applies what a file is missing when the store opens (writer.ts, migrate()).
 */
import { loadMigrations, migrationsDir } from '../migration-files.js';

/** Index names that the query builder names in INDEXED BY, so a renamed index fails loudly instead of scanning. */
export const EVENT_INDEX = {
  byPassed: 'events_org_passed_time',
  byAgentPassed: 'events_agent_passed_time',
} as const;

export const MIGRATIONS: readonly string[] = loadMigrations(migrationsDir('sqlite')).map((m) => m.sql);

export const SCHEMA_VERSION = MIGRATIONS.length;
