import { describe, it, mock } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { syncBuiltinESMExports } from 'node:module';
import { parseSignatureHeader, signBody, verifyBodySignature } from '../../src/auth/hmac.js';

const SECRET_A = 'sk_live_abcdefghijklmnopqrstuvwxyzABCDEF';
const SECRET_B = 'sk_live_0123456789ABCDEFGHIJabcdefghijkl';
const SECRET_C = 'sk_live_ZYXWVUTSRQPONMLKJIHGFEDCBAzyxwvuts';
const HEX = 'f7bc83f430538424b13298e6aa6fb143ef4d59a14946175997479dbc2d1a3cd8';

describe('parseSignatureHeader', () => {
  it('returns the lowercase digest of sha256=<64 hex>', () => {
    assert.equal(parseSignatureHeader(`sha256=${HEX}`), HEX);
    assert.equal(parseSignatureHeader(`sha256=${HEX.toUpperCase()}`), HEX);
  });

  it('returns null for anything else', () => {
    for (const value of [
      undefined,
      '',
      'sha256=',
      HEX,
      `sha256=${HEX.slice(1)}`,
      `sha256=${HEX}0`,
      `sha256=${HEX.slice(1)}g`,
      `sha1=${HEX}`,
      `SHA256=${HEX}`,
      `sha256:${HEX}`,
      ` sha256=${HEX}`,
      `sha256=${HEX} `,
      `sha256=${HEX}\n`,
      `sha256=${HEX}, sha256=${HEX}`,
    ]) {
      assert.equal(parseSignatureHeader(value), null, JSON.stringify(value));
    }
  });
});

describe('signBody', () => {
  it('is HMAC-SHA256 keyed with the secret, in hex, over strings and bytes alike', () => {
    const message = 'The quick brown fox jumps over the lazy dog';
    assert.equal(signBody(message, 'key'), `sha256=${HEX}`);
    assert.equal(signBody(Buffer.from(message), 'key'), `sha256=${HEX}`);
    const unicode = '{"agent":"agënt-🔑"}';
    assert.equal(signBody(unicode, SECRET_A), signBody(Buffer.from(unicode, 'utf8'), SECRET_A));
  });
});

describe('verifyBodySignature', () => {
  const body = Buffer.from(JSON.stringify({ events: [{ agent_id: 'a1', passed: true }] }));

  it('accepts a signature by the secret, in either hex case', () => {
    const header = signBody(body, SECRET_A);
    assert.equal(verifyBodySignature(body, header, [SECRET_A]), 'valid');
    assert.equal(verifyBodySignature(body, header.toUpperCase().replace('SHA256=', 'sha256='), [SECRET_A]), 'valid');
  });

  it('rejects a signature by another key, over another body, or with no secrets', () => {
    assert.equal(verifyBodySignature(body, signBody(body, SECRET_B), [SECRET_A]), 'invalid');
    assert.equal(verifyBodySignature(body, signBody(Buffer.from('{}'), SECRET_A), [SECRET_A]), 'invalid');
    assert.equal(verifyBodySignature(body, signBody(body, SECRET_A), []), 'invalid');
  });

  it('reports malformed headers before doing any work', () => {
    for (const header of [undefined, '', 'sha256=abc', signBody(body, SECRET_A).replace('sha256=', 'sha512='), `${signBody(body, SECRET_A)} `]) {
      assert.equal(verifyBodySignature(body, header, [SECRET_A]), 'malformed', JSON.stringify(header));
    }
  });

  it('accepts a signature by any one of several secrets', () => {
    const secrets = [SECRET_A, SECRET_B, SECRET_C];
    for (const secret of secrets) assert.equal(verifyBodySignature(body, signBody(body, secret), secrets), 'valid');
    assert.equal(verifyBodySignature(body, signBody(body, 'sk_live_other'), secrets), 'invalid');
  });

  it('compares against every secret even when the first one matches', () => {
    const compare = mock.method(crypto, 'timingSafeEqual');
    syncBuiltinESMExports();
    try {
      const header = signBody(body, SECRET_A);
      assert.equal(verifyBodySignature(body, header, [SECRET_A, SECRET_B, SECRET_C]), 'valid');
      assert.equal(compare.mock.callCount(), 3);
      assert.deepEqual(
        compare.mock.calls.map((call) => call.result),
        [true, false, false],
      );
    } finally {
      compare.mock.restore();
      syncBuiltinESMExports();
    }
  });

  it('is computed over the raw bytes: the same JSON serialised differently does not verify', () => {
    const value = JSON.parse(body.toString('utf8')) as unknown;
    const header = signBody(body, SECRET_A);
    for (const variant of [
      JSON.stringify(value, null, 2),
      `${body.toString('utf8')}\n`,
      ` ${body.toString('utf8')}`,
      JSON.stringify({ events: [{ passed: true, agent_id: 'a1' }] }),
    ]) {
      assert.deepEqual(JSON.parse(variant), value);
      assert.equal(verifyBodySignature(Buffer.from(variant), header, [SECRET_A]), 'invalid', JSON.stringify(variant));
    }
  });

  it('treats escaped and literal Unicode as different bodies', () => {
    const literal = Buffer.from('{"name":"é"}', 'utf8');
    const escaped = Buffer.from('{"name":"\\u00e9"}', 'utf8');
    assert.equal(verifyBodySignature(escaped, signBody(literal, SECRET_A), [SECRET_A]), 'invalid');
  });
});
