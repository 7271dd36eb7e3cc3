/**
 * The document store on PostgreSQL: collections (each created with its HNSW index, vectors.ts), documents and
 * their passages, written in one transaction per batch; metadata is JSONB, filtered as SQLite filters it.
 */
import { TafutaError } from '../../core/errors.js';
import { searchTextOf } from '../search-text.js';
import type { CollectionConfig, CollectionRecord, Metadata, PassageView, StoredDocument } from '../types.js';
import type { DocumentCopy, DocumentRow, DocumentStore, DocumentToStore } from '../store-contracts.js';
import type { PgConnection, Queryable, Row } from './connection.js';
import { filterClausePg, SqlParams } from './filters.js';
import { escapeNul, escapeNulInJson, unescapeNul, unescapeNulInJson, unescapeNulOrNull } from './nul-escape.js';
import { hnswIndexName, hnswIndexSql, parseVector, vectorLiteral } from './vectors.js';

interface CollectionRow extends Row {
  id: number;
  name: string;
  encoder: string;
  dim: number;
  encoder_version: string | null;
  config: CollectionConfig;
  created_at: string;
}

function toCollection(row: CollectionRow): CollectionRecord {
  return { id: row.id, name: unescapeNul(row.name), encoder: row.encoder, dim: row.dim, encoderVersion: row.encoder_version, config: row.config, createdAt: row.created_at };
}

interface DocumentRecordRow extends Row {
  id: number;
  external_id: string;
  text: string;
  lang: string | null;
  lang_detected: boolean;
  title: string | null;
  metadata: Metadata | null;
  passages: number;
  updated_at: string;
}

const DOCUMENT_SELECT = `SELECT d.id, d.external_id, d.text, d.lang, d.lang_detected, d.title, d.metadata, d.updated_at,
    (SELECT COUNT(*) FROM passages p WHERE p.document_id = d.id) AS passages
  FROM documents d`;

function toStoredDocument(row: DocumentRecordRow): StoredDocument {
  return {
    id: unescapeNul(row.external_id),
    text: unescapeNul(row.text),
    lang: row.lang,
    ...(row.lang_detected ? { lang_detected: true as const } : {}),
    title: unescapeNulOrNull(row.title),
    metadata: unescapeNulInJson(row.metadata),
    passages: row.passages,
    updatedAt: row.updated_at,
  };
}

const COPY_SELECT = DOCUMENT_SELECT.replace('d.updated_at,', 'd.updated_at, d.content_hash,');

/** Documents (rows of COPY_SELECT) with their passages and vectors, read in one transaction. */
async function readCopies(connection: PgConnection, sql: string, params: unknown[]): Promise<DocumentCopy[]> {
  return connection.transaction(async (client) => {
    await client.query('SET TRANSACTION ISOLATION LEVEL REPEATABLE READ');
    const rows = await client.query<DocumentRecordRow & { content_hash: string }>(sql, params);
    if (rows.length === 0) return [];
    const passageRows = await client.query<{ document_id: number; text: string; search_text: string; start_offset: number; end_offset: number; embedding: string }>(
      `SELECT document_id, text, search_text, start_offset, end_offset, embedding::text AS embedding FROM passages
       WHERE document_id = ANY($1::bigint[]) ORDER BY document_id, ordinal`,
      [rows.map((r) => r.id)],
    );
    const passagesOf = new Map<number, DocumentCopy['passages']>();
    for (const p of passageRows) {
      let list = passagesOf.get(p.document_id);
      if (!list) passagesOf.set(p.document_id, (list = []));
      list.push({ text: unescapeNul(p.text), searchText: p.search_text, start: p.start_offset, end: p.end_offset, embedding: parseVector(p.embedding) });
    }
    return rows.map((row) => ({ rowId: row.id, document: toStoredDocument(row), contentHash: row.content_hash, passages: passagesOf.get(row.id) ?? [] }));
  });
}

