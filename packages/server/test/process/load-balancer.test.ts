/**
 * The deployment recipe of docs/deploy.md, run for real: three `pecta serve` instances on PostgreSQL and Redis behind
 * nginx with docs/deploy/nginx.conf (only its ports changed). Through the load balancer: evaluations and ingest land
 * exactly once, the organisation's limit holds in total, and a key revoked through one instance is refused by all.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { PostgresStore } from '../../src/store/postgres/postgres-store.js';
import { dropSchema, postgresSuiteOptions, TEST_DATABASE_URL, testSchema } from '../helpers/postgres.js';
import { dropPrefix, redisSuiteOptions, sparePort, TEST_REDIS_URL, testPrefix } from '../helpers/redis.js';
import { runCli, startServerProcess, type ServerProcess } from '../helpers/spawn.js';

const RECIPE = fileURLToPath(new URL('../../../../docs/deploy/nginx.conf', import.meta.url));
const ENV = { PECTA_MASTER_KEY: 'c2'.repeat(32) };

async function suiteOptions(): Promise<{ skip?: string }> {
  const pg = await postgresSuiteOptions();
  if (pg.skip) return pg;
  const redis = await redisSuiteOptions();
  if (redis.skip) return redis;
  if (spawnSync('nginx', ['-v']).error === undefined) return {};
  if (process.env.PECTA_REQUIRE_SERVICES === '1') throw new Error('PECTA_REQUIRE_SERVICES=1 but nginx is not on PATH (see .ci/run)');
  const reason = 'load-balancer test not run: nginx is not on PATH. Install nginx; CI requires it.';
  console.error(`pecta: ${reason}`);
  return { skip: reason };
}

const suite = await suiteOptions();

/** The recipe with its listen port and upstream ports replaced: nothing else changes. */
function nginxConfig(listen: number, upstreams: number[]): string {
  const recipe = readFileSync(RECIPE, 'utf8');
  let i = 0;
  const config = recipe
    .replace('listen 127.0.0.1:8787;', `listen 127.0.0.1:${listen};`)
    .replace(/server 127\.0\.0\.1:880\d;/g, () => `server 127.0.0.1:${upstreams[i++]};`);
  assert.equal(i, upstreams.length, 'the recipe names one upstream per instance');
  return config;
}

