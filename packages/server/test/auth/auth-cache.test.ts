import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { AuthCache } from '../../src/auth/auth-cache.js';
import { SecretBox } from '../../src/auth/crypto.js';
import type { KeyRecord, Store } from '../../src/store/types.js';

/** A store that knows every key hash it is asked about, and counts the reads. */
function countingStore() {
  const reads: string[] = [];
  const store = {
    async findKeyByHash(hash: string): Promise<KeyRecord | null> {
      reads.push(hash);
      if (hash.startsWith('unknown')) return null;
      return { id: `key_${hash}`, org_id: hash.startsWith('b') ? 'org_b' : 'org_a', type: 'publishable', label: null, hash, hint: 'h', created_at: 0, last_used_at: null, revoked_at: null, secret_ciphertext: null };
    },
  };
  return { reads, store: store as unknown as Store };
}

describe('AuthCache (lru-cache underneath)', () => {
  const box = new SecretBox(randomBytes(32));

  it('serves a key from memory until its time is up, then reads it again', async () => {
    let clock = 1_000;
    const { reads, store } = countingStore();
    const cache = new AuthCache({ store, box, now: () => clock, cacheMs: 2_000 });
    await cache.findKey('a1');
    await cache.findKey('a1');
    clock += 2_000;
    await cache.findKey('a1');
    assert.deepEqual(reads, ['a1']);
    clock += 1;
    await cache.findKey('a1');
    assert.deepEqual(reads, ['a1', 'a1'], 'expired once more than cacheMs has passed');
  });

  it('never caches an unknown key', async () => {
    const { reads, store } = countingStore();
    const cache = new AuthCache({ store, box });
    assert.equal(await cache.findKey('unknown-1'), null);
    assert.equal(await cache.findKey('unknown-1'), null);
    assert.equal(reads.length, 2);
  });

  it('drops only the changed organisation’s keys', async () => {
    const { reads, store } = countingStore();
    const cache = new AuthCache({ store, box });
    for (const hash of ['a1', 'a2', 'b1']) await cache.findKey(hash);
    cache.invalidate('org_a');
    for (const hash of ['a1', 'a2', 'b1']) await cache.findKey(hash);
    assert.deepEqual(reads, ['a1', 'a2', 'b1', 'a1', 'a2']);
  });

  it('holds at most 10,000 keys: a flood of distinct keys evicts the least recently used, not the one in use', async () => {
    const { reads, store } = countingStore();
    const cache = new AuthCache({ store, box });
    await cache.findKey('a-busy');
    for (let i = 0; i < 12_000; i++) {
      await cache.findKey(`a-flood-${i}`);
      if (i % 1000 === 0) await cache.findKey('a-busy');
    }
    const before = reads.length;
    await cache.findKey('a-busy');
    await cache.findKey('a-flood-11999');
    assert.equal(reads.length, before, 'recently used entries stay');
    await cache.findKey('a-flood-0');
    assert.equal(reads.length, before + 1, 'the oldest was evicted');
  });
});
