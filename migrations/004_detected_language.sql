-- Whether a document's lang was identified by tafuta (1) rather than given by the client (0). A document sent
-- without lang gets the identified language in documents.lang, so filter.lang finds it; the flag tells clients
-- (GET, search results) and keeps re-indexing from taking a guess for a given language. NULL lang: the
-- identifier was unsure. Documents stored before this migration keep lang NULL until re-indexed or changed.
ALTER TABLE documents ADD COLUMN lang_detected INTEGER NOT NULL DEFAULT 0 CHECK (lang_detected IN (0, 1));
