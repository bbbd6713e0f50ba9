export type * from './types.js';
export { createStore, describeStore, isSchemaName, type StoreConfig } from './factory.js';
export { StoreUnavailableError, StoreOutcomeUnknownError, isStoreUnavailable } from './errors.js';
export { SqliteStore, type SqliteStoreOptions, type SqliteSettings, type SqliteWriteStats } from './sqlite/sqlite-store.js';
export { SCHEMA_VERSION as SQLITE_SCHEMA_VERSION } from './sqlite/schema.js';
export { PostgresStore, type PostgresStoreOptions } from './postgres/postgres-store.js';
export { SCHEMA_VERSION as POSTGRES_SCHEMA_VERSION } from './postgres/migrate.js';
export { moveToPostgres, MoveVerificationError, type MoveOptions, type MoveReport } from './move-to-postgres.js';
