import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { makeOrg, makeTestApp, type TestApp } from '../helpers/app.js';

let t: TestApp;
before(async () => {
  t = await makeTestApp({ evaluateBodyLimit: 4096, defaultRateLimit: 1000, ingestRateLimit: 1000 });
});
after(async () => {
  await t.close();
});

function assertError(r: { statusCode: number; json(): { error: string; code: string; status: number } }, status: number, code: string): void {
  const body = r.json();
  assert.deepEqual(Object.keys(body).sort(), ['code', 'error', 'status']);
  assert.equal(r.statusCode, status, JSON.stringify(body));
  assert.equal(body.code, code);
  assert.equal(body.status, status);
  assert.ok(body.error.length > 0);
}

const sign = (body: string, key: string) => `sha256=${createHmac('sha256', key).update(body).digest('hex')}`;

describe('every error code of docs/api.md, Errors in the {error, code, status} shape', () => {
  it('auth_missing: no header, or not Bearer', async () => {
    assertError(await t.call('GET', '/v1/agents', null), 401, 'auth_missing');
    assertError(await t.call('GET', '/v1/agents', null, undefined, { authorization: `Basic ${t.a.pk}` }), 401, 'auth_missing');
    assertError(await t.call('GET', '/v1/agents', null, undefined, { authorization: 'Bearer' }), 401, 'auth_missing');
  });
  it('auth_format: a key that does not look like a key', async () => {
    assertError(await t.call('GET', '/v1/agents', 'not-a-key'), 401, 'auth_format');
    assertError(await t.call('GET', '/v1/agents', 'pk_live_short'), 401, 'auth_format');
    assertError(await t.call('GET', '/v1/agents', `xk_live_${'a'.repeat(32)}`), 401, 'auth_format');
  });
  it('auth_invalid: a well-formed key that does not exist', async () => {
    assertError(await t.call('GET', '/v1/agents', `pk_live_${'a'.repeat(32)}`), 401, 'auth_invalid');
  });
  it('auth_revoked: at once when revoked through the API, even right after the key was used', async () => {
    const k = (await t.call('POST', '/v1/keys', t.a.sk, { type: 'publishable' })).json();
    assert.equal((await t.call('GET', '/v1/agents', k.key)).statusCode, 200);
    await t.call('DELETE', `/v1/keys/${k.id}`, t.a.sk);
    assertError(await t.call('GET', '/v1/agents', k.key), 401, 'auth_revoked');
  });
  it('auth_revoked: within 2 seconds when another process (the CLI) revoked the key in the store', async () => {
    const k = (await t.call('POST', '/v1/keys', t.a.sk, { type: 'publishable' })).json();
    assert.equal((await t.call('GET', '/v1/agents', k.key)).statusCode, 200);
    await t.store.revokeKey(t.a.orgId, k.id, t.clock.now);
    t.clock.now += 1000;
    assert.equal((await t.call('GET', '/v1/agents', k.key)).statusCode, 200, 'the key lookup is cached for 2 s');
    t.clock.now += 1001;
    assertError(await t.call('GET', '/v1/agents', k.key), 401, 'auth_revoked');
  });
  it('hmac_no_secret: a signature for an organisation without an active secret key', async () => {
    const lonely = await makeOrg(t.store, t.box, 'no-secret');
    const keys = (await t.call('GET', '/v1/keys', lonely.sk)).json().keys;
    const secretId = keys.find((k: { type: string }) => k.type === 'secret').id;
    await t.call('DELETE', `/v1/keys/${secretId}`, lonely.sk);
    const body = JSON.stringify({ events: [{ agent_id: 'a', passed: true }] });
    assertError(await t.call('POST', '/v1/ingest', lonely.pk, body, { 'x-pecta-signature': sign(body, lonely.sk) }), 401, 'hmac_no_secret');
  });
  it('hmac_invalid: wrong key, wrong body, malformed header; a valid signature passes', async () => {
    const body = JSON.stringify({ events: [{ agent_id: 'signed', passed: true }] });
    const ok = await t.call('POST', '/v1/ingest', t.a.pk, body, { 'x-pecta-signature': sign(body, t.a.sk) });
    assert.equal(ok.statusCode, 202);
    assertError(await t.call('POST', '/v1/ingest', t.a.pk, body, { 'x-pecta-signature': sign(body, t.b.sk) }), 401, 'hmac_invalid');
    assertError(await t.call('POST', '/v1/ingest', t.a.pk, body, { 'x-pecta-signature': sign(`${body} `, t.a.sk) }), 401, 'hmac_invalid');
    assertError(await t.call('POST', '/v1/ingest', t.a.pk, body, { 'x-pecta-signature': 'md5=abc' }), 401, 'hmac_invalid');
    // Verified over the raw bytes: the same JSON with different spacing is a different body.
    const spaced = JSON.stringify(JSON.parse(body), null, 2);
    assertError(await t.call('POST', '/v1/ingest', t.a.pk, spaced, { 'x-pecta-signature': sign(body, t.a.sk) }), 401, 'hmac_invalid');
  });
  it('hmac is checked before the body is parsed', async () => {
    const notJson = '{this is not json';
    assertError(await t.call('POST', '/v1/ingest', t.a.pk, notJson, { 'x-pecta-signature': sign('other', t.a.sk) }), 401, 'hmac_invalid');
  });
  it('bad_json: malformed, empty, invalid UTF-8', async () => {
    assertError(await t.call('POST', '/v1/ingest', t.a.pk, '{"events": [}'), 400, 'bad_json');
    assertError(await t.call('POST', '/v1/ingest', t.a.pk, ''), 400, 'bad_json');
    const invalidUtf8 = Buffer.concat([Buffer.from('{"agent_id":"'), Buffer.from([0xff, 0xfe]), Buffer.from('"}')]);
    assertError(await t.call('POST', '/v1/agents', t.a.pk, invalidUtf8), 400, 'bad_json');
  });
  it('validation_error names the field', async () => {
    const r = await t.call('POST', '/v1/evaluate', t.a.pk, { agent_id: '', output: 'x' });
    assertError(r, 400, 'validation_error');
    assert.match(r.json().error, /^agent_id: /);
    const q = await t.call('GET', '/v1/events?limit=500', t.a.pk);
    assertError(q, 400, 'validation_error');
    assert.match(q.json().error, /limit/);
  });
  it('forbidden: a publishable key on admin routes', async () => {
    assertError(await t.call('GET', '/v1/keys', t.a.pk), 403, 'forbidden');
    assertError(await t.call('POST', '/v1/keys', t.a.pk, { type: 'secret' }), 403, 'forbidden');
    assertError(await t.call('DELETE', '/v1/keys/key_x', t.a.pk), 403, 'forbidden');
  });
  it('not_found: unknown routes and methods', async () => {
    assertError(await t.call('GET', '/v1/nope', t.a.pk), 404, 'not_found');
    assertError(await t.call('GET', '/nope', null), 404, 'not_found');
    assertError(await t.call('PUT', '/v1/agents', t.a.pk, {}), 404, 'not_found');
  });
  it('payload_too_large: over the route limit', async () => {
    assertError(await t.call('POST', '/v1/evaluate', t.a.pk, { agent_id: 'big', output: 'x'.repeat(10_000) }), 413, 'payload_too_large');
  });
  it('unsupported_media_type: a body that is not JSON', async () => {
    assertError(await t.call('POST', '/v1/evaluate', t.a.pk, 'agent_id=x', { 'content-type': 'application/x-www-form-urlencoded' }), 415, 'unsupported_media_type');
    assertError(await t.call('POST', '/v1/evaluate', t.a.pk, 'hello', { 'content-type': 'text/plain' }), 415, 'unsupported_media_type');
  });
  it('accepts application/json with a charset and application/*+json', async () => {
    const body = JSON.stringify({ agent_id: 'ct' });
    assert.equal((await t.call('POST', '/v1/agents', t.a.pk, body, { 'content-type': 'application/json; charset=utf-8' })).statusCode, 201);
    assert.equal((await t.call('POST', '/v1/agents', t.a.pk, body, { 'content-type': 'application/vnd.pecta+json' })).statusCode, 201);
  });
});

