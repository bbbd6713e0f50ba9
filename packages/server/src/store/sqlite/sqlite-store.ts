/**
 * The embedded back end: one SQLite file (WAL, synchronous=FULL) through better-sqlite3's synchronous API.
 *
 * Writes and reads use separate connections. Every write goes to one SqliteWriter (writer.ts), which runs on its own
 * worker thread (writer-worker.ts) with its own connection: fsyncs, inserts and WAL checkpoints never block the event
 * loop. Reads that take microseconds (keys, organisations, a reputation) stay on the calling thread through a
 * read-only connection; pages of events and the agent list, which can take milliseconds, go to a reader thread
 * (reader-worker.ts) with a read-only connection of its own. WAL lets reads run beside the writer, and every read is
 * a fresh read transaction, so it sees every commit whose promise has resolved (read-your-writes).
 *
 * recordEvents() is a group commit: the writes queued during one event-loop turn travel to the writer together, and
 * the writer applies everything waiting for it in one IMMEDIATE transaction, in call order. Each promise settles after
 * COMMIT returned, so a resolved promise is a durable promise (docs/api.md, Endpoints, 202).
 *
 * ':memory:' cannot be shared between threads: such a store (tests) reads and writes through one connection and runs
 * the same writer inline, on the calling thread.
 */
import { mkdirSync } from 'node:fs';
import type { Worker } from 'node:worker_threads';
import { dirname } from 'node:path';
import type { Reputation, ReputationStatus } from '../../reputation.js';
import type {
  AgentRecord,
  AgentSummary,
  EventPage,
  EventQuery,
  KeyRecord,
  KeyType,
  NewEvent,
  NewKey,
  Organization,
  OrganizationSettings,
  PageQuery,
  RecordResult,
  Store,
  StoredEvent,
} from '../types.js';
import {
  DEFAULT_BUSY_TIMEOUT_MS,
  DEFAULT_CACHE_MIB,
  isInMemory,
  openConnection,
  rowReader,
  type Row,
  type SqliteSettings,
} from './connection.js';
import type { Database, SqlValue } from './driver.js';
import { eventColumns, eventsPageParams, eventsPageSql, shapeOf, storedEventFromRow } from './events-query.js';
import { EVENT_INDEX } from './schema.js';
import { encodeEvents } from './wire-events.js';
import { ThreadReader } from './reader-client.js';
import { InlineWriterClient, ThreadWriterClient, type WriterClient } from './writer-client.js';
import {
  agentsInOrder,
  DEFAULT_MAX_CACHED_AGENTS,
  DEFAULT_WAL_AUTOCHECKPOINT_PAGES,
  SqliteWriter,
  unpackReputation,
  type KeyRow,
  type RecordOutcome,
  type SqliteWriteStats,
} from './writer.js';

export type { SqliteSettings } from './connection.js';
export type { SqliteWriteStats } from './writer.js';

export interface SqliteStoreOptions {
  /** File path, or ':memory:' (tests only: nothing survives close). Missing parent folders are created. */
  path: string;
  /** How long a write waits for another connection's lock (e.g. the CLI on the same file) before failing. */
  busyTimeoutMs?: number;
  /** Events after which a group transaction is closed and committed (and the queue of the turn handed over early). */
  maxQueuedEvents?: number;
  /** SQLite page cache per connection (a file store has two: the writer's and the readers'), in MiB. */
  cacheMiB?: number;
  /**
   * Write on a worker thread (default). false writes inline on the calling thread, each group commit blocking it, as a
   * ':memory:' store always does.
   */
  writerThread?: boolean;
  /**
   * Run event pages and agent lists on a reader thread (default, for a file store with a writer thread). false runs
   * them on the calling thread, where a deep page holds up everything else for its duration.
   */
  readerThread?: boolean;
  /** WAL pages at which the writer checkpoints (see DEFAULT_WAL_AUTOCHECKPOINT_PAGES in writer.ts). */
  walAutocheckpointPages?: number;
  /** Agents the writer keeps in memory between transactions (see DEFAULT_MAX_CACHED_AGENTS in writer.ts). */
  maxCachedAgents?: number;
}

