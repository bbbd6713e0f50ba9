/**
 * The single writer of the embedded store: every write of a SqliteStore goes through one SqliteWriter, which owns the
 * write connection. It is synchronous and knows nothing about threads: writer-worker.ts runs it on its own thread for a
 * file, writer-client.ts runs it inline for ':memory:' (or when the thread is switched off).
 *
 * Requests are executed strictly in the order they were queued. A run of consecutive recordEvents requests is a group
 * commit: one IMMEDIATE transaction, batches applied in queue order, every batch settled only after COMMIT returned
 * (WAL fsynced, synchronous=FULL). Any other write runs in its own transaction at its place in the queue.
 *
 * The writer keeps each agent's state (key, window, counters) in memory between transactions, so a commit touching an
 * agent neither reads nor decodes its row again. That cache is only valid while this connection is the only one
 * writing: every transaction starts by reading PRAGMA data_version, which changes when another connection (the CLI on
 * the same file, a second server) committed, and then drops the cache. A transaction that rolls back drops it too.
 */
import {
  EMPTY_REPUTATION,
  ReputationWindow,
  windowLatency,
  type Reputation,
  type ReputationStatus,
  type WindowEntry,
} from '../../reputation.js';
import type { KeyRecord, NewEvent, NewKey, Organization } from '../types.js';
import type { Database } from './driver.js';
import { MIGRATIONS, SCHEMA_VERSION } from './schema.js';
import { WireEventReader, wireEventCount, type WireEvents } from './wire-events.js';

// ---- requests and outcomes (they cross the thread boundary: plain data only) ------------------------------------------

export type WriteOp =
  | { op: 'recordEvents'; orgId: string; events: WireEvents }
  | { op: 'createOrganization'; org: Organization }
  | { op: 'createFirstOrganization'; org: Organization; keys: NewKey[] }
  | { op: 'setOrganizationLimits'; orgId: string; ingest_limit: number | null; default_limit: number | null }
  | { op: 'updateOrganizationSettings'; orgId: string; require_signed_ingest: boolean | null }
  | { op: 'createKey'; key: NewKey }
  | { op: 'revokeKey'; orgId: string; keyId: string; at: number }
  | { op: 'touchKeys'; uses: Array<[keyId: string, at: number]> }
  | { op: 'registerAgent'; orgId: string; agentId: string; at: number }
  | { op: 'deleteAgent'; orgId: string; agentId: string };

export type WriteRequest = WriteOp & { id: number };

/**
 * What a recorded batch sends back. The caller still holds the batch, so evaluation ids and agent ids are not sent
 * again: `duplicates` lists the indexes of events not counted, and `reputations` holds REPUTATION_FIELDS numbers per
 * distinct agent, in agentsInOrder() order.
 */
export interface RecordOutcome {
  duplicates: number[];
  reputations: Float64Array;
}

export interface WriteValues {
  recordEvents: RecordOutcome;
  createOrganization: null;
  createFirstOrganization: boolean;
  setOrganizationLimits: boolean;
  updateOrganizationSettings: boolean;
  createKey: KeyRow;
  revokeKey: KeyRow | null;
  touchKeys: null;
  registerAgent: boolean;
  deleteAgent: { events: number } | null;
}

export type Settled = { id: number; ok: true; value: WriteValues[WriteOp['op']] } | { id: number; ok: false; error: unknown };

export interface KeyRow extends Omit<KeyRecord, 'type'> {
  type: string;
}

export interface SqliteWriteStats {
  /** Committed group transactions (a retried batch counts as its own transaction). */
  transactions: number;
  /** Batches committed. */
  batches: number;
  /** Group transactions that rolled back. */
  failedGroups: number;
  /** Batches retried alone after their group rolled back. */
  retriedBatches: number;
}

/** Status names by the code sent in RecordOutcome.reputations. */
export const STATUS_CODES: readonly ReputationStatus[] = ['new', 'calibrating', 'active', 'mature'];
export const REPUTATION_FIELDS = 7;

