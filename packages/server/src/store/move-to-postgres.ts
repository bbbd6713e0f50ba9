/**
 * `pecta migrate`: copies an embedded store (SQLite file) into PostgreSQL, for a deployment that outgrows one machine.
 *
 * Organisations, keys (still sealed: every instance then needs the same master key), agents with their windows and
 * reputation, and events with their per-event scores are copied as stored, not recomputed. Events go in the source's
 * recording order, in chunks, each chunk committed together with the progress row (import_progress), so a copy that
 * stops for any reason resumes exactly after the last committed chunk. Afterwards every organisation's counts are
 * compared and a sample of agents' reputations checked against both the source and the formula over the copied events.
 *
 * Run it with the embedded server stopped: events written to the file during the copy would be left behind.
 */
import { realpathSync } from 'node:fs';
import type pg from 'pg';
import { reputationOf, windowLatency } from '../reputation.js';
import { DEFAULT_POSTGRES_SETTINGS, openPool, type PostgresSettings } from './postgres/connection.js';
import { PostgresStore } from './postgres/postgres-store.js';
import { openDatabase, type Database } from './sqlite/driver.js';
import { SCHEMA_VERSION as SQLITE_SCHEMA_VERSION } from './sqlite/schema.js';

export interface MoveOptions {
  sqlitePath: string;
  postgres: Partial<Omit<PostgresSettings, 'url'>> & { url: string };
  /** Events per committed chunk. */
  chunkEvents?: number;
  /** Agents per organisation whose reputation is checked afterwards. */
  sampleAgents?: number;
  onProgress?: (line: string) => void;
  /** Tests only: stop (throw) after this many chunks, to prove that a rerun resumes. */
  stopAfterChunks?: number;
}

export interface MoveReport {
  organizations: number;
  keys: number;
  agents: number;
  /** Events copied by this run (a resumed run copies only the rest). */
  eventsCopied: number;
  /** Events in the source, all of which are in the target afterwards. */
  events: number;
  resumedAfterSeq: number;
  checkedAgents: number;
}

export class MoveVerificationError extends Error {
  override name = 'MoveVerificationError';
}

const DEFAULT_CHUNK_EVENTS = 5_000;
const KEY_COLUMNS = ['id', 'org_id', 'type', 'label', 'hash', 'hint', 'created_at', 'last_used_at', 'revoked_at', 'secret_ciphertext'] as const;

type Row = Record<string, unknown>;

/** One column of a chunk of rows, as an array for unnest(). */
function columnOf(rows: readonly Row[]): (name: string) => unknown[] {
  return (name) => rows.map((row) => row[name]);
}
const AGENTS_PER_STATEMENT = 2_000;

export async function moveToPostgres(options: MoveOptions): Promise<MoveReport> {
  const progress = options.onProgress ?? (() => undefined);
  const source = openDatabase(options.sqlitePath, { readonly: true, fileMustExist: true });
  const sourceId = realpathSync(options.sqlitePath);
  try {
    const version = Number(source.pragma('user_version', { simple: true }));
    if (version !== SQLITE_SCHEMA_VERSION) {
      throw new Error(
        `${options.sqlitePath} has schema version ${version}, this build copies version ${SQLITE_SCHEMA_VERSION}: start "pecta serve" on it once to upgrade it first`,
      );
    }
    const settings: PostgresSettings = { ...DEFAULT_POSTGRES_SETTINGS, ...options.postgres, poolSize: 2 };
    // init() creates or upgrades the schema; the copy itself then works through a pool of its own.
    const store = new PostgresStore(settings);
    await store.init();
    await store.close();
    const pool = openPool(settings);
    try {
      const resumedAfterSeq = await resumePoint(pool, sourceId);
      const organizations = await copyOrganizations(source, pool);
      const keys = await copyKeys(source, pool);
      const agents = await copyAgents(source, pool);
      progress(`copied ${organizations} organisations, ${keys} keys, ${agents} agents`);
      const eventsCopied = await copyEvents(source, pool, sourceId, resumedAfterSeq, options, progress);
      const events = Number((source.prepare('SELECT count(*) AS n FROM events').get() as { n: number }).n);
      const checkedAgents = await verify(source, pool, options, settings);
      return { organizations, keys, agents, eventsCopied, events, resumedAfterSeq, checkedAgents };
    } finally {
      await pool.end();
    }
  } finally {
    source.close();
  }
}

