/**
 * The storage contract every back end must pass unchanged (docs/deploy.md). It talks only to the Store interface, and every
 * test uses fresh organisation ids, so it also runs against a shared database server.
 *
 * makeStore returns an initialised store. reopen() opens a new, initialised Store on the same data (the suite closes the
 * previous one first); cleanup() closes whatever is still open and removes the data.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { EMPTY_REPUTATION, reputationOf, windowLatency, WINDOW_SIZE, type Reputation, type WindowEntry } from '../../src/reputation.js';
import type {
  EventPosition,
  GateRecord,
  KeyRecord,
  KeyType,
  NewEvent,
  NewKey,
  Organization,
  RecordResult,
  Store,
  StoredEvent,
} from '../../src/store/types.js';
import { propertyRuns } from '../helpers/property.js';

export interface StoreHarness {
  store: Store;
  reopen?: () => Promise<Store>;
  cleanup: () => Promise<void>;
}

const T0 = 1_750_000_000_000;
let counter = 0;
const RUN = `${process.pid.toString(36)}${Date.now().toString(36)}`;

/** Unique across tests and runs, so that a shared database never mixes tests. */
function uid(prefix: string): string {
  return `${prefix}_${RUN}_${++counter}`;
}

function event(agentId: string, overrides: Partial<NewEvent> = {}): NewEvent {
  return {
    evaluation_id: uid('ev'),
    event_id: null,
    agent_id: agentId,
    tool_name: 'search',
    passed: true,
    gates: [{ name: 'pii', passed: true, latency_ms: 0.5 }],
    total_latency_ms: 0.5,
    latency_ms: null,
    created_at: T0,
    ...overrides,
  };
}

function windowOf(events: readonly { passed: boolean; latency_ms: number | null; total_latency_ms: number | null }[]): WindowEntry[] {
  return events.map((e) => ({ passed: e.passed, latency_ms: windowLatency(e.latency_ms, e.total_latency_ms) }));
}

function reputationPart(r: Reputation): Reputation {
  return {
    score: r.score,
    status: r.status,
    evaluations: r.evaluations,
    passed: r.passed,
    pass_rate: r.pass_rate,
    avg_latency_ms: r.avg_latency_ms,
    streak: r.streak,
  };
}

async function newOrg(store: Store, overrides: Partial<Organization> = {}): Promise<Organization> {
  const org: Organization = {
    id: uid('org'),
    name: 'Acme',
    created_at: T0,
    ingest_limit: null,
    default_limit: null,
    require_signed_ingest: false,
    ...overrides,
  };
  await store.createOrganization(org);
  return org;
}

function newKey(orgId: string, type: KeyType, overrides: Partial<NewKey> = {}): NewKey {
  const id = uid('key');
  return {
    id,
    org_id: orgId,
    type,
    label: null,
    hash: Buffer.from(id).toString('hex').padEnd(64, '0').slice(0, 64),
    hint: `${type === 'secret' ? 'sk' : 'pk'}_live_Ab…Yz`,
    created_at: T0,
    secret_ciphertext: type === 'secret' ? `enc:${id}` : null,
    ...overrides,
  };
}

async function recordAll(store: Store, orgId: string, batches: NewEvent[][]): Promise<RecordResult[]> {
  const out: RecordResult[] = [];
  for (const b of batches) out.push(await store.recordEvents(orgId, b));
  return out;
}

/** Every stored event's score equals the formula over the window it closed, and the agent's reputation the whole. */
async function assertAgentExact(store: Store, orgId: string, agentId: string, message = ''): Promise<StoredEvent[]> {
  const events = await store.agentEventsInOrder(orgId, agentId);
  const window = windowOf(events);
  for (let i = 0; i < events.length; i++) {
    const expected = reputationOf(window.slice(Math.max(0, i + 1 - 500), i + 1)).score;
    assert.equal(events[i]!.reputation_score, expected, `${message} ${agentId} event #${i} reputation_score`);
  }
  const rep = await store.getReputation(orgId, agentId);
  assert.ok(rep, `${message} ${agentId} has a reputation`);
  assert.deepEqual(reputationPart(rep), reputationOf(window), `${message} ${agentId} reputation`);
  assert.equal(rep.eval_count, events.length, `${message} ${agentId} eval_count`);
  if (events.length > 0) {
    const times = events.map((e) => e.created_at);
    assert.deepEqual([rep.first_seen, rep.last_seen], [Math.min(...times), Math.max(...times)], `${message} ${agentId} first_seen/last_seen`);
  }
  return events;
}

