import { afterEach, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MASTER_KEY_FILE, SecretBox, loadMasterKey, parseMasterKey } from '../../src/auth/crypto.js';

const SECRET = 'sk_live_abcdefghijklmnopqrstuvwxyzABCDEF';

/** Replaces the byte at `index` of a sealed value's binary body with a different one. */
function flipByte(sealed: string, index: number): string {
  const bytes = Buffer.from(sealed.slice(3), 'base64url');
  bytes[index] = bytes[index]! ^ 0x01;
  return `v1.${bytes.toString('base64url')}`;
}

describe('SecretBox', () => {
  const box = new SecretBox(randomBytes(32));

  it('round-trips empty, ASCII, Unicode and long plaintexts', () => {
    for (const plaintext of ['', SECRET, 'clé 🔑 ключ', 'x'.repeat(100_000)]) {
      assert.equal(box.open(box.seal(plaintext)), plaintext);
    }
  });

  it('seals to v1. + base64url(iv | tag | ciphertext) with a fresh IV each time', () => {
    const a = box.seal(SECRET);
    const b = box.seal(SECRET);
    assert.match(a, /^v1\.[A-Za-z0-9_-]+$/);
    assert.equal(Buffer.from(a.slice(3), 'base64url').length, 12 + 16 + SECRET.length);
    assert.notEqual(a, b);
    assert.notEqual(a.slice(3, 19), b.slice(3, 19));
    assert.ok(!a.includes(SECRET.slice(8)));
  });

  it('detects tampering with the IV, the tag or the ciphertext', () => {
    const sealed = box.seal(SECRET);
    for (const index of [0, 11, 12, 27, 28, 28 + SECRET.length - 1]) {
      assert.throws(() => box.open(flipByte(sealed, index)), /failed authentication/, `byte ${index}`);
    }
    const bytes = Buffer.from(sealed.slice(3), 'base64url');
    assert.throws(() => box.open(`v1.${bytes.subarray(0, bytes.length - 1).toString('base64url')}`), /failed authentication/);
    assert.throws(() => box.open(`v1.${Buffer.concat([bytes, Buffer.from([0])]).toString('base64url')}`), /failed authentication/);
  });

  it('rejects malformed bodies', () => {
    const sealed = box.seal(SECRET);
    assert.throws(() => box.open('v1.'), /malformed/);
    assert.throws(() => box.open('v1.AAAA'), /malformed/);
    assert.throws(() => box.open(`${sealed}!`), /malformed/);
    assert.throws(() => box.open(`${sealed.slice(0, 10)}+${sealed.slice(11)}`), /malformed/);
    assert.throws(() => box.open(`${sealed}\n`), /malformed/);
  });

  it('refuses a value sealed under another master key', () => {
    const other = new SecretBox(randomBytes(32));
    assert.throws(() => other.open(box.seal(SECRET)), /failed authentication/);
  });

  it('opens only with the same master key bytes, whichever SecretBox instance holds them', () => {
    const master = randomBytes(32);
    assert.equal(new SecretBox(master).open(new SecretBox(Buffer.from(master)).seal(SECRET)), SECRET);
  });

  it('refuses unknown versions', () => {
    const sealed = box.seal(SECRET);
    for (const value of [`v2.${sealed.slice(3)}`, sealed.slice(3), `V1.${sealed.slice(3)}`, '']) {
      assert.throws(() => box.open(value), /unknown version/, JSON.stringify(value.slice(0, 4)));
    }
    assert.throws(() => box.open(undefined as unknown as string), /unknown version/);
  });

  it('binds associated data: a value opens only with the context it was sealed for', () => {
    const sealed = box.seal(SECRET, 'key_A');
    assert.equal(box.open(sealed, 'key_A'), SECRET);
    assert.throws(() => box.open(sealed, 'key_B'), /failed authentication/);
    assert.throws(() => box.open(sealed), /failed authentication/);
    assert.throws(() => box.open(box.seal(SECRET), 'key_A'), /failed authentication/);
  });

  it('needs a 32-byte master key', () => {
    for (const key of [randomBytes(31), randomBytes(33), Buffer.alloc(0), 'a'.repeat(32) as unknown as Buffer]) {
      assert.throws(() => new SecretBox(key), TypeError);
    }
  });
});