// The cap bounds one transaction, and so the wait of the first batch in it: with 1000 active agents a group of 10000
// events takes the writer ~300 ms. Bigger groups amortise what each transaction writes once however many events it
// holds (every touched agent's 4.5 KB window, every touched index page, the fsync). Only a burst that large reaches it.
const DEFAULT_MAX_QUEUED_EVENTS = 10_000;

const MAX_CACHED_AGENT_KEYS = 50_000;

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


const AGENT_EVENTS_SQL = `SELECT ${eventColumns('?')} FROM events AS e INDEXED BY ${EVENT_INDEX.byAgentPassed}
   WHERE e.agent_key = ? ORDER BY e.seq`;

const LIST_AGENTS_SQL = `SELECT agent_id, first_seen, last_seen, eval_count, score, status, evaluations FROM agents
   WHERE org_key = ? ORDER BY last_seen DESC, agent_id LIMIT ?`;

const ORG_COLUMNS = 'id, name, created_at, ingest_limit, default_limit, require_signed_ingest';

interface OrganizationRow extends Omit<Organization, 'require_signed_ingest'> {
  require_signed_ingest: number;
}

function toOrganization(row: OrganizationRow): Organization {
  return { ...row, require_signed_ingest: row.require_signed_ingest === 1 };
}

function prepareReadStatements(db: Database) {
  const keyColumns = 'id, org_id, type, label, hash, hint, created_at, last_used_at, revoked_at, secret_ciphertext';
  return {
    getOrg: db.prepare<OrganizationRow>(`SELECT ${ORG_COLUMNS} FROM organizations WHERE id = ?`),
    listOrgs: db.prepare<OrganizationRow>(`SELECT ${ORG_COLUMNS} FROM organizations ORDER BY created_at, id`),
    keyByHash: db.prepare<KeyRow>(`SELECT ${keyColumns} FROM api_keys WHERE hash = ?`),
    listKeys: db.prepare<KeyRow>(`SELECT ${keyColumns} FROM api_keys WHERE org_id = ? ORDER BY created_at, id`),
    activeSecretKeys: db.prepare<KeyRow>(
      `SELECT ${keyColumns} FROM api_keys
       WHERE org_id = ? AND type = 'secret' AND revoked_at IS NULL ORDER BY created_at, id`,
    ),
    orgKey: db.prepare<{ key: number }>('SELECT key FROM organizations WHERE id = ?'),
    agentKey: db.prepare<{ key: number }>('SELECT key FROM agents WHERE org_key = ? AND agent_id = ?'),
    reputation: db.prepare<ReputationRow>(
      `SELECT agent_id, first_seen, last_seen, eval_count, score, status, evaluations, passed, pass_rate, avg_latency_ms,
              streak
       FROM agents WHERE org_key = ? AND agent_id = ?`,
    ),
  };
}

type ReadStatements = ReturnType<typeof prepareReadStatements>;

export class SqliteStore implements Store {
  /** The readers' connection; for an inline writer, also the writer's. */
  private readonly db: Database;
  private readonly path: string;
  private readonly useThread: boolean;
  private readonly useReaderThread: boolean;
  private readonly busyTimeoutMs: number;
  private readonly cacheMiB: number;
  private readonly maxQueuedEvents: number;
  private readonly walAutocheckpointPages: number;
  private readonly maxCachedAgents: number;
  private reads: ReadStatements | null = null;
  private writer: WriterClient | null = null;
  private reader: ThreadReader | null = null;
  private starting: Promise<void> | null = null;
  /** Event pages, the agent list and an agent's events, as rows of column values, on this thread's connection. */
  private readonly readRowsHere: (sql: string, params: SqlValue[]) => Row[];
  private readonly orgKeys = new Map<string, number>();
  private readonly agentKeys = new Map<string, number>();
  private closed = false;
  private closing: Promise<void> | null = null;

