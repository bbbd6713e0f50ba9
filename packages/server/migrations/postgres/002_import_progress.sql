-- Where `pecta migrate` stands in copying an embedded store: the last SQLite event seq copied, per source file, written
-- in the same transaction as the events it covers, so an interrupted copy resumes exactly where it stopped.
CREATE TABLE import_progress (
  source     text PRIMARY KEY,
  last_seq   bigint NOT NULL,
  updated_at bigint NOT NULL
);
