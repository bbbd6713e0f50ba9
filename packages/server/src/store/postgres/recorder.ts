/**
 * Recording event batches on PostgreSQL, exactly, with any number of instances writing at once.
 *
 * One transaction records a group of batches (a group commit: whatever queued while the previous transaction ran):
 *   1. takes a transaction-scoped advisory lock per distinct (organisation, agent), in one global order so that two
 *      transactions never wait on each other in a cycle; every append to an agent, from any instance, holds it;
 *   2. reads those agents' rows and which of the group's event_ids are already stored (one statement);
 *   3. counts each event in arrival order against its agent's window, in memory;
 *   4. writes the group in one statement over unnest arrays (agents first seen inserted with their final state, the
 *      others updated, the events inserted in arrival order), and commits.
 * That is four round trips per transaction, whatever the number of batches, events and agents in it.
 * Under the agent's lock nobody else appends to it, so the window read in step 2 is the latest and the scores written
 * in step 3 equal the reputation formula (docs/api.md, Reputation) over the stored events in recording order (seq).
 *
 * The same event_id sent for two different agents at once is not covered by an agent lock: the unique index settles
 * it. Each transaction's insert skips a conflicting row (ON CONFLICT DO NOTHING, after waiting for the other to commit);
 * a row skipped that step 2 did not foresee means the counts are off, so the transaction rolls back and runs again,
 * and then sees the other's event as a duplicate.
 */
import type pg from 'pg';
import { EMPTY_REPUTATION, ReputationWindow, windowLatency, type Reputation } from '../../reputation.js';
import { storedGatesJson } from '../stored-gates.js';
import type { NewEvent, RecordResult } from '../types.js';

export interface BatchRequest {
  orgKey: number;
  events: readonly NewEvent[];
}

interface AgentState {
  key: number | null;
  orgKey: number;
  agentId: string;
  firstSeen: number;
  lastSeen: number;
  evalCount: number;
  window: ReputationWindow;
  reputation: Reputation | null;
  /** Counted an event in this transaction. */
  touched: boolean;
}

interface AgentRow {
  key: number;
  org_key: number;
  agent_id: string;
  first_seen: number;
  last_seen: number;
  eval_count: number;
  window_blob: Buffer | null;
}

/** A row skipped by the unique index that the duplicate check did not foresee: run the transaction again. */
export class ConcurrentDuplicate extends Error {
  override readonly name = 'ConcurrentDuplicate';
}

/** 32-bit FNV-1a of the agent id: the second half of its advisory lock key (the first is the organisation's key). */
export function agentLockHash(agentId: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < agentId.length; i++) {
    h ^= agentId.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h | 0;
}

const agentRef = (orgKey: number, agentId: string) => `${orgKey}\u0000${agentId}`;

/** Records the batches in one transaction on `client` (which must not be in one); returns one result per batch. */
export async function recordGroup(client: pg.ClientBase, batches: readonly BatchRequest[]): Promise<RecordResult[]> {
  const agents = new Map<string, AgentState>();
  const lockOrgs: number[] = [];
  const lockHashes: number[] = [];
  const wantedOrgs: number[] = [];
  const wantedAgents: string[] = [];
  const idOrgs: number[] = [];
  const ids: string[] = [];
  for (const batch of batches) {
    for (const event of batch.events) {
      const ref = agentRef(batch.orgKey, event.agent_id);
      if (!agents.has(ref)) {
        agents.set(ref, newAgent(batch.orgKey, event.agent_id));
        wantedOrgs.push(batch.orgKey);
        wantedAgents.push(event.agent_id);
      }
      if (event.event_id !== null) {
        idOrgs.push(batch.orgKey);
        ids.push(event.event_id);
      }
    }
  }
  const locks = [...new Set(wantedOrgs.map((org, i) => `${org} ${agentLockHash(wantedAgents[i]!)}`))]
    .map((s) => s.split(' ').map(Number) as [number, number])
    .sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  for (const [org, hash] of locks) {
    lockOrgs.push(org);
    lockHashes.push(hash);
  }

  // BEGIN and the locks in one round trip (simple protocol, so the keys are inlined: integers computed here, checked).
  // The reads below are a separate statement on purpose: in READ COMMITTED each statement takes its snapshot when it
  // starts, so only a statement that starts after the locks are held sees the last commit of every locked agent.
  await client.query(`BEGIN; SELECT count(pg_advisory_xact_lock(o, h)) FROM unnest('{${intList(lockOrgs)}}'::int[], '{${intList(lockHashes)}}'::int[]) AS t(o, h)`);
  const { rows } = await client.query<AgentRow & { kind: 'a' | 'e' }>(
    `SELECT 'a' AS kind, a.key, a.org_key, a.agent_id, a.first_seen, a.last_seen, a.eval_count, a.window_blob
     FROM unnest($1::int[], $2::text[]) AS w(org_key, agent_id)
     JOIN agents AS a ON a.org_key = w.org_key AND a.agent_id = w.agent_id
     UNION ALL
     SELECT 'e', NULL, e.org_key, e.event_id, NULL, NULL, NULL, NULL
     FROM unnest($3::int[], $4::text[]) AS w(org_key, event_id)
     JOIN events AS e ON e.org_key = w.org_key AND e.event_id = w.event_id`,
    [wantedOrgs, wantedAgents, idOrgs, ids],
  );
  const stored = new Set<string>();
  for (const row of rows) {
    if (row.kind === 'e') {
      stored.add(agentRef(row.org_key, row.agent_id));
      continue;
    }
    const agent = agents.get(agentRef(row.org_key, row.agent_id))!;
    agent.key = row.key;
    agent.firstSeen = row.first_seen;
    agent.lastSeen = row.last_seen;
    agent.evalCount = row.eval_count;
    agent.window = ReputationWindow.fromBlob(row.window_blob);
  }

  // Which events count: not stored before, not repeated earlier in the group. Agents are created only for those.
  const counts: boolean[][] = batches.map((batch) =>
    batch.events.map((event) => {
      if (event.event_id === null) return true;
      const ref = agentRef(batch.orgKey, event.event_id);
      if (stored.has(ref)) return false;
      stored.add(ref);
      return true;
    }),
  );
  const columns = eventColumns();
  const results: RecordResult[] = batches.map((batch, b) => {
    const order = new Map<string, AgentState>();
    const recorded = batch.events.map((event, i) => {
      const agent = agents.get(agentRef(batch.orgKey, event.agent_id))!;
      if (!order.has(event.agent_id)) order.set(event.agent_id, agent);
      if (!counts[b]![i]) return { evaluation_id: event.evaluation_id, duplicate: true };
      const entry = { passed: event.passed, latency_ms: windowLatency(event.latency_ms, event.total_latency_ms) };
      const next = agent.window.peek(entry);
      pushEvent(columns, batch.orgKey, agent.key, event, next.score);
      countEvent(agent, event.created_at, entry, next);
      return { evaluation_id: event.evaluation_id, duplicate: false };
    });
    // Reputation as of the end of this batch: later batches of the group may change the agent again.
    const reputations = [...order].map(([agent_id, agent]) => ({ agent_id, ...reputationNow(agent) }));
    return { events: recorded, reputations };
  });

  await writeGroup(client, columns, [...agents.values()].filter((a) => a.touched));
  return results;
}

