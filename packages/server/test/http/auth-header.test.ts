import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { makeTestApp, type TestApp } from '../helpers/app.js';

let t: TestApp;
before(async () => {
  t = await makeTestApp({ defaultRateLimit: 1_000_000 });
});
after(async () => {
  await t.close();
});

/** The message must say what is wrong with the header that was sent, and never repeat any of it. */
describe('a refused Authorization header is explained', () => {
  const key = () => t.a.pk;
  const cases: Array<[label: string, header: () => string | undefined, code: string, message: RegExp]> = [
    ['no header', () => undefined, 'auth_missing', /^missing Authorization header/],
    ['an empty header', () => '', 'auth_missing', /header is empty/],
    ['"Bearer " with nothing after it', () => 'Bearer ', 'auth_missing', /says "Bearer" but no key follows it/],
    ['"Bearer" and blanks only', () => 'Bearer  \t ', 'auth_missing', /says "Bearer" but no key follows it/],
    ['a bare key without Bearer', () => key(), 'auth_missing', /bare key without the "Bearer " scheme/],
    ['a bare token that is not a key', () => 'abc123def', 'auth_missing', /no scheme, only a credential/],
    ['another scheme', () => `Basic ${Buffer.from(`user:${key()}`).toString('base64')}`, 'auth_missing', /scheme other than Bearer/],
    ['Bearer glued to the key', () => `Bearer${key()}`, 'auth_missing', /no space between "Bearer" and the key/],
    ['two words after Bearer', () => `Bearer ${key()} extra`, 'auth_format', /contains a space/],
    ['a test-style prefix', () => `Bearer pk_test_${'a'.repeat(32)}`, 'auth_format', /does not start with pk_live_ or sk_live_/],
    ['a short key', () => `Bearer ${key().slice(0, 30)}`, 'auth_format', /has 22 characters after pk_live_, not 32/],
    ['a key with a stray character', () => `Bearer ${key().slice(0, 39)}-`, 'auth_format', /characters other than letters and digits after pk_live_/],
    ['a header over 256 characters', () => `Bearer ${'k'.repeat(300)}`, 'auth_format', /longer than 256 characters/],
  ];

  for (const [label, header, code, message] of cases) {
    it(label, async () => {
      const value = header();
      const r = await t.call('GET', '/v1/agents', null, undefined, value === undefined ? {} : { authorization: value });
      const body = r.json();
      assert.equal(r.statusCode, 401, JSON.stringify(body));
      assert.equal(body.code, code);
      assert.match(body.error, message);
      const credential = value?.trim().split(/\s+/).pop() ?? '';
      if (credential.length >= 8) assert.ok(!body.error.includes(credential.slice(0, 16)), `echoes the credential: ${body.error}`);
    });
  }

  it('surrounding blanks and several blanks after Bearer are still accepted', async () => {
    for (const value of [`  Bearer ${key()}  `, `bearer   ${key()}`, `BEARER\t${key()}`]) {
      assert.equal((await t.call('GET', '/v1/agents', null, undefined, { authorization: value })).statusCode, 200, JSON.stringify(value));
    }
  });
});