  constructor(options: SqliteStoreOptions) {
    const inMemory = isInMemory(options.path);
    if (!inMemory) mkdirSync(dirname(options.path), { recursive: true });
    this.path = options.path;
    this.useThread = !inMemory && options.writerThread !== false;
    this.useReaderThread = this.useThread && options.readerThread !== false;
    this.busyTimeoutMs = Math.max(0, Math.floor(options.busyTimeoutMs ?? DEFAULT_BUSY_TIMEOUT_MS));
    this.cacheMiB = Math.max(1, Math.floor(options.cacheMiB ?? DEFAULT_CACHE_MIB));
    this.maxQueuedEvents = Math.max(1, options.maxQueuedEvents ?? DEFAULT_MAX_QUEUED_EVENTS);
    this.walAutocheckpointPages = Math.max(1, Math.floor(options.walAutocheckpointPages ?? DEFAULT_WAL_AUTOCHECKPOINT_PAGES));
    this.maxCachedAgents = Math.max(0, Math.floor(options.maxCachedAgents ?? DEFAULT_MAX_CACHED_AGENTS));
    // Opened here, synchronously, so that a path that is no database fails the constructor as it always did.
    this.db = openConnection(this.path, { busyTimeoutMs: this.busyTimeoutMs, cacheMiB: this.cacheMiB });
    // Nothing may write behind the writer's back: the group commit's exactness rests on one writer per store.
    if (this.useThread) this.db.pragma('query_only = ON');
    this.readRowsHere = rowReader(this.db);
  }

  async init(): Promise<void> {
    this.assertOpen();
    if (this.reads) return;
    this.starting ??= this.start().finally(() => (this.starting = null));
    return this.starting;
  }

  close(): Promise<void> {
    this.closing ??= this.shutdown();
    return this.closing;
  }

  async ping(): Promise<boolean> {
    if (this.closed || !this.reads || !this.writer?.alive || !this.db.open) return false;
    try {
      return this.db.prepare('SELECT 1 AS ok').get() !== undefined;
    } catch {
      return false;
    }
  }

  /** The writer connection's settings and schema version, for diagnostics and tests. */
  settings(): SqliteSettings {
    return this.writes().settings();
  }

  /** Group-commit counters since the store opened, as of the last write that settled. */
  writeStats(): SqliteWriteStats {
    return this.writes().stats();
  }

  /** The store's own threads while they run (the single writer, the reader), for diagnostics and fault drills. */
  threads(): { writer: Worker | null; reader: Worker | null } {
    return { writer: this.writer?.thread ?? null, reader: this.reader?.thread ?? null };
  }

  // ---- organisations and keys -------------------------------------------------------------------------------------

  async createOrganization(org: Organization): Promise<void> {
    await this.writes().write({ op: 'createOrganization', org });
  }

  async createFirstOrganization(org: Organization, keys: readonly NewKey[]): Promise<boolean> {
    return this.writes().write({ op: 'createFirstOrganization', org, keys: [...keys] });
  }

  async getOrganization(orgId: string): Promise<Organization | null> {
    const row = this.sql().getOrg.get(orgId);
    return row ? toOrganization(row) : null;
  }

  async listOrganizations(): Promise<Organization[]> {
    return this.sql().listOrgs.all().map(toOrganization);
  }

  async updateOrganizationSettings(orgId: string, settings: OrganizationSettings): Promise<Organization | null> {
    const found = await this.writes().write({
      op: 'updateOrganizationSettings',
      orgId,
      require_signed_ingest: settings.require_signed_ingest ?? null,
    });
    return found ? this.getOrganization(orgId) : null;
  }

  async setOrganizationLimits(
    orgId: string,
    limits: { ingest_limit: number | null; default_limit: number | null },
  ): Promise<boolean> {
    return this.writes().write({
      op: 'setOrganizationLimits',
      orgId,
      ingest_limit: limits.ingest_limit ?? null,
      default_limit: limits.default_limit ?? null,
    });
  }

  async createKey(key: NewKey): Promise<KeyRecord> {
    return toKeyRecord(await this.writes().write({ op: 'createKey', key }));
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
    const row = await this.writes().write({ op: 'revokeKey', orgId, keyId, at });
    return row ? toKeyRecord(row) : null;
  }

