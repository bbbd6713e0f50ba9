/**
 * Server configuration: defaults, then PECTA_* environment variables, then command-line flags (flags win).
 * Every value is validated here so that a typo stops the server at start-up with a message naming the setting.
 */
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { isSchemaName } from './store/index.js';

export interface ServerConfig {
  port: number;
  host: string;
  dataDir: string;
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  /** Requests per rolling 60 s per organisation (organisations can override both). */
  ingestRateLimit: number;
  defaultRateLimit: number;
  /** Body limits in bytes. */
  evaluateBodyLimit: number;
  ingestBodyLimit: number;
  defaultBodyLimit: number;
  /** Deepest JSON nesting accepted in a body. */
  maxJsonDepth: number;
  /** Budget of the server-side gate suite in ms (docs/configuration.md). */
  evaluateTimeoutMs: number;
  /** Threads that evaluate large bodies away from the HTTP thread (0: all on the HTTP thread). */
  evaluateThreads: number;
  /** Evaluate bodies of at least this many bytes on an evaluation thread. */
  evaluateThreadMinBytes: number;
  /** Trust X-Forwarded-* headers (behind a proxy). */
  trustProxy: boolean;
  /** A request's headers must arrive within this many ms of its first byte, the whole request within the second. */
  headersTimeoutMs: number;
  requestTimeoutMs: number;
  /** How long shutdown waits for in-flight requests before it closes the connections still open. */
  shutdownGraceMs: number;
  /** PostgreSQL store (postgres://…); null: the embedded SQLite file in dataDir. */
  databaseUrl: string | null;
  /** Schema holding Pecta's tables in that database (created when missing). */
  databaseSchema: string;
  /** Connections this instance holds at most; instances × this must stay under the server's max_connections. */
  databasePoolSize: number;
  /** Rate limits shared by every instance through this Redis; null: per-instance limits in memory. */
  redisUrl: string | null;
  /** While Redis fails: per-instance limits (`open`) or 503 `unavailable` (`closed`). */
  redisFallback: 'open' | 'closed';
  /** Prefix of every Redis key Pecta writes, so that several deployments can share one Redis. */
  redisKeyPrefix: string;
  /** Bound on one rate-limit round trip to Redis before the fallback decides. */
  redisTimeoutMs: number;
  /**
   * How long an instance caches key records and organisation settings, the bound on seeing a change whose
   * invalidation message was lost. Tests only (PECTA_TEST_AUTH_CACHE_MS, not a documented setting): a long one proves
   * that the message, not the expiry, dropped an entry.
   */
  authCacheMs: number;
}

export const DEFAULT_CONFIG: Omit<ServerConfig, 'dataDir'> = {
  port: 8787,
  host: '127.0.0.1',
  logLevel: 'info',
  ingestRateLimit: 500,
  defaultRateLimit: 200,
  evaluateBodyLimit: 1024 * 1024,
  ingestBodyLimit: 4 * 1024 * 1024,
  defaultBodyLimit: 64 * 1024,
  maxJsonDepth: 64,
  evaluateTimeoutMs: 50,
  evaluateThreads: 1,
  evaluateThreadMinBytes: 16 * 1024,
  trustProxy: false,
  headersTimeoutMs: 10_000,
  requestTimeoutMs: 30_000,
  shutdownGraceMs: 10_000,
  databaseUrl: null,
  databaseSchema: 'pecta',
  databasePoolSize: 10,
  redisUrl: null,
  redisFallback: 'open',
  redisKeyPrefix: 'pecta:',
  redisTimeoutMs: 100,
  authCacheMs: 2000,
};

export function defaultDataDir(env: NodeJS.ProcessEnv = process.env): string {
  return env.PECTA_HOME ? join(env.PECTA_HOME, 'data') : join(homedir(), '.pecta', 'data');
}

interface Setting {
  key: keyof ServerConfig;
  flag: string;
  env: string;
  parse: (raw: string, label: string) => unknown;
}

