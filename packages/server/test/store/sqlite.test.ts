import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { reputationOf, windowLatency } from '../../src/reputation.js';
import { SqliteStore } from '../../src/store/index.js';
import { openDatabase } from '../../src/store/sqlite/driver.js';
import { eventsPageParams, eventsPageSql, indexFor, type EventFilterShape } from '../../src/store/sqlite/events-query.js';
import { SCHEMA_VERSION } from '../../src/store/sqlite/schema.js';
import { DEFAULT_WAL_AUTOCHECKPOINT_PAGES } from '../../src/store/sqlite/writer.js';
import { ThreadReader } from '../../src/store/sqlite/reader-client.js';
import type { Worker } from 'node:worker_threads';
import type { GateRecord, NewEvent, Organization, Store } from '../../src/store/types.js';
import { storeContract } from './contract.js';

function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'pecta-sqlite-'));
}

for (const writerThread of [true, false]) {
  storeContract(`sqlite (${writerThread ? 'writer thread' : 'inline writer'})`, async () => {
    const dir = tempDir();
    const path = join(dir, 'pecta.db');
    const opened: SqliteStore[] = [];
    const open = async (): Promise<Store> => {
      const store = new SqliteStore({ path, writerThread });
      opened.push(store);
      await store.init();
      return store;
    };
    return {
      store: await open(),
      reopen: open,
      cleanup: async () => {
        for (const store of opened) await store.close();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  });
}

const T0 = 1_750_000_000_000;
let n = 0;

function event(agentId: string, overrides: Partial<NewEvent> = {}): NewEvent {
  n++;
  return {
    evaluation_id: `ev_${n}`,
    event_id: null,
    agent_id: agentId,
    tool_name: null,
    passed: true,
    gates: [],
    total_latency_ms: 1,
    latency_ms: null,
    created_at: T0 + n,
    ...overrides,
  };
}

const ORG: Organization = { id: 'org_1', name: 'Acme', created_at: T0, ingest_limit: null, default_limit: null, require_signed_ingest: false };

/** A store on a temp file with one organisation; cleanup closes it and removes the folder. */
async function fileStore(options: { maxQueuedEvents?: number; busyTimeoutMs?: number; writerThread?: boolean; maxCachedAgents?: number } = {}) {
  const dir = tempDir();
  const path = join(dir, 'pecta.db');
  const stores: SqliteStore[] = [];
  const open = async () => {
    const store = new SqliteStore({ path, ...options });
    stores.push(store);
    await store.init();
    return store;
  };
  const store = await open();
  await store.createOrganization(ORG);
  return {
    store,
    path,
    open,
    cleanup: async () => {
      for (const s of stores) await s.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

function countRows(path: string, sql: string): number {
  const db = openDatabase(path, { readonly: true });
  try {
    return (db.prepare<{ n: number }>(sql).get() as { n: number }).n;
  } finally {
    db.close();
  }
}

describe('SqliteStore: connection and schema', () => {
  it('runs in WAL mode with synchronous=FULL, foreign keys on and the schema version stamped', async () => {
    const { store, cleanup } = await fileStore({ busyTimeoutMs: 1234 });
    try {
      assert.deepEqual(store.settings(), {
        journal_mode: 'wal',
        synchronous: 2,
        foreign_keys: 1,
        busy_timeout: 1234,
        user_version: SCHEMA_VERSION,
        wal_autocheckpoint: DEFAULT_WAL_AUTOCHECKPOINT_PAGES,
        journal_size_limit: 64 * 1024 * 1024,
      });
    } finally {
      await cleanup();
    }
  });

  it('init() is idempotent on an existing file and creates missing parent folders', async () => {
    const dir = tempDir();
    const path = join(dir, 'nested', 'deeper', 'pecta.db');
    try {
      const first = new SqliteStore({ path });
      await first.init();
      await first.createOrganization(ORG);
      await first.recordEvents(ORG.id, [event('a')]);
      await first.init();
      await first.close();
      assert.ok(existsSync(path));
      const second = new SqliteStore({ path });
      await second.init();
      await second.init();
      assert.equal((await second.getReputation(ORG.id, 'a'))!.eval_count, 1);
      await second.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses a file written by a newer schema version', async () => {
    const dir = tempDir();
    const path = join(dir, 'pecta.db');
    try {
      const db = openDatabase(path);
      db.pragma(`user_version = ${SCHEMA_VERSION + 1}`);
      db.close();
      const store = new SqliteStore({ path });
      await assert.rejects(store.init(), /newer than this server supports/);
      await store.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('rejects calls before init() and after close(); close() is idempotent', async () => {
    const store = new SqliteStore({ path: ':memory:' });
    await assert.rejects(store.getOrganization('x'), /call init\(\)/);
    await assert.rejects(store.recordEvents('x', [event('a')]), /call init\(\)/);
    await store.init();
    assert.equal(await store.ping(), true);
    await store.close();
    await store.close();
    assert.equal(await store.ping(), false);
    await assert.rejects(store.recordEvents(ORG.id, [event('a')]), /closed/);
    await assert.rejects(store.listAgents(ORG.id, 10), /closed/);
  });

  it('stores only the gate fields of the data boundary', async () => {
    const store = new SqliteStore({ path: ':memory:' });
    await store.init();
    await store.createOrganization(ORG);
    const leaky = { name: 'pii', passed: false, latency_ms: 1, reason: 'email address detected in output', details: { match: 'a@b.c' } };
    // A structure under an allowed name is dropped as well: nothing nested can ride along.
    const nested = { name: 'content', passed: true, latency_ms: 2, reason: { match: 'a@b.c' } as unknown as string, skipped: true as const };
    await store.recordEvents(ORG.id, [event('a', { gates: [leaky, nested] })]);
    const [stored] = await store.queryEvents(ORG.id, { limit: 1, offset: 0 });
    assert.deepEqual(stored!.gates, [
      { name: 'pii', passed: false, latency_ms: 1, reason: 'email address detected in output' },
      { name: 'content', passed: true, latency_ms: 2, skipped: true },
    ]);
    await store.close();
  });
});

describe('SqliteStore: GET /v1/events query plans', () => {
  const shapes: EventFilterShape[] = [];
  for (const agent of [false, true])
    for (const passed of [false, true])
      for (const from of [false, true]) for (const to of [false, true]) for (const after of [false, true]) shapes.push({ agent, passed, from, to, after });

  it('pages every filter combination through a covering index, without scanning events or sorting them', async () => {
    const { path, cleanup } = await fileStore();
    const db = openDatabase(path, { readonly: true });
    try {
      for (const shape of shapes) {
        const query = {
          limit: 100,
          offset: shape.after ? 0 : 100000,
          agent_id: shape.agent ? 'a' : undefined,
          passed: shape.passed ? true : undefined,
          from: shape.from ? T0 : undefined,
          to: shape.to ? T0 : undefined,
          after: shape.after ? { created_at: T0, seq: 5 } : undefined,
        };
        const plan = db
          .prepare<{ id: number; parent: number; detail: string }>(`EXPLAIN QUERY PLAN ${eventsPageSql(shape)}`)
          .all(...eventsPageParams({ orgKey: 1, agentKey: shape.agent ? 1 : null }, query));
        const label = JSON.stringify(shape);
        const details = plan.map((row) => row.detail);
        const indexSearches = details.filter((d) => d.startsWith(`SEARCH events USING COVERING INDEX ${indexFor(shape)} (${shape.agent ? 'agent_key' : 'org_key'}=?`));
        assert.equal(indexSearches.length, shape.passed ? 1 : 2, `${label}: ${details.join(' | ')}`);
        if (shape.after) {
          // A cursor seeks: the index range starts at the cursor's time, so page 1,000 costs what page 1 does.
          assert.ok(indexSearches.every((d) => d.includes('created_at<')), `${label}: ${details.join(' | ')}`);
        }
        if (!shape.passed) assert.ok(details.includes('MERGE (UNION ALL)'), `${label}: merged, not sorted`);
        assert.ok(details.includes('SEARCH e USING INTEGER PRIMARY KEY (rowid=?)'), label);
        // Filtered by agent, the agent's id is known; otherwise each row's agent is read by key.
        assert.equal(details.includes('SEARCH a USING INTEGER PRIMARY KEY (rowid=?)'), !shape.agent, `${label}: ${details.join(' | ')}`);
        assert.ok(details.every((d) => !d.startsWith('SCAN') || d === 'SCAN page'), `${label}: ${details.join(' | ')}`);
        // The only sort allowed is the outer one over the page itself (at most `limit` rows).
        const sorts = plan.filter((row) => row.detail.includes('TEMP B-TREE'));
        assert.deepEqual(sorts.map((row) => row.parent), [0], `${label}: ${details.join(' | ')}`);
      }
    } finally {
      db.close();
      await cleanup();
    }
  });
});

for (const writerThread of [true, false]) describe(`SqliteStore: group commit (${writerThread ? 'writer thread' : 'inline writer'})`, () => {
  it('commits every batch queued in one event-loop turn in a single transaction, and only then resolves', async () => {
    const { store, path, cleanup } = await fileStore({ writerThread });
    try {
      const before = store.writeStats();
      const pending = Array.from({ length: 50 }, (_, i) => store.recordEvents(ORG.id, [event(`agent-${i % 5}`), event('common')]));
      assert.equal(countRows(path, 'SELECT count(*) AS n FROM events'), 0, 'nothing is written before the turn ends');
      const settled = pending.map((p) => p.then(() => countRows(path, 'SELECT count(*) AS n FROM events')));
      const visibleAtResolve = await Promise.all(settled);
      assert.ok(visibleAtResolve.every((rows) => rows === 100), 'each promise resolves after COMMIT: another connection sees all rows');
      const after = store.writeStats();
      assert.equal(after.transactions - before.transactions, 1);
      assert.equal(after.batches - before.batches, 50);
      const results = await Promise.all(pending);
      assert.deepEqual(results.map((r) => r.reputations.at(-1)!.evaluations), Array.from({ length: 50 }, (_, i) => i + 1), 'applied in queue order');
    } finally {
      await cleanup();
    }
  });

  it('applies concurrent batches in call order: the first copy of an event_id wins', async () => {
    const { store, cleanup } = await fileStore({ writerThread });
    try {
      const [first, second] = await Promise.all([
        store.recordEvents(ORG.id, [event('a', { event_id: 'same' })]),
        store.recordEvents(ORG.id, [event('b', { event_id: 'same' })]),
      ]);
      assert.equal(first.events[0]!.duplicate, false);
      assert.equal(second.events[0]!.duplicate, true);
      assert.equal(await store.getReputation(ORG.id, 'b'), null, 'a duplicate does not create its agent');
      assert.deepEqual(second.reputations, [{ agent_id: 'b', ...reputationOf([]) }]);
    } finally {
      await cleanup();
    }
  });

  it('reports each batch’s reputation as of the end of that batch, not of the group', async () => {
    const { store, cleanup } = await fileStore({ writerThread });
    try {
      const [r1, r2] = await Promise.all([
        store.recordEvents(ORG.id, [event('a', { passed: true }), event('a', { passed: true })]),
        store.recordEvents(ORG.id, [event('a', { passed: false })]),
      ]);
      assert.deepEqual([r1.reputations[0]!.evaluations, r1.reputations[0]!.streak], [2, 2]);
      assert.deepEqual([r2.reputations[0]!.evaluations, r2.reputations[0]!.streak], [3, 0]);
    } finally {
      await cleanup();
    }
  });

  it('batches sharing a group commit move first_seen/last_seen as they would one after the other', async () => {
    const { store, cleanup } = await fileStore({ writerThread });
    try {
      await Promise.all([
        store.recordEvents(ORG.id, [event('a', { created_at: T0 + 500 })]),
        store.recordEvents(ORG.id, [event('a', { created_at: T0 + 100 })]),
      ]);
      const rep = await store.getReputation(ORG.id, 'a');
      assert.deepEqual([rep!.first_seen, rep!.last_seen], [T0 + 100, T0 + 500]);
    } finally {
      await cleanup();
    }
  });

  it('flushes early when the queue grows past maxQueuedEvents', async () => {
    const { store, cleanup } = await fileStore({ maxQueuedEvents: 10, writerThread });
    try {
      const before = store.writeStats().transactions;
      const results = await Promise.all(Array.from({ length: 8 }, () => store.recordEvents(ORG.id, [event('a'), event('a'), event('a'), event('a')])));
      assert.equal(store.writeStats().transactions - before, 3, '4+4+4 | 4+4+4 | 4+4');
      assert.deepEqual(results.map((r) => r.reputations[0]!.evaluations), [4, 8, 12, 16, 20, 24, 28, 32]);
    } finally {
      await cleanup();
    }
  });

  it('retries batch by batch when a group fails, so only the bad batches reject and leave no trace', async () => {
    const { store, cleanup } = await fileStore({ writerThread });
    try {
      const before = store.writeStats();
      const good1 = store.recordEvents(ORG.id, [event('a'), event('a')]);
      const unknownOrg = store.recordEvents('org_missing', [event('a'), event('x')]);
      const good2 = store.recordEvents(ORG.id, [event('a', { passed: false }), event('b')]);
      const badTime = store.recordEvents(ORG.id, [event('a'), event('b', { created_at: Number.NaN })]);
      const good3 = store.recordEvents(ORG.id, [event('b')]);
      // A value of the wrong type, and gates that cannot be stored as JSON, fail before they are queued, and take
      // nothing else down with them.
      const badTool = store.recordEvents(ORG.id, [event('a', { tool_name: {} as unknown as string })]);
      const badGates = store.recordEvents(ORG.id, [event('a', { gates: [{ name: 'g', passed: true, latency_ms: 10n as unknown as number }] })]);
      const settled = await Promise.allSettled([unknownOrg, badTime, badTool, badGates]);
      assert.deepEqual(settled.map((s) => s.status), ['rejected', 'rejected', 'rejected', 'rejected']);
      const reasons = settled.map((s) => String((s as PromiseRejectedResult).reason));
      assert.match(reasons[0]!, /unknown organisation/);
      assert.match(reasons[1]!, /NOT NULL/);
      assert.match(reasons[2]!, /tool_name must be a string/);
      assert.match(reasons[3]!, /BigInt/);
      const [r1, r2, r3] = await Promise.all([good1, good2, good3]);
      assert.deepEqual([r1.reputations[0]!.evaluations, r2.reputations[0]!.evaluations, r3.reputations[0]!.evaluations], [2, 3, 2]);
      const after = store.writeStats();
      assert.equal(after.failedGroups - before.failedGroups, 1);
      assert.equal(after.retriedBatches - before.retriedBatches, 5);
      assert.equal(after.batches - before.batches, 3);
      assert.equal((await store.agentEventsInOrder(ORG.id, 'a')).length, 3);
      assert.equal((await store.agentEventsInOrder(ORG.id, 'b')).length, 2);
      assert.equal((await store.queryEvents(ORG.id, { limit: 100, offset: 0 })).length, 5);
      assert.equal(await store.getReputation('org_missing', 'a'), null);
      for (const agent of ['a', 'b']) {
        const stored = await store.agentEventsInOrder(ORG.id, agent);
        const window = stored.map((e) => ({ passed: e.passed, latency_ms: windowLatency(e.latency_ms, e.total_latency_ms) }));
        const { agent_id: _, first_seen: _f, last_seen: _l, eval_count, ...rep } = (await store.getReputation(ORG.id, agent))!;
        assert.deepEqual(rep, reputationOf(window));
        assert.equal(eval_count, stored.length);
      }
      await assert.rejects(store.recordEvents('org_missing', [event('a')]), /unknown organisation/, 'a lone bad batch rejects too');
    } finally {
      await cleanup();
    }
  });

  it('rejects the whole group without per-batch retries when another connection holds the write lock', async () => {
    const { store, path, cleanup } = await fileStore({ busyTimeoutMs: 20, writerThread });
    const cli = openDatabase(path);
    try {
      cli.exec('BEGIN IMMEDIATE');
      const before = store.writeStats();
      const outcomes = await Promise.allSettled([1, 2, 3].map(() => store.recordEvents(ORG.id, [event('a')])));
      for (const outcome of outcomes) {
        assert.equal(outcome.status, 'rejected');
        assert.equal((outcome as PromiseRejectedResult).reason.code, 'SQLITE_BUSY');
      }
      const after = store.writeStats();
      assert.equal(after.failedGroups - before.failedGroups, 1);
      assert.equal(after.retriedBatches - before.retriedBatches, 0, 'a lock timeout is no batch’s fault');
      cli.exec('COMMIT');
      const result = await store.recordEvents(ORG.id, [event('a')]);
      assert.equal(result.reputations[0]!.evaluations, 1, 'the store works again once the lock is released');
    } finally {
      cli.close();
      await cleanup();
    }
  });

  it('close() commits what is still queued before closing', async () => {
    const { store, open, cleanup } = await fileStore({ writerThread });
    try {
      const pending = store.recordEvents(ORG.id, [event('a'), event('a')]);
      await store.close();
      assert.equal((await pending).reputations[0]!.evaluations, 2);
      const reopened = await open();
      assert.equal((await reopened.getReputation(ORG.id, 'a'))!.eval_count, 2);
    } finally {
      await cleanup();
    }
  });

  it('drops agents from the writer’s memory past its cap and reads them back from their rows exactly', async () => {
    const { store, cleanup } = await fileStore({ writerThread, maxCachedAgents: 2 });
    try {
      const agents = ['a', 'b', 'c', 'd', 'e'];
      for (let i = 0; i < 40; i++) {
        // Mostly one agent a batch (each one evicted since it was last written), sometimes three at once (past the cap
        // inside one transaction).
        const ids = i % 7 === 0 ? [agents[i % 5]!, agents[(i + 1) % 5]!, agents[(i + 2) % 5]!] : [agents[i % 5]!];
        await store.recordEvents(ORG.id, ids.map((id, k) => event(id, { passed: (i + k) % 3 !== 0, latency_ms: i + k / 4 })));
      }
      for (const agent of agents) {
        const stored = await store.agentEventsInOrder(ORG.id, agent);
        const { agent_id: _, first_seen: _f, last_seen: _l, eval_count, ...rep } = (await store.getReputation(ORG.id, agent))!;
        assert.equal(eval_count, stored.length, agent);
        assert.deepEqual(rep, reputationOf(stored.map((e) => ({ passed: e.passed, latency_ms: windowLatency(e.latency_ms, e.total_latency_ms) }))), agent);
      }
    } finally {
      await cleanup();
    }
  });

  it('reads agent windows inside each transaction, so two connections on one file stay exact', async () => {
    const { store, open, cleanup } = await fileStore({ writerThread });
    try {
      const other = await open();
      const sent: NewEvent[] = [];
      for (let i = 0; i < 30; i++) {
        const writer = i % 3 === 0 ? other : store;
        const batch = [event('shared', { passed: i % 4 !== 0, latency_ms: i })];
        sent.push(...batch);
        await writer.recordEvents(ORG.id, batch);
      }
      const rep = await store.getReputation(ORG.id, 'shared');
      assert.equal(rep!.eval_count, 30);
      const { agent_id: _, first_seen: _f, last_seen: _l, eval_count: _c, ...own } = rep!;
      assert.deepEqual(own, reputationOf(sent.map((e) => ({ passed: e.passed, latency_ms: windowLatency(e.latency_ms, e.total_latency_ms) }))));
    } finally {
      await cleanup();
    }
  });
});

/** The worker behind a threaded store, for the tests that must make it die the way a crash would. */
function writerThreadOf(store: SqliteStore): Worker {
  const { writer } = store.threads();
  assert.ok(writer, 'a store on a file writes on its own thread');
  return writer;
}

/** Event-loop turns (setImmediate hops) that pass before `promise` settles. */
async function turnsUntilSettled(promise: Promise<unknown>): Promise<number> {
  let settled = false;
  promise.then(
    () => (settled = true),
    () => (settled = true),
  );
  let turns = 0;
  while (!settled) {
    await new Promise((resolve) => setImmediate(resolve));
    if (!settled) turns++;
  }
  return turns;
}

describe('SqliteStore: writes on a writer thread', () => {
  it('keeps the event loop turning while a group commits, and blocks it when writing inline', async () => {
    for (const writerThread of [true, false]) {
      const { store, cleanup } = await fileStore({ writerThread });
      try {
        const batch = Array.from({ length: 2000 }, (_, i) => event(`agent-${i % 50}`));
        const turns = await turnsUntilSettled(store.recordEvents(ORG.id, batch));
        if (writerThread) assert.ok(turns > 0, 'the turn that handed the batch over ends before its commit does');
        else assert.equal(turns, 0, 'inline, the commit runs within the turn that flushes the queue');
      } finally {
        await cleanup();
      }
    }
  });

  it('shows every acknowledged write to the very next read (read-your-writes across connections)', async () => {
    const { store, cleanup } = await fileStore();
    try {
      for (let i = 1; i <= 100; i++) {
        const result = await store.recordEvents(ORG.id, [event('ryw', { passed: i % 3 !== 0 })]);
        assert.equal((await store.getReputation(ORG.id, 'ryw'))!.eval_count, i);
        assert.equal((await store.queryEvents(ORG.id, { limit: 1, offset: 0, agent_id: 'ryw' }))[0]!.reputation_score, result.reputations[0]!.score);
      }
      const org = { ...ORG, id: 'org_ryw' };
      await store.createOrganization(org);
      assert.deepEqual(await store.getOrganization(org.id), org);
      assert.equal(await store.setOrganizationLimits(org.id, { ingest_limit: 7, default_limit: null }), true);
      assert.equal((await store.getOrganization(org.id))!.ingest_limit, 7);
      const key = { id: 'key_ryw', org_id: org.id, type: 'secret' as const, label: null, hash: 'f'.repeat(64), hint: 'sk_live_Ab…Yz', created_at: T0, secret_ciphertext: 'enc' };
      await store.createKey(key);
      await store.revokeKey(org.id, key.id, T0 + 5);
      assert.equal((await store.findKeyByHash(key.hash))!.revoked_at, T0 + 5, 'a revocation applies to the next lookup');
      assert.deepEqual(await store.listActiveSecretKeys(org.id), []);
      await store.touchKeys(new Map([[key.id, T0 + 9]]));
      assert.equal((await store.findKeyByHash(key.hash))!.last_used_at, T0 + 9);
      assert.equal(await store.registerAgent(org.id, 'fresh', T0), true);
      assert.deepEqual((await store.listAgents(org.id, 10)).map((a) => a.agent_id), ['fresh']);
    } finally {
      await cleanup();
    }
  });

  it('applies every kind of write in call order, even when they travel together', async () => {
    const { store, cleanup } = await fileStore();
    try {
      const org = { ...ORG, id: 'org_order' };
      // Issued in one turn: the organisation must exist before the events, the agent before its first event.
      const [, registered, recorded, limited] = await Promise.all([
        store.createOrganization(org),
        store.registerAgent(org.id, 'a', T0 - 1000),
        store.recordEvents(org.id, [event('a', { created_at: T0 })]),
        store.setOrganizationLimits(org.id, { ingest_limit: 1, default_limit: 2 }),
      ]);
      assert.equal(registered, true);
      assert.equal(recorded.reputations[0]!.evaluations, 1);
      assert.equal(limited, true);
      const rep = await store.getReputation(org.id, 'a');
      // registered === true already shows the registration came first; the evaluation then set the times.
      assert.deepEqual([rep!.first_seen, rep!.eval_count], [T0, 1]);
    } finally {
      await cleanup();
    }
  });

  it('fails only the request that cannot be sent to the writer, not the others of its turn', async () => {
    const { store, cleanup } = await fileStore();
    try {
      // Gate details never leave the caller (only the stored fields are serialised), so a function there is harmless…
      const hooked = { name: 'g', passed: true, latency_ms: 1, details: { hook: () => 1 } } as unknown as GateRecord;
      // …but a function where a stored value belongs cannot cross to the writer thread: an event field is refused
      // while the batch is encoded, any other write when its message is cloned.
      const unsendable = (() => 'name') as unknown as string;
      const [good1, badEvent, good2, badOrg, good3] = await Promise.allSettled([
        store.recordEvents(ORG.id, [event('a')]),
        store.recordEvents(ORG.id, [event('a', { tool_name: unsendable })]),
        store.recordEvents(ORG.id, [event('a')]),
        store.createOrganization({ id: 'org_unsendable', name: unsendable, created_at: T0, ingest_limit: null, default_limit: null, require_signed_ingest: false }),
        store.recordEvents(ORG.id, [event('a', { gates: [hooked] })]),
      ]);
      assert.match(String((badEvent as PromiseRejectedResult).reason), /tool_name must be a string/);
      assert.match(String((badOrg as PromiseRejectedResult).reason), /could not be cloned/);
      assert.deepEqual([good1.status, good2.status, good3.status], ['fulfilled', 'fulfilled', 'fulfilled']);
      assert.equal((await store.getReputation(ORG.id, 'a'))!.eval_count, 3);
      assert.equal(await store.getOrganization('org_unsendable'), null);
    } finally {
      await cleanup();
    }
  });

  it('rejects pending and later writes with a clear error when the writer thread dies, and reports it in ping()', async () => {
    const { store, cleanup } = await fileStore();
    try {
      await store.recordEvents(ORG.id, [event('a')]);
      assert.equal(await store.ping(), true);
      const pending = store.recordEvents(ORG.id, [event('a')]);
      await writerThreadOf(store).terminate();
      await assert.rejects(pending, /writer thread stopped unexpectedly/);
      await assert.rejects(store.recordEvents(ORG.id, [event('a')]), /writer thread stopped unexpectedly/);
      await assert.rejects(store.createOrganization({ ...ORG, id: 'org_after' }), /writer thread stopped unexpectedly/);
      assert.equal(await store.ping(), false, 'GET /health answers 503');
      assert.equal((await store.getReputation(ORG.id, 'a'))!.eval_count, 1, 'reads still answer');
    } finally {
      await cleanup();
    }
  });

  it('refuses calls made while init() runs, and a close() during init() wins', async () => {
    const dir = tempDir();
    try {
      const store = new SqliteStore({ path: join(dir, 'pecta.db') });
      const starting = store.init();
      await assert.rejects(store.recordEvents(ORG.id, [event('a')]), /call init\(\)/);
      const closing = store.close();
      await assert.rejects(starting, /closed/);
      await closing;
      assert.equal(await store.ping(), false);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('does not keep an idle process alive, but finishes a pending write before the process exits', async () => {
    const { path, store, cleanup } = await fileStore();
    await store.close();
    const storeModule = new URL('../../src/store/sqlite/sqlite-store.ts', import.meta.url).href;
    const repoRoot = fileURLToPath(new URL('../../../../', import.meta.url));
    // Never closed: the process must still end by itself once the write settled.
    const child = `
      const { SqliteStore } = await import(${JSON.stringify(storeModule)});
      const store = new SqliteStore({ path: ${JSON.stringify(path)} });
      await store.init();
      store.recordEvents(${JSON.stringify(ORG.id)}, [{ evaluation_id: 'ev_left', event_id: 'left', agent_id: 'leaver',
        tool_name: null, passed: true, gates: [], total_latency_ms: 1, latency_ms: null, created_at: Date.now() }])
        .then(() => process.stdout.write('acknowledged'));
    `;
    try {
      const result = spawnSync(process.execPath, ['--conditions=development', '--import', 'tsx', '--input-type=module', '-e', child], {
        cwd: repoRoot,
        encoding: 'utf8',
        timeout: 60_000,
      });
      assert.equal(result.signal, null, `the child had to be killed: ${result.stderr}`);
      assert.equal(result.status, 0, result.stderr);
      assert.equal(result.stdout, 'acknowledged');
      assert.equal(countRows(path, "SELECT count(*) AS n FROM events WHERE event_id = 'left'"), 1);
    } finally {
      await cleanup();
    }
  });
});

describe('SqliteStore: durability of an acknowledged write', () => {
  it('keeps every event whose promise resolved, even when the process is SIGKILLed right after', async () => {
    const { path, store, cleanup } = await fileStore();
    await store.close();
    const storeModule = new URL('../../src/store/sqlite/sqlite-store.ts', import.meta.url).href;
    const repoRoot = fileURLToPath(new URL('../../../../', import.meta.url));
    // Four concurrent writers, so acknowledgements come from group commits; each line is printed after its promise resolved.
    const child = `
      const { SqliteStore } = await import(${JSON.stringify(storeModule)});
      const store = new SqliteStore({ path: ${JSON.stringify(path)} });
      await store.init();
      let i = 0;
      const writer = async (w) => {
        for (;;) {
          const id = 'k' + w + '_' + (i++);
          await store.recordEvents(${JSON.stringify(ORG.id)}, [{ evaluation_id: 'ev_' + id, event_id: id, agent_id: 'agent-' + w,
            tool_name: null, passed: true, gates: [], total_latency_ms: 1, latency_ms: null, created_at: Date.now() }]);
          process.stdout.write(id + '\\n');
        }
      };
      for (let w = 0; w < 4; w++) writer(w);
    `;
    const proc = spawn(process.execPath, ['--conditions=development', '--import', 'tsx', '--input-type=module', '-e', child], {
      cwd: repoRoot,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const acknowledged: string[] = [];
    let stderr = '';
    let buffered = '';
    try {
      await new Promise<void>((resolve, reject) => {
        proc.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
        proc.stdout.on('data', (chunk: Buffer) => {
          buffered += chunk.toString();
          const lines = buffered.split('\n');
          buffered = lines.pop()!;
          acknowledged.push(...lines);
          if (acknowledged.length >= 300 && proc.exitCode === null && !proc.killed) proc.kill('SIGKILL');
        });
        proc.on('exit', (_code, signal) => (signal === 'SIGKILL' ? resolve() : reject(new Error(`child exited: ${stderr}`))));
      });
      const reopened = new SqliteStore({ path });
      await reopened.init();
      const stored = new Set<string>();
      for (let w = 0; w < 4; w++) for (const e of await reopened.agentEventsInOrder(ORG.id, `agent-${w}`)) stored.add(e.event_id!);
      await reopened.close();
      const lost = acknowledged.filter((id) => !stored.has(id));
      assert.ok(acknowledged.length >= 300);
      assert.deepEqual(lost, [], 'every acknowledged event survived');
    } finally {
      if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGKILL');
      await cleanup();
    }
  });
});

describe('SqliteStore: reads on the reader thread', () => {
  it('answers event pages and agent lists off the event loop, exactly as a read on the calling thread would', async () => {
    const { store, path, cleanup } = await fileStore();
    try {
      const agents = ['a', 'b', 'c'];
      for (let b = 0; b < 10; b++) {
        await store.recordEvents(ORG.id, Array.from({ length: 100 }, (_, i) => event(agents[i % 3]!, { passed: i % 4 !== 0, latency_ms: i })));
      }
      const here = new SqliteStore({ path, readerThread: false });
      await here.init();
      try {
        // An answer from another thread arrives as an event, so only a turn of the event loop can deliver it; a read on
        // the calling thread resolves within the microtasks that follow the call.
        const answeredWithoutALoopTurn = async (reader: SqliteStore): Promise<boolean> => {
          let answered = false;
          const page = reader.queryEvents(ORG.id, { limit: 50, offset: 900 }).then(() => (answered = true));
          for (let i = 0; i < 100; i++) await null;
          const result = answered;
          await page;
          return result;
        };
        assert.equal(await answeredWithoutALoopTurn(here), true, 'the check must see a read on the calling thread');
        assert.equal(await answeredWithoutALoopTurn(store), false, 'the page was read on the event loop');

        const queries = [
          { limit: 100, offset: 0 },
          { limit: 50, offset: 950 },
          { limit: 20, offset: 5, agent_id: 'b' },
          { limit: 100, offset: 0, passed: false },
          { limit: 100, offset: 10, agent_id: 'c', passed: true, from: T0, to: T0 + 1e12 },
        ];
        for (const query of queries) {
          const threaded = await store.queryEvents(ORG.id, query);
          assert.ok(threaded.length > 0, JSON.stringify(query));
          assert.deepEqual(threaded, await here.queryEvents(ORG.id, query), JSON.stringify(query));
        }
        assert.deepEqual(await store.listAgents(ORG.id, 2), await here.listAgents(ORG.id, 2));
        assert.equal((await store.listAgents(ORG.id, 500)).length, 3);
      } finally {
        await here.close();
      }
    } finally {
      await cleanup();
    }
  });

  it('reads on the calling thread once the reader thread is gone, answering the reads it took with it', async () => {
    const { store, cleanup } = await fileStore();
    try {
      await store.recordEvents(ORG.id, [event('a'), event('b'), event('a', { passed: false })]);
      const expected = await store.queryEvents(ORG.id, { limit: 100, offset: 0 });
      const reader = store.threads().reader!;
      const taken = store.queryEvents(ORG.id, { limit: 100, offset: 0 });
      // If the thread answered first, it is unref'd again as idle, and nothing would keep this process waiting for
      // its exit: the test would end with the promise pending.
      reader.ref();
      await reader.terminate();
      assert.deepEqual(await taken, expected);
      assert.equal(store.threads().reader, null);
      assert.deepEqual(await store.queryEvents(ORG.id, { limit: 100, offset: 0 }), expected);
      assert.deepEqual((await store.listAgents(ORG.id, 10)).map((a) => a.agent_id).sort(), ['a', 'b']);
    } finally {
      await cleanup();
    }
  });

  it('reads on the calling thread when the reader thread cannot open the file', async () => {
    const dir = tempDir();
    try {
      const asked: string[] = [];
      const reader = await ThreadReader.start({ path: join(dir, 'no', 'such', 'dir', 'x.db'), busyTimeoutMs: 100, cacheMiB: 1 }, (sql) => {
        asked.push(sql);
        return [{ one: 1 }];
      });
      assert.equal(reader.threaded, false);
      assert.deepEqual(await reader.all('SELECT 1', []), [{ one: 1 }]);
      assert.deepEqual(asked, ['SELECT 1']);
      await reader.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