async function startNginx(dir: string, config: string, port: number): Promise<ChildProcess> {
  writeFileSync(join(dir, 'nginx.conf'), config);
  const child = spawn('nginx', ['-p', dir, '-c', join(dir, 'nginx.conf'), '-g', 'daemon off;'], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (d) => (stderr += d));
  for (let i = 0; i < 100; i++) {
    try {
      await fetch(`http://127.0.0.1:${port}/health`);
      return child;
    } catch {
      if (child.exitCode !== null) throw new Error(`nginx exited: ${stderr}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  throw new Error(`nginx did not start: ${stderr}`);
}

describe('three instances behind nginx, as docs/deploy.md sets them up', suite, () => {
  const dirs: string[] = [];
  const schema = testSchema();
  const prefix = testPrefix();
  after(async () => {
    await dropSchema(schema);
    await dropPrefix(TEST_REDIS_URL, prefix);
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  it('serves through the load balancer: exact once-only writes, one shared limit, revocation everywhere', async () => {
    const ports = await Promise.all([0, 1, 2].map(() => sparePort()));
    const shared = ['--database-url', TEST_DATABASE_URL, '--database-schema', schema, '--database-pool-size', '4'];
    const servers: ServerProcess[] = await Promise.all(
      ports.map((port) => {
        const dir = mkdtempSync(join(tmpdir(), 'pecta-lb-instance-'));
        dirs.push(dir);
        return startServerProcess(dir, [...shared, '--port', String(port), '--trust-proxy', '--redis-url', TEST_REDIS_URL, '--redis-key-prefix', prefix, '--redis-timeout', '5000'], ENV);
      }),
    );
    const lbDir = mkdtempSync(join(tmpdir(), 'pecta-lb-'));
    dirs.push(lbDir);
    const lbPort = await sparePort();
    const nginx = await startNginx(lbDir, nginxConfig(lbPort, ports), lbPort);
    const lb = `http://127.0.0.1:${lbPort}`;
    const store = new PostgresStore({ url: TEST_DATABASE_URL, schema, poolSize: 2 });
    try {
      const sk = servers.find((s) => s.sk !== undefined)!.sk!;
      const call = async (path: string, init: { method?: string; body?: unknown; key?: string } = {}) => {
        const res = await fetch(`${lb}${path}`, {
          method: init.method ?? (init.body === undefined ? 'GET' : 'POST'),
          headers: { authorization: `Bearer ${init.key ?? sk}`, ...(init.body === undefined ? {} : { 'content-type': 'application/json' }) },
          body: init.body === undefined ? undefined : JSON.stringify(init.body),
        });
        return { status: res.status, headers: res.headers, body: await res.json() };
      };

      // Writes through the balancer: 60 evaluations and 60 ingested events, each event_id sent twice.
      const writes = await Promise.all([
        ...Array.from({ length: 60 }, (_, i) => call('/v1/evaluate', { body: { agent_id: 'lb-agent', output: `answer ${i}` } })),
        ...Array.from({ length: 120 }, (_, i) => call('/v1/ingest', { body: { events: [{ agent_id: 'lb-agent', event_id: `lb-${i % 60}`, passed: i % 4 !== 0 }] } })),
      ]);
      assert.deepEqual([...new Set(writes.map((w) => w.status))].sort(), [200, 202]);
      const rep = await call('/v1/reputation/lb-agent');
      assert.equal(rep.status, 200);
      assert.equal(rep.body.evaluations, 120, 'every evaluation and each event_id once');
      await store.init();
      const orgId = (await store.listOrganizations())[0]!.id;
      assert.equal((await store.agentEventsInOrder(orgId, 'lb-agent')).length, 120);

      // One limit for an organisation, whichever instance nginx picks (a fresh one: the first has used its minute).
      const cliArgs = ['--data-dir', dirs[0]!, ...shared, '--redis-url', TEST_REDIS_URL, '--redis-key-prefix', prefix];
      const other = await runCli(['orgs', 'create', '--name', 'limited', ...cliArgs], ENV);
      assert.equal(other.code, 0, other.stderr);
      const otherId = /organisation (\S+)/.exec(other.stdout)![1]!;
      const otherPk = /publishable\s+(pk_live_\S+)/.exec(other.stdout)![1]!;
      const limited = await runCli(['orgs', 'limits', otherId, '--default', '5', ...cliArgs], ENV);
      assert.equal(limited.code, 0, limited.stderr);
      const created = { body: { key: otherPk } };
      const reads = await Promise.all(Array.from({ length: 15 }, () => call('/v1/agents', { key: created.body.key })));
      assert.equal(reads.filter((r) => r.status === 200).length, 5, JSON.stringify(reads.map((r) => r.status)));
      for (const r of reads.filter((x) => x.status !== 200)) {
        assert.equal(r.status, 429);
        assert.ok(Number(r.headers.get('retry-after')) >= 1);
      }

      // Revoked through the balancer (one instance), refused by every instance, asked directly, within 2 s.
      const victim = await call('/v1/keys', { body: { type: 'publishable', label: 'victim' } });
      for (const s of servers) assert.equal((await fetch(`${s.url}/v1/agents`, { headers: { authorization: `Bearer ${victim.body.key}` } })).status, 200);
      const revokedAt = Date.now();
      assert.equal((await call(`/v1/keys/${victim.body.id}`, { method: 'DELETE' })).status, 200);
      for (const s of servers) {
        for (;;) {
          const status = (await fetch(`${s.url}/v1/agents`, { headers: { authorization: `Bearer ${victim.body.key}` } })).status;
          if (status === 401) break;
          assert.ok(Date.now() - revokedAt < 2000, `${s.url} still accepts the revoked key`);
          await new Promise((r) => setTimeout(r, 50));
        }
      }
    } finally {
      await store.close();
      nginx.kill('SIGQUIT');
      await new Promise((r) => nginx.once('exit', r));
      await Promise.all(
        servers.map(async (s) => {
          s.child.kill('SIGTERM');
          await s.exited;
        }),
      );
    }
  });
});
