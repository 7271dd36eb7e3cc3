/**
 * The SQLite side of a collection: documents, passages (with their vectors), BM25, and the change log that
 * vector indexes follow. All its SQL lives here, but for filters (sqlite/filter-clauses.ts) and the rows' shapes
 * (sqlite/rows.ts).
 */
import type { Statement } from 'better-sqlite3';
import type { Db } from './database.js';
import { TafutaError } from '../core/errors.js';
import type { DocumentCopy, DocumentToStore } from './store-contracts.js';
import { searchTextOf } from './search-text.js';
import { TITLE_BM25_WEIGHT } from './titles.js';
import { createFilterClauses } from './sqlite/filter-clauses.js';
import {
  blobToVector,
  COPY_SELECT,
  documentCopies,
  DOCUMENT_SELECT,
  parseMetadata,
  toCollection,
  toStoredDocument,
  vectorToBlob,
  type CollectionRow,
  type CopiedPassageRow,
  type CopyRow,
  type DocumentRow,
  type PassageViewRow,
} from './sqlite/rows.js';
import type { CollectionConfig, CollectionRecord, Metadata, PassageView, SearchFilter, StoredDocument } from './types.js';

export interface SyncCursor {
  /** Highest passage id the index has seen. */
  passageId: number;
  /** Highest tombstone sequence number the index has applied. */
  tombstoneSeq: number;
}

export interface StoredVector {
  label: number;
  vector: Float32Array;
}

/**
 * Where a collection's change log stands: the AUTOINCREMENT high-water mark of passage ids (not MAX(id) of live
 * rows: deleting the newest passage must not make the head look older than an index that has seen it) and the
 * collection's last tombstone. Shared with snapshots, which judge index files against a backup copy.
 */
export const SYNC_HEAD_SQL = `SELECT
    (SELECT COALESCE(MAX(seq), 0) FROM sqlite_sequence WHERE name = 'passages') AS passageId,
    (SELECT COALESCE(MAX(seq), 0) FROM passage_tombstones WHERE collection_id = @id) AS tombstoneSeq`;

/** Values per row of a passage insert, and rows per INSERT statement (a power of two; SQLite takes at most 32,766 values). */
const PASSAGE_COLUMNS = 9;
const MAX_PASSAGES_PER_INSERT = 512;

