-- BM25 over passages, and a log of deleted passages so ANN indexes can catch up incrementally.

-- What BM25 sees: the shared normaliser's words joined by spaces. Pre-segmenting in TypeScript is what makes
-- FTS5 work for scripts without spaces (Lao, Tibetan) and keeps BM25 tokens identical to encoder words.
ALTER TABLE passages ADD COLUMN search_text TEXT NOT NULL DEFAULT '';

CREATE VIRTUAL TABLE passages_fts USING fts5(
  search_text,
  content = 'passages',
  content_rowid = 'id',
  tokenize = 'unicode61 remove_diacritics 2'
);

CREATE TABLE passage_tombstones (
  seq           INTEGER PRIMARY KEY AUTOINCREMENT,
  collection_id INTEGER NOT NULL,
  passage_id    INTEGER NOT NULL
);
CREATE INDEX passage_tombstones_by_collection ON passage_tombstones (collection_id, seq);

CREATE TRIGGER passages_after_insert AFTER INSERT ON passages BEGIN
  INSERT INTO passages_fts (rowid, search_text) VALUES (new.id, new.search_text);
END;

CREATE TRIGGER passages_after_delete AFTER DELETE ON passages BEGIN
  INSERT INTO passages_fts (passages_fts, rowid, search_text) VALUES ('delete', old.id, old.search_text);
  INSERT INTO passage_tombstones (collection_id, passage_id) VALUES (old.collection_id, old.id);
END;

-- Passages are never edited in place (a changed document replaces its passages), so there is no UPDATE trigger;
-- existing rows are indexed by the v2 backfill in indexer/database.ts.
