/**
 * The single writer of the embedded store: every write of a SqliteStore goes through one SqliteWriter, which owns the
 * write connection. It is synchronous and knows nothing about threads: writer-worker.ts runs it on its own thread for a
 * file, writer-client.ts runs it inline for ':memory:' (or when the thread is switched off).
 *
 * Requests are executed strictly in the order they were queued. A run of consecutive recordEvents requests is a group
 * commit: one IMMEDIATE transaction, batches applied in queue order, every batch settled only after COMMIT returned
 * (WAL fsynced, synchronous=FULL). Any other write runs in its own transaction at its place in the queue.
 */
import {
  ReputationWindow,
  windowLatency,
  type Reputation,
  type ReputationStatus,
} from '../../reputation.js';
import type { KeyRecord, NewEvent, NewKey, Organization } from '../types.js';
import type { Database } from './driver.js';
import { MIGRATIONS, SCHEMA_VERSION } from './schema.js';

// ---- requests and outcomes (they cross the thread boundary: plain data only) ------------------------------------------

export type WriteOp =
  | { op: 'recordEvents'; orgId: string; events: readonly NewEvent[] }
  | { op: 'createOrganization'; org: Organization }
  | { op: 'setOrganizationLimits'; orgId: string; ingest_limit: number | null; default_limit: number | null }
  | { op: 'createKey'; key: NewKey }
  | { op: 'revokeKey'; orgId: string; keyId: string; at: number }
  | { op: 'touchKeys'; uses: Array<[keyId: string, at: number]> }
  | { op: 'registerAgent'; orgId: string; agentId: string; at: number };

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
  setOrganizationLimits: boolean;
  createKey: KeyRow;
  revokeKey: KeyRow | null;
  touchKeys: null;
  registerAgent: boolean;
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
}

/** Gate fields that may be stored; anything else a caller attaches (details, matched text) is dropped by JSON.stringify. */
const STORED_GATE_FIELDS = ['name', 'passed', 'latency_ms', 'reason', 'skipped', 'aborted'];

/** Bytes the WAL file is cut back to once a checkpoint let it restart, so one burst does not hold disk space for good. */
const JOURNAL_SIZE_LIMIT = 64 * 1024 * 1024;

/**
 * SQLite's default is 1000 pages. A larger WAL lets one checkpoint write each hot page (agent windows, index leaves) once
 * for many commits, but a checkpoint stalls the writer for as long as it takes, and every write waiting meanwhile (an
 * evaluate's event included) waits with it. Measured over HTTP on 2 vCPUs: with 1000 agents, 1000 pages gave 23k
 * events/s, 4000 26–28k, 16000 29–30k; with 10 agents all three ~100k, at an ingest p99 of 29–34, 33–52 and 57–61 ms. The
 * checkpoint runs on the writer's thread, never on the event loop. 4000 pages is a WAL of ~16 MiB.
 */
export const DEFAULT_WAL_AUTOCHECKPOINT_PAGES = 4000;

/** An agent as one transaction sees it; discarded at the end of the transaction (another process may write next). */
interface AgentState {
  existsInDb: boolean;
  /** The batch that created the agent: while it runs, first_seen is the minimum of its events' times. */
  createdBy: WriteRequest | null;
  touched: boolean;
  firstSeen: number;
  lastSeen: number;
  evalCount: number;
  window: ReputationWindow;
  reputation: Reputation | null;
}

interface AgentRow {
  first_seen: number;
  last_seen: number;
  eval_count: number;
  window_blob: Uint8Array | null;
}

type AgentCache = Map<string, Map<string, AgentState>>;
type RecordRequest = Extract<WriteRequest, { op: 'recordEvents' }>;

const KEY_COLUMNS = 'id, org_id, type, label, hash, hint, created_at, last_used_at, revoked_at, secret_ciphertext';