/** `options` are the suite's node:test options (a back end whose server is missing is skipped or fails, see helpers). */
export function storeContract(name: string, makeStore: () => Promise<StoreHarness>, options: { skip?: string } = {}): void {
  async function withStore(fn: (h: StoreHarness) => Promise<void>): Promise<void> {
    const h = await makeStore();
    try {
      await fn(h);
    } finally {
      await h.cleanup();
    }
  }

  describe(`Store contract: ${name}`, options, () => {
    describe('organisations', () => {
      it('creates, reads and lists organisations; unknown ids read as null', () =>
        withStore(async ({ store }) => {
          const a = await newOrg(store, { name: 'A', ingest_limit: 900, default_limit: 300 });
          const b = await newOrg(store, { name: 'B', created_at: T0 + 5 });
          assert.deepEqual(await store.getOrganization(a.id), a);
          assert.deepEqual(await store.getOrganization(b.id), b);
          assert.equal(await store.getOrganization(uid('org')), null);
          const listed = (await store.listOrganizations()).filter((o) => o.id === a.id || o.id === b.id);
          assert.deepEqual(
            listed.sort((x, y) => x.id.localeCompare(y.id)),
            [a, b].sort((x, y) => x.id.localeCompare(y.id)),
          );
          assert.equal(await store.ping(), true);
        }));

      it('creates the first organisation once, with its keys, however many callers race; never once one exists', () =>
        withStore(async ({ store }) => {
          const candidates = Array.from({ length: 8 }, () => {
            const org: Organization = { id: uid('org'), name: 'default', created_at: T0, ingest_limit: null, default_limit: null, require_signed_ingest: false };
            return { org, keys: [newKey(org.id, 'publishable'), newKey(org.id, 'secret')] };
          });
          const won = await Promise.all(candidates.map((c) => store.createFirstOrganization(c.org, c.keys)));
          assert.equal(won.filter(Boolean).length, 1, 'exactly one caller creates it');
          const winner = candidates[won.indexOf(true)]!;
          assert.deepEqual(await store.listOrganizations(), [winner.org]);
          assert.deepEqual(
            (await store.listKeys(winner.org.id)).map((k) => k.id).sort(),
            winner.keys.map((k) => k.id).sort(),
          );
          for (const loser of candidates.filter((_, i) => !won[i])) {
            assert.equal(await store.findKeyByHash(loser.keys[0]!.hash), null, 'a losing caller writes nothing');
          }
          const late = candidates[0]!;
          assert.equal(await store.createFirstOrganization({ ...late.org, id: uid('org') }, []), false);
        }));

      it('sets and clears per-organisation limits, only on the named organisation', () =>
        withStore(async ({ store }) => {
          const a = await newOrg(store);
          const b = await newOrg(store, { ingest_limit: 10, default_limit: 20 });
          assert.equal(await store.setOrganizationLimits(a.id, { ingest_limit: 1000, default_limit: 50 }), true);
          assert.deepEqual(await store.getOrganization(a.id), { ...a, ingest_limit: 1000, default_limit: 50 });
          assert.deepEqual(await store.getOrganization(b.id), b);
          assert.equal(await store.setOrganizationLimits(a.id, { ingest_limit: null, default_limit: null }), true);
          assert.deepEqual(await store.getOrganization(a.id), a);
          assert.equal(await store.setOrganizationLimits(uid('org'), { ingest_limit: 1, default_limit: 1 }), false);
        }));

      it('stores require_signed_ingest (off unless set) and changes it only on the named organisation', () =>
        withStore(async ({ store }) => {
          const a = await newOrg(store, { ingest_limit: 5 });
          const b = await newOrg(store, { require_signed_ingest: true });
          assert.equal((await store.getOrganization(a.id))!.require_signed_ingest, false);
          assert.deepEqual(await store.getOrganization(b.id), b);
          assert.deepEqual(await store.updateOrganizationSettings(a.id, { require_signed_ingest: true }), { ...a, require_signed_ingest: true });
          assert.deepEqual(await store.getOrganization(a.id), { ...a, require_signed_ingest: true });
          assert.deepEqual(await store.updateOrganizationSettings(a.id, {}), { ...a, require_signed_ingest: true }, 'a setting left out keeps its value');
          assert.deepEqual((await store.listOrganizations()).find((o) => o.id === a.id), { ...a, require_signed_ingest: true });
          assert.equal(await store.setOrganizationLimits(a.id, { ingest_limit: null, default_limit: null }), true);
          assert.equal((await store.getOrganization(a.id))!.require_signed_ingest, true, 'limits leave the setting alone');
          assert.deepEqual(await store.updateOrganizationSettings(b.id, { require_signed_ingest: false }), { ...b, require_signed_ingest: false });
          assert.equal((await store.getOrganization(a.id))!.require_signed_ingest, true);
          assert.equal(await store.updateOrganizationSettings(uid('org'), { require_signed_ingest: true }), null);
        }));
    });

    describe('keys', () => {
      it('creates keys, finds them by hash and lists them per organisation', () =>
        withStore(async ({ store }) => {
          const a = await newOrg(store);
          const b = await newOrg(store);
          const pk = newKey(a.id, 'publishable', { label: 'web' });
          const sk = newKey(a.id, 'secret', { created_at: T0 + 1 });
          const other = newKey(b.id, 'secret');
          const created = await store.createKey(pk);
          assert.deepEqual(created, { ...pk, last_used_at: null, revoked_at: null } satisfies KeyRecord);
          await store.createKey(sk);
          await store.createKey(other);
          assert.deepEqual(await store.findKeyByHash(pk.hash), created);
          assert.deepEqual(await store.findKeyByHash(sk.hash), { ...sk, last_used_at: null, revoked_at: null });
          assert.equal(await store.findKeyByHash('0'.repeat(64)), null);
          const ids = (await store.listKeys(a.id)).map((k) => k.id).sort();
          assert.deepEqual(ids, [pk.id, sk.id].sort());
          assert.deepEqual((await store.listKeys(b.id)).map((k) => k.id), [other.id]);
          assert.deepEqual(await store.listKeys(uid('org')), []);
        }));

      it('refuses a second key with the same hash', () =>
        withStore(async ({ store }) => {
          const a = await newOrg(store);
          const first = newKey(a.id, 'publishable');
          await store.createKey(first);
          await assert.rejects(store.createKey({ ...newKey(a.id, 'secret'), hash: first.hash }));
          assert.deepEqual((await store.listKeys(a.id)).map((k) => k.id), [first.id]);
        }));

      it('revokes idempotently (the first time stays) and only within the owning organisation', () =>
        withStore(async ({ store }) => {
          const a = await newOrg(store);
          const b = await newOrg(store);
          const key = newKey(a.id, 'secret');
          await store.createKey(key);
          assert.equal(await store.revokeKey(b.id, key.id, T0 + 10), null, 'org B cannot revoke org A key');
          assert.equal((await store.findKeyByHash(key.hash))!.revoked_at, null);
          const revoked = await store.revokeKey(a.id, key.id, T0 + 20);
          assert.deepEqual(revoked, { ...key, last_used_at: null, revoked_at: T0 + 20 });
          const again = await store.revokeKey(a.id, key.id, T0 + 30);
          assert.equal(again!.revoked_at, T0 + 20);
          assert.equal((await store.findKeyByHash(key.hash))!.revoked_at, T0 + 20, 'a revoked key is still found');
          assert.equal(await store.revokeKey(a.id, uid('key'), T0), null);
        }));

      it('lists only active secret keys of the organisation for HMAC verification', () =>
        withStore(async ({ store }) => {
          const a = await newOrg(store);
          const b = await newOrg(store);
          const s1 = newKey(a.id, 'secret');
          const s2 = newKey(a.id, 'secret', { created_at: T0 + 1 });
          const s3 = newKey(a.id, 'secret', { created_at: T0 + 2 });
          const p1 = newKey(a.id, 'publishable');
          const sb = newKey(b.id, 'secret');
          for (const k of [s1, s2, s3, p1, sb]) await store.createKey(k);
          await store.revokeKey(a.id, s2.id, T0 + 5);
          const active = await store.listActiveSecretKeys(a.id);
          assert.deepEqual(active.map((k) => k.id).sort(), [s1.id, s3.id].sort());
          assert.ok(active.every((k) => k.secret_ciphertext === `enc:${k.id}`));
          assert.deepEqual((await store.listActiveSecretKeys(b.id)).map((k) => k.id), [sb.id]);
        }));

      it('touchKeys keeps the latest use time and ignores unknown keys', () =>
        withStore(async ({ store }) => {
          const a = await newOrg(store);
          const k1 = newKey(a.id, 'publishable');
          const k2 = newKey(a.id, 'secret');
          await store.createKey(k1);
          await store.createKey(k2);
          await store.touchKeys(new Map([[k1.id, T0 + 1000], [uid('key'), T0 + 5]]));
          const lastUsed = async (k: NewKey) => (await store.findKeyByHash(k.hash))!.last_used_at;
          assert.equal(await lastUsed(k1), T0 + 1000);
          assert.equal(await lastUsed(k2), null);
          await store.touchKeys(new Map([[k1.id, T0 + 500], [k2.id, T0 + 700]]));
          assert.equal(await lastUsed(k1), T0 + 1000, 'an older stamp never moves last_used_at back');
          assert.equal(await lastUsed(k2), T0 + 700);
          await store.touchKeys(new Map([[k1.id, T0 + 2000]]));
          assert.equal(await lastUsed(k1), T0 + 2000);
          await store.touchKeys(new Map());
        }));
    });

    describe('recordEvents', () => {
      it('reports every event and each distinct agent once, in order of first appearance, after the batch', () =>
        withStore(async ({ store }) => {
          const org = await newOrg(store);
          const batch = [
            event('beta', { passed: true, latency_ms: 20 }),
            event('alpha', { passed: false, latency_ms: 60 }),
            event('beta', { passed: false, latency_ms: 40 }),
            event('gamma'),
            event('alpha', { passed: true, latency_ms: 10 }),
          ];
          const result = await store.recordEvents(org.id, batch);
          assert.deepEqual(
            result.events,
            batch.map((e) => ({ evaluation_id: e.evaluation_id, duplicate: false })),
          );
          assert.deepEqual(result.reputations.map((r) => r.agent_id), ['beta', 'alpha', 'gamma']);
          for (const r of result.reputations) {
            const own = batch.filter((e) => e.agent_id === r.agent_id);
            assert.deepEqual(reputationPart(r), reputationOf(windowOf(own)), r.agent_id);
            const stored = await store.getReputation(org.id, r.agent_id);
            assert.deepEqual(reputationPart(stored!), reputationPart(r));
          }
          // Counted in array order: beta's newest evaluation failed, so its streak is 0; alpha's newest passed.
          assert.equal(result.reputations[0]!.streak, 0);
          assert.equal(result.reputations[1]!.streak, 1);
          assert.deepEqual(await store.recordEvents(org.id, []), { events: [], reputations: [] });
        }));

      it('stores every field of an event as given', () =>
        withStore(async ({ store }) => {
          const org = await newOrg(store);
          const gates: GateRecord[] = [
            { name: 'pii', passed: false, latency_ms: 1.25, reason: 'email address detected in output' },
            { name: 'content', passed: true, latency_ms: 0, skipped: true },
            { name: 'slow', passed: false, latency_ms: 50, aborted: true, reason: 'timed out' },
          ];
          const full = event('a1', {
            event_id: uid('client'),
            tool_name: 'read_file',
            passed: false,
            gates,
            total_latency_ms: 51.25,
            latency_ms: 830.5,
            created_at: T0 + 123,
          });
          const bare = event('a1', { tool_name: null, gates: [], total_latency_ms: null, latency_ms: null, created_at: T0 + 124 });
          await store.recordEvents(org.id, [full, bare]);
          const stored = await store.agentEventsInOrder(org.id, 'a1');
          assert.deepEqual(stored, [
            { ...full, reputation_score: reputationOf(windowOf([full])).score },
            { ...bare, reputation_score: reputationOf(windowOf([full, bare])).score },
          ]);
          assert.deepEqual(await store.queryEvents(org.id, { limit: 10, offset: 0 }), [...stored].reverse());
        }));

      it('takes the latency from latency_ms when given, else from total_latency_ms', () =>
        withStore(async ({ store }) => {
          const org = await newOrg(store);
          await store.recordEvents(org.id, [
            event('a', { latency_ms: 40, total_latency_ms: 5 }),
            event('a', { latency_ms: null, total_latency_ms: 10 }),
            event('a', { latency_ms: 0, total_latency_ms: 99 }),
          ]);
          const rep = await store.getReputation(org.id, 'a');
          assert.equal(rep!.avg_latency_ms, 16.667);
        }));

      it('leaves an evaluation without any latency out of the average, and gives a window without latencies no latency points', () =>
        withStore(async (h) => {
          let store = h.store;
          const org = await newOrg(store);
          const untimed = { latency_ms: null, total_latency_ms: null, gates: [] };
          await store.recordEvents(org.id, [event('a', { latency_ms: 30 }), event('a', untimed), event('a', { latency_ms: 60 })]);
          assert.equal((await store.getReputation(org.id, 'a'))!.avg_latency_ms, 45);
          await assertAgentExact(store, org.id, 'a');
          const only = await store.recordEvents(org.id, [event('b', untimed), event('b', untimed)]);
          // 400 (all passed) + 0 (no latency) + 2/50*200 = 8 + 2/500*150 = 0.6 → 408.
          assert.deepEqual([only.reputations[0]!.score, only.reputations[0]!.avg_latency_ms], [408, 0]);
          await assertAgentExact(store, org.id, 'b');
          if (h.reopen) {
            await store.close();
            store = await h.reopen();
          }
          // The stored window still knows which entry had no latency, and lets it leave like any other.
          const later = await store.recordEvents(org.id, [event('a', { latency_ms: 90 })]);
          assert.equal(later.reputations[0]!.avg_latency_ms, 60);
          await store.recordEvents(org.id, Array.from({ length: 496 }, () => event('a', { latency_ms: 10 })));
          // A full window, 499 of its entries timed: (30 + 60 + 90 + 496 × 10) / 499.
          assert.equal((await store.getReputation(org.id, 'a'))!.avg_latency_ms, 10.301);
          // The untimed one leaves second: (60 + 90 + 498 × 10) / 500.
          await store.recordEvents(org.id, [event('a', { latency_ms: 10 }), event('a', { latency_ms: 10 })]);
          assert.equal((await store.getReputation(org.id, 'a'))!.avg_latency_ms, 10.26);
          await assertAgentExact(store, org.id, 'a');
        }));

      it('keeps first_seen/last_seen at the earliest and latest time of the recorded evaluations, whatever the arrival order', () =>
        withStore(async ({ store }) => {
          const org = await newOrg(store);
          await store.recordEvents(org.id, [
            event('a', { created_at: T0 + 500 }),
            event('a', { created_at: T0 + 100 }),
            event('a', { created_at: T0 + 900 }),
          ]);
          let rep = await store.getReputation(org.id, 'a');
          assert.deepEqual([rep!.first_seen, rep!.last_seen, rep!.eval_count], [T0 + 100, T0 + 900, 3]);
          // A backfilled event stamped in the past moves first_seen back; it still joins the window as the newest.
          await store.recordEvents(org.id, [event('a', { created_at: T0 + 50, passed: false })]);
          rep = await store.getReputation(org.id, 'a');
          assert.deepEqual([rep!.first_seen, rep!.last_seen, rep!.eval_count, rep!.streak], [T0 + 50, T0 + 900, 4, 0]);
          await store.recordEvents(org.id, [event('a', { created_at: T0 + 1000 })]);
          rep = await store.getReputation(org.id, 'a');
          assert.deepEqual([rep!.first_seen, rep!.last_seen, rep!.eval_count], [T0 + 50, T0 + 1000, 5]);
          // A repeated event_id is not an evaluation recorded: it moves neither time.
          const id = uid('client');
          await store.recordEvents(org.id, [event('a', { event_id: id, created_at: T0 + 2000 })]);
          await store.recordEvents(org.id, [event('a', { event_id: id, created_at: T0 + 1 }), event('a', { event_id: id, created_at: T0 + 3000 })]);
          rep = await store.getReputation(org.id, 'a');
          assert.deepEqual([rep!.first_seen, rep!.last_seen, rep!.eval_count], [T0 + 50, T0 + 2000, 6]);
          await assertAgentExact(store, org.id, 'a');
        }));

      it('orders the agent list by the latest evaluation time, so a backfill of old events does not bring an agent to the top', () =>
        withStore(async ({ store }) => {
          const org = await newOrg(store);
          await store.recordEvents(org.id, [event('recent', { created_at: T0 + 500 })]);
          await store.recordEvents(org.id, [event('backfilled', { created_at: T0 + 100 })]);
          await store.recordEvents(org.id, [event('backfilled', { created_at: T0 + 10 })]);
          const listed = await store.listAgents(org.id, 10);
          assert.deepEqual(
            listed.map(({ agent_id, first_seen, last_seen, eval_count }) => ({ agent_id, first_seen, last_seen, eval_count })),
            [
              { agent_id: 'recent', first_seen: T0 + 500, last_seen: T0 + 500, eval_count: 1 },
              { agent_id: 'backfilled', first_seen: T0 + 10, last_seen: T0 + 100, eval_count: 2 },
            ],
          );
          // Each listed agent carries its reputation's headline, equal to what getReputation says.
          for (const agent of listed) {
            const rep = (await store.getReputation(org.id, agent.agent_id))!;
            assert.deepEqual([agent.score, agent.status, agent.evaluations], [rep.score, rep.status, rep.evaluations]);
          }
        }));

      it('keeps a window of the last 500 evaluations, the lifetime count and an exact per-event score', () =>
        withStore(async ({ store }) => {
          const org = await newOrg(store);
          const all = [
            ...Array.from({ length: 20 }, (_, i) => event('w', { passed: false, latency_ms: 90, created_at: T0 + i })),
            ...Array.from({ length: 500 }, (_, i) => event('w', { passed: true, latency_ms: 10, created_at: T0 + 20 + i })),
          ];
          const batches: NewEvent[][] = [];
          for (let i = 0; i < all.length; i += 100) batches.push(all.slice(i, i + 100));
          const results = await recordAll(store, org.id, batches);
          const last = results.at(-1)!.reputations[0]!;
          // pass_rate 1 → 400, latency 10 → 225, streak ≥ 50 → 200, volume 500 → 150.
          assert.deepEqual(reputationPart(last), {
            score: 975,
            status: 'mature',
            evaluations: 500,
            passed: 500,
            pass_rate: 1,
            avg_latency_ms: 10,
            streak: 500,
          });
          const rep = await store.getReputation(org.id, 'w');
          assert.equal(rep!.eval_count, 520);
          assert.equal(rep!.evaluations, 500);
          const stored = await assertAgentExact(store, org.id, 'w');
          assert.equal(stored.length, 520);
          // Just before the last failure left the window (499 passes + 1 failure) the score was lower.
          assert.equal(stored[518]!.reputation_score, reputationOf(windowOf(all.slice(19, 519))).score);
          assert.ok(stored[518]!.reputation_score < 975);
          await store.recordEvents(org.id, [event('w', { passed: false, latency_ms: 10 })]);
          const after = await store.getReputation(org.id, 'w');
          assert.deepEqual([after!.evaluations, after!.passed, after!.streak, after!.eval_count], [500, 499, 0, 521]);
        }));
    });

    describe('deduplication by event_id', () => {
      it('does not count a repeat from a later batch, and reports the agent unchanged', () =>
        withStore(async ({ store }) => {
          const org = await newOrg(store);
          const id = uid('client');
          const first = await store.recordEvents(org.id, [event('a', { event_id: id, passed: true })]);
          const repeat = event('a', { event_id: id, passed: false });
          const second = await store.recordEvents(org.id, [repeat, event('a', { passed: true })]);
          assert.deepEqual(second.events, [
            { evaluation_id: repeat.evaluation_id, duplicate: true },
            { evaluation_id: second.events[1]!.evaluation_id, duplicate: false },
          ]);
          assert.equal(first.events[0]!.duplicate, false);
          const stored = await assertAgentExact(store, org.id, 'a');
          assert.equal(stored.length, 2);
          assert.ok(stored.every((e) => e.passed), 'the repeat (passed: false) was not stored');
          const onlyRepeat = await store.recordEvents(org.id, [event('a', { event_id: id })]);
          assert.equal(onlyRepeat.events[0]!.duplicate, true);
          assert.deepEqual(onlyRepeat.reputations, [{ agent_id: 'a', ...reputationPart((await store.getReputation(org.id, 'a'))!) }]);
        }));

      it('does not count a repeat inside the same batch', () =>
        withStore(async ({ store }) => {
          const org = await newOrg(store);
          const id = uid('client');
          const result = await store.recordEvents(org.id, [
            event('a', { event_id: id }),
            event('a', { event_id: id }),
            event('a', { event_id: null }),
            event('a', { event_id: null }),
          ]);
          assert.deepEqual(result.events.map((e) => e.duplicate), [false, true, false, false]);
          assert.equal(result.reputations[0]!.evaluations, 3, 'events without event_id are never duplicates');
          assert.equal((await assertAgentExact(store, org.id, 'a')).length, 3);
        }));

      it('never creates an agent, nor moves last_seen, for a repeat alone', () =>
        withStore(async ({ store }) => {
          const org = await newOrg(store);
          const id = uid('client');
          await store.recordEvents(org.id, [event('a', { event_id: id, created_at: T0 })]);
          const before = await store.getReputation(org.id, 'a');
          const result = await store.recordEvents(org.id, [
            event('ghost', { event_id: id, created_at: T0 + 50 }),
            event('a', { event_id: id, created_at: T0 + 60 }),
            event('late', { event_id: id }),
            event('late', { event_id: uid('client'), passed: false }),
          ]);
          assert.deepEqual(result.events.map((e) => e.duplicate), [true, true, true, false]);
          assert.equal(await store.getReputation(org.id, 'ghost'), null, 'a repeat alone creates no agent');
          assert.deepEqual(result.reputations.find((r) => r.agent_id === 'ghost'), { agent_id: 'ghost', ...reputationPart(EMPTY_REPUTATION) });
          assert.deepEqual(await store.getReputation(org.id, 'a'), before, 'a repeat changes nothing, last_seen included');
          assert.deepEqual((await store.listAgents(org.id, 10)).map((x) => x.agent_id).sort(), ['a', 'late']);
          assert.equal((await assertAgentExact(store, org.id, 'late')).length, 1);
        }));

      it('counts an event_id exactly once across concurrent batches', () =>
        withStore(async ({ store }) => {
          const org = await newOrg(store);
          const id = uid('client');
          const results = await Promise.all([
            store.recordEvents(org.id, [event('a', { event_id: id })]),
            store.recordEvents(org.id, [event('b', { event_id: id })]),
            store.recordEvents(org.id, [event('a', { event_id: id }), event('c')]),
          ]);
          const flags = results.flatMap((r) => r.events.slice(0, 1).map((e) => e.duplicate));
          assert.equal(flags.filter((d) => !d).length, 1, 'exactly one copy counted');
          const page = await store.queryEvents(org.id, { limit: 100, offset: 0 });
          assert.equal(page.filter((e) => e.event_id === id).length, 1);
          assert.equal(page.length, 2);
          for (const agent of ['a', 'b']) {
            const rep = await store.getReputation(org.id, agent);
            if (rep) await assertAgentExact(store, org.id, agent);
          }
          assert.equal((await assertAgentExact(store, org.id, 'c')).length, 1);
        }));

      it('deduplicates within an organisation only', () =>
        withStore(async ({ store }) => {
          const a = await newOrg(store);
          const b = await newOrg(store);
          const id = uid('client');
          const ra = await store.recordEvents(a.id, [event('x', { event_id: id })]);
          const rb = await store.recordEvents(b.id, [event('x', { event_id: id })]);
          assert.equal(ra.events[0]!.duplicate, false);
          assert.equal(rb.events[0]!.duplicate, false);
          assert.equal((await store.getReputation(b.id, 'x'))!.eval_count, 1);
        }));
    });

    describe('queryEvents', () => {
      /** 3 agents, ties in created_at, recording order that differs from time order, both outcomes. */
      async function seed(store: Store): Promise<{ orgId: string; recorded: NewEvent[] }> {
        const org = await newOrg(store);
        const recorded: NewEvent[] = [];
        const agents = ['a', 'b', 'c'];
        const times = [T0 + 300, T0 + 100, T0 + 200, T0 + 200, T0 + 100, T0 + 400, T0 + 200, T0 + 300, T0 + 50];
        let k = 0;
        for (let batch = 0; batch < 4; batch++) {
          const events: NewEvent[] = [];
          for (let i = 0; i < 9; i++, k++) {
            events.push(event(agents[k % 3]!, { passed: k % 4 !== 1, created_at: times[(k * 5) % times.length]! }));
          }
          await store.recordEvents(org.id, events);
          recorded.push(...events);
        }
        return { orgId: org.id, recorded };
      }

      function expected(recorded: NewEvent[], f: (e: NewEvent) => boolean): string[] {
        return recorded
          .map((e, order) => ({ e, order }))
          .filter(({ e }) => f(e))
          .sort((x, y) => y.e.created_at - x.e.created_at || y.order - x.order)
          .map(({ e }) => e.evaluation_id);
      }

      it('returns newest first by created_at, then by recording order', () =>
        withStore(async ({ store }) => {
          const { orgId, recorded } = await seed(store);
          const page = await store.queryEvents(orgId, { limit: 100, offset: 0 });
          assert.deepEqual(page.map((e) => e.evaluation_id), expected(recorded, () => true));
          for (let i = 1; i < page.length; i++) assert.ok(page[i - 1]!.created_at >= page[i]!.created_at);
        }));

      it('filters by agent, outcome and inclusive time bounds, alone and combined', () =>
        withStore(async ({ store }) => {
          const { orgId, recorded } = await seed(store);
          const cases: Array<[string, { agent_id?: string; passed?: boolean; from?: number; to?: number }, (e: NewEvent) => boolean]> = [
            ['agent', { agent_id: 'b' }, (e) => e.agent_id === 'b'],
            ['unknown agent', { agent_id: 'zz' }, () => false],
            ['passed', { passed: true }, (e) => e.passed],
            ['failed', { passed: false }, (e) => !e.passed],
            ['from (inclusive)', { from: T0 + 200 }, (e) => e.created_at >= T0 + 200],
            ['to (inclusive)', { to: T0 + 200 }, (e) => e.created_at <= T0 + 200],
            ['from = to', { from: T0 + 300, to: T0 + 300 }, (e) => e.created_at === T0 + 300],
            ['empty range', { from: T0 + 301, to: T0 + 399 }, () => false],
            ['agent + failed', { agent_id: 'a', passed: false }, (e) => e.agent_id === 'a' && !e.passed],
            ['agent + range', { agent_id: 'c', from: T0 + 100, to: T0 + 300 }, (e) => e.agent_id === 'c' && e.created_at >= T0 + 100 && e.created_at <= T0 + 300],
            ['passed + range', { passed: true, from: T0 + 100, to: T0 + 200 }, (e) => e.passed && e.created_at >= T0 + 100 && e.created_at <= T0 + 200],
            ['all four', { agent_id: 'a', passed: true, from: T0 + 50, to: T0 + 300 }, (e) => e.agent_id === 'a' && e.passed && e.created_at >= T0 + 50 && e.created_at <= T0 + 300],
          ];
          for (const [label, filter, f] of cases) {
            const page = await store.queryEvents(orgId, { ...filter, limit: 100, offset: 0 });
            const want = expected(recorded, f);
            assert.deepEqual(page.map((e) => e.evaluation_id), want, label);
            if (label !== 'unknown agent' && label !== 'empty range') assert.ok(want.length > 0, `${label} matches something`);
          }
        }));

      it('pages with limit and offset; a short page is the last one', () =>
        withStore(async ({ store }) => {
          const { orgId, recorded } = await seed(store);
          for (const filter of [{}, { agent_id: 'a' }, { passed: true }]) {
            const want =
              'agent_id' in filter ? expected(recorded, (e) => e.agent_id === 'a') :
              'passed' in filter ? expected(recorded, (e) => e.passed) : expected(recorded, () => true);
            const seen: string[] = [];
            let pages = 0;
            for (let offset = 0; ; offset += 5) {
              const page = await store.queryEvents(orgId, { ...filter, limit: 5, offset });
              pages++;
              assert.ok(page.length <= 5);
              seen.push(...page.map((e) => e.evaluation_id));
              if (page.length < 5) break;
            }
            assert.deepEqual(seen, want, JSON.stringify(filter));
            assert.equal(pages, Math.floor(want.length / 5) + 1);
          }
          assert.deepEqual(await store.queryEvents(orgId, { limit: 10, offset: 1000 }), []);
          const one = await store.queryEvents(orgId, { limit: 1, offset: 3 });
          assert.deepEqual(one.map((e) => e.evaluation_id), expected(recorded, () => true).slice(3, 4));
        }));
      it('pages by cursor through every filter in the same order, and new events never shift a page', () =>
        withStore(async ({ store }) => {
          const { orgId, recorded } = await seed(store);
          const filters: Array<[{ agent_id?: string; passed?: boolean; from?: number; to?: number }, (e: NewEvent) => boolean]> = [
            [{}, () => true],
            [{ agent_id: 'a' }, (e) => e.agent_id === 'a'],
            [{ passed: false }, (e) => !e.passed],
            [{ agent_id: 'c', passed: true, from: T0 + 100, to: T0 + 300 }, (e) => e.agent_id === 'c' && e.passed && e.created_at >= T0 + 100 && e.created_at <= T0 + 300],
            [{ agent_id: 'nobody' }, () => false],
          ];
          const arrived: NewEvent[] = [];
          let arrivals = 0;
          for (const [filter, f] of filters) {
            const want = expected(recorded, f);
            const seen: string[] = [];
            let after: EventPosition | undefined;
            for (let pages = 0; pages < 100; pages++) {
              const page = await store.pageEvents(orgId, { ...filter, limit: 4, after });
              assert.ok(page.events.length <= 4);
              seen.push(...page.events.map((e) => e.evaluation_id));
              if (page.next === null) break;
              assert.equal(page.events.length, 4, 'only a full page says there may be more');
              // Between pages, newer events arrive: they sort before the cursor, so this walk never sees them.
              const at = T0 + 1000 + arrivals++;
              const newer = [event('a', { created_at: at }), event('c', { created_at: at, passed: false })];
              await store.recordEvents(orgId, newer);
              arrived.push(...newer);
              after = page.next;
            }
            assert.deepEqual(seen, want, JSON.stringify(filter));
            recorded.push(...arrived.splice(0));
          }
          const all = await store.pageEvents(orgId, { limit: 500 });
          assert.deepEqual(all.events, await store.queryEvents(orgId, { limit: 500, offset: 0 }), 'the same events as offset paging');
          assert.equal(all.next, null);
        }));
    });

    describe('agents', () => {
      it('lists agents most recently seen first, ties by agent id, up to the limit', () =>
        withStore(async ({ store }) => {
          const org = await newOrg(store);
          await store.recordEvents(org.id, [
            event('old', { created_at: T0 + 10 }),
            event('tie-b', { created_at: T0 + 50 }),
            event('new', { created_at: T0 + 90 }),
            event('tie-a', { created_at: T0 + 50 }),
            event('old', { created_at: T0 + 20 }),
          ]);
          await store.registerAgent(org.id, 'registered', T0 + 30);
          const all = await store.listAgents(org.id, 500);
          assert.deepEqual(all.map(({ agent_id, first_seen, last_seen, eval_count }) => ({ agent_id, first_seen, last_seen, eval_count })), [
            { agent_id: 'new', first_seen: T0 + 90, last_seen: T0 + 90, eval_count: 1 },
            { agent_id: 'tie-a', first_seen: T0 + 50, last_seen: T0 + 50, eval_count: 1 },
            { agent_id: 'tie-b', first_seen: T0 + 50, last_seen: T0 + 50, eval_count: 1 },
            { agent_id: 'registered', first_seen: T0 + 30, last_seen: T0 + 30, eval_count: 0 },
            { agent_id: 'old', first_seen: T0 + 10, last_seen: T0 + 20, eval_count: 2 },
          ]);
          assert.deepEqual(all.find((a) => a.agent_id === 'registered'), {
            agent_id: 'registered', first_seen: T0 + 30, last_seen: T0 + 30, eval_count: 0, score: 0, status: 'new', evaluations: 0,
          });
          assert.deepEqual(await store.listAgents(org.id, 2), all.slice(0, 2));
          await store.recordEvents(org.id, [event('old', { created_at: T0 + 100 })]);
          assert.equal((await store.listAgents(org.id, 1))[0]!.agent_id, 'old');
        }));

      it('registers an agent once; its first evaluation then sets first_seen and last_seen to its own time', () =>
        withStore(async ({ store }) => {
          const org = await newOrg(store);
          assert.equal(await store.registerAgent(org.id, 'r', T0 + 100), true);
          assert.equal(await store.registerAgent(org.id, 'r', T0 + 999), false);
          assert.deepEqual(await store.getReputation(org.id, 'r'), {
            agent_id: 'r',
            first_seen: T0 + 100,
            last_seen: T0 + 100,
            eval_count: 0,
            score: 0,
            status: 'new',
            evaluations: 0,
            passed: 0,
            pass_rate: 0,
            avg_latency_ms: 0,
            streak: 0,
          });
          // Registration is not an evaluation: the seed defines both times by the evaluations recorded, so the first one
          // replaces the registration time, even when it is stamped earlier.
          const result = await store.recordEvents(org.id, [event('r', { created_at: T0 + 50, latency_ms: 10 })]);
          assert.equal(result.reputations[0]!.evaluations, 1);
          const rep = await store.getReputation(org.id, 'r');
          assert.deepEqual([rep!.first_seen, rep!.last_seen, rep!.eval_count], [T0 + 50, T0 + 50, 1]);
          await assertAgentExact(store, org.id, 'r');
          assert.equal(await store.registerAgent(org.id, 'r', T0 + 300), false);
          assert.equal((await store.getReputation(org.id, 'r'))!.eval_count, 1, 'registering again changes nothing');
        }));

      it('deletes an agent with its events and window; a new agent of the same id starts from nothing', () =>
        withStore(async ({ store }) => {
          const org = await newOrg(store);
          const other = await newOrg(store);
          await store.recordEvents(org.id, [
            event('gone', { passed: false, event_id: 'cid-1' }),
            event('gone', { created_at: T0 + 1 }),
            event('kept', { created_at: T0 + 2 }),
          ]);
          await store.recordEvents(other.id, [event('gone', { created_at: T0 + 3 })]);
          // Its window is in the writer's memory too (SQLite): the deletion must not leave it there.
          assert.equal((await store.getReputation(org.id, 'gone'))!.eval_count, 2);

          assert.deepEqual(await store.deleteAgent(org.id, 'gone'), { events: 2 });
          assert.equal(await store.getReputation(org.id, 'gone'), null);
          assert.deepEqual(await store.agentEventsInOrder(org.id, 'gone'), []);
          assert.deepEqual((await store.queryEvents(org.id, { limit: 10, offset: 0 })).map((e) => e.agent_id), ['kept']);
          assert.deepEqual((await store.queryEvents(org.id, { limit: 10, offset: 0, agent_id: 'gone' })), []);
          assert.deepEqual((await store.listAgents(org.id, 10)).map((a) => a.agent_id), ['kept']);
          assert.equal((await store.getReputation(other.id, 'gone'))!.eval_count, 1, 'another organisation’s agent of that id stays');
          assert.equal(await store.deleteAgent(org.id, 'gone'), null, 'deleting twice finds nothing');
          assert.equal(await store.deleteAgent(org.id, 'never-seen'), null);
          assert.equal(await store.deleteAgent('org_unknown', 'kept'), null);

          // The same id again is a new agent: its window holds only what comes after, and the event id sent again counts.
          const again = await store.recordEvents(org.id, [event('gone', { created_at: T0 + 10, event_id: 'cid-1' })]);
          assert.equal(again.events[0]!.duplicate, false);
          assert.equal(again.reputations[0]!.evaluations, 1);
          assert.deepEqual((await store.queryEvents(org.id, { limit: 10, offset: 0, agent_id: 'gone' })).length, 1);
          await assertAgentExact(store, org.id, 'gone');
        }));

      it('reads an unknown agent as null', () =>
        withStore(async ({ store }) => {
          const org = await newOrg(store);
          assert.equal(await store.getReputation(org.id, 'nobody'), null);
          assert.deepEqual(await store.agentEventsInOrder(org.id, 'nobody'), []);
          assert.deepEqual(await store.listAgents(org.id, 10), []);
        }));
    });

    describe('durability', () => {
      it('keeps everything across close() and reopen, and carries on counting from the stored window', () =>
        withStore(async (h) => {
          assert.ok(h.reopen, `${name}: the harness must provide reopen() for the durability test`);
          let store = h.store;
          const org = await newOrg(store, { ingest_limit: 42 });
          const key = newKey(org.id, 'secret');
          await store.createKey(key);
          await store.touchKeys(new Map([[key.id, T0 + 77]]));
          const id = uid('client');
          const batch = Array.from({ length: 60 }, (_, i) =>
            event(i % 2 ? 'odd' : 'even', { passed: i % 7 !== 3, latency_ms: i, created_at: T0 + i, event_id: i === 0 ? id : null }),
          );
          const pending = Array.from({ length: 3 }, (_, i) => store.recordEvents(org.id, batch.slice(i * 20, i * 20 + 20)));
          await Promise.all(pending);
          await store.registerAgent(org.id, 'idle', T0 + 5);
          const before = {
            odd: await store.getReputation(org.id, 'odd'),
            even: await store.getReputation(org.id, 'even'),
            page: await store.queryEvents(org.id, { limit: 100, offset: 0 }),
            agents: await store.listAgents(org.id, 10),
          };
          await store.close();

          store = await h.reopen();
          await store.init();
          assert.deepEqual(await store.getOrganization(org.id), { ...org, ingest_limit: 42 });
          assert.deepEqual(await store.findKeyByHash(key.hash), { ...key, last_used_at: T0 + 77, revoked_at: null });
          assert.deepEqual(await store.getReputation(org.id, 'odd'), before.odd);
          assert.deepEqual(await store.getReputation(org.id, 'even'), before.even);
          assert.deepEqual(await store.queryEvents(org.id, { limit: 100, offset: 0 }), before.page);
          assert.deepEqual(await store.listAgents(org.id, 10), before.agents);

          const again = await store.recordEvents(org.id, [event('even', { event_id: id }), event('even', { passed: true, created_at: T0 + 100 })]);
          assert.deepEqual(again.events.map((e) => e.duplicate), [true, false], 'dedup survives a reopen');
          const events = await assertAgentExact(store, org.id, 'even');
          assert.equal(events.length, 31);
          assert.equal((await store.getReputation(org.id, 'even'))!.streak, before.even!.streak + 1);
        }));
    });

    describe('isolation between organisations', () => {
      it('never shows or changes another organisation’s agents, events, reputation or keys', () =>
        withStore(async ({ store }) => {
          const a = await newOrg(store);
          const b = await newOrg(store);
          const ka = newKey(a.id, 'secret');
          const kb = newKey(b.id, 'publishable');
          await store.createKey(ka);
          await store.createKey(kb);
          const evA = [event('shared', { passed: true, latency_ms: 5 }), event('shared', { passed: true }), event('only-a')];
          const evB = [event('shared', { passed: false, latency_ms: 80 })];
          const [ra, rb] = await Promise.all([store.recordEvents(a.id, evA), store.recordEvents(b.id, evB)]);
          assert.deepEqual(reputationPart(ra.reputations[0]!), reputationOf(windowOf(evA.slice(0, 2))));
          assert.deepEqual(reputationPart(rb.reputations[0]!), reputationOf(windowOf(evB)));

          assert.equal((await store.getReputation(b.id, 'shared'))!.eval_count, 1);
          assert.equal((await store.getReputation(a.id, 'shared'))!.eval_count, 2);
          assert.equal(await store.getReputation(b.id, 'only-a'), null);
          assert.deepEqual((await store.agentEventsInOrder(b.id, 'shared')).map((e) => e.evaluation_id), [evB[0]!.evaluation_id]);
          assert.deepEqual(await store.agentEventsInOrder(b.id, 'only-a'), []);
          assert.deepEqual((await store.listAgents(b.id, 500)).map((x) => x.agent_id), ['shared']);
          const idsB = (await store.queryEvents(b.id, { limit: 100, offset: 0 })).map((e) => e.evaluation_id);
          assert.deepEqual(idsB, [evB[0]!.evaluation_id]);
          for (const q of [{ agent_id: 'only-a' }, { passed: true }, { agent_id: 'shared', passed: true }, { from: T0 - 1, to: T0 + 1 }]) {
            const ids = (await store.queryEvents(b.id, { ...q, limit: 100, offset: 0 })).map((e) => e.evaluation_id);
            assert.ok(ids.every((id) => id === evB[0]!.evaluation_id), JSON.stringify(q));
          }
          assert.equal(await store.registerAgent(b.id, 'only-a', T0), true, 'registering in B ignores A’s agent');
          assert.equal((await store.getReputation(a.id, 'only-a'))!.eval_count, 1);

          assert.deepEqual((await store.listKeys(b.id)).map((k) => k.id), [kb.id]);
          assert.deepEqual(await store.listActiveSecretKeys(b.id), []);
          assert.equal(await store.revokeKey(b.id, ka.id, T0), null);
          assert.equal((await store.findKeyByHash(ka.hash))!.revoked_at, null);
          await store.setOrganizationLimits(b.id, { ingest_limit: 1, default_limit: 1 });
          assert.deepEqual(await store.getOrganization(a.id), a);
        }));
    });

    describe('property: reputation equals the formula over the stored events', () => {
      it('holds for every agent after many random concurrent batches with duplicates', () =>
        withStore(async ({ store }) => {
          let sawMature = false;
          await fc.assert(
            fc.asyncProperty(storeHistory, async (history) => {
              if (await recordsExactly(store, history)) sawMature = true;
            }),
            // The example fills a window past its size, so that every run exercises eviction whatever the seed.
            { ...propertyRuns(4), examples: [[{ fill: { count: 501, passed: true, latency_ms: 3 }, waves: [[{ org: 0, verdicts: 'each', events: [{ ...PLAIN_EVENT }] }]] }]] },
          );
          assert.ok(sawMature, 'a run reached a full window (eviction exercised)');
        }));
    });
  });
}