/** Distinct agents of a batch in order of first appearance, duplicates included: the order of RecordResult.reputations. */
export function agentsInOrder(events: readonly NewEvent[]): string[] {
  const seen = new Set<string>();
  const out: string[] = [];
  for (const event of events) {
    if (!seen.has(event.agent_id)) {
      seen.add(event.agent_id);
      out.push(event.agent_id);
    }
  }
  return out;
}

export function unpackReputation(packed: Float64Array, index: number): Reputation {
  const at = index * REPUTATION_FIELDS;
  return {
    score: packed[at]!,
    status: STATUS_CODES[packed[at + 1]!]!,
    evaluations: packed[at + 2]!,
    passed: packed[at + 3]!,
    pass_rate: packed[at + 4]!,
    avg_latency_ms: packed[at + 5]!,
    streak: packed[at + 6]!,
  };
}

function packReputation(packed: Float64Array, index: number, r: Reputation): void {
  const at = index * REPUTATION_FIELDS;
  packed[at] = r.score;
  packed[at + 1] = STATUS_CODES.indexOf(r.status);
  packed[at + 2] = r.evaluations;
  packed[at + 3] = r.passed;
  packed[at + 4] = r.pass_rate;
  packed[at + 5] = r.avg_latency_ms;
  packed[at + 6] = r.streak;
}

// ---- the writer ------------------------------------------------------------------------------------------------------

export interface WriterOptions {
  /** Events after which a group is closed and committed, bounding one transaction (and the wait of its first batch). */
  maxGroupEvents: number;
  /** WAL size (pages) at which a commit checkpoints (PRAGMA wal_autocheckpoint): see DEFAULT_WAL_AUTOCHECKPOINT_PAGES. */
  walAutocheckpointPages: number;
  /** Agents kept in memory between transactions (see DEFAULT_MAX_CACHED_AGENTS). */
  maxCachedAgents: number;
}

/** Bytes the WAL file is cut back to once a checkpoint let it restart, so one burst does not hold disk space for good. */
const JOURNAL_SIZE_LIMIT = 64 * 1024 * 1024;

/**
 * SQLite's default is 1000 pages. A larger WAL lets one checkpoint write each hot page (agent windows, index leaves) once
 * for many commits, but a checkpoint stalls the writer for as long as it takes, and every write waiting meanwhile (an
 * evaluate's event included) waits with it: more pages gained throughput with many agents per commit and cost p99
 * (docs/benchmarks.md, API). The checkpoint runs on the writer's thread, never on the event loop. 4000 pages is a WAL
 * of ~16 MiB.
 */
export const DEFAULT_WAL_AUTOCHECKPOINT_PAGES = 4000;

/**
 * Agents kept in memory between transactions. Each holds its window as three typed arrays (5 KB), so the cap bounds
 * the cache near 50 MB. Past it, the agents least recently written are dropped at the end of a transaction and read
 * again from their row when they next appear.
 */
export const DEFAULT_MAX_CACHED_AGENTS = 10_000;

/** An agent as the writer knows it: its row as of the last commit, plus what the running transaction changed. */
interface AgentState {
  key: number;
  touched: boolean;
  firstSeen: number;
  lastSeen: number;
  evalCount: number;
  window: ReputationWindow;
  reputation: Reputation | null;
}

interface AgentRow {
  key: number;
  first_seen: number;
  last_seen: number;
  eval_count: number;
  window_blob: Uint8Array | null;
}

/** Agents by `${orgKey} ${agentId}`, least recently written first. */
type AgentCache = Map<string, AgentState>;
type RecordRequest = Extract<WriteRequest, { op: 'recordEvents' }>;

const KEY_COLUMNS = 'id, org_id, type, label, hash, hint, created_at, last_used_at, revoked_at, secret_ciphertext';

