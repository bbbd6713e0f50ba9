/**
 * Recording event batches on PostgreSQL, exactly, with any number of instances writing at once.
 *
 * One transaction records a group of batches (a group commit: whatever queued while the previous transaction ran):
 *   1. takes a transaction-scoped advisory lock per distinct (organisation, agent), in one global order so that two
 *      transactions never wait on each other in a cycle; every append to an agent, from any instance, holds it;
 *   2. reads those agents' rows and which of the group's event_ids are already stored;
 *   3. counts each event in arrival order against its agent's window (in memory), creating agents first seen;
 *   4. inserts the events and saves the agents, each in one statement (unnest arrays), and commits.
 * Under the agent's lock nobody else appends to it, so the window read in step 2 is the latest and the scores written
 * in step 3 equal the SPEC §5 formula over the stored events in recording order (seq).
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

  await client.query('BEGIN');
  await client.query('SELECT count(pg_advisory_xact_lock(o, h)) FROM unnest($1::int[], $2::int[]) AS t(o, h)', [lockOrgs, lockHashes]);
  const { rows } = await client.query<AgentRow>(
    `SELECT a.key, a.org_key, a.agent_id, a.first_seen, a.last_seen, a.eval_count, a.window_blob
     FROM unnest($1::int[], $2::text[]) AS w(org_key, agent_id)
     JOIN agents AS a ON a.org_key = w.org_key AND a.agent_id = w.agent_id`,
    [wantedOrgs, wantedAgents],
  );
  for (const row of rows) {
    const agent = agents.get(agentRef(row.org_key, row.agent_id))!;
    agent.key = row.key;
    agent.firstSeen = row.first_seen;
    agent.lastSeen = row.last_seen;
    agent.evalCount = row.eval_count;
    agent.window = ReputationWindow.fromBlob(row.window_blob);
  }
  const stored = new Set<string>();
  if (ids.length > 0) {
    const found = await client.query<{ org_key: number; event_id: string }>(
      `SELECT e.org_key, e.event_id FROM unnest($1::int[], $2::text[]) AS w(org_key, event_id)
       JOIN events AS e ON e.org_key = w.org_key AND e.event_id = w.event_id`,
      [idOrgs, ids],
    );
    for (const row of found.rows) stored.add(agentRef(row.org_key, row.event_id));
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
  await createAgents(client, batches, counts, agents);

  const columns = eventColumns();
  const results: RecordResult[] = batches.map((batch, b) => {
    const order = new Map<string, AgentState>();
    const recorded = batch.events.map((event, i) => {
      const agent = agents.get(agentRef(batch.orgKey, event.agent_id))!;
      if (!order.has(event.agent_id)) order.set(event.agent_id, agent);
      if (!counts[b]![i]) return { evaluation_id: event.evaluation_id, duplicate: true };
      const entry = { passed: event.passed, latency_ms: windowLatency(event.latency_ms, event.total_latency_ms) };
      const next = agent.window.peek(entry);
      pushEvent(columns, batch.orgKey, agent.key!, event, next.score);
      countEvent(agent, event.created_at, entry, next);
      return { evaluation_id: event.evaluation_id, duplicate: false };
    });
    // Reputation as of the end of this batch: later batches of the group may change the agent again.
    const reputations = [...order].map(([agent_id, agent]) => ({ agent_id, ...reputationNow(agent) }));
    return { events: recorded, reputations };
  });

  if (columns.org_key.length > 0) {
    const inserted = await client.query(
      `INSERT INTO events (org_key, agent_key, evaluation_id, event_id, tool_name, passed, gates, total_latency_ms,
                           latency_ms, reputation_score, created_at)
       SELECT * FROM unnest($1::int[], $2::bigint[], $3::text[], $4::text[], $5::text[], $6::boolean[], $7::text[],
                            $8::float8[], $9::float8[], $10::int[], $11::bigint[])
       ON CONFLICT (org_key, event_id) WHERE event_id IS NOT NULL DO NOTHING`,
      [
        columns.org_key,
        columns.agent_key,
        columns.evaluation_id,
        columns.event_id,
        columns.tool_name,
        columns.passed,
        columns.gates,
        columns.total_latency_ms,
        columns.latency_ms,
        columns.reputation_score,
        columns.created_at,
      ],
    );
    if (inserted.rowCount !== columns.org_key.length) throw new ConcurrentDuplicate('an event_id was recorded concurrently');
  }
  await saveAgents(client, [...agents.values()].filter((a) => a.touched));
  return results;
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
  if (agent.key === null) return EMPTY_REPUTATION;
  return agent.reputation ?? agent.window.reputation();
}

async function createAgents(client: pg.ClientBase, batches: readonly BatchRequest[], counts: boolean[][], agents: Map<string, AgentState>) {
  const orgs: number[] = [];
  const names: string[] = [];
  const seen = new Set<string>();
  batches.forEach((batch, b) =>
    batch.events.forEach((event, i) => {
      if (!counts[b]![i]) return;
      const ref = agentRef(batch.orgKey, event.agent_id);
      if (agents.get(ref)!.key !== null || seen.has(ref)) return;
      seen.add(ref);
      orgs.push(batch.orgKey);
      names.push(event.agent_id);
    }),
  );
  if (orgs.length === 0) return;
  // The placeholder times are replaced by saveAgents before the commit; events need the agent's key first.
  const { rows } = await client.query<{ key: number; org_key: number; agent_id: string }>(
    `INSERT INTO agents (org_key, agent_id, first_seen, last_seen)
     SELECT o, a, 0, 0 FROM unnest($1::int[], $2::text[]) AS t(o, a)
     RETURNING key, org_key, agent_id`,
    [orgs, names],
  );
  for (const row of rows) agents.get(agentRef(row.org_key, row.agent_id))!.key = row.key;
}

interface EventColumns {
  org_key: number[];
  agent_key: number[];
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

function pushEvent(c: EventColumns, orgKey: number, agentKey: number, e: NewEvent, score: number): void {
  c.org_key.push(orgKey);
  c.agent_key.push(agentKey);
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

async function saveAgents(client: pg.ClientBase, touched: readonly AgentState[]): Promise<void> {
  if (touched.length === 0) return;
  const reps = touched.map((a) => a.reputation ?? a.window.reputation());
  await client.query(
    `UPDATE agents AS a SET first_seen = t.first_seen, last_seen = t.last_seen, eval_count = t.eval_count,
            window_blob = t.window_blob, score = t.score, status = t.status, evaluations = t.evaluations,
            passed = t.passed, pass_rate = t.pass_rate, avg_latency_ms = t.avg_latency_ms, streak = t.streak
     FROM unnest($1::bigint[], $2::bigint[], $3::bigint[], $4::bigint[], $5::bytea[], $6::int[], $7::text[], $8::int[],
                 $9::int[], $10::float8[], $11::float8[], $12::int[])
          AS t(key, first_seen, last_seen, eval_count, window_blob, score, status, evaluations, passed, pass_rate,
               avg_latency_ms, streak)
     WHERE a.key = t.key`,
    [
      touched.map((a) => a.key),
      touched.map((a) => a.firstSeen),
      touched.map((a) => a.lastSeen),
      touched.map((a) => a.evalCount),
      touched.map((a) => Buffer.from(a.window.toBlob())),
      reps.map((r) => r.score),
      reps.map((r) => r.status),
      reps.map((r) => r.evaluations),
      reps.map((r) => r.passed),
      reps.map((r) => r.pass_rate),
      reps.map((r) => r.avg_latency_ms),
      reps.map((r) => r.streak),
    ],
  );
}
