/**
 * Several `pecta serve` processes on one PostgreSQL database (docs/deploy.md, issue #11): one bootstrap, exact reputation and
 * de-duplication under concurrent writers, acknowledged writes that survive a killed instance and a database restart.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { reputationOf, windowLatency } from '../../src/reputation.js';
import { PostgresStore } from '../../src/store/postgres/postgres-store.js';
import { dropSchema, postgresSuiteOptions, TEST_DATABASE_URL, testSchema, throwawayPostgres } from '../helpers/postgres.js';
import { sparePort } from '../helpers/redis.js';
import { runCli, startServerProcess, type ServerProcess } from '../helpers/spawn.js';

const suite = await postgresSuiteOptions();
const MASTER_KEY = 'b1'.repeat(32);
const ENV = { PECTA_MASTER_KEY: MASTER_KEY };

async function stop(server: ServerProcess): Promise<void> {
  if (server.child.exitCode === null && server.child.signalCode === null) server.child.kill('SIGTERM');
  await server.exited;
}

function instances(n: number, url: string, schema: string, dirs: string[]): Promise<ServerProcess[]> {
  return Promise.all(
    Array.from({ length: n }, () => {
      const dir = mkdtempSync(join(tmpdir(), 'pecta-pg-instance-'));
      dirs.push(dir);
      return startServerProcess(dir, ['--database-url', url, '--database-schema', schema, '--database-pool-size', '6'], ENV);
    }),
  );
}

async function post(url: string, key: string, path: string, body: unknown): Promise<{ status: number; body: any }> {
  const res = await fetch(`${url}${path}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : null };
}

/** The reputation stored for every agent equals the reputation formula (docs/api.md, Reputation) recomputed from its stored events in recording order. */
async function assertExact(store: PostgresStore, orgId: string, agents: string[]): Promise<void> {
  for (const agent of agents) {
    const events = await store.agentEventsInOrder(orgId, agent);
    const window = events.map((e) => ({ passed: e.passed, latency_ms: windowLatency(e.latency_ms, e.total_latency_ms) }));
    events.forEach((e, i) =>
      assert.equal(e.reputation_score, reputationOf(window.slice(Math.max(0, i + 1 - 500), i + 1)).score, `${agent} event #${i}`),
    );
    const rep = await store.getReputation(orgId, agent);
    assert.ok(rep, agent);
    const { score, status, evaluations, passed, pass_rate, avg_latency_ms, streak } = rep;
    assert.deepEqual({ score, status, evaluations, passed, pass_rate, avg_latency_ms, streak }, reputationOf(window), agent);
    assert.equal(rep.eval_count, events.length);
  }
}

