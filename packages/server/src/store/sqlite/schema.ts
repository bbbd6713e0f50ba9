/**
 * The embedded schema, versioned with PRAGMA user_version. Migration N (1-based) takes a file from version N-1 to N;
 * a released migration is never edited, only followed by a new one.
 */

/** Index names that the query builder names in INDEXED BY, so a renamed index fails loudly instead of scanning. */
export const EVENT_INDEX = {
  byPassed: 'events_org_passed_time',
  byAgentPassed: 'events_org_agent_passed_time',
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

-- window_blob is ReputationWindow.toBlob(); the other reputation columns are derived from it on every write so that
-- reads never decode a window. The org foreign key also guards events: every recorded event upserts its agent in the
-- same transaction, so a batch for an unknown organisation rolls back as a whole. A rowid table, not WITHOUT ROWID:
-- a full window is a 4.5 KB row, and rewriting such rows in a WITHOUT ROWID b-tree measured ~1.7× slower.
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

-- seq is the rowid, so it is recording order, and every index ends with it implicitly: each index below is a covering
-- index for "which seqs match, newest first", whatever the page depth. Only two exist, both with passed before
-- created_at: a query without a passed filter merges the passed=0 and passed=1 ranges (see events-query.ts). Every
-- index costs each insert a B-tree write; the two left out ((org, created_at), (org, agent, created_at)) cost ~15% of
-- ingest throughput (measured), while the merge keeps a page at offset 100000 of 1M events around 10 ms.
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
CREATE INDEX ${EVENT_INDEX.byPassed} ON events(org_id, passed, created_at);
CREATE INDEX ${EVENT_INDEX.byAgentPassed} ON events(org_id, agent_id, passed, created_at);
`;

export const MIGRATIONS: readonly string[] = [V1];

export const SCHEMA_VERSION = MIGRATIONS.length;
