import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { buildApp } from '../../src/app.js';
import { SecretBox } from '../../src/auth/crypto.js';
import { DEFAULT_CONFIG } from '../../src/config.js';
import { RedisRollingWindowLimiter, type RedisFallback } from '../../src/ratelimit/redis.js';
import { SqliteStore } from '../../src/store/index.js';
import { makeOrg } from '../helpers/app.js';
import { redisSuiteOptions, sparePort, startThrowawayRedis, stopRedis } from '../helpers/redis.js';

const suite = await redisSuiteOptions();

/** An app limited through a throwaway Redis that the test kills; org limit 3 on the default bucket. */
async function appOnThrowawayRedis(fallback: RedisFallback) {
  const port = await sparePort();
  const redis = await startThrowawayRedis(port);
  const dir = mkdtempSync(join(tmpdir(), 'pecta-redis-fallback-'));
  const store = new SqliteStore({ path: join(dir, 'pecta.db') });
  await store.init();
  const box = new SecretBox(randomBytes(32));
  const warnings: string[] = [];
  const limiter = new RedisRollingWindowLimiter({
    url: `redis://127.0.0.1:${port}`,
    fallback,
    log: { warn: (m) => warnings.push(m), info: () => {} },
  });
  await limiter.connect();
  const config = { ...DEFAULT_CONFIG, dataDir: dir, logLevel: 'silent' as const };
  const { app } = await buildApp({ config, store, box, limiter, logger: false });
  await app.ready();
  const org = await makeOrg(store, box, 'org');
  await store.setOrganizationLimits(org.orgId, { ingest_limit: null, default_limit: 3 });
  const get = (url: string) => app.inject({ method: 'GET', url, headers: { authorization: `Bearer ${org.pk}` } });
  return {
    redis,
    warnings,
    get,
    async close() {
      await app.close();
      await limiter.close();
      await store.close();
      await stopRedis(redis);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

describe('HTTP while Redis is down', suite, () => {
  it('open: every request is answered, limited per instance, and /health stays ok', async () => {
    const t = await appOnThrowawayRedis('open');
    try {
      const before = [];
      for (let i = 0; i < 4; i++) before.push(await t.get('/v1/agents'));
      assert.deepEqual(before.map((r) => r.statusCode), [200, 200, 200, 429]);
      await stopRedis(t.redis);
      const during = [];
      for (let i = 0; i < 5; i++) during.push(await t.get('/v1/agents'));
      assert.deepEqual(during.map((r) => r.statusCode), [200, 200, 200, 429, 429]);
      assert.ok(Number(during[3]!.headers['retry-after']) >= 1);
      assert.equal((await t.get('/health')).statusCode, 200);
      assert.equal(t.warnings.length, 1, 'the switch is logged once');
    } finally {
      await t.close();
    }
  });

  it('closed: rate-limited requests get 503 unavailable with Retry-After; /health stays ok', async () => {
    const t = await appOnThrowawayRedis('closed');
    try {
      assert.equal((await t.get('/v1/agents')).statusCode, 200);
      await stopRedis(t.redis);
      for (let i = 0; i < 3; i++) {
        const res = await t.get('/v1/agents');
        assert.equal(res.statusCode, 503);
        assert.equal(res.headers['retry-after'], '1');
        assert.deepEqual(res.json(), { error: 'rate limits cannot be checked right now; retry shortly', code: 'unavailable', status: 503 });
      }
      const health = await t.get('/health');
      assert.equal(health.statusCode, 200, health.body);
    } finally {
      await t.close();
    }
  });
});
