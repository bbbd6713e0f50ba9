import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { signBody } from '../../src/auth/hmac.js';
import { bearer, pluginApp } from './plugin-app.js';

const BODY = JSON.stringify({ events: [{ agent_id: 'a' }] });

async function withIngest(options: { defaultRateLimit?: number; ingestRateLimit?: number } = {}) {
  const t = await pluginApp(options);
  let handled = 0;
  t.app.post('/v1/ingest', { config: { auth: 'publishable', rateBucket: 'ingest', signedIngest: true } }, async () => {
    handled++;
    return { ok: true };
  });
  t.app.post('/v1/agents', { config: { auth: 'publishable' } }, async () => ({ ok: true }));
  await t.app.ready();
  const post = (url: string, key: string, headers: Record<string, string> = {}) =>
    t.app.inject({ method: 'POST', url, headers: { ...bearer(key), 'content-type': 'application/json', ...headers }, payload: BODY });
  return { ...t, post, handled: () => handled };
}

describe('signature plugin', () => {
  it('refuses unsigned ingest when the organisation requires signing, before the body is read', async () => {
    const t = await withIngest();
    const pk = t.issue('publishable').key;
    t.issue('secret');
    assert.equal((await t.post('/v1/ingest', pk)).statusCode, 200, 'not required by default');
    t.org.require_signed_ingest = true;
    t.cache.invalidate(t.org.id);
    const res = await t.post('/v1/ingest', pk);
    assert.equal(res.statusCode, 401);
    assert.equal(res.json().code, 'signature_required');
    assert.equal(res.headers['x-ratelimit-limit'], '100', 'counted by the rate limit first');
    assert.equal(t.store.reads.listActiveSecretKeys, 0, 'the body parser, which verifies signatures, never ran');
    assert.equal(t.handled(), 1);
    assert.equal((await t.post('/v1/agents', pk)).statusCode, 200, 'only routes that declare signedIngest');
    await t.app.close();
  });

  it('verifies a present signature over the raw body on every route, with any active secret key', async () => {
    const t = await withIngest();
    const pk = t.issue('publishable').key;
    const sk = t.issue('secret').key;
    t.org.require_signed_ingest = true;
    const signed = await t.post('/v1/ingest', pk, { 'x-pecta-signature': signBody(BODY, sk) });
    assert.equal(signed.statusCode, 200);
    const wrong = await t.post('/v1/ingest', pk, { 'x-pecta-signature': signBody(`${BODY} `, sk) });
    assert.equal(wrong.statusCode, 401);
    assert.equal(wrong.json().code, 'hmac_invalid');
    const elsewhere = await t.post('/v1/agents', pk, { 'x-pecta-signature': signBody('other', sk) });
    assert.equal(elsewhere.json().code, 'hmac_invalid');
    assert.equal(t.store.reads.listActiveSecretKeys, 1, 'secrets are cached');
    await t.app.close();
  });

  it('answers hmac_no_secret when the organisation has no secret key to check against', async () => {
    const t = await withIngest();
    const pk = t.issue('publishable').key;
    const res = await t.post('/v1/ingest', pk, { 'x-pecta-signature': signBody(BODY, `sk_live_${'q'.repeat(32)}`) });
    assert.equal(res.statusCode, 401);
    assert.equal(res.json().code, 'hmac_no_secret');
    await t.app.close();
  });

  it('runs last: a rate-limited or forbidden request is refused for that, not for its missing signature', async () => {
    const t = await pluginApp({ ingestRateLimit: 1 });
    t.app.post('/v1/signed-admin', { config: { auth: 'secret', rateBucket: 'ingest', signedIngest: true } }, async () => ({ ok: true }));
    await t.app.ready();
    t.org.require_signed_ingest = true;
    const pk = t.issue('publishable').key;
    const call = () => t.app.inject({ method: 'POST', url: '/v1/signed-admin', headers: bearer(pk) });
    assert.equal((await call()).json().code, 'forbidden');
    assert.equal((await call()).json().code, 'rate_limited');
    await t.app.close();
  });
});
