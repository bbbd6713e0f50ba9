import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import Fastify from 'fastify';
import rateLimit from '../../src/plugins/rate-limit.js';
import { bearer, pluginApp } from './plugin-app.js';

async function withRoutes(limits: { ingestRateLimit: number; defaultRateLimit: number }) {
  const t = await pluginApp(limits);
  t.app.get('/v1/read', { config: { auth: 'publishable' } }, async () => ({ ok: true }));
  t.app.post('/v1/ingest', { config: { auth: 'publishable', rateBucket: 'ingest' } }, async () => ({ ok: true }));
  await t.app.ready();
  return t;
}

describe('rate-limit plugin', () => {
  it('counts each organisation per bucket, with the limit headers on every answer and Retry-After when refused', async () => {
    const t = await withRoutes({ ingestRateLimit: 3, defaultRateLimit: 2 });
    const { key } = t.issue('publishable');
    const read = () => t.app.inject({ method: 'GET', url: '/v1/read', headers: bearer(key) });
    const first = await read();
    assert.equal(first.headers['x-ratelimit-limit'], '2');
    assert.equal(first.headers['x-ratelimit-remaining'], '1');
    assert.equal((await read()).headers['x-ratelimit-remaining'], '0');
    const refused = await read();
    assert.equal(refused.statusCode, 429);
    assert.equal(refused.json().code, 'rate_limited');
    assert.equal(refused.headers['retry-after'], '60');
    assert.equal(refused.headers['x-ratelimit-remaining'], '0');

    const ingest = await t.app.inject({ method: 'POST', url: '/v1/ingest', headers: bearer(key) });
    assert.equal(ingest.statusCode, 200, 'the ingest bucket is counted apart');
    assert.equal(ingest.headers['x-ratelimit-limit'], '3');
    t.clock.now += 60_001;
    assert.equal((await read()).statusCode, 200, 'the window rolls on');
    await t.app.close();
  });

  it("uses the organisation's own limits, re-read after the cache is invalidated", async () => {
    const t = await withRoutes({ ingestRateLimit: 3, defaultRateLimit: 2 });
    const { key } = t.issue('publishable');
    t.org.default_limit = 5;
    const read = () => t.app.inject({ method: 'GET', url: '/v1/read', headers: bearer(key) });
    assert.equal((await read()).headers['x-ratelimit-limit'], '5');
    t.org.default_limit = 7;
    assert.equal((await read()).headers['x-ratelimit-limit'], '5', 'cached');
    t.cache.invalidate(t.org.id);
    assert.equal((await read()).headers['x-ratelimit-limit'], '7');
    await t.app.close();
  });

  it('does not count requests that fail authentication', async () => {
    const t = await withRoutes({ ingestRateLimit: 3, defaultRateLimit: 2 });
    const { key } = t.issue('publishable');
    for (let i = 0; i < 5; i++) {
      const res = await t.app.inject({ method: 'GET', url: '/v1/read', headers: bearer(`pk_live_${'z'.repeat(32)}`) });
      assert.equal(res.statusCode, 401);
      assert.equal(res.headers['x-ratelimit-limit'], undefined);
    }
    assert.equal(t.store.reads.getOrganization, 0);
    assert.equal((await t.app.inject({ method: 'GET', url: '/v1/read', headers: bearer(key) })).headers['x-ratelimit-remaining'], '1');
    await t.app.close();
  });

  it('will not start without the auth plugin it counts for', async () => {
    const t = await pluginApp();
    const app = Fastify({ logger: false });
    const starting = (async () => {
      await app.register(rateLimit, { cache: t.cache, limiter: { consume: () => Promise.reject(new Error('not called')) }, ingestRateLimit: 1, defaultRateLimit: 1 });
      await app.ready();
    })();
    await assert.rejects(starting, /pecta-auth/);
    await t.app.close();
  });
});
