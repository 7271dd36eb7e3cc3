-- Collections, documents and passages. SQLite is the source of truth: passage vectors live here as
-- float32 BLOBs, and every ANN index file can be rebuilt from them.
CREATE TABLE collections (
  id          INTEGER PRIMARY KEY,
  name        TEXT    NOT NULL UNIQUE,
  encoder     TEXT    NOT NULL,
  dim         INTEGER NOT NULL CHECK (dim > 0),
  config      TEXT    NOT NULL DEFAULT '{}',          -- JSON: ANN parameters, passage splitting
  created_at  TEXT    NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);

CREATE TABLE languages (
  code        TEXT PRIMARY KEY,                      -- BCP-47-ish code as given by clients ("sw", "am")
  first_seen  TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);

CREATE TABLE documents (
  id            INTEGER PRIMARY KEY,
  collection_id INTEGER NOT NULL REFERENCES collections(id) ON DELETE CASCADE,
  external_id   TEXT    NOT NULL,
  title         TEXT,
  text          TEXT    NOT NULL,
  lang          TEXT    REFERENCES languages(code),
  metadata      TEXT,                                -- JSON object or NULL
  content_hash  TEXT    NOT NULL,                    -- sha256 of what the passages were built from
  updated_at    TEXT    NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
  UNIQUE (collection_id, external_id)
);

-- AUTOINCREMENT: passage ids are never reused, so "id > cursor" finds exactly the passages an index lacks.
CREATE TABLE passages (
  id            INTEGER PRIMARY KEY AUTOINCREMENT,
  collection_id INTEGER NOT NULL REFERENCES collections(id) ON DELETE CASCADE,
  document_id   INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
  ordinal       INTEGER NOT NULL,
  text          TEXT    NOT NULL,
  start_offset  INTEGER NOT NULL,
  end_offset    INTEGER NOT NULL,
  embedding     BLOB    NOT NULL
);
CREATE INDEX passages_by_collection ON passages (collection_id, id);
CREATE INDEX passages_by_document ON passages (document_id, ordinal);