function prepareWriteStatements(db: Database) {
  return {
    orgKey: db.prepare<{ key: number }>('SELECT key FROM organizations WHERE id = ?'),
    anyOrg: db.prepare('SELECT 1 FROM organizations LIMIT 1'),
    dataVersion: db.prepare<{ data_version: number }>('PRAGMA data_version'),
    insertOrg: db.prepare(
      `INSERT INTO organizations (id, name, created_at, ingest_limit, default_limit, require_signed_ingest)
       VALUES (?, ?, ?, ?, ?, ?)`,
    ),
    setOrgLimits: db.prepare('UPDATE organizations SET ingest_limit = ?, default_limit = ? WHERE id = ?'),
    // coalesce: a setting sent as NULL keeps its value.
    setOrgSettings: db.prepare(
      'UPDATE organizations SET require_signed_ingest = coalesce(?, require_signed_ingest) WHERE id = ?',
    ),
    insertKey: db.prepare(
      `INSERT INTO api_keys (id, org_id, type, label, hash, hint, created_at, last_used_at, revoked_at, secret_ciphertext)
       VALUES (?, ?, ?, ?, ?, ?, ?, NULL, NULL, ?)`,
    ),
    keyById: db.prepare<KeyRow>(`SELECT ${KEY_COLUMNS} FROM api_keys WHERE org_id = ? AND id = ?`),
    // coalesce keeps the first revocation time, which makes revoking twice a no-op.
    revokeKey: db.prepare('UPDATE api_keys SET revoked_at = coalesce(revoked_at, ?) WHERE org_id = ? AND id = ?'),
    touchKey: db.prepare(
      'UPDATE api_keys SET last_used_at = ? WHERE id = ? AND (last_used_at IS NULL OR last_used_at < ?)',
    ),
    eventIdExists: db.prepare('SELECT 1 FROM events WHERE org_key = ? AND event_id = ?'),
    insertEvent: db.prepare(
      `INSERT INTO events (org_key, agent_key, evaluation_id, event_id, tool_name, passed, gates, total_latency_ms,
                           latency_ms, reputation_score, created_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (org_key, event_id) WHERE event_id IS NOT NULL DO NOTHING`,
    ),
    loadAgent: db.prepare<AgentRow>(
      'SELECT key, first_seen, last_seen, eval_count, window_blob FROM agents WHERE org_key = ? AND agent_id = ?',
    ),
    // The row is completed by saveAgent before the transaction commits; events need its key first.
    createAgent: db.prepare('INSERT INTO agents (org_key, agent_id, first_seen, last_seen, eval_count) VALUES (?, ?, ?, ?, 0)'),
    // Safe as a blind overwrite: the state was read under this connection's write lock, and data_version proves no
    // other connection has written since.
    saveAgent: db.prepare(
      `UPDATE agents SET first_seen = ?, last_seen = ?, eval_count = ?, window_blob = ?, score = ?, status = ?,
                         evaluations = ?, passed = ?, pass_rate = ?, avg_latency_ms = ?, streak = ?
       WHERE key = ?`,
    ),
    registerAgent: db.prepare(
      `INSERT INTO agents (org_key, agent_id, first_seen, last_seen, eval_count) VALUES (?, ?, ?, ?, 0)
       ON CONFLICT (org_key, agent_id) DO NOTHING`,
    ),
    agentKeyOf: db.prepare<{ key: number }>('SELECT key FROM agents WHERE org_key = ? AND agent_id = ?'),
    deleteAgentEvents: db.prepare('DELETE FROM events WHERE agent_key = ?'),
    deleteAgentRow: db.prepare('DELETE FROM agents WHERE key = ?'),
  };
}

type WriteStatements = ReturnType<typeof prepareWriteStatements>;

export class SqliteWriter {
  readonly stats: SqliteWriteStats = { transactions: 0, batches: 0, failedGroups: 0, retriedBatches: 0 };
  private statements: WriteStatements | null = null;
  private readonly agents: AgentCache = new Map();
  /** Organisation keys by id. An organisation is never deleted and its key never changes, so this needs no guard. */
  private readonly orgKeys = new Map<string, number>();
  private dataVersion: number | null = null;

  constructor(
    private readonly db: Database,
    private readonly options: WriterOptions,
  ) {
    db.pragma(`journal_size_limit = ${JOURNAL_SIZE_LIMIT}`);
    db.pragma(`wal_autocheckpoint = ${Math.max(1, Math.floor(options.walAutocheckpointPages))}`);
  }

