-- Titles are searchable by BM25 as a column of their own, weighted apart from the text in bm25() (search.ts).
-- Each passage carries its document's title words, so a title match reaches every passage of the document and the
-- text decides which passage ranks first. FTS5 cannot add a column to a table: it is recreated with its triggers,
-- and the v6 backfill in indexer/database.ts fills the column and rebuilds the index.
ALTER TABLE passages ADD COLUMN title_search_text TEXT NOT NULL DEFAULT '';

DROP TRIGGER passages_after_insert;
DROP TRIGGER passages_after_delete;
DROP TABLE passages_fts;

CREATE VIRTUAL TABLE passages_fts USING fts5(
  search_text,
  title_search_text,
  content = 'passages',
  content_rowid = 'id',
  tokenize = 'unicode61 remove_diacritics 2'
);

CREATE TRIGGER passages_after_insert AFTER INSERT ON passages BEGIN
  INSERT INTO passages_fts (rowid, search_text, title_search_text) VALUES (new.id, new.search_text, new.title_search_text);
END;

CREATE TRIGGER passages_after_delete AFTER DELETE ON passages BEGIN
  INSERT INTO passages_fts (passages_fts, rowid, search_text, title_search_text)
    VALUES ('delete', old.id, old.search_text, old.title_search_text);
  INSERT INTO passage_tombstones (collection_id, passage_id) VALUES (old.collection_id, old.id);
END;

-- Dense vectors now embed the title with the text, and the content hash covers the title when there is one. The
-- vectors of documents stored with a title were made without it: their hash is marked so that the next upsert of
-- such a document re-encodes it (`tafuta reindex` does all at once). Untitled documents keep hash and vectors.
UPDATE documents SET content_hash = 'before-titles:' || content_hash WHERE title IS NOT NULL;