async function resumePoint(pool: pg.Pool, sourceId: string): Promise<number> {
  const { rows } = await pool.query<{ last_seq: number }>('SELECT last_seq FROM import_progress WHERE source = $1', [sourceId]);
  if (rows[0]) return rows[0].last_seq;
  const { rows: any } = await pool.query('SELECT 1 FROM events LIMIT 1');
  if (any.length > 0) {
    throw new Error('the target database already holds events that were not copied from this file: copy into an empty database or schema');
  }
  return 0;
}

async function copyOrganizations(source: Database, pool: pg.Pool): Promise<number> {
  const rows = source
    .prepare('SELECT id, name, created_at, ingest_limit, default_limit, require_signed_ingest FROM organizations ORDER BY key')
    .all() as Row[];
  const col = columnOf(rows);
  await pool.query(
    `INSERT INTO organizations (id, name, created_at, ingest_limit, default_limit, require_signed_ingest)
     SELECT * FROM unnest($1::text[], $2::text[], $3::bigint[], $4::int[], $5::int[], $6::boolean[])
     ON CONFLICT (id) DO NOTHING`,
    [col('id'), col('name'), col('created_at'), col('ingest_limit'), col('default_limit'), col('require_signed_ingest').map((v) => v === 1)],
  );
  return rows.length;
}

async function copyKeys(source: Database, pool: pg.Pool): Promise<number> {
  const rows = source
    .prepare(`SELECT ${KEY_COLUMNS.join(', ')} FROM api_keys ORDER BY rowid`)
    .all() as Row[];
  const col = columnOf(rows);
  await pool.query(
    `INSERT INTO api_keys (id, org_id, type, label, hash, hint, created_at, last_used_at, revoked_at, secret_ciphertext)
     SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::bigint[], $8::bigint[],
                          $9::bigint[], $10::text[])
     ON CONFLICT (id) DO NOTHING`,
    KEY_COLUMNS.map(col),
  );
  return rows.length;
}

/** Agents as they stand in the source (final windows and reputation): the events copied afterwards do not change them. */
async function copyAgents(source: Database, pool: pg.Pool): Promise<number> {
  const statement = source
    .prepare(
      `SELECT a.key, o.id AS org_id, a.agent_id, a.first_seen, a.last_seen, a.eval_count, a.window_blob, a.score, a.status,
              a.evaluations, a.passed, a.pass_rate, a.avg_latency_ms, a.streak
       FROM agents AS a JOIN organizations AS o ON o.key = a.org_key WHERE a.key > ? ORDER BY a.key LIMIT ?`,
    );
  let copied = 0;
  let after = 0;
  for (;;) {
    const rows = statement.all(after, AGENTS_PER_STATEMENT) as Row[];
    if (rows.length === 0) break;
    const col = columnOf(rows);
    await pool.query(
      `INSERT INTO agents (org_key, agent_id, first_seen, last_seen, eval_count, window_blob, score, status, evaluations,
                           passed, pass_rate, avg_latency_ms, streak)
       SELECT o.key, t.agent_id, t.first_seen, t.last_seen, t.eval_count, t.window_blob, t.score, t.status, t.evaluations,
              t.passed, t.pass_rate, t.avg_latency_ms, t.streak
       FROM unnest($1::text[], $2::text[], $3::bigint[], $4::bigint[], $5::bigint[], $6::bytea[], $7::int[], $8::text[],
                   $9::int[], $10::int[], $11::float8[], $12::float8[], $13::int[])
            AS t(org_id, agent_id, first_seen, last_seen, eval_count, window_blob, score, status, evaluations, passed,
                 pass_rate, avg_latency_ms, streak)
       JOIN organizations AS o ON o.id = t.org_id
       ON CONFLICT (org_key, agent_id) DO UPDATE SET first_seen = EXCLUDED.first_seen, last_seen = EXCLUDED.last_seen,
         eval_count = EXCLUDED.eval_count, window_blob = EXCLUDED.window_blob, score = EXCLUDED.score,
         status = EXCLUDED.status, evaluations = EXCLUDED.evaluations, passed = EXCLUDED.passed,
         pass_rate = EXCLUDED.pass_rate, avg_latency_ms = EXCLUDED.avg_latency_ms, streak = EXCLUDED.streak`,
      [
        ...(['org_id', 'agent_id', 'first_seen', 'last_seen', 'eval_count'] as const).map(col),
        col('window_blob').map((b) => (b === null ? null : Buffer.from(b as Uint8Array))),
        ...(['score', 'status', 'evaluations', 'passed', 'pass_rate', 'avg_latency_ms', 'streak'] as const).map(col),
      ],
    );
    copied += rows.length;
    after = rows[rows.length - 1]!.key as number;
  }
  return copied;
}

