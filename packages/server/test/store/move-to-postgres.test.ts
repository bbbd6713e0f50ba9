import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { reputationOf, windowLatency } from '../../src/reputation.js';
import { moveToPostgres } from '../../src/store/move-to-postgres.js';
import { PostgresStore } from '../../src/store/postgres/postgres-store.js';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import type { NewEvent, Organization, Store } from '../../src/store/types.js';
import { runCli } from '../helpers/spawn.js';
import { dropSchema, postgresSuiteOptions, TEST_DATABASE_URL, testSchema } from '../helpers/postgres.js';

const suite = await postgresSuiteOptions();
const T0 = 1_760_000_000_000;

function org(id: string, extra: Partial<Organization> = {}): Organization {
  return { id, name: id, created_at: T0, ingest_limit: null, default_limit: null, require_signed_ingest: false, ...extra };
}

/** An embedded store with two organisations, keys, a registered agent without events and 1,200 events. */
async function seed(path: string): Promise<{ orgs: string[]; agents: string[] }> {
  const store = new SqliteStore({ path });
  await store.init();
  await store.createOrganization(org('org_a', { ingest_limit: 900 }));
  await store.createOrganization(org('org_b', { require_signed_ingest: true }));
  for (const [i, orgId] of ['org_a', 'org_b'].entries()) {
    await store.createKey({ id: `key_${i}`, org_id: orgId, type: 'secret', label: 'x', hash: String(i).repeat(64), hint: 'sk_live_…', created_at: T0, secret_ciphertext: `sealed-${i}` });
  }
  await store.revokeKey('org_b', 'key_1', T0 + 9);
  await store.touchKeys(new Map([['key_0', T0 + 5]]));
  await store.registerAgent('org_a', 'idle', T0);
  const agents = ['a1', 'a2', 'a3', 'ünï'];
  for (let b = 0; b < 24; b++) {
    const events: NewEvent[] = Array.from({ length: 50 }, (_, i) => ({
      evaluation_id: `ev_${b}_${i}`,
      event_id: i % 10 === 0 ? `id_${(b * 5 + i) % 60}` : null,
      agent_id: agents[(b + i) % agents.length]!,
      tool_name: i % 3 ? 'search' : null,
      passed: (b * 7 + i) % 9 !== 0,
      gates: [{ name: 'pii', passed: true, latency_ms: 0.2, ...(i % 4 ? {} : { reason: 'r' }) }],
      total_latency_ms: i % 5 ? 1 + (i % 13) : null,
      latency_ms: i % 6 ? null : 40,
      created_at: T0 + b * 1000 + i,
    }));
    await store.recordEvents(b % 3 ? 'org_a' : 'org_b', events);
  }
  await store.close();
  return { orgs: ['org_a', 'org_b'], agents: [...agents, 'idle'] };
}

async function assertSame(from: Store, to: Store, orgs: string[], agents: string[]): Promise<void> {
  for (const orgId of orgs) {
    assert.deepEqual(await to.getOrganization(orgId), await from.getOrganization(orgId));
    assert.deepEqual(await to.listKeys(orgId), await from.listKeys(orgId));
    assert.deepEqual(await to.listAgents(orgId, 100), await from.listAgents(orgId, 100));
    assert.deepEqual(await to.queryEvents(orgId, { limit: 2000, offset: 0 }), await from.queryEvents(orgId, { limit: 2000, offset: 0 }));
    for (const agent of agents) {
      assert.deepEqual(await to.getReputation(orgId, agent), await from.getReputation(orgId, agent), `${orgId}/${agent}`);
      assert.deepEqual(await to.agentEventsInOrder(orgId, agent), await from.agentEventsInOrder(orgId, agent));
    }
  }
}