  /** Creates or migrates the schema, then prepares the write statements. Idempotent. */
  migrate(): void {
    this.db
      .transaction(() => {
        const version = Number(this.db.pragma('user_version', { simple: true }));
        if (version > SCHEMA_VERSION) {
          throw new Error(`database schema version ${version} is newer than this server supports (${SCHEMA_VERSION})`);
        }
        for (let v = version; v < SCHEMA_VERSION; v++) this.db.exec(MIGRATIONS[v]!);
        if (version < SCHEMA_VERSION) this.db.pragma(`user_version = ${SCHEMA_VERSION}`);
      })
      .immediate();
    this.statements ??= prepareWriteStatements(this.db);
  }

  /**
   * Takes the next unit of work off the front of `queue`, executes it and returns how each of its requests ended: a
   * group of consecutive recordEvents requests (closed once it holds maxGroupEvents events), or one other write.
   */
  executeNext(queue: WriteRequest[]): Settled[] {
    const first = queue[0];
    if (first === undefined) return [];
    if (first.op !== 'recordEvents') {
      queue.shift();
      return [this.executeOne(first)];
    }
    let count = 0;
    let events = 0;
    while (count < queue.length && events < this.options.maxGroupEvents) {
      const next = queue[count]!;
      if (next.op !== 'recordEvents') break;
      events += wireEventCount(next.events);
      count++;
    }
    return this.commitGroup(queue.splice(0, count) as RecordRequest[]);
  }

  // ---- other writes -------------------------------------------------------------------------------------------------

  private executeOne(request: Exclude<WriteRequest, RecordRequest>): Settled {
    try {
      return { id: request.id, ok: true, value: this.apply(request) };
    } catch (error) {
      return { id: request.id, ok: false, error };
    }
  }

  private apply(request: Exclude<WriteRequest, RecordRequest>): WriteValues[WriteOp['op']] {
    const s = this.sql();
    switch (request.op) {
      case 'createOrganization': {
        const { org } = request;
        s.insertOrg.run(org.id, org.name, org.created_at, org.ingest_limit ?? null, org.default_limit ?? null, org.require_signed_ingest ? 1 : 0);
        return null;
      }
      case 'createFirstOrganization': {
        const { org, keys } = request;
        return this.db
          .transaction(() => {
            if (s.anyOrg.get() !== undefined) return false;
            s.insertOrg.run(org.id, org.name, org.created_at, org.ingest_limit ?? null, org.default_limit ?? null, org.require_signed_ingest ? 1 : 0);
            for (const key of keys) {
              s.insertKey.run(key.id, key.org_id, key.type, key.label ?? null, key.hash, key.hint, key.created_at, key.secret_ciphertext ?? null);
            }
            return true;
          })
          .immediate();
      }
      case 'setOrganizationLimits':
        return s.setOrgLimits.run(request.ingest_limit ?? null, request.default_limit ?? null, request.orgId).changes > 0;
      case 'updateOrganizationSettings': {
        const flag = request.require_signed_ingest === null ? null : request.require_signed_ingest ? 1 : 0;
        return s.setOrgSettings.run(flag, request.orgId).changes > 0;
      }
      case 'createKey': {
        const { key } = request;
        return this.db
          .transaction(() => {
            s.insertKey.run(key.id, key.org_id, key.type, key.label ?? null, key.hash, key.hint, key.created_at, key.secret_ciphertext ?? null);
            return s.keyById.get(key.org_id, key.id)!;
          })
          .immediate();
      }
      case 'revokeKey':
        return this.db
          .transaction(() => {
            s.revokeKey.run(request.at, request.orgId, request.keyId);
            return s.keyById.get(request.orgId, request.keyId) ?? null;
          })
          .immediate();
      case 'touchKeys':
        if (request.uses.length > 0) {
          this.db
            .transaction(() => {
              for (const [keyId, at] of request.uses) s.touchKey.run(at, keyId, at);
            })
            .immediate();
        }
        return null;
      case 'registerAgent':
        return s.registerAgent.run(this.orgKey(request.orgId), request.agentId, request.at, request.at).changes === 1;
      case 'deleteAgent': {
        const orgKey = this.orgKey(request.orgId);
        return this.db
          .transaction(() => {
            const found = s.agentKeyOf.get(orgKey, request.agentId);
            if (!found) return null;
            const events = s.deleteAgentEvents.run(found.key).changes;
            s.deleteAgentRow.run(found.key);
            // The cached window would otherwise outlive its row.
            this.agents.delete(`${orgKey} ${request.agentId}`);
            return { events };
          })
          .immediate();
      }
    }
  }

