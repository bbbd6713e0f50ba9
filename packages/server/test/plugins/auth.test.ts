import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { requireAuth } from '../../src/auth/context.js';
import { bearer, pluginApp } from './plugin-app.js';

async function withWhoAmI() {
  const t = await pluginApp();
  t.app.get('/v1/whoami', { config: { auth: 'publishable' } }, async (request) => requireAuth(request));
  t.app.get('/open', async (request) => requireAuth(request));
  await t.app.ready();
  return t;
}

describe('auth plugin: key lookup', () => {
  it('puts the caller on the request for a valid key', async () => {
    const t = await withWhoAmI();
    const { key, record } = t.issue('publishable');
    const res = await t.app.inject({ method: 'GET', url: '/v1/whoami', headers: bearer(key) });
    assert.equal(res.statusCode, 200);
    assert.deepEqual(res.json(), { orgId: t.org.id, keyId: record.id, keyType: 'publishable' });
    await t.app.close();
  });

  it('refuses a missing, malformed, unknown or revoked key with its own code', async () => {
    const t = await withWhoAmI();
    const { key, record } = t.issue('secret');
    const cases: Array<[Record<string, string>, string, RegExp]> = [
      [{}, 'auth_missing', /^missing Authorization header/],
      [{ authorization: `Basic ${key}` }, 'auth_missing', /scheme other than Bearer/],
      [bearer(key.slice(0, -1)), 'auth_format', /has 31 characters after sk_live_/],
      [bearer(`sk_live_${'x'.repeat(32)}`), 'auth_invalid', /^API key not recognised$/],
    ];
    for (const [headers, code, message] of cases) {
      const res = await t.app.inject({ method: 'GET', url: '/v1/whoami', headers });
      assert.equal(res.statusCode, 401, code);
      assert.equal(res.json().code, code);
      assert.match(res.json().error, message);
      assert.ok(!res.body.includes(key), 'the key is never quoted');
    }
    record.revoked_at = 1;
    t.cache.invalidate(t.org.id);
    const revoked = await t.app.inject({ method: 'GET', url: '/v1/whoami', headers: bearer(key) });
    assert.equal(revoked.json().code, 'auth_revoked');
    await t.app.close();
  });

  it('keeps a found key for the cache time, and looks it up again once the organisation is invalidated', async () => {
    const t = await withWhoAmI();
    const { key } = t.issue('publishable');
    for (let i = 0; i < 3; i++) assert.equal((await t.app.inject({ method: 'GET', url: '/v1/whoami', headers: bearer(key) })).statusCode, 200);
    assert.equal(t.store.reads.findKeyByHash, 1);
    t.cache.invalidate(t.org.id);
    await t.app.inject({ method: 'GET', url: '/v1/whoami', headers: bearer(key) });
    assert.equal(t.store.reads.findKeyByHash, 2);
    t.clock.now += 2001;
    await t.app.inject({ method: 'GET', url: '/v1/whoami', headers: bearer(key) });
    assert.equal(t.store.reads.findKeyByHash, 3);
    await t.app.close();
  });

  it('does not cache unknown keys', async () => {
    const t = await withWhoAmI();
    const unknown = bearer(`pk_live_${'y'.repeat(32)}`);
    await t.app.inject({ method: 'GET', url: '/v1/whoami', headers: unknown });
    await t.app.inject({ method: 'GET', url: '/v1/whoami', headers: unknown });
    assert.equal(t.store.reads.findKeyByHash, 2);
    await t.app.close();
  });

  it('records the last use of each key, written when the app closes', async () => {
    const t = await withWhoAmI();
    const { key, record } = t.issue('publishable');
    await t.app.inject({ method: 'GET', url: '/v1/whoami', headers: bearer(key) });
    assert.equal(t.store.touched.length, 0, 'not written per request');
    await t.app.close();
    assert.deepEqual(t.store.touched, [new Map([[record.id, t.clock.now]])]);
  });

  it("checks a GET route and its automatic HEAD route once each, after the route's own hooks", async () => {
    const t = await pluginApp();
    const seen: Array<string | null> = [];
    const ownHook = async (request: { auth: { keyId: string } | null }) => {
      seen.push(request.auth?.keyId ?? null);
    };
    t.app.get('/v1/things', { config: { auth: 'publishable' }, onRequest: [ownHook] }, async () => ({ ok: true }));
    await t.app.ready();
    const { key } = t.issue('publishable');
    assert.equal((await t.app.inject({ method: 'HEAD', url: '/v1/things' })).statusCode, 401);
    const head = await t.app.inject({ method: 'HEAD', url: '/v1/things', headers: bearer(key) });
    assert.equal(head.statusCode, 200);
    assert.equal(head.headers['x-ratelimit-remaining'], '99', 'counted once, not once per attached copy');
    const get = await t.app.inject({ method: 'GET', url: '/v1/things', headers: bearer(key) });
    assert.equal(get.headers['x-ratelimit-remaining'], '98');
    assert.deepEqual(seen, [null, null, null], "the route's own hook runs once per request, before authentication");
    await t.app.close();
  });

  it('requireAuth answers 401 on a route that declared no auth, instead of failing with a 500', async () => {
    const t = await withWhoAmI();
    const { key } = t.issue('secret');
    const res = await t.app.inject({ method: 'GET', url: '/open', headers: bearer(key) });
    assert.equal(res.statusCode, 401);
    assert.equal(res.json().code, 'auth_missing');
    assert.equal(t.store.reads.findKeyByHash, 0, 'no lookup on a route without a declaration');
    await t.app.close();
  });
});
