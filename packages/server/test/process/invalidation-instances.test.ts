/**
 * Changes made through one instance or the CLI reach the others through Redis (docs/api.md, Authentication). The instances cache
 * keys and organisations for an hour here, so a refusal on the very next request proves that the message dropped the
 * cached entry, not its expiry. Redis writes the message to every subscriber before it answers the publisher, so
 * it is already waiting on B's socket when the test's next request reaches B.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { dropPrefix, redisSuiteOptions, TEST_REDIS_URL, testPrefix } from '../helpers/redis.js';
import { runCli, startServerProcess, type ServerProcess } from '../helpers/spawn.js';

const suite = await redisSuiteOptions();
process.env.PECTA_TEST_AUTH_CACHE_MS = String(60 * 60 * 1000);

async function stop(server: ServerProcess): Promise<void> {
  server.child.kill('SIGTERM');
  await server.exited;
}

async function call(server: ServerProcess, key: string, init: RequestInit & { path?: string } = {}) {
  const res = await fetch(`${server.url}${init.path ?? '/v1/agents'}`, { ...init, headers: { authorization: `Bearer ${key}` } });
  const body = (await res.json()) as { code?: string };
  return { status: res.status, code: body.code, limit: res.headers.get('x-ratelimit-limit') };
}

async function organisation(dir: string, name: string) {
  const created = await runCli(['orgs', 'create', '--name', name, '--data-dir', dir]);
  assert.equal(created.code, 0, created.stderr);
  return {
    id: /organisation (\S+)/.exec(created.stdout)![1]!,
    pk: /publishable\s+(pk_live_\S+)/.exec(created.stdout)![1]!,
    sk: /secret\s+(sk_live_\S+)/.exec(created.stdout)![1]!,
  };
}

async function publishableKeyId(dir: string, orgId: string): Promise<string> {
  const listed = await runCli(['keys', 'list', '--org', orgId, '--data-dir', dir]);
  return listed.stdout.split('\n').find((line) => line.includes(' publishable '))!.split(/\s+/)[0]!;
}

/**
 * Waits until `read` gives `expected`. A message and the next request travel on different sockets, so which one an
 * instance reads first is not promised; with the cache held for an hour in these processes, only the message can
 * make the answer change at all, and the bound only keeps a missing message from hanging the test.
 */
async function eventually<T>(read: () => Promise<T>, expected: T): Promise<void> {
  let last: T | undefined;
  for (let attempt = 0; attempt < 250; attempt++) {
    last = await read();
    try {
      assert.deepEqual(last, expected);
      return;
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }
  assert.deepEqual(last, expected);
}

describe('cache invalidation across `pecta serve` processes on one data directory', suite, () => {
  const prefix = testPrefix();
  const dir = mkdtempSync(join(tmpdir(), 'pecta-invalidate-'));
  after(async () => {
    await dropPrefix(TEST_REDIS_URL, prefix);
    rmSync(dir, { recursive: true, force: true });
  });

  it('settings changed and a key revoked through A apply on B and C from their next request; limits set by the CLI at once', async () => {
    const org = await organisation(dir, 'revoking');
    const keyId = await publishableKeyId(dir, org.id);
    const servers = await Promise.all([0, 1, 2].map(() => startServerProcess(dir, ['--redis-url', TEST_REDIS_URL, '--redis-key-prefix', prefix])));
    try {
      const [a, b, c] = servers as [ServerProcess, ServerProcess, ServerProcess];
      // Warm every instance's caches: the key record and the organisation.
      for (const s of servers) assert.equal((await call(s, org.pk)).status, 200);

      // A settings change through A: the others refuse unsigned ingest from their next request.
      const patched = await fetch(`${a.url}/v1/org`, {
        method: 'PATCH',
        headers: { authorization: `Bearer ${org.sk}`, 'content-type': 'application/json' },
        body: JSON.stringify({ require_signed_ingest: true }),
      });
      assert.equal(patched.status, 200);
      for (const s of [b, c]) {
        await eventually(() => call(s, org.pk, { method: 'POST', path: '/v1/ingest' }), { status: 401, code: 'signature_required', limit: '500' });
      }

      const revoked = await call(a, org.sk, { method: 'DELETE', path: `/v1/keys/${keyId}` });
      assert.equal(revoked.status, 200);
      for (const s of [b, c, a]) await eventually(() => call(s, org.pk), { status: 401, code: 'auth_revoked', limit: null });

      // A limit override written by the CLI straight into the store, announced through Redis.
      const before = await call(b, org.sk);
      assert.equal(before.limit, '200');
      const limits = await runCli(['orgs', 'limits', org.id, '--default', '37', '--data-dir', dir, '--redis-url', TEST_REDIS_URL, '--redis-key-prefix', prefix]);
      assert.equal(limits.code, 0, limits.stderr);
      assert.match(limits.stdout, /running servers apply it now/);
      for (const s of servers) await eventually(async () => (await call(s, org.sk)).limit, '37');
    } finally {
      await Promise.all(servers.map(stop));
    }
  });

  it('without the message (the CLI not given Redis) the cached key stays valid until its cache time: the control', async () => {
    const org = await organisation(dir, 'control');
    const keyId = await publishableKeyId(dir, org.id);
    const server = await startServerProcess(dir, ['--redis-url', TEST_REDIS_URL, '--redis-key-prefix', prefix]);
    try {
      assert.equal((await call(server, org.pk)).status, 200);
      const revoked = await runCli(['keys', 'revoke', keyId, '--org', org.id, '--data-dir', dir]);
      assert.equal(revoked.code, 0, revoked.stderr);
      assert.match(revoked.stdout, /running servers apply it within 2 s/);
      assert.equal((await call(server, org.pk)).status, 200);

      // The same revocation announced: refused at once.
      const again = await runCli(['keys', 'revoke', keyId, '--org', org.id, '--data-dir', dir, '--redis-url', TEST_REDIS_URL, '--redis-key-prefix', prefix]);
      assert.equal(again.code, 0, again.stderr);
      await eventually(() => call(server, org.pk), { status: 401, code: 'auth_revoked', limit: null });
    } finally {
      await stop(server);
    }
  });

  it('the CLI commits and warns when Redis is unreachable', async () => {
    const org = await organisation(dir, 'unreachable');
    const result = await runCli(['orgs', 'limits', org.id, '--default', '11', '--data-dir', dir, '--redis-url', 'redis://127.0.0.1:1']);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stderr, /warning: the change is saved, but Redis did not take the message .*within 2 s/);
    const list = await runCli(['orgs', 'list', '--data-dir', dir]);
    assert.match(list.stdout, new RegExp(`${org.id} .*other 11/min`));
  });
});
