import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { dropPrefix, redisSuiteOptions, TEST_REDIS_URL, testPrefix } from '../helpers/redis.js';
import { runCli, startServerProcess, type ServerProcess } from '../helpers/spawn.js';

const suite = await redisSuiteOptions();

async function stop(server: ServerProcess): Promise<void> {
  server.child.kill('SIGTERM');
  await server.exited;
}

/** Sends `total` concurrent requests, round-robin over the instances; returns the statuses and Retry-After values. */
async function roundRobin(servers: ServerProcess[], key: string, total: number) {
  return Promise.all(
    Array.from({ length: total }, async (_, i) => {
      const res = await fetch(`${servers[i % servers.length]!.url}/v1/agents`, { headers: { authorization: `Bearer ${key}` } });
      await res.arrayBuffer();
      return { status: res.status, retryAfter: res.headers.get('retry-after') };
    }),
  );
}

describe('rate limits across `pecta serve` processes on one data directory', suite, () => {
  const prefix = testPrefix();
  const dir = mkdtempSync(join(tmpdir(), 'pecta-instances-'));
  after(async () => {
    await dropPrefix(TEST_REDIS_URL, prefix);
    rmSync(dir, { recursive: true, force: true });
  });

  it('admit at most the organisation limit in total with Redis, where each instance alone admits it again', async () => {
    const L = 7;
    const created = await runCli(['orgs', 'create', '--name', 'shared', '--data-dir', dir]);
    assert.equal(created.code, 0, created.stderr);
    const orgId = /organisation (\S+)/.exec(created.stdout)![1]!;
    const pk = /publishable\s+(pk_live_\S+)/.exec(created.stdout)![1]!;
    const limits = await runCli(['orgs', 'limits', orgId, '--default', String(L), '--data-dir', dir]);
    assert.equal(limits.code, 0, limits.stderr);

    // A generous command timeout: this is about the shared count while Redis answers. On a loaded machine the default
    // 100 ms can pass, and the fallback (tested in http/redis-fallback.test.ts) then admits per instance, as designed.
    const shared = await Promise.all(
      [0, 1, 2].map(() => startServerProcess(dir, ['--redis-url', TEST_REDIS_URL, '--redis-key-prefix', prefix, '--redis-timeout', '5000'])),
    );
    let results: Awaited<ReturnType<typeof roundRobin>>;
    try {
      results = await roundRobin(shared, pk, 10 * L);
    } finally {
      await Promise.all(shared.map(stop));
    }
    assert.equal(results.filter((r) => r.status === 200).length, L, JSON.stringify(results));
    const refused = results.filter((r) => r.status !== 200);
    assert.equal(refused.length, 9 * L);
    for (const r of refused) {
      assert.equal(r.status, 429);
      const seconds = Number(r.retryAfter);
      assert.ok(Number.isInteger(seconds) && seconds >= 1 && seconds <= 60, `Retry-After ${r.retryAfter}`);
    }

    // The control: without Redis the same processes limit only themselves (a second organisation, untouched so far).
    const other = await runCli(['orgs', 'create', '--name', 'alone', '--data-dir', dir]);
    const otherId = /organisation (\S+)/.exec(other.stdout)![1]!;
    const otherPk = /publishable\s+(pk_live_\S+)/.exec(other.stdout)![1]!;
    assert.equal((await runCli(['orgs', 'limits', otherId, '--default', String(L), '--data-dir', dir])).code, 0);
    const alone = await Promise.all([0, 1, 2].map(() => startServerProcess(dir)));
    try {
      const control = await roundRobin(alone, otherPk, 10 * L);
      assert.equal(control.filter((r) => r.status === 200).length, 3 * L);
    } finally {
      await Promise.all(alone.map(stop));
    }
  });
});
