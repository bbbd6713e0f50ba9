/**
 * The PostgreSQL connection pool and the one place that turns driver failures into store errors.
 *
 * Every connection gets the store's schema as its search_path and bounded timeouts, so no request waits on a dead or
 * overloaded server past a known bound: a connection attempt gives up after connectTimeoutMs, a statement after
 * statementTimeoutMs (server side), and a query whose answer never arrives after queryTimeoutMs (client side, which
 * also covers a server that vanished without closing the socket).
 */
import pg from 'pg';
import { StoreOutcomeUnknownError, StoreUnavailableError } from '../errors.js';

export interface PostgresSettings {
  /** postgres://user:pass@host:port/db */
  url: string;
  /** Schema holding Pecta's tables (created when missing). */
  schema: string;
  /** Connections this instance may hold; the sum over instances must stay under the server's max_connections. */
  poolSize: number;
  connectTimeoutMs: number;
  statementTimeoutMs: number;
  queryTimeoutMs: number;
}

export const DEFAULT_POSTGRES_SETTINGS = {
  schema: 'pecta',
  poolSize: 10,
  connectTimeoutMs: 5_000,
  statementTimeoutMs: 10_000,
  queryTimeoutMs: 15_000,
} as const;

/** Lower-case identifiers only, so the name is used in SQL without quoting and means the same everywhere. */
export function isSchemaName(schema: string): boolean {
  return /^[a-z_][a-z0-9_]{0,62}$/.test(schema);
}

export function assertSchemaName(schema: string): void {
  if (!isSchemaName(schema)) {
    throw new TypeError(`PostgreSQL schema ${JSON.stringify(schema)} must be lower-case letters, digits and _ (at most 63)`);
  }
}

/** int8 and numeric columns (bigint times, counts) as numbers: every value the store keeps is below 2^53. */
const TYPES = {
  getTypeParser(oid: number, format?: 'text' | 'binary') {
    if (oid === 20 /* int8 */) return (value: string) => Number(value);
    return pg.types.getTypeParser(oid, format);
  },
};

export function openPool(settings: PostgresSettings): pg.Pool {
  assertSchemaName(settings.schema);
  const pool = new pg.Pool({
    connectionString: settings.url,
    max: settings.poolSize,
    connectionTimeoutMillis: settings.connectTimeoutMs,
    query_timeout: settings.queryTimeoutMs,
    statement_timeout: settings.statementTimeoutMs,
    idle_in_transaction_session_timeout: settings.queryTimeoutMs,
    application_name: 'pecta',
    options: `-c search_path=${settings.schema}`,
    types: TYPES,
    keepAlive: true,
  });
  // An idle connection that the server closes (restart, failover) emits 'error' on the pool; unhandled, it would end
  // the process. The pool drops that connection and opens a new one on the next checkout.
  pool.on('error', () => undefined);
  return pool;
}

/** SQLSTATE classes and codes that mean "the server is not there right now", not "this request is wrong". */
function isConnectionFailure(error: unknown): boolean {
  const e = error as { code?: unknown; message?: unknown } | null;
  const code = typeof e?.code === 'string' ? e.code : '';
  if (code.startsWith('08')) return true; // connection exception
  if (code === '57P01' || code === '57P02' || code === '57P03') return true; // shutdown, crash, cannot connect now
  if (code === '53300' || code === '53400') return true; // too many connections, configuration limit
  if (code === '57014') return true; // statement timeout / cancel
  if (code === '25P03') return true; // idle in transaction timeout
  if (['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EHOSTUNREACH', 'EAI_AGAIN'].includes(code)) return true;
  const message = typeof e?.message === 'string' ? e.message : '';
  return /Connection terminated|timeout exceeded when trying to connect|Query read timeout|Client has encountered a connection error|Connection ended|connect ECONNREFUSED|the database system is (starting up|shutting down)/i.test(
    message,
  );
}

/** Deadlocks and serialization failures: the transaction did nothing and can simply run again. */
export function isRetryableConflict(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === '40P01' || code === '40001';
}

/** The store error for a driver failure, or the failure itself when it is not about availability. */
export function storeError(error: unknown, during: 'query' | 'commit' = 'query'): unknown {
  if (error instanceof StoreUnavailableError) return error;
  if (!isConnectionFailure(error)) return error;
  const reason = error instanceof Error ? error.message : String(error);
  return during === 'commit'
    ? new StoreOutcomeUnknownError(`PostgreSQL connection lost during COMMIT: ${reason}`, { cause: error })
    : new StoreUnavailableError(`PostgreSQL is unavailable: ${reason}`, { cause: error });
}