describe('rate_limited', () => {
  it('refuses past the organisation limit with Retry-After in whole seconds, and only for that organisation', async () => {
    const limited = await makeTestApp({ defaultRateLimit: 3, ingestRateLimit: 2 });
    try {
      for (let i = 0; i < 3; i++) assert.equal((await limited.call('GET', '/v1/agents', limited.a.pk)).statusCode, 200);
      limited.clock.now += 20_000;
      const r = await limited.call('GET', '/v1/agents', limited.a.pk);
      assertError(r, 429, 'rate_limited');
      assert.equal(r.headers['retry-after'], '40');
      // Secret and publishable keys share their organisation's budget.
      assertError(await limited.call('GET', '/v1/keys', limited.a.sk), 429, 'rate_limited');
      // Another organisation is unaffected; ingest has its own bucket.
      assert.equal((await limited.call('GET', '/v1/agents', limited.b.pk)).statusCode, 200);
      assert.equal((await limited.call('POST', '/v1/ingest', limited.a.pk, { events: [{ agent_id: 'x', passed: true }] })).statusCode, 202);
      assert.equal((await limited.call('POST', '/v1/ingest', limited.a.pk, { events: [{ agent_id: 'x', passed: true }] })).statusCode, 202);
      assertError(await limited.call('POST', '/v1/ingest', limited.a.pk, { events: [{ agent_id: 'x', passed: true }] }), 429, 'rate_limited');
      // Rolling, not fixed buckets: 60 s after the first three requests the window admits again.
      limited.clock.now += 40_000;
      assert.equal((await limited.call('GET', '/v1/agents', limited.a.pk)).statusCode, 200);
      // /health is never limited.
      for (let i = 0; i < 10; i++) assert.equal((await limited.call('GET', '/health', null)).statusCode, 200);
    } finally {
      await limited.close();
    }
  });
  it('honours per-organisation overrides', async () => {
    const limited = await makeTestApp({ defaultRateLimit: 2 });
    try {
      await limited.store.setOrganizationLimits(limited.a.orgId, { ingest_limit: null, default_limit: 5 });
      for (let i = 0; i < 5; i++) assert.equal((await limited.call('GET', '/v1/agents', limited.a.pk)).statusCode, 200);
      assertError(await limited.call('GET', '/v1/agents', limited.a.pk), 429, 'rate_limited');
      for (let i = 0; i < 2; i++) assert.equal((await limited.call('GET', '/v1/agents', limited.b.pk)).statusCode, 200);
      assertError(await limited.call('GET', '/v1/agents', limited.b.pk), 429, 'rate_limited');
    } finally {
      await limited.close();
    }
  });
});