const int = (min: number, max: number) => (raw: string, label: string) => {
  if (!/^\d+$/.test(raw.trim())) throw new ConfigError(`${label} must be a whole number, got "${raw}"`);
  const n = Number(raw);
  if (n < min || n > max) throw new ConfigError(`${label} must be between ${min} and ${max}, got ${n}`);
  return n;
};
const bool = (raw: string, label: string) => {
  const v = raw.trim().toLowerCase();
  if (['1', 'true', 'yes', 'on'].includes(v)) return true;
  if (['0', 'false', 'no', 'off', ''].includes(v)) return false;
  throw new ConfigError(`${label} must be true or false, got "${raw}"`);
};
const redisUrl = (raw: string, label: string) => {
  let url: URL;
  try {
    url = new URL(raw.trim());
  } catch {
    throw new ConfigError(`${label} must be a redis:// or rediss:// URL`);
  }
  if (url.protocol !== 'redis:' && url.protocol !== 'rediss:') {
    throw new ConfigError(`${label} must be a redis:// or rediss:// URL, got a ${url.protocol} URL`);
  }
  return raw.trim();
};
const databaseUrl = (raw: string, label: string) => {
  let url: URL;
  try {
    url = new URL(raw.trim());
  } catch {
    throw new ConfigError(`${label} must be a postgres:// or postgresql:// URL`);
  }
  if (url.protocol !== 'postgres:' && url.protocol !== 'postgresql:') {
    throw new ConfigError(`${label} must be a postgres:// or postgresql:// URL, got a ${url.protocol} URL`);
  }
  return raw.trim();
};
const schemaName = (raw: string, label: string) => {
  const v = raw.trim();
  if (!isSchemaName(v)) throw new ConfigError(`${label} must be lower-case letters, digits and _ (at most 63), got "${raw}"`);
  return v;
};
const levels = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