function prepareWriteStatements(db: Database) {
  return {
    insertOrg: db.prepare(
      'INSERT INTO organizations (id, name, created_at, ingest_limit, default_limit) VALUES (?, ?, ?, ?, ?)',
    ),
    setOrgLimits: db.prepare('UPDATE organizations SET ingest_limit = ?, default_limit = ? WHERE id = ?'),
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
    eventIdExists: db.prepare('SELECT 1 FROM events WHERE org_id = ? AND event_id = ?'),
    insertEvent: db.prepare(
      `INSERT INTO events (org_id, evaluation_id, event_id, agent_id, tool_name, passed, gates, total_latency_ms,
                           latency_ms, reputation_score, created_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    ),
    loadAgent: db.prepare<AgentRow>(
      'SELECT first_seen, last_seen, eval_count, window_blob FROM agents WHERE org_id = ? AND agent_id = ?',
    ),
    // Safe as a blind overwrite: the row was read in this same IMMEDIATE transaction, under the write lock.
    saveAgent: db.prepare(
      `INSERT INTO agents (org_id, agent_id, first_seen, last_seen, eval_count, window_blob, score, status, evaluations,
                           passed, pass_rate, avg_latency_ms, streak)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (org_id, agent_id) DO UPDATE SET
         first_seen = excluded.first_seen, last_seen = excluded.last_seen, eval_count = excluded.eval_count,
         window_blob = excluded.window_blob, score = excluded.score, status = excluded.status,
         evaluations = excluded.evaluations, passed = excluded.passed, pass_rate = excluded.pass_rate,
         avg_latency_ms = excluded.avg_latency_ms, streak = excluded.streak`,
    ),
    registerAgent: db.prepare(
      `INSERT INTO agents (org_id, agent_id, first_seen, last_seen, eval_count) VALUES (?, ?, ?, ?, 0)
       ON CONFLICT (org_id, agent_id) DO NOTHING`,
    ),
  };
}

type WriteStatements = ReturnType<typeof prepareWriteStatements>;

export class SqliteWriter {
  readonly stats: SqliteWriteStats = { transactions: 0, batches: 0, failedGroups: 0, retriedBatches: 0 };
  private statements: WriteStatements | null = null;

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
      events += next.events.length;
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
        s.insertOrg.run(org.id, org.name, org.created_at, org.ingest_limit ?? null, org.default_limit ?? null);
        return null;
      }
      case 'setOrganizationLimits':
        return s.setOrgLimits.run(request.ingest_limit ?? null, request.default_limit ?? null, request.orgId).changes > 0;
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
        return s.registerAgent.run(request.orgId, request.agentId, request.at, request.at).changes === 1;
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
    const outcomes = this.db
      .transaction(() => {
        const cache: AgentCache = new Map();
        const out = batches.map((batch) => applyBatch(s, cache, batch));
        for (const [orgId, agents] of cache) {
          for (const [agentId, agent] of agents) if (agent.touched) saveAgent(s, orgId, agentId, agent);
        }
        return out;
      })
      .immediate();
    this.stats.transactions++;
    this.stats.batches += batches.length;
    return outcomes;
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

function applyBatch(s: WriteStatements, cache: AgentCache, batch: RecordRequest): RecordOutcome {
  const { orgId, events } = batch;
  const duplicates: number[] = [];
  for (let i = 0; i < events.length; i++) {
    const event = events[i]!;
    const eventId = event.event_id ?? null;
    // The lookup also sees rows inserted earlier in this transaction: repeats within a batch or group are caught too.
    if (eventId !== null && s.eventIdExists.get(orgId, eventId) !== undefined) {
      duplicates.push(i);
      continue;
    }
    const agent = agentState(s, cache, orgId, event.agent_id);
    countEvent(agent, event, batch);
    s.insertEvent.run(
      orgId,
      event.evaluation_id,
      eventId,
      event.agent_id,
      event.tool_name ?? null,
      event.passed ? 1 : 0,
      JSON.stringify(event.gates ?? [], STORED_GATE_FIELDS),
      event.total_latency_ms ?? null,
      event.latency_ms ?? null,
      agent.reputation!.score,
      event.created_at,
    );
  }
  const agents = agentsInOrder(events);
  const reputations = new Float64Array(agents.length * REPUTATION_FIELDS);
  agents.forEach((agentId, i) => {
    const agent = agentState(s, cache, orgId, agentId);
    packReputation(reputations, i, agent.reputation ?? agent.window.reputation());
  });
  return { duplicates, reputations };
}

function agentState(s: WriteStatements, cache: AgentCache, orgId: string, agentId: string): AgentState {
  let agents = cache.get(orgId);
  if (!agents) {
    agents = new Map();
    cache.set(orgId, agents);
  }
  let agent = agents.get(agentId);
  if (!agent) {
    const row = s.loadAgent.get(orgId, agentId);
    agent = {
      existsInDb: row !== undefined,
      createdBy: null,
      touched: false,
      firstSeen: row?.first_seen ?? 0,
      lastSeen: row?.last_seen ?? 0,
      evalCount: row?.eval_count ?? 0,
      window: ReputationWindow.fromBlob(row?.window_blob),
      reputation: null,
    };
    agents.set(agentId, agent);
  }
  return agent;
}

function countEvent(agent: AgentState, event: NewEvent, batch: RecordRequest): void {
  if (!agent.existsInDb && agent.createdBy === null) {
    agent.createdBy = batch;
    agent.firstSeen = event.created_at;
    agent.lastSeen = event.created_at;
  } else if (agent.createdBy === batch) {
    agent.firstSeen = Math.min(agent.firstSeen, event.created_at);
  }
  agent.lastSeen = Math.max(agent.lastSeen, event.created_at);
  agent.evalCount++;
  agent.touched = true;
  agent.reputation = agent.window.push({
    passed: event.passed,
    latency_ms: windowLatency(event.latency_ms, event.total_latency_ms),
  });
}

function saveAgent(s: WriteStatements, orgId: string, agentId: string, agent: AgentState): void {
  const r = agent.reputation ?? agent.window.reputation();
  s.saveAgent.run(
    orgId,
    agentId,
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
  );
}