async function copyEvents(
  source: Database,
  pool: pg.Pool,
  sourceId: string,
  resumeAfter: number,
  options: MoveOptions,
  progress: (line: string) => void,
): Promise<number> {
  const chunk = Math.max(1, Math.floor(options.chunkEvents ?? DEFAULT_CHUNK_EVENTS));
  const statement = source
    .prepare(
      `SELECT e.seq, o.id AS org_id, a.agent_id, e.evaluation_id, e.event_id, e.tool_name, e.passed, e.gates, e.total_latency_ms,
              e.latency_ms, e.reputation_score, e.created_at
       FROM events AS e JOIN agents AS a ON a.key = e.agent_key JOIN organizations AS o ON o.key = e.org_key
       WHERE e.seq > ? ORDER BY e.seq LIMIT ?`,
    );
  let after = resumeAfter;
  let copied = 0;
  for (let chunks = 0; ; chunks++) {
    if (options.stopAfterChunks !== undefined && chunks >= options.stopAfterChunks) throw new Error('stopped on request (tests)');
    const rows = statement.all(after, chunk) as Row[];
    if (rows.length === 0) break;
    const col = columnOf(rows);
    const last = rows[rows.length - 1]!.seq as number;
    const client = await pool.connect();
    try {
      await client.query('BEGIN');
      // WITH ORDINALITY + ORDER BY: identities are assigned in the source's recording order.
      const inserted = await client.query(
        `INSERT INTO events (org_key, agent_key, evaluation_id, event_id, tool_name, passed, gates, total_latency_ms,
                             latency_ms, reputation_score, created_at)
         SELECT a.org_key, a.key, t.evaluation_id, t.event_id, t.tool_name, t.passed, t.gates, t.total_latency_ms,
                t.latency_ms, t.reputation_score, t.created_at
         FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::boolean[], $7::text[], $8::float8[],
                     $9::float8[], $10::int[], $11::bigint[])
              WITH ORDINALITY AS t(org_id, agent_id, evaluation_id, event_id, tool_name, passed, gates, total_latency_ms,
                                   latency_ms, reputation_score, created_at, ord)
         JOIN organizations AS o ON o.id = t.org_id
         JOIN agents AS a ON a.org_key = o.key AND a.agent_id = t.agent_id
         ORDER BY t.ord`,
        [
          ...(['org_id', 'agent_id', 'evaluation_id', 'event_id', 'tool_name'] as const).map(col),
          col('passed').map((v) => v === 1),
          ...(['gates', 'total_latency_ms', 'latency_ms', 'reputation_score', 'created_at'] as const).map(col),
        ],
      );
      if (inserted.rowCount !== rows.length) throw new Error(`copied ${inserted.rowCount} of ${rows.length} events of a chunk: the agents copy is incomplete`);
      await client.query(
        `INSERT INTO import_progress (source, last_seq, updated_at) VALUES ($1, $2, $3)
         ON CONFLICT (source) DO UPDATE SET last_seq = EXCLUDED.last_seq, updated_at = EXCLUDED.updated_at`,
        [sourceId, last, Date.now()],
      );
      await client.query('COMMIT');
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
    copied += rows.length;
    after = last;
    progress(`copied ${copied} events (up to seq ${last})`);
  }
  return copied;
}

/** Same counts per organisation; sampled agents have the source's reputation, which is the formula over the copy. */
async function verify(source: Database, pool: pg.Pool, options: MoveOptions, settings: PostgresSettings): Promise<number> {
  const target = new PostgresStore({ ...settings, poolSize: 2 });
  await target.init();
  let checked = 0;
  try {
    const counts = (sql: string) => new Map((source.prepare(sql).all() as Array<{ id: string; n: number }>).map(({ id, n }) => [id, Number(n)]));
    const sourceEvents = counts('SELECT o.id, count(e.seq) AS n FROM organizations AS o LEFT JOIN events AS e ON e.org_key = o.key GROUP BY o.id');
    const sourceAgents = counts('SELECT o.id, count(a.key) AS n FROM organizations AS o LEFT JOIN agents AS a ON a.org_key = o.key GROUP BY o.id');
    const sourceKeys = counts('SELECT o.id, count(k.id) AS n FROM organizations AS o LEFT JOIN api_keys AS k ON k.org_id = o.id GROUP BY o.id');
    const sample = source.prepare(
      `SELECT agent_id, score, evaluations, passed, streak, eval_count FROM agents
       WHERE org_key = (SELECT key FROM organizations WHERE id = ?) ORDER BY eval_count DESC, agent_id LIMIT ?`,
    );
    for (const [orgId, events] of sourceEvents) {
      const copied = await targetCounts(pool, orgId);
      const expected = { events, agents: sourceAgents.get(orgId) ?? 0, keys: sourceKeys.get(orgId) ?? 0 };
      if (copied.events !== expected.events || copied.agents !== expected.agents || copied.keys !== expected.keys) {
        throw new MoveVerificationError(`organisation ${orgId}: the source holds ${JSON.stringify(expected)}, the target ${JSON.stringify(copied)}`);
      }
      for (const agent of sample.all(orgId, options.sampleAgents ?? 20) as Array<{ agent_id: string; score: number; evaluations: number; passed: number; streak: number; eval_count: number }>) {
        const rep = await target.getReputation(orgId, agent.agent_id);
        const stored = await target.agentEventsInOrder(orgId, agent.agent_id);
        const formula = reputationOf(stored.map((e) => ({ passed: e.passed, latency_ms: windowLatency(e.latency_ms, e.total_latency_ms) })));
        const same =
          rep !== null &&
          rep.score === agent.score &&
          rep.evaluations === agent.evaluations &&
          rep.passed === agent.passed &&
          rep.streak === agent.streak &&
          rep.eval_count === agent.eval_count &&
          stored.length === agent.eval_count &&
          formula.score === rep.score;
        if (!same) throw new MoveVerificationError(`organisation ${orgId}, agent ${JSON.stringify(agent.agent_id)}: the copied reputation differs from the source`);
        checked++;
      }
    }
  } finally {
    await target.close();
  }
  return checked;
}

async function targetCounts(pool: pg.Pool, orgId: string): Promise<{ events: number; agents: number; keys: number }> {
  const { rows } = await pool.query<{ events: number; agents: number; keys: number }>(
    `SELECT (SELECT count(*) FROM events WHERE org_key = o.key) AS events,
            (SELECT count(*) FROM agents WHERE org_key = o.key) AS agents,
            (SELECT count(*) FROM api_keys WHERE org_id = o.id) AS keys
     FROM organizations AS o WHERE o.id = $1`,
    [orgId],
  );
  return rows[0] ?? { events: 0, agents: 0, keys: 0 };
}