  async touchKeys(uses: ReadonlyMap<string, number>): Promise<void> {
    if (uses.size === 0) return;
    await this.writes().write({ op: 'touchKeys', uses: [...uses] });
  }

  // ---- events and reputation --------------------------------------------------------------------------------------

  async recordEvents(orgId: string, events: readonly NewEvent[]): Promise<RecordResult> {
    // Encoded here, on the caller's thread: see WireEvents.
    const outcome = await this.writes().write({ op: 'recordEvents', orgId, events: encodeEvents(events) });
    return toRecordResult(events, outcome);
  }

  async queryEvents(orgId: string, query: EventQuery): Promise<StoredEvent[]> {
    const orgKey = this.orgKey(orgId);
    if (orgKey === null) return [];
    let agentKey: number | null = null;
    if (query.agent_id !== undefined) {
      agentKey = this.agentKey(orgKey, query.agent_id);
      if (agentKey === null) return [];
    }
    const rows = await this.readRows(eventsPageSql(shapeOf(query)), eventsPageParams({ orgKey, agentKey }, query));
    return rows.map(storedEventFromRow);
  }

  async pageEvents(orgId: string, query: PageQuery): Promise<EventPage> {
    const orgKey = this.orgKey(orgId);
    if (orgKey === null) return { events: [], next: null };
    let agentKey: number | null = null;
    if (query.agent_id !== undefined) {
      agentKey = this.agentKey(orgKey, query.agent_id);
      if (agentKey === null) return { events: [], next: null };
    }
    const rows = await this.readRows(eventsPageSql(shapeOf(query)), eventsPageParams({ orgKey, agentKey }, query));
    const events = rows.map(storedEventFromRow);
    const last = rows[rows.length - 1];
    const full = last !== undefined && rows.length >= query.limit;
    return { events, next: full ? { created_at: last.created_at as number, seq: last.seq as number } : null };
  }

  async agentEventsInOrder(orgId: string, agentId: string): Promise<StoredEvent[]> {
    const orgKey = this.orgKey(orgId);
    const agentKey = orgKey === null ? null : this.agentKey(orgKey, agentId);
    return agentKey === null ? [] : this.readRowsHere(AGENT_EVENTS_SQL, [agentId, agentKey]).map(storedEventFromRow);
  }

  async getReputation(orgId: string, agentId: string): Promise<(Reputation & AgentRecord) | null> {
    const orgKey = this.orgKey(orgId);
    const row = orgKey === null ? undefined : this.sql().reputation.get(orgKey, agentId);
    if (!row) return null;
    return { ...row, status: row.status as ReputationStatus };
  }

  async listAgents(orgId: string, limit: number): Promise<AgentSummary[]> {
    const n = Number.isFinite(limit) && limit > 0 ? Math.floor(limit) : 0;
    const orgKey = this.orgKey(orgId);
    if (orgKey === null) return [];
    const rows = await this.readRows(LIST_AGENTS_SQL, [orgKey, n]);
    return rows.map((row) => ({
      agent_id: row.agent_id as string,
      first_seen: row.first_seen as number,
      last_seen: row.last_seen as number,
      eval_count: row.eval_count as number,
      score: row.score as number,
      status: row.status as ReputationStatus,
      evaluations: row.evaluations as number,
    }));
  }

  async registerAgent(orgId: string, agentId: string, at: number): Promise<boolean> {
    return this.writes().write({ op: 'registerAgent', orgId, agentId, at });
  }

  async deleteAgent(orgId: string, agentId: string): Promise<{ events: number } | null> {
    if (this.orgKey(orgId) === null) return null;
    const deleted = await this.writes().write({ op: 'deleteAgent', orgId, agentId });
    // A key is reused once its row is gone (SQLite hands out the largest rowid + 1 again): forget this one.
    this.agentKeys.clear();
    return deleted;
  }

  // ---- lifecycle --------------------------------------------------------------------------------------------------