describe('pecta migrate: an embedded store into PostgreSQL', suite, () => {
  const dir = mkdtempSync(join(tmpdir(), 'pecta-move-'));
  const schemas: string[] = [];
  after(async () => {
    for (const schema of schemas) await dropSchema(schema);
    rmSync(dir, { recursive: true, force: true });
  });

  it('copies everything as stored, resumes after an interruption, verifies, and the copy then counts on exactly', async () => {
    const path = join(dir, 'pecta.db');
    const { orgs, agents } = await seed(path);
    const schema = testSchema();
    schemas.push(schema);
    const postgres = { url: TEST_DATABASE_URL, schema };

    await assert.rejects(moveToPostgres({ sqlitePath: path, postgres, chunkEvents: 100, stopAfterChunks: 3 }), /stopped on request/);
    const resumed = await moveToPostgres({ sqlitePath: path, postgres, chunkEvents: 100 });
    assert.equal(resumed.events, 1200 - (await duplicatesOf(path)));
    assert.ok(resumed.resumedAfterSeq > 0, 'the second run resumed');
    assert.equal(resumed.eventsCopied, resumed.events - 300, 'and copied only what the first had not committed');
    assert.equal(resumed.organizations, 2);
    assert.equal(resumed.agents, 2 * 4 + 1);
    assert.ok(resumed.checkedAgents >= 5);
    const again = await moveToPostgres({ sqlitePath: path, postgres });
    assert.equal(again.eventsCopied, 0, 'a finished copy run again copies nothing');

    const from = new SqliteStore({ path });
    const to = new PostgresStore(postgres);
    await from.init();
    await to.init();
    try {
      await assertSame(from, to, orgs, agents);
      // De-duplication carries over, and new events count on from the copied windows.
      const more = await to.recordEvents('org_a', [
        { evaluation_id: 'new_1', event_id: 'id_1', agent_id: 'a1', tool_name: null, passed: true, gates: [], total_latency_ms: 3, latency_ms: null, created_at: T0 + 99_000 },
        { evaluation_id: 'new_2', event_id: 'fresh', agent_id: 'a1', tool_name: null, passed: false, gates: [], total_latency_ms: 3, latency_ms: null, created_at: T0 + 99_001 },
      ]);
      const sourceHadId1 = (await from.queryEvents('org_a', { limit: 2000, offset: 0 })).some((e) => e.event_id === 'id_1');
      assert.deepEqual(more.events.map((e) => e.duplicate), [sourceHadId1, false]);
      const events = await to.agentEventsInOrder('org_a', 'a1');
      const window = events.map((e) => ({ passed: e.passed, latency_ms: windowLatency(e.latency_ms, e.total_latency_ms) }));
      assert.equal((await to.getReputation('org_a', 'a1'))!.score, reputationOf(window).score);
    } finally {
      await from.close();
      await to.close();
    }
  });

  it('the CLI reports the copy, and refuses a target that holds events of its own', async () => {
    const schema = testSchema();
    schemas.push(schema);
    const r = await runCli(['migrate', '--from', dir, '--to', TEST_DATABASE_URL, '--database-schema', schema], { PECTA_MASTER_KEY: '' });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /pecta migrate: done: 2 organisations, 2 keys, 9 agents, \d+ events .* counts match, \d+ agents' reputations verified/);

    const other = join(dir, 'other');
    await seed(join(other, 'pecta.db'));
    const refused = await runCli(['migrate', '--from', other, '--to', TEST_DATABASE_URL, '--database-schema', schema]);
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /already holds events that were not copied from this file/);
    const usage = await runCli(['migrate', '--from', dir]);
    assert.equal(usage.code, 2);
    assert.match(usage.stderr, /needs --from .* and --to postgres/);
  });
});

async function duplicatesOf(path: string): Promise<number> {
  const store = new SqliteStore({ path });
  await store.init();
  try {
    let stored = 0;
    for (const orgId of ['org_a', 'org_b']) stored += (await store.queryEvents(orgId, { limit: 5000, offset: 0 })).length;
    return 1200 - stored;
  } finally {
    await store.close();
  }
}