/**
 * The store property's input: a window's worth of evaluations for one agent (or none), then waves of batches, the
 * batches of a wave recorded concurrently, in two organisations, four agents, with event_ids drawn from a shared pool
 * (duplicates within and across batches and waves), latencies from a list, a clock that advances by 0–2 ms per event
 * and now and then a backfill stamped well in the past.
 */
const AGENTS = ['a0', 'a1', 'a2', 'a3'];
const LATENCIES = [0, 0.5, 3, 12.25, 40, 99.9, 150, 1 / 3];
const EVENT_ID_POOL = 1500;

interface GeneratedEvent {
  agent: number;
  passed: boolean;
  eventId: number | null;
  latency_ms: number | null;
  total_latency_ms: number | null;
  advanceMs: number;
  backfillMs: number;
}
interface GeneratedBatch {
  org: number;
  /** One verdict for the whole batch makes long streaks and full windows of passes, which coin flips never do. */
  verdicts: 'each' | 'all pass' | 'all fail';
  events: GeneratedEvent[];
}
interface StoreHistory {
  fill: { count: number; passed: boolean; latency_ms: number | null };
  waves: GeneratedBatch[][];
}

const PLAIN_EVENT: GeneratedEvent = { agent: 0, passed: true, eventId: null, latency_ms: null, total_latency_ms: 0.5, advanceMs: 1, backfillMs: 0 };
const latency = fc.constantFrom(...LATENCIES);
const generatedEvent: fc.Arbitrary<GeneratedEvent> = fc.record({
  agent: fc.nat({ max: AGENTS.length - 1 }),
  passed: fc.boolean(),
  eventId: fc.oneof({ weight: 7, arbitrary: fc.constant(null) }, { weight: 3, arbitrary: fc.nat({ max: EVENT_ID_POOL - 1 }) }),
  latency_ms: fc.option(latency, { freq: 2, nil: null }),
  total_latency_ms: fc.oneof({ weight: 1, arbitrary: fc.constant(null) }, { weight: 9, arbitrary: latency }),
  advanceMs: fc.integer({ min: 0, max: 2 }),
  backfillMs: fc.oneof({ weight: 9, arbitrary: fc.constant(0) }, { weight: 1, arbitrary: fc.integer({ min: 0, max: 4999 }) }),
});
const generatedBatch: fc.Arbitrary<GeneratedBatch> = fc.record({
  org: fc.nat({ max: 1 }),
  verdicts: fc.constantFrom('each', 'all pass', 'all fail'),
  events: fc.array(generatedEvent, { minLength: 1, maxLength: 40, size: 'max' }),
});
const storeHistory: fc.Arbitrary<StoreHistory> = fc.record({
  fill: fc.record({
    // Any count first, so that a hand-picked one shrinks like a generated one.
    count: fc.oneof(fc.integer({ min: 0, max: 700 }), fc.constantFrom(WINDOW_SIZE - 1, WINDOW_SIZE, WINDOW_SIZE + 1)),
    passed: fc.boolean(),
    latency_ms: fc.option(latency, { nil: null }),
  }),
  waves: fc.array(fc.array(generatedBatch, { minLength: 1, maxLength: 80, size: 'max' }), { minLength: 1, maxLength: 4 }),
});