describe('`pecta serve` instances on one PostgreSQL database', suite, () => {
  const dirs: string[] = [];
  const schemas: string[] = [];
  after(async () => {
    for (const schema of schemas) await dropSchema(schema);
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  it('three starting together on an empty database create one organisation; their concurrent writes keep every reputation exact and every event_id once', async () => {
    const schema = testSchema();
    schemas.push(schema);
    const servers = await instances(3, TEST_DATABASE_URL, schema, dirs);
    const store = new PostgresStore({ url: TEST_DATABASE_URL, schema, poolSize: 2 });
    try {
      const bootstrapped = servers.filter((s) => s.pk !== undefined);
      assert.equal(bootstrapped.length, 1, 'exactly one instance printed first-start keys');
      const pk = bootstrapped[0]!.pk!;
      await store.init();
      const orgs = await store.listOrganizations();
      assert.equal(orgs.length, 1);
      const orgId = orgs[0]!.id;

      const agents = ['alpha', 'beta', 'gamma', 'delta'];
      const ids = Array.from({ length: 120 }, (_, i) => `evt-${i}`);
      const sent = new Set<string>();
      const requests: Array<Promise<{ status: number; body: any }>> = [];
      for (let round = 0; round < 30; round++) {
        servers.forEach((server, s) => {
          const agent = agents[(round + s) % agents.length]!;
          // Overlapping event_ids: every id goes out three times, through different instances, some for other agents.
          const events = Array.from({ length: 4 }, (_, k) => {
            const id = ids[(round * 4 + k + s * 40) % ids.length]!;
            sent.add(id);
            return { agent_id: agents[(round + k + s) % agents.length]!, event_id: id, passed: (round + k) % 5 !== 0, latency_ms: 10 + k };
          });
          requests.push(post(server.url, pk, '/v1/ingest', { events }));
          requests.push(post(server.url, pk, '/v1/evaluate', { agent_id: agent, output: round % 7 === 0 ? 'mail me at a@b.co' : 'fine' }));
        });
      }
      const answers = await Promise.all(requests);
      assert.deepEqual([...new Set(answers.map((a) => a.status))].sort(), [200, 202], JSON.stringify(answers.find((a) => a.status >= 300)));
      const duplicates = answers.filter((a) => a.status === 202).reduce((n, a) => n + a.body.duplicates, 0);
      const ingested = answers.filter((a) => a.status === 202).reduce((n, a) => n + a.body.accepted, 0);
      assert.equal(ingested - duplicates, sent.size, 'each event_id counted exactly once across instances');

      const all = (await Promise.all(agents.map((a) => store.agentEventsInOrder(orgId, a)))).flat();
      const storedIds = all.map((e) => e.event_id).filter((id) => id !== null);
      assert.equal(storedIds.length, sent.size);
      assert.equal(new Set(storedIds).size, sent.size);
      assert.equal(all.length, sent.size + 90, 'and every evaluation recorded');
      await assertExact(store, orgId, agents);
    } finally {
      await store.close();
      await Promise.all(servers.map(stop));
    }
  });

  it('keeps every acknowledged event when one of three instances is SIGKILLed during sustained ingest', async () => {
    const schema = testSchema();
    schemas.push(schema);
    const servers = await instances(3, TEST_DATABASE_URL, schema, dirs);
    const store = new PostgresStore({ url: TEST_DATABASE_URL, schema, poolSize: 2 });
    try {
      const pk = servers.find((s) => s.pk !== undefined)!.pk!;
      const acknowledged: string[] = [];
      let next = 0;
      let running = true;
      const client = async (c: number) => {
        for (let i = 0; running; i++) {
          const server = servers[(c + i) % servers.length]!;
          const events = Array.from({ length: 5 }, () => ({ agent_id: `agent-${next % 7}`, event_id: `k-${next++}`, passed: true }));
          try {
            const r = await post(server.url, pk, '/v1/ingest', { events });
            if (r.status === 202) acknowledged.push(...events.map((e) => e.event_id));
            else assert.fail(`unexpected ${r.status} ${JSON.stringify(r.body)}`);
          } catch (error) {
            // Only the killed instance may refuse the connection or cut the answer; nothing it did not answer counts.
            assert.equal(server, servers[0], String(error));
          }
        }
      };
      const clients = Array.from({ length: 6 }, (_, c) => client(c));
      await new Promise((r) => setTimeout(r, 1200));
      servers[0]!.child.kill('SIGKILL');
      await servers[0]!.exited;
      await new Promise((r) => setTimeout(r, 800));
      running = false;
      await Promise.all(clients);
      assert.ok(acknowledged.length > 100, `only ${acknowledged.length} events acknowledged`);

      await store.init();
      const orgId = (await store.listOrganizations())[0]!.id;
      const stored = new Set(
        (await Promise.all(Array.from({ length: 7 }, (_, a) => store.agentEventsInOrder(orgId, `agent-${a}`)))).flat().map((e) => e.event_id),
      );
      const lost = acknowledged.filter((id) => !stored.has(id));
      assert.deepEqual(lost, [], 'acknowledged events missing after the SIGKILL');
      await assertExact(store, orgId, Array.from({ length: 7 }, (_, a) => `agent-${a}`));
    } finally {
      await store.close();
      await Promise.all(servers.map(stop));
    }
  });

  it('answers 503 (never 500, never a hang) while PostgreSQL restarts, loses nothing acknowledged, and recovers without a restart', async () => {
    const database = await throwawayPostgres(await sparePort());
    const schema = testSchema();
    const servers = await instances(2, database.url, schema, dirs);
    try {
      const pk = servers.find((s) => s.pk !== undefined)!.pk!;
      const acknowledged: string[] = [];
      const statuses = new Map<number, number>();
      let slowest = 0;
      let next = 0;
      let running = true;
      const client = async (c: number) => {
        for (let i = 0; running; i++) {
          const events = [{ agent_id: `r-${c}`, event_id: `r-${next++}`, passed: i % 3 !== 0 }];
          const started = Date.now();
          const r = await post(servers[(c + i) % servers.length]!.url, pk, '/v1/ingest', { events });
          slowest = Math.max(slowest, Date.now() - started);
          statuses.set(r.status, (statuses.get(r.status) ?? 0) + 1);
          if (r.status === 202) acknowledged.push(events[0]!.event_id);
          else {
            assert.equal(r.status, 503, JSON.stringify(r.body));
            assert.equal(r.body.code, 'unavailable');
            await new Promise((resolve) => setTimeout(resolve, 20));
          }
        }
      };
      const clients = Array.from({ length: 4 }, (_, c) => client(c));
      await new Promise((r) => setTimeout(r, 600));
      await database.stop();
      const down = await fetch(`${servers[0]!.url}/health`);
      assert.equal(down.status, 503, '/health reports the store down');
      await new Promise((r) => setTimeout(r, 800));
      await database.start();
      // Recovery: each client gets 202s again through both instances, which were not restarted.
      const recoveredAt = acknowledged.length;
      const deadline = Date.now() + 20_000;
      while (acknowledged.length < recoveredAt + 40 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      running = false;
      await Promise.all(clients);
      assert.ok(acknowledged.length >= recoveredAt + 40, 'ingest recovered after the restart');
      assert.ok((statuses.get(503) ?? 0) > 0, `no request saw the database down: ${JSON.stringify([...statuses])}`);
      assert.deepEqual([...statuses.keys()].sort(), [202, 503]);
      assert.ok(slowest < 20_000, `a request took ${slowest} ms`);
      assert.equal((await fetch(`${servers[1]!.url}/health`)).status, 200);

      const store = new PostgresStore({ url: database.url, schema, poolSize: 2 });
      try {
        await store.init();
        const orgId = (await store.listOrganizations())[0]!.id;
        const agents = Array.from({ length: 4 }, (_, c) => `r-${c}`);
        const stored = new Set((await Promise.all(agents.map((a) => store.agentEventsInOrder(orgId, a)))).flat().map((e) => e.event_id));
        assert.deepEqual(acknowledged.filter((id) => !stored.has(id)), [], 'acknowledged events lost in the restart');
        await assertExact(store, orgId, agents);
      } finally {
        await store.close();
      }
    } finally {
      await Promise.all(servers.map(stop));
      await database.destroy();
    }
  });

  it('`pecta orgs list` reads the same database', async () => {
    const schema = schemas[0]!;
    const r = await runCli(['orgs', 'list', '--database-url', TEST_DATABASE_URL, '--database-schema', schema, '--data-dir', dirs[0]!], ENV);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /org_/);
  });
});