  // ---- group commit -------------------------------------------------------------------------------------------------

  private commitGroup(batches: RecordRequest[]): Settled[] {
    try {
      const outcomes = this.commit(batches);
      return batches.map((batch, i) => ({ id: batch.id, ok: true, value: outcomes[i]! }));
    } catch (groupError) {
      this.stats.failedGroups++;
      if (batches.length === 1 || !couldBeOneBatchsFault(groupError)) {
        return batches.map((batch) => ({ id: batch.id, ok: false, error: groupError }));
      }
      // One bad batch must not fail the requests it happened to share a transaction with.
      return batches.map((batch): Settled => {
        this.stats.retriedBatches++;
        try {
          return { id: batch.id, ok: true, value: this.commit([batch])[0]! };
        } catch (error) {
          return { id: batch.id, ok: false, error };
        }
      });
    }
  }

  /** Applies batches in order in one IMMEDIATE transaction; returns only after COMMIT. Throws after ROLLBACK. */
  private commit(batches: readonly RecordRequest[]): RecordOutcome[] {
    const s = this.sql();
    const touched: AgentState[] = [];
    let outcomes: RecordOutcome[];
    try {
      outcomes = this.db
        .transaction(() => {
          this.checkDataVersion(s);
          const out = batches.map((batch) => this.applyBatch(s, batch, touched));
          for (const agent of touched) saveAgent(s, agent);
          return out;
        })
        .immediate();
    } catch (error) {
      // The cached states may hold this transaction's changes, which were rolled back.
      this.agents.clear();
      throw error;
    }
    for (const agent of touched) agent.touched = false;
    this.evictAgents();
    this.stats.transactions++;
    this.stats.batches += batches.length;
    return outcomes;
  }

  /** Another connection committed since this one last looked: its changes may touch any cached agent. */
  private checkDataVersion(s: WriteStatements): void {
    const version = s.dataVersion.get()!.data_version;
    if (this.dataVersion !== null && version !== this.dataVersion) this.agents.clear();
    this.dataVersion = version;
  }

  private orgKey(orgId: string): number {
    let key = this.orgKeys.get(orgId);
    if (key === undefined) {
      const row = this.sql().orgKey.get(orgId);
      if (!row) throw new Error(`unknown organisation ${JSON.stringify(orgId)}`);
      key = row.key;
      this.orgKeys.set(orgId, key);
    }
    return key;
  }

  private applyBatch(s: WriteStatements, batch: RecordRequest, touched: AgentState[]): RecordOutcome {
    const orgKey = this.orgKey(batch.orgId);
    const duplicates: number[] = [];
    // Every agent of the batch in order of first appearance; null while it has only had duplicates (and so may not
    // exist: a duplicate never creates an agent).
    const order = new Map<string, AgentState | null>();
    const event = new WireEventReader(batch.events);
    for (let i = 0; event.next(); i++) {
      const { agentId, eventId } = event;
      // An agent already seen in this batch is at hand; only its first event looks it up.
      let agent = order.get(agentId) ?? this.findAgent(s, orgKey, agentId);
      if (agent === null) {
        // A duplicate never creates an agent, so an unknown agent's event id is looked up before the agent is made.
        // Every other duplicate is caught by the insert itself (ON CONFLICT DO NOTHING): one index probe, not two.
        if (eventId !== null && s.eventIdExists.get(orgKey, eventId) !== undefined) {
          duplicates.push(i);
          if (!order.has(agentId)) order.set(agentId, null);
          continue;
        }
        agent = this.createAgent(s, orgKey, agentId);
      }
      order.set(agentId, agent);
      const { createdAt, passed } = event;
      const entry = { passed, latency_ms: windowLatency(event.latencyMs, event.totalLatencyMs) };
      // The row carries the score right after this event; it is counted only once the insert shows it is not a repeat.
      // The conflict check also sees rows inserted earlier in this transaction: repeats within a batch or group too.
      const next = agent.window.peek(entry);
      const inserted = s.insertEvent.run(
        orgKey,
        agent.key,
        event.evaluationId,
        eventId,
        event.toolName,
        passed ? 1 : 0,
        event.gates,
        event.totalLatencyMs,
        event.latencyMs,
        next.score,
        createdAt,
      );
      if (inserted.changes === 0) {
        duplicates.push(i);
        continue;
      }
      countEvent(agent, createdAt, entry, next);
      if (!agent.touched) {
        agent.touched = true;
        touched.push(agent);
      }
    }
    const reputations = new Float64Array(order.size * REPUTATION_FIELDS);
    let i = 0;
    for (const [agentId, counted] of order) {
      const agent = counted ?? this.findAgent(s, orgKey, agentId);
      packReputation(reputations, i++, agent ? (agent.reputation ?? agent.window.reputation()) : EMPTY_REPUTATION);
    }
    return { duplicates, reputations };
  }

