-- Which JSON types each top-level metadata key holds in a collection, with how many documents hold each. Filters
-- check their operands against it: {"year": "2024"} on a key that only ever held numbers is a client mistake to
-- answer with 400, not a query to answer with nothing. Kept by triggers, so every writer (server, CLI) keeps it.
CREATE TABLE metadata_types (
  collection_id INTEGER NOT NULL REFERENCES collections(id) ON DELETE CASCADE,
  key           TEXT    NOT NULL,
  type          TEXT    NOT NULL,                    -- json_type(): integer, real, text, true, false, null, object, array
  documents     INTEGER NOT NULL,
  PRIMARY KEY (collection_id, key, type)
) WITHOUT ROWID;

CREATE TRIGGER documents_metadata_after_insert AFTER INSERT ON documents WHEN new.metadata IS NOT NULL BEGIN
  INSERT INTO metadata_types (collection_id, key, type, documents)
    SELECT new.collection_id, key, type, 1 FROM json_each(new.metadata) WHERE true
    ON CONFLICT (collection_id, key, type) DO UPDATE SET documents = documents + 1;
END;

CREATE TRIGGER documents_metadata_after_delete AFTER DELETE ON documents WHEN old.metadata IS NOT NULL BEGIN
  UPDATE metadata_types SET documents = documents - 1
    WHERE collection_id = old.collection_id AND (key, type) IN (SELECT key, type FROM json_each(old.metadata));
  DELETE FROM metadata_types WHERE collection_id = old.collection_id AND documents <= 0;
END;

CREATE TRIGGER documents_metadata_after_update AFTER UPDATE OF metadata ON documents BEGIN
  UPDATE metadata_types SET documents = documents - 1
    WHERE old.metadata IS NOT NULL AND collection_id = old.collection_id
      AND (key, type) IN (SELECT key, type FROM json_each(old.metadata));
  DELETE FROM metadata_types WHERE collection_id = old.collection_id AND documents <= 0;
  INSERT INTO metadata_types (collection_id, key, type, documents)
    SELECT new.collection_id, key, type, 1 FROM json_each(new.metadata) WHERE new.metadata IS NOT NULL
    ON CONFLICT (collection_id, key, type) DO UPDATE SET documents = documents + 1;
END;

INSERT INTO metadata_types (collection_id, key, type, documents)
  SELECT d.collection_id, j.key, j.type, COUNT(*) FROM documents d, json_each(d.metadata) j
  WHERE d.metadata IS NOT NULL GROUP BY d.collection_id, j.key, j.type;
