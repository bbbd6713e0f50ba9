import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { signBody } from '../../src/auth/hmac.js';
import { makeTestApp, type TestApp } from '../helpers/app.js';

let t: TestApp;
before(async () => {
  t = await makeTestApp();
});
after(async () => {
  await t.close();
});

const batch = JSON.stringify({ events: [{ agent_id: 'signed-bot', passed: true, latency_ms: 12 }] });

function ingest(key: string, body: string, headers: Record<string, string> = {}) {
  return t.call('POST', '/v1/ingest', key, body, headers);
}

describe('GET/PATCH /v1/org (admin)', () => {
  it('shows and changes the organisation settings with a secret key only', async () => {
    const got = await t.call('GET', '/v1/org', t.a.sk);
    assert.equal(got.statusCode, 200);
    assert.deepEqual(Object.keys(got.json()).sort(), ['created_at', 'default_limit', 'id', 'ingest_limit', 'name', 'require_signed_ingest']);
    assert.equal(got.json().id, t.a.orgId);
    assert.equal(got.json().require_signed_ingest, false);

    for (const [method, body] of [['GET', undefined], ['PATCH', { require_signed_ingest: true }]] as const) {
      const r = await t.call(method, '/v1/org', t.a.pk, body);
      assert.equal(r.statusCode, 403, method);
      assert.deepEqual(r.json(), { error: 'this route needs a secret (sk_live_) key', code: 'forbidden', status: 403 });
    }
    assert.equal((await t.call('GET', '/v1/org', t.a.sk)).json().require_signed_ingest, false, 'the publishable key changed nothing');

    for (const body of [{}, { require_signed_ingest: 'yes' }, { require_signed_ingest: true, extra: 1 }]) {
      const r = await t.call('PATCH', '/v1/org', t.a.sk, body);
      assert.equal(r.statusCode, 400, JSON.stringify(body));
      assert.equal(r.json().code, 'validation_error');
      assert.equal(r.json().status, 400);
    }
    const on = await t.call('PATCH', '/v1/org', t.a.sk, { require_signed_ingest: true });
    assert.equal(on.statusCode, 200);
    assert.deepEqual(on.json(), { ...got.json(), require_signed_ingest: true });
    assert.equal((await t.call('GET', '/v1/org', t.b.sk)).json().require_signed_ingest, false, 'only the caller’s organisation');
    await t.call('PATCH', '/v1/org', t.a.sk, { require_signed_ingest: false });
  });
});

describe('require_signed_ingest', () => {
  it('refuses unsigned ingest with signature_required before reading the body, and accepts signed ingest', async () => {
    assert.equal((await ingest(t.a.pk, batch)).statusCode, 202, 'off by default');
    await t.call('PATCH', '/v1/org', t.a.sk, { require_signed_ingest: true });

    const unsigned = await ingest(t.a.pk, batch);
    assert.equal(unsigned.statusCode, 401);
    assert.equal(unsigned.json().code, 'signature_required');
    assert.equal(unsigned.json().status, 401);
    assert.match(unsigned.json().error, /X-Pecta-Signature/);
    // Refused before the body is parsed: not even bad JSON or a missing body is looked at.
    assert.equal((await ingest(t.a.pk, '{not json')).json().code, 'signature_required');
    assert.equal((await t.call('POST', '/v1/ingest', t.a.pk)).json().code, 'signature_required');
    // Signing with a secret key is what passes; a wrong signature is still hmac_invalid.
    const signed = await ingest(t.a.pk, batch, { 'x-pecta-signature': signBody(batch, t.a.sk) });
    assert.equal(signed.statusCode, 202);
    assert.equal((await ingest(t.a.sk, batch, { 'x-pecta-signature': signBody(batch, t.a.sk) })).statusCode, 202);
    assert.equal((await ingest(t.a.pk, batch, { 'x-pecta-signature': signBody(batch, t.b.sk) })).json().code, 'hmac_invalid');
    // Nothing unsigned was recorded.
    assert.equal((await t.call('GET', '/v1/reputation/signed-bot', t.a.pk)).json().evaluations, 3);

    // Ingest only: evaluate runs the gates on the server and keeps working unsigned; another organisation is unaffected.
    assert.equal((await t.call('POST', '/v1/evaluate', t.a.pk, { agent_id: 'signed-bot', output: 'fine' })).statusCode, 200);
    assert.equal((await ingest(t.b.pk, batch)).statusCode, 202);

    await t.call('PATCH', '/v1/org', t.a.sk, { require_signed_ingest: false });
    assert.equal((await ingest(t.a.pk, batch)).statusCode, 202, 'turned off through the API: at once on this server');
  });

  it('applies a change made elsewhere (the CLI, another server) once the organisation cache expires, within 2 s', async () => {
    assert.equal((await ingest(t.b.pk, batch)).statusCode, 202);
    await t.store.updateOrganizationSettings(t.b.orgId, { require_signed_ingest: true });
    assert.equal((await ingest(t.b.pk, batch)).statusCode, 202, 'still cached');
    t.clock.now += 2001;
    assert.equal((await ingest(t.b.pk, batch)).json().code, 'signature_required');
    await t.store.updateOrganizationSettings(t.b.orgId, { require_signed_ingest: false });
    t.clock.now += 2001;
    assert.equal((await ingest(t.b.pk, batch)).statusCode, 202);
  });
});
