/**
 * The slice of better-sqlite3 this back end uses, typed here because the package ships no type declarations and the
 * project adds no @types packages. Loaded with createRequire: it is a CommonJS native module.
 */
import { createRequire } from 'node:module';

export type SqlValue = string | number | bigint | Uint8Array | null;

export interface RunResult {
  changes: number;
  lastInsertRowid: number | bigint;
}

export interface Statement<Row = unknown> {
  run(...params: SqlValue[]): RunResult;
  get(...params: SqlValue[]): Row | undefined;
  all(...params: SqlValue[]): Row[];
  /** Rows as arrays of column values, in the order the query names them. */
  raw(toggle?: boolean): Statement<unknown[]>;
}

export interface Transaction<Args extends unknown[], Result> {
  (...args: Args): Result;
  /** BEGIN IMMEDIATE: takes the write lock before the first read, so a read-then-write never hits SQLITE_BUSY. */
  immediate(...args: Args): Result;
}

export interface Database {
  readonly open: boolean;
  readonly inTransaction: boolean;
  prepare<Row = unknown>(sql: string): Statement<Row>;
  exec(sql: string): Database;
  pragma(source: string, options: { simple: true }): unknown;
  pragma(source: string): unknown[];
  transaction<Args extends unknown[], Result>(fn: (...args: Args) => Result): Transaction<Args, Result>;
  close(): Database;
}

interface DatabaseConstructor {
  new (filename: string, options?: { timeout?: number; readonly?: boolean; fileMustExist?: boolean }): Database;
}

const require = createRequire(import.meta.url);

export function openDatabase(filename: string, options: { timeout?: number; readonly?: boolean; fileMustExist?: boolean } = {}): Database {
  const BetterSqlite3 = require('better-sqlite3') as DatabaseConstructor;
  return new BetterSqlite3(filename, options);
}