/**
 * One statement writes the group: agents seen for the first time are inserted with their final state, the others
 * updated, and the events inserted in arrival order, each new agent's events joined to the key its insert returned.
 */
async function writeGroup(client: pg.ClientBase, c: EventColumns, touched: readonly AgentState[]): Promise<void> {
  if (c.org_key.length === 0) return;
  const created = touched.filter((a) => a.key === null);
  const existing = touched.filter((a) => a.key !== null);
  const { rows } = await client.query<{ inserted: number; created: number }>(
    `WITH new_agents AS (
       INSERT INTO agents (org_key, agent_id, first_seen, last_seen, eval_count, window_blob, score, status, evaluations,
                           passed, pass_rate, avg_latency_ms, streak)
       SELECT * FROM unnest($12::int[], $13::text[], $14::bigint[], $15::bigint[], $16::bigint[], $17::bytea[], $18::int[],
                            $19::text[], $20::int[], $21::int[], $22::float8[], $23::float8[], $24::int[])
       ON CONFLICT (org_key, agent_id) DO NOTHING
       RETURNING key, org_key, agent_id
     ), updated AS (
       UPDATE agents AS a SET first_seen = t.first_seen, last_seen = t.last_seen, eval_count = t.eval_count,
              window_blob = t.window_blob, score = t.score, status = t.status, evaluations = t.evaluations,
              passed = t.passed, pass_rate = t.pass_rate, avg_latency_ms = t.avg_latency_ms, streak = t.streak
       FROM unnest($25::bigint[], $26::bigint[], $27::bigint[], $28::bigint[], $29::bytea[], $30::int[], $31::text[],
                   $32::int[], $33::int[], $34::float8[], $35::float8[], $36::int[])
            AS t(key, first_seen, last_seen, eval_count, window_blob, score, status, evaluations, passed, pass_rate,
                 avg_latency_ms, streak)
       WHERE a.key = t.key
       RETURNING 1
     ), inserted AS (
       INSERT INTO events (org_key, agent_key, evaluation_id, event_id, tool_name, passed, gates, total_latency_ms,
                           latency_ms, reputation_score, created_at)
       SELECT t.org_key, coalesce(t.agent_key, n.key), t.evaluation_id, t.event_id, t.tool_name, t.passed, t.gates,
              t.total_latency_ms, t.latency_ms, t.reputation_score, t.created_at
       FROM unnest($1::int[], $2::bigint[], $3::text[], $4::text[], $5::text[], $6::boolean[], $7::text[], $8::float8[],
                   $9::float8[], $10::int[], $11::bigint[], $37::text[])
            WITH ORDINALITY AS t(org_key, agent_key, evaluation_id, event_id, tool_name, passed, gates, total_latency_ms,
                                 latency_ms, reputation_score, created_at, agent_id, ord)
       LEFT JOIN new_agents AS n ON t.agent_key IS NULL AND n.org_key = t.org_key AND n.agent_id = t.agent_id
       ORDER BY t.ord
       ON CONFLICT (org_key, event_id) WHERE event_id IS NOT NULL DO NOTHING
       RETURNING 1
     )
     SELECT (SELECT count(*) FROM inserted) AS inserted, (SELECT count(*) FROM new_agents) AS created,
            (SELECT count(*) FROM updated) AS updated`,
    [
      c.org_key,
      c.agent_key,
      c.evaluation_id,
      c.event_id,
      c.tool_name,
      c.passed,
      c.gates,
      c.total_latency_ms,
      c.latency_ms,
      c.reputation_score,
      c.created_at,
      ...agentColumns(created, true),
      ...agentColumns(existing, false),
      c.agent_id,
    ],
  );
  // Fewer rows than counted: a concurrent transaction recorded one of these event_ids first (or created one of these
  // agents, which the agent lock rules out); the counts are off, so the whole group runs again.
  if (rows[0]!.inserted !== c.org_key.length || rows[0]!.created !== created.length) {
    throw new ConcurrentDuplicate('an event_id was recorded concurrently');
  }
}

