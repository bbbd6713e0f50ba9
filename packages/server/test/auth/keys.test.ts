import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  KEY_PATTERN,
  MAX_AUTHORIZATION_LENGTH,
  generateKey,
  hashKey,
  keyHint,
  keyTypeOf,
  newKeyId,
  newOrgId,
  parseBearer,
  randomString,
} from '../../src/auth/keys.js';

const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
const SAMPLE_SECRET = 'sk_live_abcdefghijklmnopqrstuvwxyzABCDEF';
const SAMPLE_PUBLISHABLE = 'pk_live_0123456789ABCDEFGHIJabcdefghijkl';

describe('generateKey', () => {
  it('makes keys of the exact format for each type', () => {
    const pk = generateKey('publishable');
    const sk = generateKey('secret');
    assert.match(pk, /^pk_live_[A-Za-z0-9]{32}$/);
    assert.match(sk, /^sk_live_[A-Za-z0-9]{32}$/);
    assert.equal(keyTypeOf(pk), 'publishable');
    assert.equal(keyTypeOf(sk), 'secret');
  });

  it('rejects an unknown type', () => {
    assert.throws(() => generateKey('admin' as never), TypeError);
  });

  it('never repeats and uses every character, without favouring any (no modulo bias)', () => {
    const keys = Array.from({ length: 3000 }, (_, i) => generateKey(i % 2 === 0 ? 'secret' : 'publishable'));
    assert.equal(new Set(keys).size, keys.length);
    const counts = new Map<string, number>();
    for (const key of keys) for (const ch of key.slice(8)) counts.set(ch, (counts.get(ch) ?? 0) + 1);
    assert.deepEqual([...counts.keys()].sort(), [...ALNUM].sort());
    // 96 000 draws, ≈1548 per symbol (σ ≈ 39). `byte % 62` would give the first 8 symbols 25 % more than the rest.
    const mean = (symbols: string): number => [...symbols].reduce((sum, ch) => sum + counts.get(ch)!, 0) / symbols.length;
    const favoured = mean(ALNUM.slice(0, 8));
    const others = mean(ALNUM.slice(8));
    assert.ok(Math.abs(favoured / others - 1) < 0.08, `ratio ${favoured / others}`);
    for (const [ch, n] of counts) assert.ok(n > 1300 && n < 1800, `${ch} drawn ${n} times`);
  });
});

describe('randomString', () => {
  it('draws only from the alphabet, at the requested length, even when most bytes are rejected', () => {
    // 256 % 129 = 127: almost half of all bytes are rejected.
    const alphabet = ALNUM + ALNUM + 'xyzxy';
    assert.equal(alphabet.length, 129);
    const value = randomString(500, alphabet);
    assert.equal(value.length, 500);
    for (const ch of value) assert.ok(alphabet.includes(ch));
    assert.match(randomString(64, 'ab'), /^[ab]{64}$/);
  });

  it('rejects alphabets it cannot draw from uniformly', () => {
    assert.throws(() => randomString(4, 'a'), RangeError);
    assert.throws(() => randomString(4, 'a'.repeat(257)), RangeError);
  });
});

describe('KEY_PATTERN and keyTypeOf', () => {
  it('accepts only the exact format', () => {
    assert.equal(keyTypeOf(SAMPLE_SECRET), 'secret');
    assert.equal(keyTypeOf(SAMPLE_PUBLISHABLE), 'publishable');
    const bad = [
      '',
      'sk_live_',
      SAMPLE_SECRET.slice(0, -1),
      `${SAMPLE_SECRET}A`,
      SAMPLE_SECRET.replace('sk_live_', 'sk_test_'),
      SAMPLE_SECRET.replace('sk_live_', 'SK_LIVE_'),
      SAMPLE_SECRET.replace('sk_', 'xk_'),
      `${SAMPLE_SECRET.slice(0, -1)}-`,
      `${SAMPLE_SECRET.slice(0, -1)}é`,
      `${SAMPLE_SECRET}\n`,
      ` ${SAMPLE_SECRET}`,
    ];
    for (const value of bad) {
      assert.equal(keyTypeOf(value), null, JSON.stringify(value));
      assert.equal(KEY_PATTERN.test(value), false, JSON.stringify(value));
    }
    assert.equal(keyTypeOf(42 as unknown as string), null);
  });
});

describe('hashKey', () => {
  it('is the hex SHA-256 of the whole key', () => {
    assert.equal(hashKey(SAMPLE_SECRET), '22fa95ed02cea2da7576100c0cccfdfab08add231b9ed53482138ad0006d405b');
    assert.notEqual(hashKey(SAMPLE_PUBLISHABLE), hashKey(SAMPLE_SECRET));
    assert.match(hashKey(generateKey('secret')), /^[0-9a-f]{64}$/);
  });
});

