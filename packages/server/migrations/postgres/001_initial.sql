-- Pecta on PostgreSQL, version 1. Applied once, in one transaction, under the migration advisory lock
-- (src/store/postgres/migrate.ts). A released file is never edited: a change is a new, higher-numbered file.
--
-- Times are epoch milliseconds (bigint), as everywhere in the store contract. Organisations and agents get an integer
-- key, and events refer to both by it, so the event indexes stay narrow (as in the SQLite layout). Ids that lists are
-- ordered by use the "C" collation: code-point order, as the embedded store sorts, whatever the database's locale.

CREATE TABLE organizations (
  key                   integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  id                    text COLLATE "C" NOT NULL UNIQUE,
  name                  text NOT NULL,
  created_at            bigint NOT NULL,
  ingest_limit          integer,
  default_limit         integer,
  require_signed_ingest boolean NOT NULL DEFAULT false
);

CREATE TABLE api_keys (
  id                text COLLATE "C" PRIMARY KEY,
  org_id            text NOT NULL REFERENCES organizations(id),
  type              text NOT NULL CHECK (type IN ('publishable', 'secret')),
  label             text,
  hash              text NOT NULL UNIQUE,
  hint              text NOT NULL,
  created_at        bigint NOT NULL,
  last_used_at      bigint,
  revoked_at        bigint,
  secret_ciphertext text
);
CREATE INDEX api_keys_org ON api_keys (org_id, created_at, id);

-- window_blob is ReputationWindow.toBlob(); the reputation columns are derived from it on every write, so reads never
-- decode a window. eval_count only grows, which makes it the window's version: a writer that cached a window at a
-- given eval_count can skip reading the blob again (see postgres/recorder.ts).
CREATE TABLE agents (
  key            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  org_key        integer NOT NULL REFERENCES organizations(key),
  agent_id       text COLLATE "C" NOT NULL,
  first_seen     bigint NOT NULL,
  last_seen      bigint NOT NULL,
  eval_count     bigint NOT NULL DEFAULT 0,
  window_blob    bytea,
  score          integer NOT NULL DEFAULT 0,
  status         text NOT NULL DEFAULT 'new',
  evaluations    integer NOT NULL DEFAULT 0,
  passed         integer NOT NULL DEFAULT 0,
  pass_rate      double precision NOT NULL DEFAULT 0,
  avg_latency_ms double precision NOT NULL DEFAULT 0,
  streak         integer NOT NULL DEFAULT 0,
  UNIQUE (org_key, agent_id)
);
CREATE INDEX agents_org_last_seen ON agents (org_key, last_seen DESC, agent_id);

-- seq is recording order: every append to an agent happens under that agent's advisory lock, so within an agent seq
-- grows with arrival order, which is the order its window counts (docs/api.md, Reputation).
CREATE TABLE events (
  seq              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  org_key          integer NOT NULL,
  agent_key        bigint NOT NULL,
  evaluation_id    text NOT NULL,
  event_id         text,
  tool_name        text,
  passed           boolean NOT NULL,
  gates            text NOT NULL,
  total_latency_ms double precision,
  latency_ms       double precision,
  reputation_score integer NOT NULL,
  created_at       bigint NOT NULL
);
CREATE UNIQUE INDEX events_org_event_id ON events (org_key, event_id) WHERE event_id IS NOT NULL;
CREATE INDEX events_org_time ON events (org_key, created_at DESC, seq DESC);
CREATE INDEX events_org_passed_time ON events (org_key, passed, created_at DESC, seq DESC);
CREATE INDEX events_agent_time ON events (agent_key, created_at DESC, seq DESC);
