/**
 * The embedded schema, versioned with PRAGMA user_version. Migration N (1-based) takes a file from version N-1 to N;
 * a released migration is never edited, only followed by a new one. Version 1 is kept verbatim for files written by
 * earlier builds; version 2 is the current layout and carries the explanations.
 */

import { ReputationWindow, WINDOW_SIZE, windowLatency } from '../../reputation.js';
import type { Database } from './driver.js';

/** Index names that the query builder names in INDEXED BY, so a renamed index fails loudly instead of scanning. */
export const EVENT_INDEX = {
  byPassed: 'events_org_passed_time',
  byAgentPassed: 'events_agent_passed_time',
} as const;

const V1 = `
CREATE TABLE organizations (
  id            TEXT PRIMARY KEY,
  name          TEXT NOT NULL,
  created_at    INTEGER NOT NULL,
  ingest_limit  INTEGER,
  default_limit INTEGER
);

CREATE TABLE api_keys (
  id                TEXT PRIMARY KEY,
  org_id            TEXT NOT NULL REFERENCES organizations(id),
  type              TEXT NOT NULL CHECK (type IN ('publishable', 'secret')),
  label             TEXT,
  hash              TEXT NOT NULL UNIQUE,
  hint              TEXT NOT NULL,
  created_at        INTEGER NOT NULL,
  last_used_at      INTEGER,
  revoked_at        INTEGER,
  secret_ciphertext TEXT
);
CREATE INDEX api_keys_org ON api_keys(org_id, created_at);

CREATE TABLE agents (
  org_id         TEXT NOT NULL REFERENCES organizations(id),
  agent_id       TEXT NOT NULL,
  first_seen     INTEGER NOT NULL,
  last_seen      INTEGER NOT NULL,
  eval_count     INTEGER NOT NULL DEFAULT 0,
  window_blob    BLOB,
  score          INTEGER NOT NULL DEFAULT 0,
  status         TEXT NOT NULL DEFAULT 'new',
  evaluations    INTEGER NOT NULL DEFAULT 0,
  passed         INTEGER NOT NULL DEFAULT 0,
  pass_rate      REAL NOT NULL DEFAULT 0,
  avg_latency_ms REAL NOT NULL DEFAULT 0,
  streak         INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (org_id, agent_id)
);
CREATE INDEX agents_org_last_seen ON agents(org_id, last_seen DESC, agent_id);

CREATE TABLE events (
  seq              INTEGER PRIMARY KEY,
  org_id           TEXT NOT NULL,
  evaluation_id    TEXT NOT NULL,
  event_id         TEXT,
  agent_id         TEXT NOT NULL,
  tool_name        TEXT,
  passed           INTEGER NOT NULL CHECK (passed IN (0, 1)),
  gates            TEXT NOT NULL,
  total_latency_ms REAL,
  latency_ms       REAL,
  reputation_score INTEGER NOT NULL,
  created_at       INTEGER NOT NULL
);
CREATE UNIQUE INDEX events_org_event_id ON events(org_id, event_id) WHERE event_id IS NOT NULL;
CREATE INDEX events_org_passed_time ON events(org_id, passed, created_at);
CREATE INDEX events_org_agent_passed_time ON events(org_id, agent_id, passed, created_at);
`;

/**
 * Version 2: integer keys. Organisations and agents get an INTEGER PRIMARY KEY (stable across VACUUM), and events
 * refer to both by it instead of repeating the organisation's and the agent's text ids in every row and index entry.
 *
 * Why (measured, docs/benchmarks.md): a group commit's cost is the pages it writes to the WAL, and the agent index is
 * where a batch's pages scatter, one insertion point per (agent, passed) touched. Keyed by a small integer instead of
 * (24-character org id, agent id), its entries shrink from ~50 to ~12 bytes and splits become rarer; with the smaller
 * windows and gate rows of the same change, a commit of 1600 events over 160 agents writes 396 WAL frames instead of
 * 822 (bench/wal-layout.mjs). The agent index no longer needs the organisation at all: an agent key belongs to exactly
 * one organisation.
 *
 * Tables are rebuilt rather than altered (SQLite cannot add a primary key), children dropped before parents so the
 * foreign keys hold throughout; rows keep their order, events their seq.
 */
