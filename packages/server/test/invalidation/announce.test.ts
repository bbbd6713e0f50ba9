/** What the API announces to the other instances, and that an announcement that fails never fails the change. */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { buildApp } from '../../src/app.js';
import { SecretBox } from '../../src/auth/crypto.js';
import { DEFAULT_CONFIG } from '../../src/config.js';
import type { Invalidation, InvalidationPublisher } from '../../src/invalidation/index.js';
import { SqliteStore } from '../../src/store/index.js';
import { makeOrg } from '../helpers/app.js';

async function appWith(publish: (message: Invalidation) => Promise<void>) {
  const dir = mkdtempSync(join(tmpdir(), 'pecta-announce-'));
  const store = new SqliteStore({ path: join(dir, 'pecta.db') });
  await store.init();
  const box = new SecretBox(randomBytes(32));
  const logged: string[] = [];
  const invalidations: InvalidationPublisher = { publish, close: async () => {} };
  const config = { ...DEFAULT_CONFIG, dataDir: dir, logLevel: 'warn' as const };
  const { app } = await buildApp({ config, store, box, invalidations, logger: { level: 'warn', stream: { write: (line: string) => logged.push(line) } } });
  await app.ready();
  const org = await makeOrg(store, box, 'org');
  const call = (method: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: string, key: string, payload?: object) =>
    app.inject({ method, url, headers: { authorization: `Bearer ${key}` }, payload });
  const keyId = async (type: string) =>
    ((await call('GET', '/v1/keys', org.sk)).json() as { keys: Array<{ id: string; type: string }> }).keys.find((k) => k.type === type)!.id;
  return {
    org,
    call,
    keyId,
    logged,
    async close() {
      await app.close();
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

describe('announcing changes to the other instances', () => {
  it('names the organisation, after each committed change to its keys or settings, and never a key', async () => {
    const sent: Invalidation[] = [];
    const t = await appWith(async (message) => {
      sent.push(message);
    });
    try {
      assert.equal((await t.call('GET', '/v1/agents', t.org.pk)).statusCode, 200);
      assert.deepEqual(sent, [], 'reads announce nothing');
      const created = await t.call('POST', '/v1/keys', t.org.sk, { type: 'secret' });
      assert.equal(created.statusCode, 201);
      assert.equal((await t.call('PATCH', '/v1/org', t.org.sk, { require_signed_ingest: true })).statusCode, 200);
      assert.equal((await t.call('DELETE', `/v1/keys/${await t.keyId('publishable')}`, t.org.sk)).statusCode, 200);
      assert.equal((await t.call('DELETE', '/v1/keys/key_DOESNOTEXIST000000', t.org.sk)).statusCode, 404);
      assert.deepEqual(sent, [{ org: t.org.orgId }, { org: t.org.orgId }, { org: t.org.orgId }]);
      const newKey = (created.json() as { key: string }).key;
      for (const secret of [t.org.pk, t.org.sk, newKey]) assert.ok(!JSON.stringify(sent).includes(secret));
    } finally {
      await t.close();
    }
  });

  it('a failed announcement still revokes (here at once), answers 200 and logs a warning', async () => {
    const t = await appWith(async () => {
      throw new Error('Connection is closed.');
    });
    try {
      assert.equal((await t.call('GET', '/v1/agents', t.org.pk)).statusCode, 200);
      const revoked = await t.call('DELETE', `/v1/keys/${await t.keyId('publishable')}`, t.org.sk);
      assert.equal(revoked.statusCode, 200);
      assert.equal((revoked.json() as { revoked: boolean }).revoked, true);
      const refused = await t.call('GET', '/v1/agents', t.org.pk);
      assert.equal(refused.statusCode, 401);
      assert.equal((refused.json() as { code: string }).code, 'auth_revoked');
      const warnings = t.logged.filter((line) => line.includes('cache invalidation'));
      assert.equal(warnings.length, 1, t.logged.join(''));
      assert.match(warnings[0]!, /Connection is closed\..*within their cache time/);
    } finally {
      await t.close();
    }
  });
});