  /** The agent's state from the cache or its row, marked most recently used; null when the agent does not exist. */
  private findAgent(s: WriteStatements, orgKey: number, agentId: string): AgentState | null {
    const id = `${orgKey} ${agentId}`;
    let agent = this.agents.get(id);
    if (agent) {
      if (!agent.touched) {
        // Re-inserted so that the map's order stays least recently written first (see evictAgents).
        this.agents.delete(id);
        this.agents.set(id, agent);
      }
      return agent;
    }
    const row = s.loadAgent.get(orgKey, agentId);
    if (!row) return null;
    agent = {
      key: row.key,
      touched: false,
      firstSeen: row.first_seen,
      lastSeen: row.last_seen,
      evalCount: row.eval_count,
      window: ReputationWindow.fromBlob(row.window_blob),
      reputation: null,
    };
    this.agents.set(id, agent);
    return agent;
  }

  /** Inserts a placeholder row, completed by saveAgent before the commit: events refer to the agent by its key. */
  private createAgent(s: WriteStatements, orgKey: number, agentId: string): AgentState {
    const created = s.createAgent.run(orgKey, agentId, 0, 0);
    const agent: AgentState = {
      key: Number(created.lastInsertRowid),
      touched: false,
      firstSeen: 0,
      lastSeen: 0,
      evalCount: 0,
      window: new ReputationWindow(),
      reputation: null,
    };
    this.agents.set(`${orgKey} ${agentId}`, agent);
    return agent;
  }

  private evictAgents(): void {
    let excess = this.agents.size - Math.max(0, this.options.maxCachedAgents);
    if (excess <= 0) return;
    for (const id of this.agents.keys()) {
      if (excess-- <= 0) break;
      this.agents.delete(id);
    }
  }

  private sql(): WriteStatements {
    if (!this.statements) throw new Error('SqliteStore: call init() before using the store');
    return this.statements;
  }
}

/**
 * False for failures of the file or the lock rather than of the data. Retrying each batch alone would then only repeat
 * the failure once per batch, each time after a full busy_timeout wait.
 */
function couldBeOneBatchsFault(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return !(typeof code === 'string' && ENVIRONMENT_FAILURE.test(code));
}

const ENVIRONMENT_FAILURE = /^SQLITE_(BUSY|LOCKED|IOERR|FULL|READONLY|CORRUPT|NOMEM|CANTOPEN|NOTADB|PERM)/;

function countEvent(agent: AgentState, createdAt: number, entry: WindowEntry, next: Reputation): void {
  // The times of the earliest and latest evaluation recorded (the seed's definition), not of arrival: a backfill
  // stamped in the past moves first_seen back. Until the first evaluation they hold the registration time, which
  // is not an evaluation, so the first one replaces it.
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
}

function saveAgent(s: WriteStatements, agent: AgentState): void {
  const r = agent.reputation ?? agent.window.reputation();
  s.saveAgent.run(
    agent.firstSeen,
    agent.lastSeen,
    agent.evalCount,
    agent.window.toBlob(),
    r.score,
    r.status,
    r.evaluations,
    r.passed,
    r.pass_rate,
    r.avg_latency_ms,
    r.streak,
    agent.key,
  );
}
