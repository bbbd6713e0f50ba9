/** Messages between a SqliteStore and its threads (writer-worker.ts, reader-worker.ts). Plain data: they are structured-cloned. */
import type { Row, SqliteSettings } from './connection.js';
import type { SqliteWriteStats, WriteRequest, WriteValues, WriteOp } from './writer.js';

export interface WriterThreadConfig {
  path: string;
  busyTimeoutMs: number;
  cacheMiB: number;
  maxGroupEvents: number;
  walAutocheckpointPages: number;
  maxCachedAgents: number;
}

/** An error as it crosses the thread boundary: structured clone would drop `code` (SQLITE_BUSY, …), which callers test. */
export interface WireError {
  name: string;
  message: string;
  code?: string;
  stack?: string;
}

export type WireSettled = { id: number; ok: true; value: WriteValues[WriteOp['op']] } | { id: number; ok: false; error: WireError };

export type ToWriter =
  /** Every request the store queued during one event-loop turn, in call order. */
  | { type: 'write'; requests: WriteRequest[] }
  /** Sent after the last write: commit what is queued, close the connection, exit. */
  | { type: 'close' };

export type FromWriter =
  | { type: 'ready'; settings: SqliteSettings }
  | { type: 'failed'; error: WireError }
  /** One unit of work (a group commit, or one other write) has ended; stats as of its end. */
  | { type: 'settled'; settled: WireSettled[]; stats: SqliteWriteStats }
  | { type: 'closed'; error: WireError | null };

export function toWireError(error: unknown): WireError {
  if (!(error instanceof Error)) return { name: 'Error', message: String(error) };
  const code = (error as { code?: unknown }).code;
  return { name: error.name, message: error.message, stack: error.stack, ...(typeof code === 'string' ? { code } : {}) };
}

export function fromWireError(wire: WireError): Error {
  const error = new Error(wire.message) as Error & { code?: string };
  error.name = wire.name;
  if (wire.code !== undefined) error.code = wire.code;
  // The writer thread's stack says where the write failed; the receiving side's would only show the message handler.
  if (wire.stack !== undefined) error.stack = wire.stack;
  return error;
}

// ---- the reader thread (reader-worker.ts) ---------------------------------------------------------------------------

export interface ReaderThreadConfig {
  path: string;
  busyTimeoutMs: number;
  cacheMiB: number;
}

export type ToReader = { type: 'query'; id: number; sql: string; params: unknown[] } | { type: 'close' };

export type FromReader =
  | { type: 'ready' }
  | { id: number; ok: true; rows: Row[]; type?: undefined }
  | { id: number; ok: false; error: WireError; type?: undefined };