describe('keyHint', () => {
  it('shows the prefix, the first 4 and the last 4 characters', () => {
    assert.equal(keyHint(SAMPLE_SECRET), 'sk_live_abcd…CDEF');
    assert.equal(keyHint(SAMPLE_PUBLISHABLE), 'pk_live_0123…ijkl');
  });

  it('never reveals more than 8 characters of the random part', () => {
    for (let i = 0; i < 500; i++) {
      const key = generateKey(i % 2 === 0 ? 'secret' : 'publishable');
      const hint = keyHint(key);
      assert.ok(hint.startsWith(key.slice(0, 8)));
      const revealed = hint.slice(8).replace('…', '');
      assert.equal(revealed.length, 8);
      assert.equal(revealed, key.slice(8, 12) + key.slice(-4));
      assert.ok(!hint.includes(key.slice(12, 13) + key.slice(13, 36)));
    }
  });

  it('refuses anything that is not a key rather than echo it', () => {
    assert.throws(() => keyHint('Bearer something-secret'), TypeError);
    assert.throws(() => keyHint(SAMPLE_SECRET.slice(0, -1)), TypeError);
  });
});

describe('ids', () => {
  it('have their prefix and 20 Crockford base32 characters, and do not repeat', () => {
    const keyIds = Array.from({ length: 2000 }, newKeyId);
    const orgIds = Array.from({ length: 2000 }, newOrgId);
    for (const id of keyIds) assert.match(id, /^key_[0-9A-HJKMNP-TV-Z]{20}$/);
    for (const id of orgIds) assert.match(id, /^org_[0-9A-HJKMNP-TV-Z]{20}$/);
    assert.equal(new Set(keyIds).size, keyIds.length);
    assert.equal(new Set(orgIds).size, orgIds.length);
    const used = new Set(keyIds.join('').replaceAll('key_', ''));
    assert.equal(used.size, 32);
  });
});

describe('parseBearer', () => {
  const missing = { ok: false, code: 'auth_missing' };
  const format = { ok: false, code: 'auth_format' };

  it('accepts a Bearer key with any scheme case and surrounding blanks', () => {
    for (const header of [
      `Bearer ${SAMPLE_SECRET}`,
      `bearer ${SAMPLE_SECRET}`,
      `BEARER ${SAMPLE_SECRET}`,
      `  Bearer   ${SAMPLE_SECRET}  `,
      `Bearer\t${SAMPLE_SECRET}\t`,
    ]) {
      assert.deepEqual(parseBearer(header), { ok: true, key: SAMPLE_SECRET }, JSON.stringify(header));
    }
    assert.deepEqual(parseBearer(`Bearer ${SAMPLE_PUBLISHABLE}`), { ok: true, key: SAMPLE_PUBLISHABLE });
  });

  it('reports auth_missing without a Bearer credential', () => {
    for (const header of [
      undefined,
      '',
      '   ',
      'Bearer',
      'Bearer ',
      'Bearer    \t ',
      `Basic ${SAMPLE_SECRET}`,
      `Token ${SAMPLE_SECRET}`,
      `Bearer${SAMPLE_SECRET}`,
      SAMPLE_SECRET,
      `Bearers ${SAMPLE_SECRET}`,
    ]) {
      assert.deepEqual(parseBearer(header), missing, JSON.stringify(header));
    }
  });

  it('reports auth_format for a Bearer credential that is not a well-formed key', () => {
    for (const header of [
      'Bearer abc',
      'Bearer pk_live_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx',
      `Bearer ${SAMPLE_SECRET}x`,
      `Bearer ${SAMPLE_SECRET.replace('live', 'test')}`,
      `Bearer "${SAMPLE_SECRET}"`,
      `Bearer ${SAMPLE_SECRET} ${SAMPLE_PUBLISHABLE}`,
      `Bearer ${SAMPLE_SECRET.slice(0, 20)} ${SAMPLE_SECRET.slice(20)}`,
    ]) {
      assert.deepEqual(parseBearer(header), format, JSON.stringify(header));
    }
  });

  it('classifies over-long headers from their first characters only', () => {
    assert.deepEqual(parseBearer(`Bearer ${'a'.repeat(1_000_000)}`), format);
    assert.deepEqual(parseBearer(`Bearer ${SAMPLE_SECRET}${' '.repeat(MAX_AUTHORIZATION_LENGTH)}`), format);
    assert.deepEqual(parseBearer(`Basic ${'a'.repeat(1_000_000)}`), missing);
    assert.deepEqual(parseBearer(' '.repeat(1_000_000)), missing);
  });

  it('returns results a caller cannot corrupt for later requests', () => {
    const result = parseBearer(undefined);
    assert.throws(() => {
      (result as { code: string }).code = 'auth_format';
    }, TypeError);
    assert.deepEqual(parseBearer(undefined), missing);
  });
});