const V2 = `
CREATE TABLE organizations_v2 (
  key           INTEGER PRIMARY KEY,
  id            TEXT NOT NULL UNIQUE,
  name          TEXT NOT NULL,
  created_at    INTEGER NOT NULL,
  ingest_limit  INTEGER,
  default_limit INTEGER
);
INSERT INTO organizations_v2 (id, name, created_at, ingest_limit, default_limit)
  SELECT id, name, created_at, ingest_limit, default_limit FROM organizations ORDER BY rowid;

CREATE TABLE api_keys_v2 (
  id                TEXT PRIMARY KEY,
  org_id            TEXT NOT NULL REFERENCES organizations_v2(id),
  type              TEXT NOT NULL CHECK (type IN ('publishable', 'secret')),
  label             TEXT,
  hash              TEXT NOT NULL UNIQUE,
  hint              TEXT NOT NULL,
  created_at        INTEGER NOT NULL,
  last_used_at      INTEGER,
  revoked_at        INTEGER,
  secret_ciphertext TEXT
);
INSERT INTO api_keys_v2 SELECT id, org_id, type, label, hash, hint, created_at, last_used_at, revoked_at, secret_ciphertext
  FROM api_keys ORDER BY rowid;

-- window_blob is ReputationWindow.toBlob(); the other reputation columns are derived from it on every write so that
-- reads never decode a window. Every recorded event's agent exists before the event is inserted (the writer creates
-- it in the same transaction), so an event always has its agent.
CREATE TABLE agents_v2 (
  key            INTEGER PRIMARY KEY,
  org_key        INTEGER NOT NULL REFERENCES organizations_v2(key),
  agent_id       TEXT NOT NULL,
  first_seen     INTEGER NOT NULL,
  last_seen      INTEGER NOT NULL,
  eval_count     INTEGER NOT NULL DEFAULT 0,
  window_blob    BLOB,
  score          INTEGER NOT NULL DEFAULT 0,
  status         TEXT NOT NULL DEFAULT 'new',
  evaluations    INTEGER NOT NULL DEFAULT 0,
  passed         INTEGER NOT NULL DEFAULT 0,
  pass_rate      REAL NOT NULL DEFAULT 0,
  avg_latency_ms REAL NOT NULL DEFAULT 0,
  streak         INTEGER NOT NULL DEFAULT 0,
  UNIQUE (org_key, agent_id)
);
INSERT INTO agents_v2 (org_key, agent_id, first_seen, last_seen, eval_count, window_blob, score, status, evaluations,
                       passed, pass_rate, avg_latency_ms, streak)
  SELECT o.key, a.agent_id, a.first_seen, a.last_seen, a.eval_count, a.window_blob, a.score, a.status, a.evaluations,
         a.passed, a.pass_rate, a.avg_latency_ms, a.streak
  FROM agents AS a JOIN organizations_v2 AS o ON o.id = a.org_id ORDER BY a.rowid;

-- seq is the rowid, so it is recording order, and every index ends with it implicitly: each index below is a covering
-- index for "which seqs match, newest first", whatever the page depth. Only two serve listings, both with passed
-- before created_at: a query without a passed filter merges the passed=0 and passed=1 ranges (see events-query.ts).
-- Every index costs each insert a B-tree write; the two left out ((org, created_at), (agent, created_at)) cost ~15% of
-- ingest throughput (measured), while the merge keeps a page at offset 100000 of 1M events around 10 ms.
CREATE TABLE events_v2 (
  seq              INTEGER PRIMARY KEY,
  org_key          INTEGER NOT NULL,
  agent_key        INTEGER NOT NULL,
  evaluation_id    TEXT NOT NULL,
  event_id         TEXT,
  tool_name        TEXT,
  passed           INTEGER NOT NULL CHECK (passed IN (0, 1)),
  gates            TEXT NOT NULL,
  total_latency_ms REAL,
  latency_ms       REAL,
  reputation_score INTEGER NOT NULL,
  created_at       INTEGER NOT NULL
);
INSERT INTO events_v2 (seq, org_key, agent_key, evaluation_id, event_id, tool_name, passed, gates, total_latency_ms,
                       latency_ms, reputation_score, created_at)
  SELECT e.seq, a.org_key, a.key, e.evaluation_id, e.event_id, e.tool_name, e.passed, e.gates, e.total_latency_ms,
         e.latency_ms, e.reputation_score, e.created_at
  FROM events AS e
  JOIN organizations_v2 AS o ON o.id = e.org_id
  JOIN agents_v2 AS a ON a.org_key = o.key AND a.agent_id = e.agent_id
  ORDER BY e.seq;

DROP TABLE events;
DROP TABLE agents;
DROP TABLE api_keys;
DROP TABLE organizations;
ALTER TABLE organizations_v2 RENAME TO organizations;
ALTER TABLE api_keys_v2 RENAME TO api_keys;
ALTER TABLE agents_v2 RENAME TO agents;
ALTER TABLE events_v2 RENAME TO events;

CREATE INDEX api_keys_org ON api_keys(org_id, created_at);
CREATE INDEX agents_org_last_seen ON agents(org_key, last_seen DESC, agent_id);
CREATE UNIQUE INDEX events_org_event_id ON events(org_key, event_id) WHERE event_id IS NOT NULL;
CREATE INDEX ${EVENT_INDEX.byPassed} ON events(org_key, passed, created_at);
CREATE INDEX ${EVENT_INDEX.byAgentPassed} ON events(agent_key, passed, created_at);
`;

