-- Pecta's embedded store, version 1 (PRAGMA user_version). Applied once, in one IMMEDIATE transaction, by the writer
-- (src/store/sqlite/writer.ts). A released file is never edited: a change is a new, higher-numbered file.
--
-- Organisations and agents have an INTEGER PRIMARY KEY (stable across VACUUM), and events refer to both by it instead
-- of repeating text ids in every row and index entry: a group commit's cost is the pages it writes to the WAL, and
-- narrow index entries scatter over fewer pages (bench/wal-layout.mjs, docs/benchmarks.md).

CREATE TABLE organizations (
  key                   INTEGER PRIMARY KEY,
  id                    TEXT NOT NULL UNIQUE,
  name                  TEXT NOT NULL,
  created_at            INTEGER NOT NULL,
  ingest_limit          INTEGER,
  default_limit         INTEGER,
  require_signed_ingest INTEGER NOT NULL DEFAULT 0 CHECK (require_signed_ingest IN (0, 1))
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
-- reads never decode a window. Every recorded event's agent exists before the event is inserted (the writer creates
-- it in the same transaction), so an event always has its agent.
CREATE TABLE agents (
  key            INTEGER PRIMARY KEY,
  org_key        INTEGER NOT NULL REFERENCES organizations(key),
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
CREATE INDEX agents_org_last_seen ON agents(org_key, last_seen DESC, agent_id);

-- seq is the rowid, so it is recording order, and every index ends with it implicitly: each index below is a covering
-- index for "which seqs match, newest first", whatever the page depth. Only two serve listings, both with passed
-- before created_at: a query without a passed filter merges the passed=0 and passed=1 ranges (see events-query.ts).
-- Every index costs each insert a B-tree write; the two left out ((org, created_at), (agent, created_at)) cost ~15% of
-- ingest throughput, while the merge keeps a deep page fast (docs/benchmarks.md). The two listing indexes are named
-- in INDEXED BY (schema.ts, EVENT_INDEX), so a renamed index fails loudly instead of scanning.
CREATE TABLE events (
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
CREATE UNIQUE INDEX events_org_event_id ON events(org_key, event_id) WHERE event_id IS NOT NULL;
CREATE INDEX events_org_passed_time ON events(org_key, passed, created_at);
CREATE INDEX events_agent_passed_time ON events(agent_key, passed, created_at);