export const SETTINGS: readonly Setting[] = [
  { key: 'port', flag: 'port', env: 'PECTA_PORT', parse: int(0, 65535) },
  { key: 'host', flag: 'host', env: 'PECTA_HOST', parse: (raw) => raw.trim() },
  { key: 'dataDir', flag: 'data-dir', env: 'PECTA_DATA_DIR', parse: (raw) => resolve(raw) },
  {
    key: 'logLevel',
    flag: 'log-level',
    env: 'PECTA_LOG_LEVEL',
    parse: (raw, label) => {
      if (!levels.includes(raw)) throw new ConfigError(`${label} must be one of ${levels.join(', ')}, got "${raw}"`);
      return raw;
    },
  },
  { key: 'ingestRateLimit', flag: 'ingest-rate-limit', env: 'PECTA_INGEST_RATE_LIMIT', parse: int(1, 10_000_000) },
  { key: 'defaultRateLimit', flag: 'rate-limit', env: 'PECTA_RATE_LIMIT', parse: int(1, 10_000_000) },
  { key: 'evaluateBodyLimit', flag: 'evaluate-body-limit', env: 'PECTA_EVALUATE_BODY_LIMIT', parse: int(1024, 64 * 1024 * 1024) },
  { key: 'ingestBodyLimit', flag: 'ingest-body-limit', env: 'PECTA_INGEST_BODY_LIMIT', parse: int(1024, 64 * 1024 * 1024) },
  { key: 'defaultBodyLimit', flag: 'body-limit', env: 'PECTA_BODY_LIMIT', parse: int(1024, 64 * 1024 * 1024) },
  { key: 'maxJsonDepth', flag: 'max-json-depth', env: 'PECTA_MAX_JSON_DEPTH', parse: int(2, 1000) },
  { key: 'evaluateTimeoutMs', flag: 'evaluate-timeout', env: 'PECTA_EVALUATE_TIMEOUT_MS', parse: int(1, 10_000) },
  { key: 'evaluateThreads', flag: 'evaluate-threads', env: 'PECTA_EVALUATE_THREADS', parse: int(0, 64) },
  { key: 'evaluateThreadMinBytes', flag: 'evaluate-thread-min-bytes', env: 'PECTA_EVALUATE_THREAD_MIN_BYTES', parse: int(0, 64 * 1024 * 1024) },
  { key: 'trustProxy', flag: 'trust-proxy', env: 'PECTA_TRUST_PROXY', parse: bool },
  { key: 'headersTimeoutMs', flag: 'headers-timeout', env: 'PECTA_HEADERS_TIMEOUT_MS', parse: int(100, 600_000) },
  { key: 'requestTimeoutMs', flag: 'request-timeout', env: 'PECTA_REQUEST_TIMEOUT_MS', parse: int(100, 3_600_000) },
  { key: 'shutdownGraceMs', flag: 'shutdown-grace', env: 'PECTA_SHUTDOWN_GRACE_MS', parse: int(0, 3_600_000) },
  { key: 'databaseUrl', flag: 'database-url', env: 'PECTA_DATABASE_URL', parse: databaseUrl },
  { key: 'databaseSchema', flag: 'database-schema', env: 'PECTA_DATABASE_SCHEMA', parse: schemaName },
  { key: 'databasePoolSize', flag: 'database-pool-size', env: 'PECTA_DATABASE_POOL_SIZE', parse: int(2, 1000) },
  { key: 'redisUrl', flag: 'redis-url', env: 'PECTA_REDIS_URL', parse: redisUrl },
  {
    key: 'redisFallback',
    flag: 'redis-fallback',
    env: 'PECTA_REDIS_FALLBACK',
    parse: (raw, label) => {
      const v = raw.trim();
      if (v !== 'open' && v !== 'closed') throw new ConfigError(`${label} must be open or closed, got "${raw}"`);
      return v;
    },
  },
  {
    key: 'redisKeyPrefix',
    flag: 'redis-key-prefix',
    env: 'PECTA_REDIS_KEY_PREFIX',
    parse: (raw, label) => {
      if (raw.length === 0 || raw.length > 200) throw new ConfigError(`${label} must be 1 to 200 characters`);
      return raw;
    },
  },
  { key: 'redisTimeoutMs', flag: 'redis-timeout', env: 'PECTA_REDIS_TIMEOUT_MS', parse: int(1, 10_000) },
];

export class ConfigError extends Error {
  override name = 'ConfigError';
}

/** `flags` are already split (`{ port: '9000' }`); unknown flags are the CLI's business. */
export function loadConfig(flags: Record<string, string | boolean | undefined>, env: NodeJS.ProcessEnv = process.env): ServerConfig {
  const config: ServerConfig = { ...DEFAULT_CONFIG, dataDir: defaultDataDir(env) };
  for (const s of SETTINGS) {
    const fromEnv = env[s.env];
    if (fromEnv !== undefined && fromEnv !== '') (config as unknown as Record<string, unknown>)[s.key] = s.parse(fromEnv, s.env);
    const fromFlag = flags[s.flag];
    if (fromFlag !== undefined) {
      const raw = fromFlag === true ? 'true' : String(fromFlag);
      (config as unknown as Record<string, unknown>)[s.key] = s.parse(raw, `--${s.flag}`);
    }
  }
  const authCacheMs = env.PECTA_TEST_AUTH_CACHE_MS;
  if (authCacheMs !== undefined && authCacheMs !== '') config.authCacheMs = int(0, 3_600_000)(authCacheMs, 'PECTA_TEST_AUTH_CACHE_MS') as number;
  // Node refuses the combination; the headers are part of the request.
  if (config.headersTimeoutMs > config.requestTimeoutMs) {
    throw new ConfigError(
      `--headers-timeout/PECTA_HEADERS_TIMEOUT_MS (${config.headersTimeoutMs}) must not exceed --request-timeout/PECTA_REQUEST_TIMEOUT_MS (${config.requestTimeoutMs})`,
    );
  }
  return config;
}