/**
 * Version 3: reputation integrity (SPEC §9).
 * - organizations.require_signed_ingest: when 1, POST /v1/ingest without X-Pecta-Signature is refused.
 * - first_seen/last_seen become the earliest and latest created_at of the agent's recorded evaluations; earlier builds
 *   kept first_seen at the creating batch and a registered agent's registration time, so agents with evaluations are
 *   recomputed from their events (agents without keep their registration time).
 * - Windows gain a way to say "no latency" (blob layout 3, see ReputationWindow.toBlob); the windows an earlier build
 *   wrote counted such evaluations as 0 ms, and are rebuilt from the stored events by rebuildWindowsWithoutLatency,
 *   which the writer runs right after this script in the same transaction.
 */
const V3 = `
ALTER TABLE organizations ADD COLUMN require_signed_ingest INTEGER NOT NULL DEFAULT 0 CHECK (require_signed_ingest IN (0, 1));

UPDATE agents SET
  first_seen = (SELECT min(e.created_at) FROM events AS e WHERE e.agent_key = agents.key),
  last_seen = (SELECT max(e.created_at) FROM events AS e WHERE e.agent_key = agents.key)
WHERE EXISTS (SELECT 1 FROM events AS e WHERE e.agent_key = agents.key);
`;

export const MIGRATIONS: readonly string[] = [V1, V2, V3];

/**
 * The part of migration 3 that SQL cannot do: an agent whose stored window holds a 0 ms entry may hold an evaluation
 * without latency that layout 2 could only write as 0, so its window and reputation columns are recomputed from its
 * last 500 stored events (the definition of the window). Windows without a 0 ms entry are already right.
 */
export function rebuildWindowsWithoutLatency(db: Database): void {
  const agents = db.prepare<{ key: number; window_blob: Uint8Array | null }>('SELECT key, window_blob FROM agents WHERE window_blob IS NOT NULL');
  const lastEvents = db.prepare<{ passed: number; latency_ms: number | null; total_latency_ms: number | null }>(
    `SELECT passed, latency_ms, total_latency_ms FROM events WHERE agent_key = ? ORDER BY seq DESC LIMIT ${WINDOW_SIZE}`,
  );
  const save = db.prepare(
    `UPDATE agents SET window_blob = ?, score = ?, status = ?, evaluations = ?, passed = ?, pass_rate = ?, avg_latency_ms = ?,
                       streak = ?
     WHERE key = ?`,
  );
  for (const agent of agents.all()) {
    if (!ReputationWindow.fromBlob(agent.window_blob).entries().some((e) => e.latency_ms === 0)) continue;
    const entries = lastEvents
      .all(agent.key)
      .reverse()
      .map((e) => ({ passed: e.passed === 1, latency_ms: windowLatency(e.latency_ms, e.total_latency_ms) }));
    const window = new ReputationWindow(entries);
    const r = window.reputation();
    save.run(window.toBlob(), r.score, r.status, r.evaluations, r.passed, r.pass_rate, r.avg_latency_ms, r.streak, agent.key);
  }
}

export const SCHEMA_VERSION = MIGRATIONS.length;