describe('parseMasterKey', () => {
  const key = randomBytes(32);

  it('accepts 64 hex characters in either case, and base64 / base64url of 32 bytes with or without padding', () => {
    for (const text of [
      key.toString('hex'),
      key.toString('hex').toUpperCase(),
      key.toString('base64'),
      key.toString('base64').replace(/=$/, ''),
      key.toString('base64url'),
    ]) {
      assert.deepEqual(parseMasterKey(text), key, text.length.toString());
    }
  });

  it('rejects everything else', () => {
    const canonical = Buffer.alloc(32, 0xab).toString('base64'); // ends in "qw=": low bits of "w" are zero
    const nonCanonical = `${canonical.slice(0, 42)}x=`; // decodes to the same bytes, but was mistyped
    assert.deepEqual(parseMasterKey(canonical), Buffer.alloc(32, 0xab));
    for (const text of [
      '',
      key.toString('hex').slice(1),
      `${key.toString('hex')}0`,
      `${key.toString('hex').slice(2)}zz`,
      randomBytes(31).toString('base64'),
      randomBytes(33).toString('base64'),
      nonCanonical,
      `${key.toString('base64').slice(0, 43)}==`,
      'correct horse battery staple',
    ]) {
      assert.equal(parseMasterKey(text), null, JSON.stringify(text));
    }
  });
});

describe('loadMasterKey', () => {
  let dataDir: string;
  beforeEach(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'pecta-master-'));
  });
  afterEach(() => {
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('reads PECTA_MASTER_KEY as hex or base64 and creates no file', () => {
    const key = randomBytes(32);
    assert.deepEqual(loadMasterKey({ dataDir, env: { PECTA_MASTER_KEY: key.toString('hex') } }), { key, source: 'env' });
    assert.deepEqual(loadMasterKey({ dataDir, env: { PECTA_MASTER_KEY: ` ${key.toString('base64')}\n` } }), {
      key,
      source: 'env',
    });
    assert.deepEqual(readdirSync(dataDir), []);
  });

  it('throws a clear error for an invalid PECTA_MASTER_KEY without echoing it', () => {
    for (const value of ['not-a-key', 'ab'.repeat(31), randomBytes(16).toString('base64')]) {
      assert.throws(
        () => loadMasterKey({ dataDir, env: { PECTA_MASTER_KEY: value } }),
        (error: Error) =>
          error.message.includes('PECTA_MASTER_KEY') && error.message.includes('64 hex') && !error.message.includes(value),
      );
    }
  });

  it('creates <dataDir>/master.key with mode 0600 on first start, then reuses it', () => {
    const first = loadMasterKey({ dataDir, env: {} });
    assert.equal(first.source, 'created');
    assert.equal(first.key.length, 32);
    const path = join(dataDir, MASTER_KEY_FILE);
    assert.equal(readFileSync(path, 'utf8'), `${first.key.toString('hex')}\n`);
    if (process.platform !== 'win32') assert.equal(statSync(path).mode & 0o777, 0o600);
    assert.deepEqual(readdirSync(dataDir), [MASTER_KEY_FILE]); // no temporary file left behind
    const second = loadMasterKey({ dataDir, env: {} });
    assert.deepEqual(second, { key: first.key, source: 'file' });
  });

  it('creates missing data directories and treats an empty PECTA_MASTER_KEY as unset', () => {
    const nested = join(dataDir, 'a', 'b');
    const created = loadMasterKey({ dataDir: nested, env: { PECTA_MASTER_KEY: '' } });
    assert.equal(created.source, 'created');
    assert.deepEqual(loadMasterKey({ dataDir: nested, env: { PECTA_MASTER_KEY: '  ' } }), {
      key: created.key,
      source: 'file',
    });
  });

  it('prefers the environment over an existing file', () => {
    loadMasterKey({ dataDir, env: {} });
    const key = randomBytes(32);
    assert.deepEqual(loadMasterKey({ dataDir, env: { PECTA_MASTER_KEY: key.toString('hex') } }), { key, source: 'env' });
  });

  it('refuses a corrupt key file instead of replacing it', () => {
    const path = join(dataDir, MASTER_KEY_FILE);
    writeFileSync(path, 'deadbeef\n');
    assert.throws(() => loadMasterKey({ dataDir, env: {} }), (error: Error) => error.message.includes(path));
    assert.equal(readFileSync(path, 'utf8'), 'deadbeef\n');
  });

  it('reads an operator-provided base64 key file', () => {
    const key = randomBytes(32);
    writeFileSync(join(dataDir, MASTER_KEY_FILE), key.toString('base64'));
    assert.deepEqual(loadMasterKey({ dataDir, env: {} }), { key, source: 'file' });
  });
});