export function createPgDocumentStore(db: PgConnection): DocumentStore {
  const requireCollection = async (name: string): Promise<CollectionRecord> => {
    const [row] = await db.query<CollectionRow>('SELECT * FROM collections WHERE name = $1', [escapeNul(name)]);
    if (!row) throw new TafutaError('COLLECTION_NOT_FOUND', `collection "${name}" does not exist`);
    return toCollection(row);
  };
  const deleteRows = async (client: Queryable, collection: CollectionRecord) => {
    await client.query('DELETE FROM collections WHERE id = $1', [collection.id]); // documents and passages cascade
    await client.query(`DROP INDEX IF EXISTS ${hnswIndexName(collection.id)}`);
  };
  const documentById = async (client: Queryable, collectionId: number, externalId: string) =>
    (await client.query<DocumentRecordRow>(`${DOCUMENT_SELECT} WHERE d.collection_id = $1 AND d.external_id = $2`, [collectionId, escapeNul(externalId)]))[0];

  return {
    createCollection: async (name, encoder, config) => {
      try {
        return await db.transaction(async (client) => {
          const [row] = await client.query<CollectionRow>(
            'INSERT INTO collections (name, encoder, dim, encoder_version, config) VALUES ($1, $2, $3, $4, $5) RETURNING *',
            [escapeNul(name), encoder.name, encoder.dim, encoder.version ?? null, JSON.stringify(config)],
          );
          const index = hnswIndexSql(row!);
          if (index) await client.query(index);
          return toCollection(row!);
        });
      } catch (error) {
        if ((error as { code?: string }).code === '23505') throw new TafutaError('COLLECTION_EXISTS', `collection "${name}" already exists`);
        throw error;
      }
    },
    findCollection: async (name) => {
      const [row] = await db.query<CollectionRow>('SELECT * FROM collections WHERE name = $1', [escapeNul(name)]);
      return row && toCollection(row);
    },
    requireCollection,
    listCollections: async () => (await db.query<CollectionRow>('SELECT * FROM collections ORDER BY name COLLATE "C"')).map(toCollection),
    deleteCollection: (collection) => db.transaction((client) => deleteRows(client, collection)),
    replaceCollection: (collection, replacement) =>
      db.transaction(async (client) => {
        await deleteRows(client, collection);
        const [row] = await client.query<CollectionRow>('UPDATE collections SET name = $1 WHERE id = $2 RETURNING *', [escapeNul(collection.name), replacement.id]);
        return toCollection(row!);
      }),
    documentsAfter: async (collectionId, afterRowId, limit, filter) => {
      const params = new SqlParams([collectionId, afterRowId, limit]);
      const clause = await filterClausePg(db, collectionId, filter, params);
      const rows = await db.query<DocumentRecordRow>(`${DOCUMENT_SELECT} WHERE d.collection_id = $1 AND d.id > $2${clause} ORDER BY d.id LIMIT $3`, params.values);
      return rows.map((row): DocumentRow => ({ rowId: row.id, document: toStoredDocument(row) }));
    },
    documentCopiesAfter: (collectionId, afterRowId, limit) =>
      readCopies(db, `${COPY_SELECT} WHERE d.collection_id = $1 AND d.id > $2 ORDER BY d.id LIMIT $3`, [collectionId, afterRowId, limit]),
    documentCopiesOf: async (collectionId, externalIds) =>
      externalIds.length === 0 ? [] : readCopies(db, `${COPY_SELECT} WHERE d.collection_id = $1 AND d.external_id = ANY($2::text[]) ORDER BY d.id`, [collectionId, externalIds.map(escapeNul)]),
    unchangedDocuments: async (collectionId, candidates) => {
      if (candidates.length === 0) return new Set();
      const rows = await db.query<{ external_id: string; content_hash: string }>(
        'SELECT external_id, content_hash FROM documents WHERE collection_id = $1 AND external_id = ANY($2::text[])',
        [collectionId, candidates.map((c) => escapeNul(c.id))],
      );
      const stored = new Map(rows.map((r) => [unescapeNul(r.external_id), r.content_hash]));
      return new Set(candidates.filter((c) => stored.get(c.id) === c.contentHash).map((c) => c.id));
    },
    upsertDocuments: (collectionId, batch, unchanged) => db.transaction((client) => upsertBatch(client, collectionId, batch, unchanged)),
    getDocument: async (collectionId, externalId) => {
      const row = await documentById(db, collectionId, externalId);
      return row && toStoredDocument(row);
    },
    patchDocument: (collectionId, externalId, change) =>
      db.transaction(async (client) => {
        const [locked] = await client.query<{ id: number }>('SELECT id FROM documents WHERE collection_id = $1 AND external_id = $2 FOR UPDATE', [collectionId, escapeNul(externalId)]);
        if (!locked) return undefined;
        const { title, metadata } = change(toStoredDocument((await documentById(client, collectionId, externalId))!));
        await client.query(
          `UPDATE documents SET title = $1, metadata = $2, updated_at = to_char(clock_timestamp() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') WHERE id = $3`,
          [title === null ? null : escapeNul(title), metadata === null ? null : JSON.stringify(escapeNulInJson(metadata)), locked.id],
        );
        return toStoredDocument((await documentById(client, collectionId, externalId))!);
      }),
    deleteDocumentsMatching: async (collectionId, filter) => {
      const params = new SqlParams([collectionId]);
      const clause = await filterClausePg(db, collectionId, filter, params);
      return (await db.query(`DELETE FROM documents d WHERE d.collection_id = $1${clause} RETURNING 1`, params.values)).length;
    },
    deleteDocumentsById: async (collectionId, ids) =>
      (await db.query('DELETE FROM documents WHERE collection_id = $1 AND external_id = ANY($2::text[]) RETURNING 1', [collectionId, ids.map(escapeNul)])).length,
    deleteDocument: async (collectionId, externalId) =>
      (await db.query('DELETE FROM documents WHERE collection_id = $1 AND external_id = $2 RETURNING 1', [collectionId, escapeNul(externalId)])).length > 0,
    counts: async (collectionId) => {
      const [row] = await db.query<{ documents: number; passages: number }>(
        `SELECT (SELECT COUNT(*) FROM documents WHERE collection_id = $1) AS documents, (SELECT COUNT(*) FROM passages WHERE collection_id = $1) AS passages`,
        [collectionId],
      );
      return { documents: row!.documents, passages: row!.passages };
    },
    languages: async (collectionId) =>
      (
        await db.query<{ lang: string | null; n: number }>(
          'SELECT lang, COUNT(*) AS n FROM documents WHERE collection_id = $1 GROUP BY lang ORDER BY n DESC, lang COLLATE "C" NULLS FIRST',
          [collectionId],
        )
      ).map((r) => ({ lang: r.lang, documents: r.n })),
    documentVectors: async (collectionId, externalIds) => {
      const rows = await db.query<{ id: string; embedding: string }>(
        `SELECT d.external_id AS id, p.embedding::text AS embedding FROM documents d JOIN passages p ON p.document_id = d.id AND p.ordinal = 0
         WHERE d.collection_id = $1 AND d.external_id = ANY($2::text[])`,
        [collectionId, externalIds.map(escapeNul)],
      );
      return new Map(rows.map((r) => [unescapeNul(r.id), parseVector(r.embedding)]));
    },
    passageViews: async (labels) => {
      if (labels.length === 0) return [];
      const rows = await db.query<{ id: number; text: string; ordinal: number; external_id: string; title: string | null; lang: string | null; lang_detected: boolean; metadata: Metadata | null }>(
        `SELECT p.id, p.text, p.ordinal, d.external_id, d.title, d.lang, d.lang_detected, d.metadata
         FROM passages p JOIN documents d ON d.id = p.document_id WHERE p.id = ANY($1::bigint[])`,
        [labels],
      );
      const byId = new Map(rows.map((r) => [r.id, r]));
      return labels.flatMap((label): PassageView[] => {
        const r = byId.get(label);
        if (!r) return [];
        const documentId = unescapeNul(r.external_id);
        return [{ label, documentId, passageId: `${documentId}#${r.ordinal}`, text: unescapeNul(r.text), lang: r.lang, langDetected: r.lang_detected, title: unescapeNulOrNull(r.title), metadata: unescapeNulInJson(r.metadata) }];
      });
    },
    documentsOfPassages: async (labels) => {
      if (labels.length === 0) return new Map();
      const rows = await db.query<{ id: number; document_id: number }>('SELECT id, document_id FROM passages WHERE id = ANY($1::bigint[])', [labels]);
      return new Map(rows.map((r) => [r.id, r.document_id]));
    },
  };
}

