export type * from './types.js';
export { SqliteStore, type SqliteStoreOptions, type SqliteSettings, type SqliteWriteStats } from './sqlite/sqlite-store.js';
export { SCHEMA_VERSION as SQLITE_SCHEMA_VERSION } from './sqlite/schema.js';
