/**
 * Opening a connection to the embedded file with the settings every connection shares. The writer and the readers of
 * one store use separate connections (see sqlite-store.ts), so these settings live in one place.
 */
import { openDatabase, type Database, type SqlValue, type Statement } from './driver.js';

export interface ConnectionOptions {
  /** How long a statement waits for another connection's lock (e.g. the CLI on the same file) before failing. */
  busyTimeoutMs: number;
  /** SQLite page cache of this connection, in MiB. */
  cacheMiB: number;
}

export interface SqliteSettings {
  journal_mode: string;
  synchronous: number;
  foreign_keys: number;
  busy_timeout: number;
  user_version: number;
  /** WAL pages after which a commit checkpoints; 0 when the writer checkpoints on its own schedule. */
  wal_autocheckpoint: number;
  /** Bytes the WAL file is cut back to after a checkpoint reset it. */
  journal_size_limit: number;
}

export const DEFAULT_BUSY_TIMEOUT_MS = 5000;
export const DEFAULT_CACHE_MIB = 64;

export function isInMemory(path: string): boolean {
  return path === ':memory:' || path === '';
}

/** Opens and configures a connection; closes it again if any setting fails (e.g. the file is not a database). */
export function openConnection(path: string, options: ConnectionOptions): Database {
  const db = openDatabase(path, { timeout: options.busyTimeoutMs });
  try {
    db.pragma('journal_mode = WAL');
    // FULL fsyncs the WAL on every commit: a resolved recordEvents survives power loss, not only a killed process.
    db.pragma('synchronous = FULL');
    db.pragma('foreign_keys = ON');
    db.pragma(`busy_timeout = ${options.busyTimeoutMs}`);
    db.pragma(`cache_size = ${-1024 * options.cacheMiB}`);
    db.pragma('temp_store = MEMORY');
  } catch (error) {
    db.close();
    throw error;
  }
  return db;
}

export function readSettings(db: Database): SqliteSettings {
  const number = (name: string) => Number(db.pragma(name, { simple: true }));
  return {
    journal_mode: String(db.pragma('journal_mode', { simple: true })),
    synchronous: number('synchronous'),
    foreign_keys: number('foreign_keys'),
    busy_timeout: number('busy_timeout'),
    user_version: number('user_version'),
    wal_autocheckpoint: number('wal_autocheckpoint'),
    journal_size_limit: number('journal_size_limit'),
  };
}

/** A result row by column name. */
export type Row = Record<string, unknown>;

/**
 * Runs a statement on `db` and returns its rows, preparing each distinct SQL text once. The store sends only its own
 * statements, a handful of shapes, so the cache stays small.
 */
export function rowReader(db: Database): (sql: string, params: SqlValue[]) => Row[] {
  const statements = new Map<string, Statement<Row>>();
  return (sql, params) => {
    let statement = statements.get(sql);
    if (!statement) {
      statement = db.prepare<Row>(sql);
      statements.set(sql, statement);
    }
    return statement.all(...params);
  };
}