/** Agents as unnest arrays: new ones keyed by (organisation, agent id), existing ones by their key. */
function agentColumns(agents: readonly AgentState[], isNew: boolean): unknown[][] {
  const reps = agents.map((a) => a.reputation ?? a.window.reputation());
  const identity = isNew ? [agents.map((a) => a.orgKey), agents.map((a) => a.agentId)] : [agents.map((a) => a.key)];
  return [
    ...identity,
    agents.map((a) => a.firstSeen),
    agents.map((a) => a.lastSeen),
    agents.map((a) => a.evalCount),
    agents.map((a) => Buffer.from(a.window.toBlob())),
    reps.map((r) => r.score),
    reps.map((r) => r.status),
    reps.map((r) => r.evaluations),
    reps.map((r) => r.passed),
    reps.map((r) => r.pass_rate),
    reps.map((r) => r.avg_latency_ms),
    reps.map((r) => r.streak),
  ];
}

function intList(values: readonly number[]): string {
  for (const v of values) if (!Number.isInteger(v)) throw new TypeError('advisory lock keys must be integers');
  return values.join(',');
}

function newAgent(orgKey: number, agentId: string): AgentState {
  return {
    key: null,
    orgKey,
    agentId,
    firstSeen: 0,
    lastSeen: 0,
    evalCount: 0,
    window: new ReputationWindow(),
    reputation: null,
    touched: false,
  };
}

function reputationNow(agent: AgentState): Reputation {
  // Neither stored nor counted yet: the agent does not exist (a duplicate never creates one).
  if (agent.key === null && !agent.touched) return EMPTY_REPUTATION;
  return agent.reputation ?? agent.window.reputation();
}

interface EventColumns {
  org_key: number[];
  /** null for an agent created by this transaction: its events are joined to the key its insert returns. */
  agent_key: Array<number | null>;
  agent_id: string[];
  evaluation_id: string[];
  event_id: Array<string | null>;
  tool_name: Array<string | null>;
  passed: boolean[];
  gates: string[];
  total_latency_ms: Array<number | null>;
  latency_ms: Array<number | null>;
  reputation_score: number[];
  created_at: number[];
}

function eventColumns(): EventColumns {
  return {
    org_key: [],
    agent_key: [],
    agent_id: [],
    evaluation_id: [],
    event_id: [],
    tool_name: [],
    passed: [],
    gates: [],
    total_latency_ms: [],
    latency_ms: [],
    reputation_score: [],
    created_at: [],
  };
}

function pushEvent(c: EventColumns, orgKey: number, agentKey: number | null, e: NewEvent, score: number): void {
  c.org_key.push(orgKey);
  c.agent_key.push(agentKey);
  c.agent_id.push(e.agent_id);
  c.evaluation_id.push(e.evaluation_id);
  c.event_id.push(e.event_id);
  c.tool_name.push(e.tool_name);
  c.passed.push(e.passed);
  c.gates.push(storedGatesJson(e.gates));
  c.total_latency_ms.push(finiteOrNull(e.total_latency_ms));
  c.latency_ms.push(finiteOrNull(e.latency_ms));
  c.reputation_score.push(score);
  c.created_at.push(e.created_at);
}

/** PostgreSQL's float8 takes NaN and Infinity, which the SQLite store stores as NULL: both keep them out of the data. */
function finiteOrNull(n: number | null): number | null {
  return typeof n === 'number' && Number.isFinite(n) ? n : null;
}

function countEvent(agent: AgentState, createdAt: number, entry: { passed: boolean; latency_ms: number | null }, next: Reputation): void {
  // The earliest and latest evaluation times (not arrival): until the first evaluation they hold a registration time.
  if (agent.evalCount === 0) {
    agent.firstSeen = createdAt;
    agent.lastSeen = createdAt;
  } else {
    agent.firstSeen = Math.min(agent.firstSeen, createdAt);
    agent.lastSeen = Math.max(agent.lastSeen, createdAt);
  }
  agent.evalCount++;
  agent.window.add(entry);
  agent.reputation = next;
  agent.touched = true;
}