  /** Starts the writer (which creates or migrates the schema), then prepares the reads against that schema. */
  private async start(): Promise<void> {
    let writer: WriterClient;
    if (this.useThread) {
      writer = await ThreadWriterClient.start({
        path: this.path,
        busyTimeoutMs: this.busyTimeoutMs,
        cacheMiB: this.cacheMiB,
        maxGroupEvents: this.maxQueuedEvents,
        walAutocheckpointPages: this.walAutocheckpointPages,
        maxCachedAgents: this.maxCachedAgents,
      });
    } else {
      const inline = new SqliteWriter(this.db, {
        maxGroupEvents: this.maxQueuedEvents,
        walAutocheckpointPages: this.walAutocheckpointPages,
        maxCachedAgents: this.maxCachedAgents,
      });
      inline.migrate();
      writer = new InlineWriterClient(inline, this.db, this.maxQueuedEvents);
    }
    if (this.closed) {
      await writer.close();
      throw new Error('SqliteStore: the store is closed');
    }
    this.writer = writer;
    this.reads = prepareReadStatements(this.db);
    if (this.useReaderThread) {
      this.reader = await ThreadReader.start(
        { path: this.path, busyTimeoutMs: this.busyTimeoutMs, cacheMiB: this.cacheMiB },
        this.readRowsHere,
      );
    }
  }

  /** A slow read: on the reader thread when there is one, else here. */
  private async readRows(sql: string, params: SqlValue[]): Promise<Row[]> {
    this.sql();
    return this.reader ? this.reader.all(sql, params) : this.readRowsHere(sql, params);
  }


  private async shutdown(): Promise<void> {
    // From here on every call is refused; what was queued before still commits.
    this.closed = true;
    await this.starting?.catch(() => undefined);
    // Reads still in the reader thread are answered before it stops (it may answer them with this connection).
    await this.reader?.close();
    if (this.useThread) {
      // The writer's connection closes last, so the final checkpoint of the WAL runs on its thread, not on this one.
      this.db.close();
      await this.writer?.close();
    } else {
      try {
        await this.writer?.close();
      } finally {
        this.db.close();
      }
    }
  }

  /** Organisation keys never change and organisations are never deleted, so found keys are kept. */
  private orgKey(orgId: string): number | null {
    let key = this.orgKeys.get(orgId);
    if (key === undefined) {
      key = this.sql().orgKey.get(orgId)?.key;
      if (key === undefined) return null;
      this.orgKeys.set(orgId, key);
    }
    return key;
  }

  /** An agent's key never changes while it exists; deleteAgent forgets what is kept here (a bounded number). */
  private agentKey(orgKey: number, agentId: string): number | null {
    const id = `${orgKey} ${agentId}`;
    let key = this.agentKeys.get(id);
    if (key === undefined) {
      key = this.sql().agentKey.get(orgKey, agentId)?.key;
      if (key === undefined) return null;
      if (this.agentKeys.size >= MAX_CACHED_AGENT_KEYS) this.agentKeys.clear();
      this.agentKeys.set(id, key);
    }
    return key;
  }

  private writes(): WriterClient {
    this.sql();
    return this.writer!;
  }

  private sql(): ReadStatements {
    this.assertOpen();
    if (!this.reads) throw new Error('SqliteStore: call init() before using the store');
    return this.reads;
  }

  private assertOpen(): void {
    if (this.closed) throw new Error('SqliteStore: the store is closed');
  }
}

function toRecordResult(events: readonly NewEvent[], outcome: RecordOutcome): RecordResult {
  const recorded = events.map((event) => ({ evaluation_id: event.evaluation_id, duplicate: false }));
  for (const index of outcome.duplicates) recorded[index]!.duplicate = true;
  const reputations = agentsInOrder(events).map((agent_id, i) => ({ agent_id, ...unpackReputation(outcome.reputations, i) }));
  return { events: recorded, reputations };
}

function toKeyRecord(row: KeyRow): KeyRecord {
  return { ...row, type: row.type as KeyType };
}
