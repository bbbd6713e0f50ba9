/**
 * The embedded back end: one SQLite file (WAL, synchronous=FULL) through better-sqlite3's synchronous API.
 *
 * Writes of events go through a group commit: recordEvents() only queues its batch; every batch queued in the same
 * event-loop turn is applied in one IMMEDIATE transaction, in queue order, and each promise settles after COMMIT
 * returned. One fsync then covers many HTTP requests, and a resolved promise is a durable promise (SPEC §4.5, 202).
 */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import {
  ReputationWindow,
  windowLatency,
  type Reputation,
  type ReputationStatus,
} from '../../reputation.js';
import type {
  AgentRecord,
  EventQuery,
  GateRecord,
  KeyRecord,
  KeyType,
  NewEvent,
  NewKey,
  Organization,
  RecordedEvent,
  RecordResult,
  Store,
  StoredEvent,
} from '../types.js';
import { openDatabase, type Database, type Statement } from './driver.js';
import { EVENT_COLUMNS, eventsPageParams, eventsPageSql, shapeKey, shapeOf } from './events-query.js';
import { EVENT_INDEX, MIGRATIONS, SCHEMA_VERSION } from './schema.js';

export interface SqliteStoreOptions {
  /** File path, or ':memory:' (tests only: nothing survives close). Missing parent folders are created. */
  path: string;
  /** How long a write waits for another connection's lock (e.g. the CLI on the same file) before failing. */
  busyTimeoutMs?: number;
  /** Queued events that force a commit before the end of the event-loop turn, bounding transaction size and latency. */
  maxQueuedEvents?: number;
  /** SQLite page cache per connection, in MiB. */
  cacheMiB?: number;
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

export interface SqliteSettings {
  journal_mode: string;
  synchronous: number;
  foreign_keys: number;
  busy_timeout: number;
  user_version: number;
}

const DEFAULT_BUSY_TIMEOUT_MS = 5000;
// A flush blocks the event loop while it runs (8–15 µs per event). Bigger groups amortise what each transaction writes
// once however many events it holds (every touched agent's 4.5 KB window, every touched index page, the fsync): with
// 1000 active agents a 4000-event cap measured 45k events/s, 10000 67k. 10000 bounds the stall to ~75 ms with a few
// agents and ~150 ms with a thousand; only a burst of that many events within one event-loop turn reaches it.
const DEFAULT_MAX_QUEUED_EVENTS = 10_000;
const DEFAULT_CACHE_MIB = 64;

/** Gate fields that may be stored; anything else a caller attaches (details, matched text) is dropped by JSON.stringify. */
const STORED_GATE_FIELDS = ['name', 'passed', 'latency_ms', 'reason', 'skipped', 'aborted'];

interface PendingBatch {
  orgId: string;
  events: readonly NewEvent[];
  resolve: (result: RecordResult) => void;
  reject: (error: unknown) => void;
}

/** An agent as one transaction sees it; discarded at the end of the transaction (another process may write next). */
interface AgentState {
  existsInDb: boolean;
  /** The batch that created the agent: while it runs, first_seen is the minimum of its events' times. */
  createdBy: PendingBatch | null;
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

interface ReputationRow {
  agent_id: string;
  first_seen: number;
  last_seen: number;
  eval_count: number;
  score: number;
  status: string;
  evaluations: number;
  passed: number;
  pass_rate: number;
  avg_latency_ms: number;
  streak: number;
}

interface EventRow {
  evaluation_id: string;
  event_id: string | null;
  agent_id: string;
  tool_name: string | null;
  passed: number;
  gates: string;
  total_latency_ms: number | null;
  latency_ms: number | null;
  reputation_score: number;
  created_at: number;
}

interface KeyRow extends Omit<KeyRecord, 'type'> {
  type: string;
}

type AgentCache = Map<string, Map<string, AgentState>>;

function prepareStatements(db: Database) {
  const keyColumns = 'id, org_id, type, label, hash, hint, created_at, last_used_at, revoked_at, secret_ciphertext';
  return {
    insertOrg: db.prepare(
      'INSERT INTO organizations (id, name, created_at, ingest_limit, default_limit) VALUES (?, ?, ?, ?, ?)',
    ),
    getOrg: db.prepare<Organization>(
      'SELECT id, name, created_at, ingest_limit, default_limit FROM organizations WHERE id = ?',
    ),
    listOrgs: db.prepare<Organization>(
      'SELECT id, name, created_at, ingest_limit, default_limit FROM organizations ORDER BY created_at, id',
    ),
    setOrgLimits: db.prepare('UPDATE organizations SET ingest_limit = ?, default_limit = ? WHERE id = ?'),

    insertKey: db.prepare(
      `INSERT INTO api_keys (id, org_id, type, label, hash, hint, created_at, last_used_at, revoked_at, secret_ciphertext)
       VALUES (?, ?, ?, ?, ?, ?, ?, NULL, NULL, ?)`,
    ),
    keyByHash: db.prepare<KeyRow>(`SELECT ${keyColumns} FROM api_keys WHERE hash = ?`),
    keyById: db.prepare<KeyRow>(`SELECT ${keyColumns} FROM api_keys WHERE org_id = ? AND id = ?`),
    listKeys: db.prepare<KeyRow>(`SELECT ${keyColumns} FROM api_keys WHERE org_id = ? ORDER BY created_at, id`),
    activeSecretKeys: db.prepare<KeyRow>(
      `SELECT ${keyColumns} FROM api_keys
       WHERE org_id = ? AND type = 'secret' AND revoked_at IS NULL ORDER BY created_at, id`,
    ),
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
    agentEvents: db.prepare<EventRow>(
      `SELECT ${EVENT_COLUMNS} FROM events INDEXED BY ${EVENT_INDEX.byAgentPassed}
       WHERE org_id = ? AND agent_id = ? ORDER BY seq`,
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
    reputation: db.prepare<ReputationRow>(
      `SELECT agent_id, first_seen, last_seen, eval_count, score, status, evaluations, passed, pass_rate, avg_latency_ms,
              streak
       FROM agents WHERE org_id = ? AND agent_id = ?`,
    ),
    listAgents: db.prepare<AgentRecord>(
      `SELECT agent_id, first_seen, last_seen, eval_count FROM agents
       WHERE org_id = ? ORDER BY last_seen DESC, agent_id LIMIT ?`,
    ),
  };
}

type Statements = ReturnType<typeof prepareStatements>;

export class SqliteStore implements Store {
  private readonly db: Database;
  private readonly maxQueuedEvents: number;
  private statements: Statements | null = null;
  private readonly pageStatements = new Map<string, Statement<EventRow>>();
  private queue: PendingBatch[] = [];
  private queuedEvents = 0;
  private flushTimer: ReturnType<typeof setImmediate> | null = null;
  private closed = false;
  private readonly stats: SqliteWriteStats = { transactions: 0, batches: 0, failedGroups: 0, retriedBatches: 0 };

  constructor(options: SqliteStoreOptions) {
    const inMemory = options.path === ':memory:' || options.path === '';
    if (!inMemory) mkdirSync(dirname(options.path), { recursive: true });
    this.maxQueuedEvents = Math.max(1, options.maxQueuedEvents ?? DEFAULT_MAX_QUEUED_EVENTS);
    const busyTimeoutMs = Math.max(0, Math.floor(options.busyTimeoutMs ?? DEFAULT_BUSY_TIMEOUT_MS));
    this.db = openDatabase(options.path, { timeout: busyTimeoutMs });
    try {
      this.db.pragma('journal_mode = WAL');
      // FULL fsyncs the WAL on every commit: a resolved recordEvents survives power loss, not only a killed process.
      this.db.pragma('synchronous = FULL');
      this.db.pragma('foreign_keys = ON');
      this.db.pragma(`busy_timeout = ${busyTimeoutMs}`);
      this.db.pragma(`cache_size = ${-1024 * Math.max(1, Math.floor(options.cacheMiB ?? DEFAULT_CACHE_MIB))}`);
      this.db.pragma('temp_store = MEMORY');
    } catch (error) {
      this.db.close();
      throw error;
    }
  }

  async init(): Promise<void> {
    this.assertOpen();
    this.migrate();
    this.statements ??= prepareStatements(this.db);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.flush();
    this.closed = true;
    this.db.close();
  }

  async ping(): Promise<boolean> {
    if (this.closed || !this.db.open) return false;
    try {
      return this.db.prepare('SELECT 1 AS ok').get() !== undefined;
    } catch {
      return false;
    }
  }

  /** Connection settings and schema version, for diagnostics and tests. */
  settings(): SqliteSettings {
    this.assertOpen();
    return {
      journal_mode: String(this.db.pragma('journal_mode', { simple: true })),
      synchronous: Number(this.db.pragma('synchronous', { simple: true })),
      foreign_keys: Number(this.db.pragma('foreign_keys', { simple: true })),
      busy_timeout: Number(this.db.pragma('busy_timeout', { simple: true })),
      user_version: Number(this.db.pragma('user_version', { simple: true })),
    };
  }

  /** Group-commit counters since the store opened. */
  writeStats(): SqliteWriteStats {
    return { ...this.stats };
  }

  // ---- organisations and keys -------------------------------------------------------------------------------------

  async createOrganization(org: Organization): Promise<void> {
    this.sql().insertOrg.run(org.id, org.name, org.created_at, org.ingest_limit ?? null, org.default_limit ?? null);
  }

  async getOrganization(orgId: string): Promise<Organization | null> {
    return this.sql().getOrg.get(orgId) ?? null;
  }

  async listOrganizations(): Promise<Organization[]> {
    return this.sql().listOrgs.all();
  }

  async setOrganizationLimits(
    orgId: string,
    limits: { ingest_limit: number | null; default_limit: number | null },
  ): Promise<boolean> {
    return this.sql().setOrgLimits.run(limits.ingest_limit ?? null, limits.default_limit ?? null, orgId).changes > 0;
  }

  async createKey(key: NewKey): Promise<KeyRecord> {
    const s = this.sql();
    s.insertKey.run(key.id, key.org_id, key.type, key.label ?? null, key.hash, key.hint, key.created_at, key.secret_ciphertext ?? null);
    return toKeyRecord(s.keyById.get(key.org_id, key.id)!);
  }

  async findKeyByHash(hash: string): Promise<KeyRecord | null> {
    const row = this.sql().keyByHash.get(hash);
    return row ? toKeyRecord(row) : null;
  }

  async listKeys(orgId: string): Promise<KeyRecord[]> {
    return this.sql().listKeys.all(orgId).map(toKeyRecord);
  }

  async listActiveSecretKeys(orgId: string): Promise<KeyRecord[]> {
    return this.sql().activeSecretKeys.all(orgId).map(toKeyRecord);
  }

  async revokeKey(orgId: string, keyId: string, at: number): Promise<KeyRecord | null> {
    const s = this.sql();
    s.revokeKey.run(at, orgId, keyId);
    const row = s.keyById.get(orgId, keyId);
    return row ? toKeyRecord(row) : null;
  }

  async touchKeys(uses: ReadonlyMap<string, number>): Promise<void> {
    if (uses.size === 0) return;
    const s = this.sql();
    this.db.transaction(() => {
      for (const [keyId, at] of uses) s.touchKey.run(at, keyId, at);
    }).immediate();
  }

  // ---- events and reputation --------------------------------------------------------------------------------------

  recordEvents(orgId: string, events: readonly NewEvent[]): Promise<RecordResult> {
    try {
      this.sql();
    } catch (error) {
      return Promise.reject(error);
    }
    return new Promise<RecordResult>((resolve, reject) => {
      this.queue.push({ orgId, events, resolve, reject });
      this.queuedEvents += events.length;
      if (this.queuedEvents >= this.maxQueuedEvents) this.flush();
      else this.flushTimer ??= setImmediate(() => this.flush());
    });
  }

  async queryEvents(orgId: string, query: EventQuery): Promise<StoredEvent[]> {
    this.sql();
    const shape = shapeOf(query);
    const key = shapeKey(shape);
    let statement = this.pageStatements.get(key);
    if (!statement) {
      statement = this.db.prepare<EventRow>(eventsPageSql(shape));
      this.pageStatements.set(key, statement);
    }
    return statement.all(...eventsPageParams(orgId, query)).map(toStoredEvent);
  }

  async agentEventsInOrder(orgId: string, agentId: string): Promise<StoredEvent[]> {
    return this.sql().agentEvents.all(orgId, agentId).map(toStoredEvent);
  }

  async getReputation(orgId: string, agentId: string): Promise<(Reputation & AgentRecord) | null> {
    const row = this.sql().reputation.get(orgId, agentId);
    if (!row) return null;
    return { ...row, status: row.status as ReputationStatus };
  }

  async listAgents(orgId: string, limit: number): Promise<AgentRecord[]> {
    const n = Number.isFinite(limit) && limit > 0 ? Math.floor(limit) : 0;
    return this.sql().listAgents.all(orgId, n);
  }

  async registerAgent(orgId: string, agentId: string, at: number): Promise<boolean> {
    return this.sql().registerAgent.run(orgId, agentId, at, at).changes === 1;
  }

  // ---- group commit -----------------------------------------------------------------------------------------------

  /** Commits everything queued. Synchronous: nothing else runs on this connection meanwhile. */
  private flush(): void {
    if (this.flushTimer !== null) {
      clearImmediate(this.flushTimer);
      this.flushTimer = null;
    }
    const batches = this.queue;
    if (batches.length === 0) return;
    this.queue = [];
    this.queuedEvents = 0;

    let results: RecordResult[];
    try {
      results = this.commit(batches);
    } catch (groupError) {
      this.stats.failedGroups++;
      if (batches.length === 1 || !couldBeOneBatchsFault(groupError)) {
        for (const batch of batches) batch.reject(groupError);
        return;
      }
      // One bad batch must not fail the requests it happened to share a transaction with.
      for (const batch of batches) {
        this.stats.retriedBatches++;
        let result: RecordResult;
        try {
          result = this.commit([batch])[0]!;
        } catch (error) {
          batch.reject(error);
          continue;
        }
        batch.resolve(result);
      }
      return;
    }
    for (let i = 0; i < batches.length; i++) batches[i]!.resolve(results[i]!);
  }

  /** Applies batches in order in one IMMEDIATE transaction; returns only after COMMIT. Throws after ROLLBACK. */
  private commit(batches: readonly PendingBatch[]): RecordResult[] {
    const s = this.sql();
    const results = this.db
      .transaction(() => {
        const cache: AgentCache = new Map();
        const out = batches.map((batch) => this.applyBatch(s, cache, batch));
        for (const [orgId, agents] of cache) {
          for (const [agentId, agent] of agents) if (agent.touched) saveAgent(s, orgId, agentId, agent);
        }
        return out;
      })
      .immediate();
    this.stats.transactions++;
    this.stats.batches += batches.length;
    return results;
  }

  private applyBatch(s: Statements, cache: AgentCache, batch: PendingBatch): RecordResult {
    const { orgId, events } = batch;
    const recorded: RecordedEvent[] = [];
    const agentsInOrder: string[] = [];
    const seenAgents = new Set<string>();
    for (const event of events) {
      if (!seenAgents.has(event.agent_id)) {
        seenAgents.add(event.agent_id);
        agentsInOrder.push(event.agent_id);
      }
      const eventId = event.event_id ?? null;
      // The lookup also sees rows inserted earlier in this transaction: repeats within a batch or group are caught too.
      if (eventId !== null && s.eventIdExists.get(orgId, eventId) !== undefined) {
        recorded.push({ evaluation_id: event.evaluation_id, duplicate: true });
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
      recorded.push({ evaluation_id: event.evaluation_id, duplicate: false });
    }
    const reputations = agentsInOrder.map((agentId) => {
      const agent = agentState(s, cache, orgId, agentId);
      return { agent_id: agentId, ...(agent.reputation ?? agent.window.reputation()) };
    });
    return { events: recorded, reputations };
  }

  // ---- plumbing ---------------------------------------------------------------------------------------------------

  private migrate(): void {
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
  }

  private sql(): Statements {
    this.assertOpen();
    if (!this.statements) throw new Error('SqliteStore: call init() before using the store');
    return this.statements;
  }

  private assertOpen(): void {
    if (this.closed) throw new Error('SqliteStore: the store is closed');
  }
}

/**
 * False for failures of the file or the lock rather than of the data. Retrying each batch alone would then only repeat
 * the failure once per batch, each time after a full busy_timeout wait with the event loop blocked.
 */
function couldBeOneBatchsFault(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return !(typeof code === 'string' && ENVIRONMENT_FAILURE.test(code));
}

const ENVIRONMENT_FAILURE = /^SQLITE_(BUSY|LOCKED|IOERR|FULL|READONLY|CORRUPT|NOMEM|CANTOPEN|NOTADB|PERM)/;

function agentState(s: Statements, cache: AgentCache, orgId: string, agentId: string): AgentState {
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

function countEvent(agent: AgentState, event: NewEvent, batch: PendingBatch): void {
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

function saveAgent(s: Statements, orgId: string, agentId: string, agent: AgentState): void {
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

function toStoredEvent(row: EventRow): StoredEvent {
  return {
    evaluation_id: row.evaluation_id,
    event_id: row.event_id,
    agent_id: row.agent_id,
    tool_name: row.tool_name,
    passed: row.passed === 1,
    gates: JSON.parse(row.gates) as GateRecord[],
    total_latency_ms: row.total_latency_ms,
    latency_ms: row.latency_ms,
    reputation_score: row.reputation_score,
    created_at: row.created_at,
  };
}

function toKeyRecord(row: KeyRow): KeyRecord {
  return { ...row, type: row.type as KeyType };
}
