/**
 * The networked back end: PostgreSQL through a `pg` pool, for any number of stateless API instances (docs/deploy.md).
 *
 * Writes of event batches are group commits: the batches queued during one event-loop turn share a transaction, and up
 * to `maxConcurrentWrites` such transactions run at once on separate connections. Exactness across instances comes from
 * per-agent advisory locks (recorder.ts), not from anything held in this process, so no state here needs to be shared.
 * A promise from recordEvents resolves only after COMMIT returned with synchronous_commit on: a 202 is durable.
 *
 * Failures reach callers as store errors (errors.ts): an unreachable server is StoreUnavailableError (503), a
 * connection lost during COMMIT is StoreOutcomeUnknownError (also 503; a retry with the same event_ids is counted once).
 */
import type pg from 'pg';
import type { Reputation, ReputationStatus } from '../../reputation.js';
import { StoreUnavailableError } from '../errors.js';
import { parseStoredGates } from '../stored-gates.js';
import type {
  AgentRecord,
  AgentSummary,
  EventPage,
  EventPosition,
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
import { DEFAULT_POSTGRES_SETTINGS, isRetryableConflict, openPool, storeError, type PostgresSettings } from './connection.js';
import { migrate } from './migrate.js';
import { agentLockHash, ConcurrentDuplicate, recordGroup, type BatchRequest } from './recorder.js';

export interface PostgresStoreOptions extends Partial<Omit<PostgresSettings, 'url'>> {
  url: string;
  /** Event-batch transactions running at once (each holds a connection); default: half the pool. */
  maxConcurrentWrites?: number;
  /** Events after which a group transaction is closed, bounding one transaction. */
  maxGroupEvents?: number;
}

const DEFAULT_MAX_GROUP_EVENTS = 5_000;
/** Runs of a group transaction that lost a race (deadlock, concurrent event_id) before its batches fail. */
const MAX_ATTEMPTS = 8;
/** How long GET /health waits for the database before it reports it unavailable. */
const PING_TIMEOUT_MS = 1_000;

/** pg_advisory_xact_lock key for "creating the first organisation" ('pecta-bs' as ASCII). */
const BOOTSTRAP_LOCK = 0x70656374612d6273n;

interface QueuedBatch extends BatchRequest {
  resolve: (result: RecordResult) => void;
  reject: (error: unknown) => void;
}

const ORG_COLUMNS = 'id, name, created_at, ingest_limit, default_limit, require_signed_ingest';
const KEY_COLUMNS = 'id, org_id, type, label, hash, hint, created_at, last_used_at, revoked_at, secret_ciphertext';
const EVENT_COLUMNS =
  'e.evaluation_id, e.event_id, a.agent_id, e.tool_name, e.passed, e.gates, e.total_latency_ms, e.latency_ms, ' +
  'e.reputation_score, e.created_at';
const REPUTATION_COLUMNS =
  'agent_id, first_seen, last_seen, eval_count, score, status, evaluations, passed, pass_rate, avg_latency_ms, streak';
const ORG_KEY_OF = '(SELECT key FROM organizations WHERE id = $1)';

interface EventRow extends Omit<StoredEvent, 'gates'> {
  gates: string;
}

export class PostgresStore implements Store {
  private readonly pool: pg.Pool;
  private readonly schema: string;
  private readonly maxConcurrentWrites: number;
  private readonly maxGroupEvents: number;
  private readonly orgKeys = new Map<string, number>();
  private queue: QueuedBatch[] = [];
  private writing = 0;
  private pumpScheduled = false;
  private readonly inFlight = new Set<Promise<void>>();
  private initialised = false;
  private closed = false;
  private closing: Promise<void> | null = null;

  constructor(options: PostgresStoreOptions) {
    const settings: PostgresSettings = { ...DEFAULT_POSTGRES_SETTINGS, ...definedOnly(options), url: options.url };
    this.schema = settings.schema;
    this.pool = openPool(settings);
    this.maxConcurrentWrites = Math.max(1, Math.floor(options.maxConcurrentWrites ?? Math.max(1, settings.poolSize / 2)));
    this.maxGroupEvents = Math.max(1, Math.floor(options.maxGroupEvents ?? DEFAULT_MAX_GROUP_EVENTS));
  }

  async init(): Promise<void> {
    this.assertOpen();
    if (this.initialised) return;
    const client = await this.connect();
    try {
      await migrate(client, this.schema);
    } catch (error) {
      throw storeError(error);
    } finally {
      client.release();
    }
    this.initialised = true;
  }

  close(): Promise<void> {
    this.closing ??= (async () => {
      this.closed = true;
      while (this.queue.length > 0 || this.inFlight.size > 0) {
        this.pump();
        await Promise.allSettled([...this.inFlight]);
      }
      await this.pool.end();
    })();
    return this.closing;
  }

  async ping(): Promise<boolean> {
    if (this.closed || !this.initialised) return false;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<boolean>((resolve) => (timer = setTimeout(resolve, PING_TIMEOUT_MS, false)));
    try {
      return await Promise.race([this.pool.query('SELECT 1').then(() => true, () => false), timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  // ---- organisations ------------------------------------------------------------------------------------------------

  async createOrganization(org: Organization): Promise<void> {
    await this.query(
      `INSERT INTO organizations (${ORG_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6)`,
      [org.id, org.name, org.created_at, org.ingest_limit ?? null, org.default_limit ?? null, org.require_signed_ingest === true],
    );
  }

  async createFirstOrganization(org: Organization, keys: readonly NewKey[]): Promise<boolean> {
    return this.transaction(async (client) => {
      await client.query('SELECT pg_advisory_xact_lock($1)', [BOOTSTRAP_LOCK.toString()]);
      const { rows } = await client.query('SELECT 1 FROM organizations LIMIT 1');
      if (rows.length > 0) return false;
      await client.query(
        `INSERT INTO organizations (${ORG_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6)`,
        [org.id, org.name, org.created_at, org.ingest_limit ?? null, org.default_limit ?? null, org.require_signed_ingest === true],
      );
      for (const key of keys) await insertKey(client, key);
      return true;
    });
  }

  async getOrganization(orgId: string): Promise<Organization | null> {
    const { rows } = await this.query<Organization>(`SELECT ${ORG_COLUMNS} FROM organizations WHERE id = $1`, [orgId]);
    return rows[0] ?? null;
  }

  async listOrganizations(): Promise<Organization[]> {
    return (await this.query<Organization>(`SELECT ${ORG_COLUMNS} FROM organizations ORDER BY created_at, id`)).rows;
  }

  async setOrganizationLimits(orgId: string, limits: { ingest_limit: number | null; default_limit: number | null }): Promise<boolean> {
    const result = await this.query('UPDATE organizations SET ingest_limit = $1, default_limit = $2 WHERE id = $3', [
      limits.ingest_limit ?? null,
      limits.default_limit ?? null,
      orgId,
    ]);
    return (result.rowCount ?? 0) > 0;
  }

  async updateOrganizationSettings(orgId: string, settings: OrganizationSettings): Promise<Organization | null> {
    // coalesce: a setting left out keeps its value.
    const { rows } = await this.query<Organization>(
      `UPDATE organizations SET require_signed_ingest = coalesce($1, require_signed_ingest) WHERE id = $2 RETURNING ${ORG_COLUMNS}`,
      [settings.require_signed_ingest ?? null, orgId],
    );
    return rows[0] ?? null;
  }

  // ---- keys ---------------------------------------------------------------------------------------------------------

  async createKey(key: NewKey): Promise<KeyRecord> {
    try {
      return await insertKey(this.pool, key);
    } catch (error) {
      throw storeError(error);
    }
  }

  async findKeyByHash(hash: string): Promise<KeyRecord | null> {
    const { rows } = await this.query<KeyRecord>(`SELECT ${KEY_COLUMNS} FROM api_keys WHERE hash = $1`, [hash]);
    return rows[0] ?? null;
  }

  async listKeys(orgId: string): Promise<KeyRecord[]> {
    return (await this.query<KeyRecord>(`SELECT ${KEY_COLUMNS} FROM api_keys WHERE org_id = $1 ORDER BY created_at, id`, [orgId])).rows;
  }

  async listActiveSecretKeys(orgId: string): Promise<KeyRecord[]> {
    const sql = `SELECT ${KEY_COLUMNS} FROM api_keys WHERE org_id = $1 AND type = 'secret' AND revoked_at IS NULL ORDER BY created_at, id`;
    return (await this.query<KeyRecord>(sql, [orgId])).rows;
  }

  async revokeKey(orgId: string, keyId: string, at: number): Promise<KeyRecord | null> {
    // coalesce keeps the first revocation time, which makes revoking twice a no-op.
    const { rows } = await this.query<KeyRecord>(
      `UPDATE api_keys SET revoked_at = coalesce(revoked_at, $1) WHERE org_id = $2 AND id = $3 RETURNING ${KEY_COLUMNS}`,
      [at, orgId, keyId],
    );
    return rows[0] ?? null;
  }

  async touchKeys(uses: ReadonlyMap<string, number>): Promise<void> {
    if (uses.size === 0) return;
    await this.query(
      `UPDATE api_keys AS k SET last_used_at = t.at FROM unnest($1::text[], $2::bigint[]) AS t(id, at)
       WHERE k.id = t.id AND (k.last_used_at IS NULL OR k.last_used_at < t.at)`,
      [[...uses.keys()], [...uses.values()]],
    );
  }

  // ---- events and reputation ----------------------------------------------------------------------------------------

  async recordEvents(orgId: string, events: readonly NewEvent[]): Promise<RecordResult> {
    this.assertOpen();
    const orgKey = await this.orgKey(orgId);
    if (orgKey === null) throw new Error(`unknown organisation ${JSON.stringify(orgId)}`);
    if (events.length === 0) return { events: [], reputations: [] };
    return new Promise<RecordResult>((resolve, reject) => {
      this.queue.push({ orgKey, events, resolve, reject });
      this.schedulePump();
    });
  }

  async queryEvents(orgId: string, query: EventQuery): Promise<StoredEvent[]> {
    return (await this.readEvents(orgId, query)).map(toStoredEvent);
  }

  async pageEvents(orgId: string, query: PageQuery): Promise<EventPage> {
    const rows = await this.readEvents(orgId, { ...query, offset: query.offset ?? 0 });
    const last = rows[rows.length - 1];
    const next = last !== undefined && rows.length >= query.limit ? { created_at: last.created_at, seq: last.seq } : null;
    return { events: rows.map(toStoredEvent), next };
  }

  /**
   * Two steps in one statement, as on SQLite: the inner select finds the page's seqs in an index alone (an offset
   * skips index entries, a cursor seeks), then only those rows are read and joined to their agents. Filtered by agent,
   * the agent's key alone selects (it belongs to one organisation, looked up within the caller's): a second condition
   * on org_key lets the planner combine both indexes and read every entry of the organisation's.
   */
  private async readEvents(orgId: string, query: EventQuery & { after?: EventPosition }): Promise<Array<EventRow & { seq: number }>> {
    const params: unknown[] = [orgId];
    const where: string[] = [];
    if (query.agent_id !== undefined) {
      params.push(query.agent_id);
      where.push(`agent_key = (SELECT key FROM agents WHERE org_key = ${ORG_KEY_OF} AND agent_id = $${params.length})`);
    } else {
      where.push(`org_key = ${ORG_KEY_OF}`);
    }
    if (query.passed !== undefined) {
      params.push(query.passed);
      where.push(`passed = $${params.length}`);
    }
    if (query.from !== undefined) {
      params.push(query.from);
      where.push(`created_at >= $${params.length}`);
    }
    if (query.to !== undefined) {
      params.push(query.to);
      where.push(`created_at <= $${params.length}`);
    }
    if (query.after !== undefined) {
      params.push(query.after.created_at, query.after.seq);
      where.push(`(created_at, seq) < ($${params.length - 1}, $${params.length})`);
    }
    params.push(nonNegativeInt(query.limit), nonNegativeInt(query.offset));
    const page =
      `SELECT seq FROM events WHERE ${where.join(' AND ')} ` +
      `ORDER BY created_at DESC, seq DESC LIMIT $${params.length - 1} OFFSET $${params.length}`;
    const sql =
      `SELECT ${EVENT_COLUMNS}, e.seq FROM (${page}) AS page JOIN events AS e ON e.seq = page.seq ` +
      'JOIN agents AS a ON a.key = e.agent_key ORDER BY e.created_at DESC, e.seq DESC';
    return (await this.query<EventRow & { seq: number }>(sql, params)).rows;
  }

  async agentEventsInOrder(orgId: string, agentId: string): Promise<StoredEvent[]> {
    const sql =
      `SELECT ${EVENT_COLUMNS} FROM agents AS a JOIN events AS e ON e.agent_key = a.key ` +
      `WHERE a.org_key = ${ORG_KEY_OF} AND a.agent_id = $2 ORDER BY e.seq`;
    return (await this.query<EventRow>(sql, [orgId, agentId])).rows.map(toStoredEvent);
  }

  async getReputation(orgId: string, agentId: string): Promise<(Reputation & AgentRecord) | null> {
    const { rows } = await this.query<Reputation & AgentRecord>(
      `SELECT ${REPUTATION_COLUMNS} FROM agents WHERE org_key = ${ORG_KEY_OF} AND agent_id = $2`,
      [orgId, agentId],
    );
    const row = rows[0];
    return row ? { ...row, status: row.status as ReputationStatus } : null;
  }

  async listAgents(orgId: string, limit: number): Promise<AgentSummary[]> {
    const sql =
      `SELECT agent_id, first_seen, last_seen, eval_count, score, status, evaluations FROM agents WHERE org_key = ${ORG_KEY_OF} ` +
      'ORDER BY last_seen DESC, agent_id LIMIT $2';
    return (await this.query<AgentSummary>(sql, [orgId, nonNegativeInt(limit)])).rows;
  }

  async deleteAgent(orgId: string, agentId: string): Promise<{ events: number } | null> {
    const orgKey = await this.orgKey(orgId);
    if (orgKey === null) return null;
    // Under the agent's lock, as every append is, so no group transaction writes to it meanwhile.
    return this.transaction(async (client) => {
      await client.query('SELECT pg_advisory_xact_lock($1, $2)', [orgKey, agentLockHash(agentId)]);
      const agent = await client.query<{ key: number }>('DELETE FROM agents WHERE org_key = $1 AND agent_id = $2 RETURNING key', [orgKey, agentId]);
      const key = agent.rows[0]?.key;
      if (key === undefined) return null;
      const events = await client.query('DELETE FROM events WHERE agent_key = $1', [key]);
      return { events: events.rowCount ?? 0 };
    });
  }

  async registerAgent(orgId: string, agentId: string, at: number): Promise<boolean> {
    const orgKey = await this.orgKey(orgId);
    if (orgKey === null) throw new Error(`unknown organisation ${JSON.stringify(orgId)}`);
    // Under the agent's lock, as every append is: a recorder that found the agent missing creates it unopposed.
    return this.transaction(async (client) => {
      await client.query('SELECT pg_advisory_xact_lock($1, $2)', [orgKey, agentLockHash(agentId)]);
      const result = await client.query(
        `INSERT INTO agents (org_key, agent_id, first_seen, last_seen) VALUES ($1, $2, $3, $3) ON CONFLICT (org_key, agent_id) DO NOTHING`,
        [orgKey, agentId, at],
      );
      return result.rowCount === 1;
    });
  }

  // ---- the write queue ----------------------------------------------------------------------------------------------

  private schedulePump(): void {
    if (this.pumpScheduled) return;
    this.pumpScheduled = true;
    // After this turn, so that every batch queued during it joins the same transaction.
    setImmediate(() => {
      this.pumpScheduled = false;
      this.pump();
    });
  }

  private pump(): void {
    while (this.queue.length > 0 && this.writing < this.maxConcurrentWrites) {
      let events = 0;
      let count = 0;
      while (count < this.queue.length && (count === 0 || events + this.queue[count]!.events.length <= this.maxGroupEvents)) {
        events += this.queue[count]!.events.length;
        count++;
      }
      const group = this.queue.splice(0, count);
      this.writing++;
      const run = this.writeGroup(group).finally(() => {
        this.writing--;
        this.inFlight.delete(run);
        this.pump();
      });
      this.inFlight.add(run);
    }
  }

  private async writeGroup(group: QueuedBatch[]): Promise<void> {
    try {
      const results = await this.recordWithRetries(group);
      group.forEach((batch, i) => batch.resolve(results[i]!));
    } catch (error) {
      if (group.length === 1 || error instanceof StoreUnavailableError) {
        for (const batch of group) batch.reject(error);
        return;
      }
      // One bad batch must not fail the batches it happened to share a transaction with.
      for (const batch of group) {
        try {
          batch.resolve((await this.recordWithRetries([batch]))[0]!);
        } catch (alone) {
          batch.reject(alone);
        }
      }
    }
  }

  private async recordWithRetries(group: readonly BatchRequest[]): Promise<RecordResult[]> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.transaction((client) => recordGroup(client, group), true);
      } catch (error) {
        const lostRace = error instanceof ConcurrentDuplicate || isRetryableConflict(error);
        if (!lostRace || attempt >= MAX_ATTEMPTS) throw error;
      }
    }
  }

  // ---- plumbing -----------------------------------------------------------------------------------------------------

  /**
   * Runs `work` in a transaction on one connection; `begun` says that work issues its own BEGIN. A connection that
   * failed is destroyed rather than returned to the pool.
   */
  private async transaction<T>(work: (client: pg.PoolClient) => Promise<T>, begun = false): Promise<T> {
    const client = await this.connect();
    let broken: Error | undefined;
    try {
      if (!begun) await client.query('BEGIN');
      const value = await work(client);
      try {
        await client.query('COMMIT');
      } catch (error) {
        broken = error as Error;
        throw storeError(error, 'commit');
      }
      return value;
    } catch (error) {
      if (broken === undefined) {
        await client.query('ROLLBACK').catch((rollbackError: Error) => (broken = rollbackError));
      }
      throw storeError(error);
    } finally {
      client.release(broken);
    }
  }

  private async connect(): Promise<pg.PoolClient> {
    try {
      return await this.pool.connect();
    } catch (error) {
      const mapped = storeError(error);
      throw mapped instanceof StoreUnavailableError ? mapped : new StoreUnavailableError(`PostgreSQL is unavailable: ${String(error)}`, { cause: error });
    }
  }

  private async query<R extends pg.QueryResultRow = pg.QueryResultRow>(sql: string, params: unknown[] = []): Promise<pg.QueryResult<R>> {
    this.assertOpen();
    try {
      return await this.pool.query<R>(sql, params);
    } catch (error) {
      throw storeError(error);
    }
  }

  /** Organisations are never deleted and their keys never change, so found keys are kept. */
  private async orgKey(orgId: string): Promise<number | null> {
    const known = this.orgKeys.get(orgId);
    if (known !== undefined) return known;
    const { rows } = await this.query<{ key: number }>('SELECT key FROM organizations WHERE id = $1', [orgId]);
    if (rows[0] === undefined) return null;
    this.orgKeys.set(orgId, rows[0].key);
    return rows[0].key;
  }

  private assertOpen(): void {
    if (this.closed) throw new Error('PostgresStore: the store is closed');
  }
}

async function insertKey(db: pg.Pool | pg.ClientBase, key: NewKey): Promise<KeyRecord> {
  const { rows } = await db.query<KeyRecord>(
    `INSERT INTO api_keys (${KEY_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, NULL, NULL, $8) RETURNING ${KEY_COLUMNS}`,
    [key.id, key.org_id, key.type, key.label ?? null, key.hash, key.hint, key.created_at, key.secret_ciphertext ?? null],
  );
  const row = rows[0]!;
  return { ...row, type: row.type as KeyType };
}

function toStoredEvent(row: EventRow & { seq?: number }): StoredEvent {
  const { seq: _seq, ...event } = row;
  return { ...event, gates: parseStoredGates(row.gates) };
}

function nonNegativeInt(n: number): number {
  return Number.isFinite(n) && n > 0 ? Math.floor(n) : 0;
}

function definedOnly<T extends object>(options: T): Partial<T> {
  return Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined)) as Partial<T>;
}
