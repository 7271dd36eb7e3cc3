-- Settings of the stored data, as SQLite's migration 007: text_normalization_version is the version of
-- text/normalize.ts (TEXT_NORMALIZATION_VERSION) that computed passages.search_text and title_search_text. Opening
-- a store recorded with another version recomputes both (indexer/postgres/migrations.ts); the text indexes follow.
CREATE TABLE store_settings (
  name  TEXT PRIMARY KEY,
  value TEXT NOT NULL
);

INSERT INTO store_settings (name, value) VALUES ('text_normalization_version', '1');
