import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { bearer, pluginApp } from './plugin-app.js';

describe('key-type plugin: secret-key routes from route config', () => {
  it('refuses a publishable key on a secret route with 403, after counting it', async () => {
    const t = await pluginApp({ defaultRateLimit: 1 });
    t.app.get('/v1/keys', { config: { auth: 'secret' } }, async () => ({ ok: true }));
    await t.app.ready();
    const pk = t.issue('publishable').key;
    const forbidden = await t.app.inject({ method: 'GET', url: '/v1/keys', headers: bearer(pk) });
    assert.equal(forbidden.statusCode, 403);
    assert.deepEqual(forbidden.json(), { error: 'this route needs a secret (sk_live_) key', code: 'forbidden', status: 403 });
    assert.equal(forbidden.headers['x-ratelimit-remaining'], '0', 'the rate limit runs first and counted it');
    const limited = await t.app.inject({ method: 'GET', url: '/v1/keys', headers: bearer(pk) });
    assert.equal(limited.statusCode, 429, 'a refused rate limit answers before the key type is looked at');
    await t.app.close();
  });

  it('lets a secret key through, and any key through a publishable route', async () => {
    const t = await pluginApp();
    t.app.get('/v1/keys', { config: { auth: 'secret' } }, async () => ({ ok: true }));
    t.app.get('/v1/agents', { config: { auth: 'publishable' } }, async () => ({ ok: true }));
    await t.app.ready();
    const sk = t.issue('secret').key;
    const pk = t.issue('publishable').key;
    assert.equal((await t.app.inject({ method: 'GET', url: '/v1/keys', headers: bearer(sk) })).statusCode, 200);
    assert.equal((await t.app.inject({ method: 'GET', url: '/v1/agents', headers: bearer(sk) })).statusCode, 200);
    assert.equal((await t.app.inject({ method: 'GET', url: '/v1/agents', headers: bearer(pk) })).statusCode, 200);
    await t.app.close();
  });
});
