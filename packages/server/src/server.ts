/** Starting and stopping a whole server: store, keys, app, listener — in the order that loses nothing. */
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { buildApp, type PectaApp } from './app.js';
import { loadMasterKey, MASTER_KEY_ENV, MASTER_KEY_FILE, SecretBox } from './auth/crypto.js';
import { ConfigError, type ServerConfig } from './config.js';
import { bootstrapIfEmpty, type Bootstrap } from './orgs.js';
import { RedisInvalidationBus } from './invalidation/index.js';
import { RedisRollingWindowLimiter } from './ratelimit/redis.js';
import { createStore } from './store/index.js';
import type { KeyRecord, Store } from './store/types.js';

export interface RunningServer extends PectaApp {
  store: Store;
  box: SecretBox;
  /** Set when this start created the first organisation: its keys, to be shown once. */
  bootstrap: Bootstrap | null;
  url: string;
  /** Stops accepting, drains in-flight requests, then makes every accepted write durable and closes the store. */
  close(): Promise<void>;
}

/**
 * The configured store, initialised, and the master key that seals secret keys. With PostgreSQL every instance must
 * seal and open with the same key, so one is never created on the spot: it comes from PECTA_MASTER_KEY (or a
 * master.key already in the data directory).
 */
export async function openStore(config: ServerConfig): Promise<{ store: Store; box: SecretBox }> {
  mkdirSync(config.dataDir, { recursive: true, mode: 0o700 });
  if (config.databaseUrl !== null && !process.env[MASTER_KEY_ENV]?.trim() && !existsSync(join(config.dataDir, MASTER_KEY_FILE))) {
    throw new ConfigError(
      `${MASTER_KEY_ENV} must be set with a PostgreSQL store: every instance seals and opens secret keys with the same master ` +
        'key, so none is generated per instance. Create one with "openssl rand -hex 32" and give it to every instance.',
    );
  }
  const master = loadMasterKey({ dataDir: config.dataDir, env: process.env });
  const store = createStore(config);
  try {
    await store.init();
  } catch (error) {
    await store.close().catch(() => undefined);
    throw error;
  }
  return { store, box: new SecretBox(master.key) };
}

/** Active secret keys that this master key cannot open (they were sealed under another one). */
export async function unreadableSecretKeys(store: Store, box: SecretBox): Promise<KeyRecord[]> {
  const bad: KeyRecord[] = [];
  for (const org of await store.listOrganizations()) {
    for (const key of await store.listActiveSecretKeys(org.id)) {
      try {
        if (key.secret_ciphertext) box.open(key.secret_ciphertext, key.id);
      } catch {
        bad.push(key);
      }
    }
  }
  return bad;
}

export class MasterKeyMismatchError extends Error {
  override name = 'MasterKeyMismatchError';
  constructor(readonly keys: KeyRecord[]) {
    super(
      `${keys.length} active secret key(s) (${keys.map((k) => k.id).join(', ')}) cannot be decrypted with this master key ` +
        '(PECTA_MASTER_KEY, or master.key in the data directory): HMAC signatures could not be verified. ' +
        'Restore the master key that sealed them, or revoke them with "pecta keys revoke <id>" and create new ones.',
    );
  }
}

/** The shared limiter when Redis is configured, connected and answering PING; undefined for the in-memory one. */
async function connectLimiter(config: ServerConfig): Promise<RedisRollingWindowLimiter | undefined> {
  if (config.redisUrl === null) return undefined;
  const limiter = new RedisRollingWindowLimiter({
    url: config.redisUrl,
    keyPrefix: config.redisKeyPrefix,
    fallback: config.redisFallback,
    commandTimeoutMs: config.redisTimeoutMs,
  });
  // Unreachable at start is an error, never a quiet start on per-instance limits: the operator asked for shared ones.
  await limiter.connect();
  return limiter;
}

export async function startServer(config: ServerConfig, overrides: { logger?: boolean | Record<string, unknown> } = {}): Promise<RunningServer> {
  // Before the store, so that a deployment that cannot reach Redis creates nothing in the data directory.
  const redisLimiter = await connectLimiter(config);
  try {
    return await startWith(config, overrides, redisLimiter);
  } catch (error) {
    await redisLimiter?.close();
    throw error;
  }
}

async function startWith(
  config: ServerConfig,
  overrides: { logger?: boolean | Record<string, unknown> },
  redisLimiter: RedisRollingWindowLimiter | undefined,
): Promise<RunningServer> {
  const { store, box } = await openStore(config);
  const unreadable = await unreadableSecretKeys(store, box);
  if (unreadable.length > 0) {
    await store.close();
    throw new MasterKeyMismatchError(unreadable);
  }
  const bootstrap = await bootstrapIfEmpty(store, box);
  const bus = config.redisUrl === null ? undefined : invalidationBus(config, config.redisUrl);
  try {
    return await listenWith(config, overrides, redisLimiter, bus, store, box, bootstrap);
  } catch (error) {
    await bus?.close();
    throw error;
  }
}

function invalidationBus(config: ServerConfig, url: string): RedisInvalidationBus {
  return new RedisInvalidationBus({ url, keyPrefix: config.redisKeyPrefix, commandTimeoutMs: config.redisTimeoutMs });
}

async function listenWith(
  config: ServerConfig,
  overrides: { logger?: boolean | Record<string, unknown> },
  redisLimiter: RedisRollingWindowLimiter | undefined,
  bus: RedisInvalidationBus | undefined,
  store: Store,
  box: SecretBox,
  bootstrap: Bootstrap | null,
): Promise<RunningServer> {
  const built = await buildApp({ config, store, box, logger: overrides.logger, limiter: redisLimiter, invalidations: bus });
  const log = built.app.log;
  if (redisLimiter) redisLimiter.log = { warn: (m) => log.warn(m), info: (m) => log.info(m) };
  if (bus) {
    bus.log = { warn: (m) => log.warn(m), info: (m) => log.info(m) };
    // Subscribed before listening: a request served here never misses a change committed after it started.
    await bus.connect();
    await bus.subscribe({ onInvalidate: ({ org }) => built.auth.invalidate(org), onResync: () => built.auth.invalidateAll() });
  }
  // Ready only once the evaluation threads have warmed their detectors too.
  await built.evaluations.start();
  const address = await built.app.listen({ port: config.port, host: config.host });
  let closing: Promise<void> | undefined;
  return {
    ...built,
    store,
    box,
    bootstrap,
    url: address,
    close: () =>
      (closing ??= (async () => {
        await built.app.close();
        await store.close();
        await bus?.close();
        await redisLimiter?.close();
      })()),
  };
}
