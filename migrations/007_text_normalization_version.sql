-- Settings of the stored data that tafuta checks when it opens a database. text_normalization_version is the
-- version of text/normalize.ts (TEXT_NORMALIZATION_VERSION) that computed passages.search_text and
-- title_search_text, which BM25 indexes: every database before this migration was written by version 1. Opening a
-- database recorded with another version recomputes both columns and rebuilds passages_fts (indexer/database.ts).
CREATE TABLE store_settings (
  name TEXT PRIMARY KEY,
  value TEXT NOT NULL
);

INSERT INTO store_settings (name, value) VALUES ('text_normalization_version', '1');