export function createDocumentStore(db: Db) {
  const statements = {
    insertCollection: db.prepare('INSERT INTO collections (name, encoder, dim, encoder_version, config) VALUES (?, ?, ?, ?, ?)'),
    collectionByName: db.prepare('SELECT * FROM collections WHERE name = ?'),
    collections: db.prepare('SELECT * FROM collections ORDER BY name'),
    deleteCollection: db.prepare('DELETE FROM collections WHERE id = ?'),
    deleteCollectionPassages: db.prepare('DELETE FROM passages WHERE collection_id = ?'),
    deleteTombstones: db.prepare('DELETE FROM passage_tombstones WHERE collection_id = ?'),
    insertLanguage: db.prepare('INSERT OR IGNORE INTO languages (code) VALUES (?)'),
    documentHash: db.prepare('SELECT id, content_hash FROM documents WHERE collection_id = ? AND external_id = ?'),
    documentHashes: db
      .prepare('SELECT external_id, content_hash FROM documents WHERE collection_id = ? AND external_id IN (SELECT value FROM json_each(?))')
      .raw(),
    upsertDocument: db.prepare(`
      INSERT INTO documents (collection_id, external_id, title, text, lang, lang_detected, metadata, content_hash)
      VALUES (@collectionId, @externalId, @title, @text, @lang, @langDetected, @metadata, @contentHash)
      ON CONFLICT (collection_id, external_id) DO UPDATE SET
        title = excluded.title, text = excluded.text, lang = excluded.lang, lang_detected = excluded.lang_detected, metadata = excluded.metadata,
        content_hash = excluded.content_hash, updated_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now')
      RETURNING id`),
    updateDocumentFields: db.prepare(`
      UPDATE documents SET title = @title, metadata = @metadata,
        updated_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now')
      WHERE id = @id`),
    deletePassagesOfDocument: db.prepare('DELETE FROM passages WHERE document_id = ?'),
    document: db.prepare(`${DOCUMENT_SELECT} WHERE d.collection_id = ? AND d.external_id = ?`),
    copiesAfter: db.prepare(`${COPY_SELECT} WHERE d.collection_id = ? AND d.id > ? ORDER BY d.id LIMIT ?`),
    copiesOf: db.prepare(`${COPY_SELECT} WHERE d.collection_id = ? AND d.external_id IN (SELECT value FROM json_each(?)) ORDER BY d.id`),
    passagesOfDocuments: db.prepare(`
      SELECT document_id, text, search_text, start_offset, end_offset, embedding FROM passages
      WHERE document_id IN (SELECT value FROM json_each(?)) ORDER BY document_id, ordinal`),
    deleteDocument: db.prepare('DELETE FROM documents WHERE collection_id = ? AND external_id = ?'),
    deleteDocumentsById: db.prepare('DELETE FROM documents WHERE collection_id = ? AND external_id IN (SELECT value FROM json_each(?))'),
    patchDocument: db.prepare(`UPDATE documents SET title = ?, metadata = ?, updated_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now') WHERE id = ?`),
    renameCollection: db.prepare('UPDATE collections SET name = ? WHERE id = ?'),
    counts: db.prepare(`SELECT
        (SELECT COUNT(*) FROM documents WHERE collection_id = @id) AS documents,
        (SELECT COUNT(*) FROM passages WHERE collection_id = @id) AS passages`),
    languagesOf: db.prepare('SELECT lang, COUNT(*) AS n FROM documents WHERE collection_id = ? GROUP BY lang ORDER BY n DESC'),
    syncHead: db.prepare(SYNC_HEAD_SQL),
    // Label lists travel as one JSON array parameter, so each of these is prepared once whatever the list length.
    passageViews: db.prepare(`
      SELECT p.id, p.text, p.ordinal, d.external_id, d.title, d.lang, d.lang_detected, d.metadata
      FROM passages p JOIN documents d ON d.id = p.document_id
      WHERE p.id IN (SELECT value FROM json_each(?))`),
    vectorsOf: db.prepare('SELECT id, embedding FROM passages WHERE id IN (SELECT value FROM json_each(?))').raw(),
    documentsOfPassages: db.prepare('SELECT id, document_id FROM passages WHERE id IN (SELECT value FROM json_each(?))'),
    documentVectors: db.prepare(`
      SELECT d.external_id AS id, p.embedding FROM documents d JOIN passages p ON p.document_id = d.id AND p.ordinal = 0
      WHERE d.collection_id = ? AND d.external_id IN (SELECT value FROM json_each(?))`),
    vectorsBetween: db.prepare('SELECT id, embedding FROM passages WHERE collection_id = ? AND id > ? AND id <= ? ORDER BY id LIMIT ?'),
    latestVectors: db.prepare('SELECT id, embedding FROM passages WHERE collection_id = ? AND id <= ? ORDER BY id DESC LIMIT ?'),
    passageLanguagesBetween: db.prepare(`
      SELECT p.id, d.lang FROM passages p JOIN documents d ON d.id = p.document_id
      WHERE p.collection_id = ? AND p.id > ? AND p.id <= ? ORDER BY p.id`).raw(),
    searchTextsBetween: db.prepare('SELECT id, search_text FROM passages WHERE collection_id = ? AND id > ? AND id <= ? ORDER BY id').raw(),
    tombstonesBetween: db.prepare(
      'SELECT seq, passage_id AS passageId FROM passage_tombstones WHERE collection_id = ? AND seq > ? AND seq <= ? ORDER BY seq',
    ),
  };

  const { filterClause, prepareCached } = createFilterClauses(db);

  const insertPassagesStatements = new Map<number, Statement>();
  /**
   * Inserts passage rows (PASSAGE_COLUMNS values each, flat) in as few statements as it can: passages_fts (FTS5,
   * filled by the insert trigger) writes its pending terms out as a new segment at every statement that writes to
   * it, so one INSERT per passage made a segment per passage for later merges to rewrite — most of a batch's SQLite
   * CPU (docs/benchmarks.md §2.7). Statements take power-of-two row counts, so a few sizes are prepared once.
   */
  function insertPassages(values: readonly unknown[]): void {
    for (let at = 0; at < values.length; ) {
      const left = (values.length - at) / PASSAGE_COLUMNS;
      const rows = Math.min(MAX_PASSAGES_PER_INSERT, 1 << (31 - Math.clz32(left))); // the largest power of two <= left
      let statement = insertPassagesStatements.get(rows);
      if (!statement) {
        const tuple = `(${Array(PASSAGE_COLUMNS).fill('?').join(', ')})`;
        statement = db.prepare(`
          INSERT INTO passages (collection_id, document_id, ordinal, text, search_text, title_search_text, start_offset, end_offset, embedding)
          VALUES ${Array(rows).fill(tuple).join(', ')}`);
        insertPassagesStatements.set(rows, statement);
      }
      statement.run(values.slice(at, at + rows * PASSAGE_COLUMNS));
      at += rows * PASSAGE_COLUMNS;
    }
  }

  /** Documents and their passages read in one transaction, so that the passages are those of the documents read. */
  const readCopies = db.transaction((statement: Statement, params: unknown[]): DocumentCopy[] => {
    const rows = statement.all(...params) as CopyRow[];
    if (rows.length === 0) return [];
    return documentCopies(rows, statements.passagesOfDocuments.all(JSON.stringify(rows.map((r) => r.id))) as CopiedPassageRow[]);
  });

  function requireCollection(name: string): CollectionRecord {
    const row = statements.collectionByName.get(name) as CollectionRow | undefined;
    if (!row) throw new TafutaError('COLLECTION_NOT_FOUND', `collection "${name}" does not exist`);
    return toCollection(row);
  }

  return {
    db,

    createCollection(name: string, encoder: { name: string; dim: number; version?: string | undefined }, config: CollectionConfig): CollectionRecord {
      try {
        statements.insertCollection.run(name, encoder.name, encoder.dim, encoder.version ?? null, JSON.stringify(config));
      } catch (error) {
        if ((error as { code?: string }).code === 'SQLITE_CONSTRAINT_UNIQUE') {
          throw new TafutaError('COLLECTION_EXISTS', `collection "${name}" already exists`);
        }
        throw error;
      }
      return requireCollection(name);
    },

    findCollection(name: string): CollectionRecord | undefined {
      const row = statements.collectionByName.get(name) as CollectionRow | undefined;
      return row ? toCollection(row) : undefined;
    },

    requireCollection,

    listCollections(): CollectionRecord[] {
      return (statements.collections.all() as CollectionRow[]).map(toCollection);
    },

    /** Removes a collection with its documents, passages and change log, in one transaction. */
    deleteCollection: db.transaction((collection: CollectionRecord): void => {
      statements.deleteCollectionPassages.run(collection.id);
      statements.deleteCollection.run(collection.id);
      statements.deleteTombstones.run(collection.id);
    }),

    /**
     * Puts `replacement` in the place of `collection` in one transaction: the old collection's rows go, the
     * replacement takes its name (re-indexing builds the replacement under a temporary name first).
     */
    replaceCollection: db.transaction((collection: CollectionRecord, replacement: CollectionRecord): CollectionRecord => {
      statements.deleteCollectionPassages.run(collection.id);
      statements.deleteCollection.run(collection.id);
      statements.deleteTombstones.run(collection.id);
      statements.renameCollection.run(collection.name, replacement.id);
      return requireCollection(collection.name);
    }),

    /**
     * A page of a collection's documents in internal-id order, after `afterRowId`, restricted by a filter
     * (INVALID_ARGUMENT for a malformed or type-mismatched one).
     */
    documentsAfter(collectionId: number, afterRowId: number, limit: number, filter?: SearchFilter): Array<{ rowId: number; document: StoredDocument }> {
      const clause = filterClause(collectionId, filter);
      const rows = prepareCached(`${DOCUMENT_SELECT} WHERE d.collection_id = ? AND d.id > ?${clause.sql} ORDER BY d.id LIMIT ?`)
        .all(collectionId, afterRowId, ...clause.params, limit) as DocumentRow[];
      return rows.map((row) => ({ rowId: row.id, document: toStoredDocument(row) }));
    },

    documentCopiesAfter(collectionId: number, afterRowId: number, limit: number): DocumentCopy[] {
      return readCopies(statements.copiesAfter, [collectionId, afterRowId, limit]);
    },

    documentCopiesOf(collectionId: number, externalIds: readonly string[]): DocumentCopy[] {
      if (externalIds.length === 0) return [];
      return readCopies(statements.copiesOf, [collectionId, JSON.stringify(externalIds)]);
    },

    /** Which documents would be unchanged by an upsert (same content hash), so their encoding can be skipped. */
    unchangedDocuments(collectionId: number, candidates: ReadonlyArray<{ id: string; contentHash: string }>): Set<string> {
      if (candidates.length === 0) return new Set();
      const stored = new Map(statements.documentHashes.all(collectionId, JSON.stringify(candidates.map((c) => c.id))) as Array<[string, string]>);
      return new Set(candidates.filter((c) => stored.get(c.id) === c.contentHash).map((c) => c.id));
    },

    /**
     * Writes a batch in ONE transaction: documents are inserted or replaced with all their passages; a document
     * whose content hash is unchanged keeps its passages and language (the hash covers the text and the given lang,
     * so an identified one still holds) and only has title/metadata refreshed.
     */
    upsertDocuments: db.transaction((collectionId: number, batch: DocumentToStore[], unchanged: ReadonlySet<string>) => {
      let passages = 0;
      const passageRows: unknown[] = []; // inserted after the documents, in the same order (so with the same ids)
      const languages = new Set<string>(); // in the languages table by now
      for (const { document, contentHash, detectedLang, passages: parts } of batch) {
        const fields = {
          title: document.title ?? null,
          metadata: document.metadata === undefined ? null : JSON.stringify(document.metadata),
        };
        if (unchanged.has(document.id)) {
          // Re-checked inside the transaction: another process may have changed or deleted it meanwhile.
          const row = statements.documentHash.get(collectionId, document.id) as { id: number; content_hash: string } | undefined;
          if (row?.content_hash !== contentHash) {
            throw new TafutaError('CONFLICT', `document "${document.id}" changed while this batch was being encoded; retry`);
          }
          statements.updateDocumentFields.run({ id: row.id, ...fields });
          continue;
        }
        const lang = document.lang ?? detectedLang ?? null;
        if (lang !== null && !languages.has(lang)) {
          statements.insertLanguage.run(lang);
          languages.add(lang);
        }
        const { id: documentId } = statements.upsertDocument.get({
          collectionId,
          externalId: document.id,
          text: document.text,
          lang,
          langDetected: document.lang === undefined && lang !== null ? 1 : 0,
          contentHash,
          ...fields,
        }) as { id: number };
        statements.deletePassagesOfDocument.run(documentId);
        const titleSearchText = searchTextOf(document.title ?? '');
        parts.forEach((p, ordinal) => {
          passageRows.push(collectionId, documentId, ordinal, p.text, p.searchText, titleSearchText, p.start, p.end, vectorToBlob(p.embedding));
        });
        passages += parts.length;
      }
      insertPassages(passageRows);
      return passages;
    }),

    getDocument(collectionId: number, externalId: string): StoredDocument | undefined {
      const row = statements.document.get(collectionId, externalId) as DocumentRow | undefined;
      return row && toStoredDocument(row);
    },

    /** Sets title and metadata from what `change` makes of the stored document, in one transaction; undefined: no such document. */
    patchDocument: db.transaction(
      (collectionId: number, externalId: string, change: (document: StoredDocument) => { title: string | null; metadata: Metadata | null }): StoredDocument | undefined => {
        const row = statements.document.get(collectionId, externalId) as DocumentRow | undefined;
        if (!row) return undefined;
        const { title, metadata } = change(toStoredDocument(row));
        statements.patchDocument.run(title, metadata === null ? null : JSON.stringify(metadata), row.id);
        return toStoredDocument(statements.document.get(collectionId, externalId) as DocumentRow);
      },
    ),

    /** Deletes the documents a (restricting) filter matches, with their passages; returns how many. */
    deleteDocumentsMatching(collectionId: number, filter: SearchFilter): number {
      const clause = filterClause(collectionId, filter);
      return prepareCached(`DELETE FROM documents WHERE id IN (SELECT d.id FROM documents d WHERE d.collection_id = ?${clause.sql})`)
        .run(collectionId, ...clause.params).changes;
    },

    /** Deletes the documents with these ids (unknown ids are skipped); returns how many. */
    deleteDocumentsById(collectionId: number, ids: readonly string[]): number {
      return statements.deleteDocumentsById.run(collectionId, JSON.stringify(ids)).changes;
    },

    deleteDocument(collectionId: number, externalId: string): boolean {
      return statements.deleteDocument.run(collectionId, externalId).changes > 0;
    },

    counts(collectionId: number): { documents: number; passages: number } {
      return statements.counts.get({ id: collectionId }) as { documents: number; passages: number };
    },

    languages(collectionId: number): Array<{ lang: string | null; documents: number }> {
      return (statements.languagesOf.all(collectionId) as Array<{ lang: string | null; n: number }>).map((r) => ({
        lang: r.lang,
        documents: r.n,
      }));
    },

    syncHead(collectionId: number): SyncCursor {
      return statements.syncHead.get({ id: collectionId }) as SyncCursor;
    },

    /**
     * Vectors of passages with `after` < id <= `through`, in id order, read `pageSize` rows at a time (index
     * catch-up and rebuilds). The upper bound is a sync head read before: rows committed since then belong to the
     * next sync, which also reads their tombstones.
     */
    *vectorsBetween(collectionId: number, after: number, through: number, pageSize = 2048): Generator<StoredVector> {
      let cursor = after;
      for (;;) {
        const rows = statements.vectorsBetween.all(collectionId, cursor, through, pageSize) as Array<{ id: number; embedding: Buffer }>;
        for (const row of rows) yield { label: row.id, vector: blobToVector(row.embedding) };
        if (rows.length < pageSize) return;
        cursor = rows.at(-1)!.id;
      }
    },

    /** [id, its document's language] of passages with `after` < id <= `through`, in id order. */
    passageLanguagesBetween(collectionId: number, after: number, through: number): IterableIterator<[number, string | null]> {
      return statements.passageLanguagesBetween.iterate(collectionId, after, through) as IterableIterator<[number, string | null]>;
    },

    /** The `limit` passages with the highest ids <= `through` (the latest written), in id order. */
    latestVectors(collectionId: number, through: number, limit: number): StoredVector[] {
      const rows = statements.latestVectors.all(collectionId, through, limit) as Array<{ id: number; embedding: Buffer }>;
      return rows.reverse().map((row) => ({ label: row.id, vector: blobToVector(row.embedding) }));
    },

    /** The BM25 text of passages with `after` < id <= `through`, as [id, text] in id order (the translate modes' term index). */
    searchTextsBetween(collectionId: number, after: number, through: number): IterableIterator<[number, string]> {
      return statements.searchTextsBetween.iterate(collectionId, after, through) as IterableIterator<[number, string]>;
    },

    /** Tombstones with `afterSeq` < seq <= `throughSeq`, in order. */
    tombstonesBetween(collectionId: number, afterSeq: number, throughSeq: number): Array<{ seq: number; passageId: number }> {
      return statements.tombstonesBetween.all(collectionId, afterSeq, throughSeq) as Array<{ seq: number; passageId: number }>;
    },

    /** Passage ids allowed by a filter (for filtered dense search). */
    filteredLabels(collectionId: number, filter: SearchFilter): Set<number> {
      const clause = filterClause(collectionId, filter);
      const rows = prepareCached(`SELECT p.id FROM passages p JOIN documents d ON d.id = p.document_id WHERE p.collection_id = ?${clause.sql}`)
        .pluck()
        .all(collectionId, ...clause.params) as number[];
      return new Set(rows);
    },

    vectorsOf(labels: readonly number[]): StoredVector[] {
      if (labels.length === 0) return [];
      const rows = statements.vectorsOf.all(JSON.stringify(labels)) as Array<[id: number, embedding: Buffer]>;
      return rows.map(([id, embedding]) => ({ label: id, vector: blobToVector(embedding) }));
    },

    /** The vector of each document's first passage, by document id: its own vector in a collection of your own vectors. */
    documentVectors(collectionId: number, externalIds: readonly string[]): Map<string, Float32Array> {
      const rows = statements.documentVectors.all(collectionId, JSON.stringify(externalIds)) as Array<{ id: string; embedding: Buffer }>;
      return new Map(rows.map((row) => [row.id, blobToVector(row.embedding)]));
    },

    /**
     * BM25 over the collection's passages, text and title columns (the title weighted TITLE_BM25_WEIGHT); higher
     * score is better. `match` is an FTS5 expression.
     */
    bm25(collectionId: number, match: string, limit: number, filter?: SearchFilter): Array<{ label: number; score: number }> {
      const clause = filterClause(collectionId, filter);
      return prepareCached(
          `SELECT p.id AS label, -bm25(passages_fts, 1.0, ${TITLE_BM25_WEIGHT}) AS score
           FROM passages_fts
           JOIN passages p ON p.id = passages_fts.rowid
           JOIN documents d ON d.id = p.document_id
           WHERE passages_fts MATCH ? AND p.collection_id = ?${clause.sql}
           ORDER BY score DESC, p.id LIMIT ?`,
        )
        .all(match, collectionId, ...clause.params, limit) as Array<{ label: number; score: number }>;
    },

    /** The document (row id) of each passage label that still exists. */
    documentsOfPassages(labels: readonly number[]): Map<number, number> {
      if (labels.length === 0) return new Map();
      const rows = statements.documentsOfPassages.raw().all(JSON.stringify(labels)) as Array<[number, number]>;
      return new Map(rows);
    },

    /** Result rows for passage labels, in the order given (labels that no longer exist are skipped). */
    passageViews(labels: readonly number[]): PassageView[] {
      if (labels.length === 0) return [];
      const rows = statements.passageViews.all(JSON.stringify(labels)) as PassageViewRow[];
      const byId = new Map(rows.map((r) => [r.id, r]));
      return labels.flatMap((label) => {
        const r = byId.get(label);
        if (!r) return [];
        return [{
          label,
          documentId: r.external_id,
          passageId: `${r.external_id}#${r.ordinal}`,
          text: r.text,
          lang: r.lang,
          langDetected: r.lang_detected === 1,
          title: r.title,
          metadata: parseMetadata(r.metadata),
        }];
      });
    },
  };
}

/** The synchronous SQLite store; the engine sees it through the async DocumentStore (indexer/sqlite/storage.ts). */
export type SqliteDocumentStore = ReturnType<typeof createDocumentStore>;