async function upsertBatch(client: Queryable, collectionId: number, batch: DocumentToStore[], unchanged: ReadonlySet<string>): Promise<number> {
  let passages = 0;
  for (const { document, contentHash, detectedLang, passages: parts } of batch) {
    const title = typeof document.title === 'string' ? escapeNul(document.title) : null;
    const metadata = document.metadata === undefined ? null : JSON.stringify(escapeNulInJson(document.metadata));
    if (unchanged.has(document.id)) {
      // Re-checked inside the transaction: another process may have changed or deleted it meanwhile.
      const [row] = await client.query<{ id: number; content_hash: string }>(
        'SELECT id, content_hash FROM documents WHERE collection_id = $1 AND external_id = $2 FOR UPDATE',
        [collectionId, escapeNul(document.id)],
      );
      if (row?.content_hash !== contentHash) throw new TafutaError('CONFLICT', `document "${document.id}" changed while this batch was being encoded; retry`);
      await client.query(
        `UPDATE documents SET title = $1, metadata = $2, updated_at = to_char(clock_timestamp() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') WHERE id = $3`,
        [title, metadata, row.id],
      );
      continue;
    }
    const lang = document.lang ?? detectedLang ?? null;
    const [{ id: documentId }] = (await client.query<{ id: number }>(
      `INSERT INTO documents (collection_id, external_id, title, text, lang, lang_detected, metadata, content_hash)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
       ON CONFLICT (collection_id, external_id) DO UPDATE SET
         title = excluded.title, text = excluded.text, lang = excluded.lang, lang_detected = excluded.lang_detected,
         metadata = excluded.metadata, content_hash = excluded.content_hash,
         updated_at = to_char(clock_timestamp() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')
       RETURNING id`,
      [collectionId, escapeNul(document.id), title, escapeNul(document.text), lang, document.lang === undefined && lang !== null, metadata, contentHash],
    )) as [{ id: number }];
    await client.query('DELETE FROM passages WHERE document_id = $1', [documentId]);
    if (parts.length > 0) {
      await client.query(
        `INSERT INTO passages (collection_id, document_id, ordinal, text, search_text, title_search_text, start_offset, end_offset, embedding)
         SELECT $1, $2, u.ordinal, u.text, u.search_text, $3, u.start_offset, u.end_offset, u.embedding::vector
         FROM unnest($4::int[], $5::text[], $6::text[], $7::int[], $8::int[], $9::text[]) AS u(ordinal, text, search_text, start_offset, end_offset, embedding)`,
        [
          collectionId,
          documentId,
          searchTextOf(document.title ?? ''),
          parts.map((_, i) => i),
          parts.map((p) => escapeNul(p.text)),
          parts.map((p) => p.searchText),
          parts.map((p) => p.start),
          parts.map((p) => p.end),
          parts.map((p) => vectorLiteral(p.embedding)),
        ],
      );
    }
    passages += parts.length;
  }
  return passages;
}