/**
 * Records a generated history in fresh organisations and checks every invariant of recordEvents; true when an agent
 * reached a full window.
 */
async function recordsExactly(store: Store, history: StoreHistory): Promise<boolean> {
  const orgs = [await newOrg(store), await newOrg(store)];
  const eventIds = Array.from({ length: EVENT_ID_POOL }, () => uid('cid'));
  let clock = T0;
  const toEvent = (g: GeneratedEvent, passed: boolean): NewEvent =>
    event(AGENTS[g.agent]!, {
      passed,
      event_id: g.eventId === null ? null : eventIds[g.eventId]!,
      latency_ms: g.latency_ms,
      total_latency_ms: g.total_latency_ms,
      created_at: (clock += g.advanceMs) - g.backfillMs,
    });
  const calls: Array<{ orgId: string; events: NewEvent[]; result: RecordResult }> = [];
  const { fill } = history;
  if (fill.count > 0) {
    const events = Array.from({ length: fill.count }, () => toEvent({ ...PLAIN_EVENT, latency_ms: fill.latency_ms }, fill.passed));
    calls.push({ orgId: orgs[0]!.id, events, result: await store.recordEvents(orgs[0]!.id, events) });
  }
  for (const wave of history.waves) {
    const batches = wave.map((b) => ({
      orgId: orgs[b.org]!.id,
      events: b.events.map((g) => toEvent(g, b.verdicts === 'each' ? g.passed : b.verdicts === 'all pass')),
    }));
    const results = await Promise.all(batches.map((b) => store.recordEvents(b.orgId, b.events)));
    batches.forEach((b, i) => calls.push({ ...b, result: results[i]! }));
  }

  let sawMature = false;
  for (const org of orgs) {
    const mine = calls.filter((c) => c.orgId === org.id);
    const counted = new Map<string, number>();
    for (const c of mine) {
      assert.equal(c.result.events.length, c.events.length);
      assert.deepEqual(
        c.result.reputations.map((r) => r.agent_id),
        [...new Set(c.events.map((e) => e.agent_id))],
        'reputations in order of first appearance',
      );
      c.events.forEach((e, i) => {
        assert.equal(c.result.events[i]!.evaluation_id, e.evaluation_id);
        if (e.event_id !== null && !c.result.events[i]!.duplicate) counted.set(e.event_id, (counted.get(e.event_id) ?? 0) + 1);
      });
    }
    const sentIds = new Set(mine.flatMap((c) => c.events.map((e) => e.event_id)).filter((x): x is string => x !== null));
    assert.equal(counted.size, sentIds.size, 'every event_id counted once');
    assert.ok([...counted.values()].every((n) => n === 1), 'no event_id counted twice');

    let total = 0;
    for (const agent of AGENTS) {
      const rep = await store.getReputation(org.id, agent);
      const sent = mine.flatMap((c) => c.events.filter((e) => e.agent_id === agent));
      if (!rep) {
        assert.ok(sent.every((e) => e.event_id !== null), `${agent} only had duplicates`);
        continue;
      }
      const stored = await assertAgentExact(store, org.id, agent);
      total += stored.length;
      if (rep.status === 'mature') sawMature = true;
      // Within each batch, events are counted in array order.
      const position = new Map(stored.map((e, i) => [e.evaluation_id, i]));
      for (const c of mine) {
        const order = c.events.filter((e) => e.agent_id === agent && position.has(e.evaluation_id)).map((e) => position.get(e.evaluation_id)!);
        assert.deepEqual(order, [...order].sort((x, y) => x - y), 'batch order kept');
      }
    }
    const nonDuplicates = mine.reduce((n, c) => n + c.result.events.filter((e) => !e.duplicate).length, 0);
    assert.equal(total, nonDuplicates, 'stored = accepted non-duplicates');
  }
  return sawMature;
}
