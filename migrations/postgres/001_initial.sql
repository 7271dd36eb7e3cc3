-- The Postgres store (indexer/postgres/): the same collections, documents and passages as SQLite's schema,
-- with vectors in pgvector and metadata in JSONB. Each collection gets its own HNSW index over
-- (embedding::vector(dim)), partial on its id, created with the collection (indexer/postgres/storage.ts).
-- Text search indexes are created by the store: a pg_textsearch BM25 index where the extension exists,
-- a GIN index over to_tsvector('simple', …) always (ts_rank fallback and document frequencies).
CREATE TABLE collections (
  id              BIGSERIAL PRIMARY KEY,
  name            TEXT    NOT NULL UNIQUE,
  encoder         TEXT    NOT NULL,
  dim             INTEGER NOT NULL CHECK (dim > 0),
  encoder_version TEXT,
  config          JSONB   NOT NULL,
  created_at      TEXT    NOT NULL DEFAULT to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')
);

CREATE TABLE documents (
  id            BIGSERIAL PRIMARY KEY,
  collection_id BIGINT  NOT NULL REFERENCES collections(id) ON DELETE CASCADE,
  external_id   TEXT    NOT NULL,
  title         TEXT,
  text          TEXT    NOT NULL,
  lang          TEXT,
  lang_detected BOOLEAN NOT NULL DEFAULT false,
  metadata      JSONB,
  content_hash  TEXT    NOT NULL,
  updated_at    TEXT    NOT NULL DEFAULT to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'),
  UNIQUE (collection_id, external_id)
);

CREATE TABLE passages (
  id                BIGSERIAL PRIMARY KEY,
  collection_id     BIGINT  NOT NULL REFERENCES collections(id) ON DELETE CASCADE,
  document_id       BIGINT  NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
  ordinal           INTEGER NOT NULL,
  text              TEXT    NOT NULL,
  search_text       TEXT    NOT NULL,
  title_search_text TEXT    NOT NULL DEFAULT '',
  -- What BM25 ranks: the passage's words and its document's title words (normalised, space-separated).
  bm25_text         TEXT    GENERATED ALWAYS AS (search_text || ' ' || title_search_text) STORED,
  start_offset      INTEGER NOT NULL,
  end_offset        INTEGER NOT NULL,
  embedding         vector  NOT NULL
);
CREATE INDEX passages_by_collection ON passages (collection_id, id);
CREATE INDEX passages_by_document ON passages (document_id, ordinal);
CREATE INDEX passages_tsvector ON passages USING gin (to_tsvector('simple', bm25_text));
