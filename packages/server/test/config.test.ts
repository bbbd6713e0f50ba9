import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ConfigError, DEFAULT_CONFIG, loadConfig } from '../src/config.js';

describe('timeouts and the shutdown grace period', () => {
  it('default to 10 s for headers, 30 s for the whole request and 10 s of grace', () => {
    const config = loadConfig({}, {});
    assert.equal(config.headersTimeoutMs, 10_000);
    assert.equal(config.requestTimeoutMs, 30_000);
    assert.equal(config.shutdownGraceMs, 10_000);
    assert.equal(DEFAULT_CONFIG.requestTimeoutMs, 30_000);
  });
  it('come from PECTA_* variables and flags, flags winning', () => {
    const env = { PECTA_HEADERS_TIMEOUT_MS: '2000', PECTA_REQUEST_TIMEOUT_MS: '5000', PECTA_SHUTDOWN_GRACE_MS: '0' };
    const fromEnv = loadConfig({}, env);
    assert.deepEqual([fromEnv.headersTimeoutMs, fromEnv.requestTimeoutMs, fromEnv.shutdownGraceMs], [2000, 5000, 0]);
    const fromFlags = loadConfig({ 'headers-timeout': '3000', 'request-timeout': '60000', 'shutdown-grace': '250' }, env);
    assert.deepEqual([fromFlags.headersTimeoutMs, fromFlags.requestTimeoutMs, fromFlags.shutdownGraceMs], [3000, 60000, 250]);
  });
  it('refuse a headers timeout longer than the request timeout, and values out of range, naming the setting', () => {
    assert.throws(() => loadConfig({ 'headers-timeout': '40000' }, {}), (e: unknown) => e instanceof ConfigError && /--headers-timeout.*--request-timeout/.test(e.message));
    assert.throws(() => loadConfig({}, { PECTA_REQUEST_TIMEOUT_MS: '5' }), /PECTA_REQUEST_TIMEOUT_MS must be between/);
    assert.throws(() => loadConfig({ 'shutdown-grace': '-1' }, {}), /--shutdown-grace must be a whole number/);
  });
});

describe('Redis settings', () => {
  it('default to no Redis (per-instance limits), open fallback, the pecta: prefix and a 100 ms bound', () => {
    const config = loadConfig({}, {});
    assert.deepEqual(
      [config.redisUrl, config.redisFallback, config.redisKeyPrefix, config.redisTimeoutMs],
      [null, 'open', 'pecta:', 100],
    );
    assert.equal(loadConfig({}, { PECTA_REDIS_URL: '' }).redisUrl, null, 'empty counts as unset');
  });
  it('come from PECTA_REDIS_* variables and --redis-* flags, flags winning', () => {
    const env = { PECTA_REDIS_URL: 'redis://a:6379', PECTA_REDIS_FALLBACK: 'closed', PECTA_REDIS_KEY_PREFIX: 'x:', PECTA_REDIS_TIMEOUT_MS: '50' };
    const fromEnv = loadConfig({}, env);
    assert.deepEqual([fromEnv.redisUrl, fromEnv.redisFallback, fromEnv.redisKeyPrefix, fromEnv.redisTimeoutMs], ['redis://a:6379', 'closed', 'x:', 50]);
    const fromFlags = loadConfig({ 'redis-url': 'rediss://b:6380/2', 'redis-fallback': 'open', 'redis-key-prefix': 'y:', 'redis-timeout': '75' }, env);
    assert.deepEqual([fromFlags.redisUrl, fromFlags.redisFallback, fromFlags.redisKeyPrefix, fromFlags.redisTimeoutMs], ['rediss://b:6380/2', 'open', 'y:', 75]);
  });
  it('refuse URLs that are not redis:// or rediss://, and unknown fallbacks, naming the setting', () => {
    assert.throws(() => loadConfig({}, { PECTA_REDIS_URL: 'http://cache:6379' }), /PECTA_REDIS_URL must be a redis:\/\/ or rediss:\/\/ URL, got a http: URL/);
    assert.throws(() => loadConfig({ 'redis-url': 'cache:6379:x' }, {}), /--redis-url must be a redis:\/\/ or rediss:\/\/ URL/);
    assert.throws(() => loadConfig({ 'redis-fallback': 'maybe' }, {}), /--redis-fallback must be open or closed, got "maybe"/);
    assert.throws(() => loadConfig({}, { PECTA_REDIS_TIMEOUT_MS: '0' }), /PECTA_REDIS_TIMEOUT_MS must be between 1 and 10000/);
  });
});

describe('PostgreSQL settings', () => {
  it('select the PostgreSQL store by URL, flag over environment, with a schema and a pool size', () => {
    assert.equal(loadConfig({}, {}).databaseUrl, null);
    const c = loadConfig({ 'database-schema': 'tenant_a' }, { PECTA_DATABASE_URL: 'postgres://db/pecta', PECTA_DATABASE_POOL_SIZE: '20' });
    assert.equal(c.databaseUrl, 'postgres://db/pecta');
    assert.equal(c.databaseSchema, 'tenant_a');
    assert.equal(c.databasePoolSize, 20);
    assert.equal(loadConfig({ 'database-url': 'postgresql://other/x' }, { PECTA_DATABASE_URL: 'postgres://db/pecta' }).databaseUrl, 'postgresql://other/x');
  });

  it('refuse other URL schemes, schema names that would need quoting and pools below 2', () => {
    const refuses = (flags: Record<string, string>, env: Record<string, string>, pattern: RegExp) =>
      assert.throws(() => loadConfig(flags, env), (e: unknown) => e instanceof ConfigError && pattern.test(e.message));
    refuses({}, { PECTA_DATABASE_URL: 'redis://db' }, /PECTA_DATABASE_URL must be a postgres:\/\/ or postgresql:\/\/ URL, got a redis: URL/);
    refuses({}, { PECTA_DATABASE_URL: 'not a url' }, /PECTA_DATABASE_URL must be a postgres:\/\//);
    refuses({ 'database-schema': 'Pecta; DROP' }, {}, /--database-schema must be lower-case letters/);
    refuses({}, { PECTA_DATABASE_POOL_SIZE: '1' }, /PECTA_DATABASE_POOL_SIZE must be between 2 and 1000/);
  });
});
