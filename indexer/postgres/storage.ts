/**
 * Storage on PostgreSQL with pgvector, shared by every tafuta process: there is no per-process vector index, so a
 * write one server acknowledged is found by the next search on any other. Each collection has an HNSW index over
 * its passages' `embedding::vector(dim)` (partial on its id, cosine), searched with the request's ef and iterative
 * scans so that filtered searches still fill k. Metadata is JSONB, filtered as SQLite filters it (filters.ts).
 * Words are ranked by BM25 (pg_textsearch) where the extension exists, else by ts_rank, which is not BM25.
 */
import type { Logger } from '../../core/logger.js';
import { TafutaError } from '../../core/errors.js';
import { assertComparableTypes, isEmptyCondition, keysOf, parseWhereOrThrow } from '../filters.js';
import { searchTextOf, wordsOfFtsQuery } from '../search-text.js';
import { rescoredTranslatedHits, type Bm25Statistics } from './translated-bm25.js';
import type { CollectionConfig, CollectionRecord, Metadata, PassageView, SearchFilter, StoredDocument } from '../types.js';
import type { VectorHit } from '../vector-store.js';
import type { DocumentCopy, DocumentRow, DocumentStore, DocumentToStore, Storage, StorageInfo, TextRanking, TextSearch, VectorIndexes } from '../store-contracts.js';
import { PgConnection, type Queryable, type Row } from './connection.js';
import { conditionPgSql, SqlParams, SQLITE_TYPE_OF_JSONB } from './filters.js';
import { followTextNormalizationPg, migratePostgres } from './migrations.js';
import { escapeNul, escapeNulInJson, unescapeNul, unescapeNulInJson, unescapeNulOrNull } from './nul-escape.js';

export interface PostgresStorageOptions {
  url: string;
  logger: Logger;
  maxConnections?: number;
}

/** pgvector's bounds: HNSW indexes `vector` up to 2000 dimensions, m in 2..100, ef_construction up to 1000, ef_search up to 1000. */
const PGVECTOR = { maxIndexedDim: 2000, maxM: 100, maxEfConstruction: 1000, maxEfSearch: 1000 } as const;
const BM25_INDEX = 'passages_bm25';

const PG_TEXTSEARCH_RANKING: TextRanking = { kind: 'bm25', engine: 'PostgreSQL pg_textsearch (BM25)' };
const TS_RANK_RANKING: TextRanking = { kind: 'ts_rank', engine: "PostgreSQL full-text ts_rank (not BM25: pg_textsearch is not installed)" };

/** pgvector's text form; -0 is spelled out (String(-0) is "0"), so that a vector keeps its exact bytes through PostgreSQL. */
export const vectorLiteral = (v: Float32Array | readonly number[]) => `[${Array.from(v, (x) => (Object.is(x, -0) ? '-0' : String(x))).join(',')}]`;
export const parseVector = (text: string) => new Float32Array(JSON.parse(text) as number[]);

/** A tsquery matching any of the words, each a quoted lexeme (user input is never tsquery syntax). */
function tsqueryOfWords(words: readonly string[]): string {
  return [...new Set(words)].map((w) => `'${w.replaceAll('\\', '\\\\').replaceAll("'", "''")}'`).join(' | ');
}

const hnswIndexName = (collectionId: number) => `passages_hnsw_${collectionId}`;

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

function hnswIndexSql(collection: { id: number; dim: number; config: CollectionConfig }): string | undefined {
  if (collection.dim > PGVECTOR.maxIndexedDim) return undefined; // searched exactly
  const m = Math.min(PGVECTOR.maxM, collection.config.hnsw.M);
  const efConstruction = Math.min(PGVECTOR.maxEfConstruction, Math.max(2 * m, collection.config.hnsw.efConstruction));
  return `CREATE INDEX IF NOT EXISTS ${hnswIndexName(collection.id)} ON passages
    USING hnsw ((embedding::vector(${collection.dim})) vector_cosine_ops) WITH (m = ${m}, ef_construction = ${efConstruction})
    WHERE collection_id = ${collection.id}`;
}

export class PostgresStorage implements Storage {
  readonly info: StorageInfo;
  readonly dataDir = undefined;
  readonly documents: DocumentStore;
  readonly text: TextSearch;
  readonly vectors: VectorIndexes;
  private readonly connection: PgConnection;

  private constructor(connection: PgConnection, hasBm25: boolean) {
    this.connection = connection;
    this.info = { kind: 'postgres', textRanking: hasBm25 ? PG_TEXTSEARCH_RANKING : TS_RANK_RANKING };
    this.documents = this.documentStore();
    this.text = this.textSearch(hasBm25);
    this.vectors = this.vectorIndexes();
  }

  /**
   * Connects, checks pgvector (a clear error naming the extension when it is missing), brings the schema up to
   * date and sets up BM25 where pg_textsearch is available.
   */
  static async open(options: PostgresStorageOptions): Promise<PostgresStorage> {
    const connection = new PgConnection(options.url, options.logger, { maxConnections: options.maxConnections });
    try {
      await requireExtension(connection, 'vector', 'pgvector (0.8 or newer) must be installed on the server: https://github.com/pgvector/pgvector');
      const hasBm25 = await tryExtension(connection, 'pg_textsearch');
      await migratePostgres(connection);
      if (await followTextNormalizationPg(connection)) options.logger.info({ store: 'postgres' }, 'search text recomputed for this text normalisation version');
      if (hasBm25) await connection.query(`CREATE INDEX IF NOT EXISTS ${BM25_INDEX} ON passages USING bm25 (bm25_text) WITH (text_config = 'simple')`);
      const storage = new PostgresStorage(connection, hasBm25);
      options.logger.info({ store: 'postgres', textRanking: storage.info.textRanking.engine }, 'PostgreSQL store opened');
      return storage;
    } catch (error) {
      await connection.close().catch(() => undefined);
      throw error;
    }
  }

  async liveCollection(name: string): Promise<CollectionRecord> {
    return this.documents.requireCollection(name);
  }

  async liveCollections(): Promise<CollectionRecord[]> {
    return this.documents.listCollections();
  }

  followExternalWritesEvery(): void {
    // Nothing to follow: every process reads the one database.
  }

  save(): void {
    // Nothing is held in memory only.
  }

  async backup(): Promise<void> {
    throw new TafutaError('INVALID_ARGUMENT', 'a PostgreSQL store is backed up by PostgreSQL (pg_dump, base backups), not by tafuta snapshot');
  }

  async close(): Promise<void> {
    await this.connection.close();
  }

  /** Which json types each of `keys` holds in the collection, named as filters.ts's check expects. */
  private async metadataTypes(collectionId: number, keys: readonly string[]): Promise<Map<string, Set<string>>> {
    const rows = await this.connection.query<{ key: string; type: string }>(
      `SELECT DISTINCT e.key, jsonb_typeof(e.value) AS type FROM documents d, jsonb_each(d.metadata) e
       WHERE d.collection_id = $1 AND d.metadata IS NOT NULL AND e.key = ANY($2::text[])`,
      [collectionId, keys.map(escapeNul)],
    );
    const types = new Map<string, Set<string>>();
    for (const row of rows) {
      let held = types.get(unescapeNul(row.key));
      if (!held) types.set(unescapeNul(row.key), (held = new Set()));
      held.add(SQLITE_TYPE_OF_JSONB[row.type] ?? row.type);
    }
    return types;
  }

  /** " AND …" restricting documents (alias d) by a filter, or '' (INVALID_ARGUMENT for a malformed or type-mismatched one). */
  private async filterClause(collectionId: number, filter: SearchFilter | undefined, params: SqlParams): Promise<string> {
    const parts: string[] = [];
    if (filter?.lang !== undefined) parts.push(`d.lang = ANY(${params.add((Array.isArray(filter.lang) ? filter.lang : [filter.lang]).map(escapeNul))}::text[])`);
    if (filter?.metadata !== undefined) {
      const condition = parseWhereOrThrow(filter.metadata);
      if (!isEmptyCondition(condition)) {
        assertComparableTypes(condition, await this.metadataTypes(collectionId, keysOf(condition)));
        parts.push(conditionPgSql(condition, params));
      }
    }
    return parts.length ? ` AND ${parts.join(' AND ')}` : '';
  }

  private documentStore(): DocumentStore {
    const db = this.connection;
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
        const clause = await this.filterClause(collectionId, filter, params);
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
        const clause = await this.filterClause(collectionId, filter, params);
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

  /** Passages matching any of `words`, best first, with the ranking the server has. */
  private async rankWords(hasBm25: boolean, collectionId: number, words: readonly string[], limit: number, filter: SearchFilter | undefined): Promise<VectorHit[]> {
    if (words.length === 0 || limit <= 0) return [];
    if (hasBm25) {
      const params = new SqlParams([[...new Set(words)].join(' '), collectionId, limit]);
      const clause = await this.filterClause(collectionId, filter, params);
      // pg_textsearch returns BM25 negated (lower is better) and 0 for passages without any of the words.
      const rows = await this.connection.query<{ label: number; score: number }>(
        `SELECT p.id AS label, -(p.bm25_text <@> to_bm25query($1, '${BM25_INDEX}')) AS score
         FROM passages p JOIN documents d ON d.id = p.document_id
         WHERE p.collection_id = $2${clause}
         ORDER BY p.bm25_text <@> to_bm25query($1, '${BM25_INDEX}'), p.id LIMIT $3`,
        params.values,
      );
      return rows.filter((r) => r.score > 0);
    }
    const params = new SqlParams([tsqueryOfWords(words), collectionId, limit]);
    const clause = await this.filterClause(collectionId, filter, params);
    return this.connection.query<{ label: number; score: number }>(
      `SELECT p.id AS label, ts_rank(to_tsvector('simple', p.bm25_text), q) AS score
       FROM passages p JOIN documents d ON d.id = p.document_id, to_tsquery('simple', $1) q
       WHERE p.collection_id = $2 AND to_tsvector('simple', p.bm25_text) @@ q${clause}
       ORDER BY score DESC, p.id LIMIT $3`,
      params.values,
    );
  }

  private textSearch(hasBm25: boolean): TextSearch {
    const db = this.connection;
    // What translated BM25 reads, over the whole table as FTS5's statistics are over its whole index.
    const bm25Store: Bm25Statistics = {
      bm25: (collectionId, match, limit, filter) => this.rankWords(hasBm25, collectionId, wordsOfFtsQuery(match), limit, filter),
      searchTextsOf: async (labels) => {
        if (labels.length === 0) return new Map();
        const rows = await db.query<{ id: number; search_text: string }>('SELECT id, search_text FROM passages WHERE id = ANY($1::bigint[])', [labels]);
        return new Map(rows.map((r) => [r.id, r.search_text]));
      },
      documentFrequency: async (phrase) => {
        const [row] = await db.query<{ n: number }>(
          "SELECT COUNT(*) AS n FROM passages WHERE to_tsvector('simple', bm25_text) @@ to_tsquery('simple', $1)",
          [tsqueryOfWords(wordsOfFtsQuery(phrase))],
        );
        return row!.n;
      },
      corpusStatistics: async () => {
        const [row] = await db.query<{ rows: number; mean: number | null }>(
          "SELECT COUNT(*) AS rows, AVG(COALESCE(array_length(regexp_split_to_array(btrim(bm25_text), '\\s+'), 1), 0))::float8 AS mean FROM passages",
        );
        return { rows: row!.rows, meanTokens: row!.mean ?? 0 };
      },
    };
    return {
      ranking: hasBm25 ? PG_TEXTSEARCH_RANKING : TS_RANK_RANKING,
      bm25: (collection, query, limit, filter) => this.rankWords(hasBm25, collection.id, searchTextOf(query).split(' ').filter(Boolean), limit, filter),
      translated: (collection, query, limit, filter) => rescoredTranslatedHits(bm25Store, collection.id, query, limit, filter),
    };
  }

  private vectorIndexes(): VectorIndexes {
    return {
      search: async (collection, query, k, filter, ef) => {
        const efSearch = Math.min(PGVECTOR.maxEfSearch, Math.max(k, ef ?? collection.config.hnsw.ef));
        const vector = `embedding::vector(${collection.dim})`;
        // The filter is compiled before the transaction: no other connection is waited for while one is held.
        const params = new SqlParams([vectorLiteral(query), k]);
        const clause = await this.filterClause(collection.id, filter, params);
        return this.connection.transaction(async (client) => {
          // SET LOCAL takes no parameters; both values are integers computed here.
          await client.query(`SET LOCAL hnsw.ef_search = ${efSearch}`);
          // A filtered scan goes on through the graph until k rows pass the filter (pgvector >= 0.8).
          await client.query('SET LOCAL hnsw.iterative_scan = relaxed_order');
          const rows = await client.query<{ label: number; distance: number }>(
            `SELECT p.id AS label, p.${vector} <=> $1::vector(${collection.dim}) AS distance
             FROM passages p JOIN documents d ON d.id = p.document_id
             WHERE p.collection_id = ${collection.id}${clause}
             ORDER BY p.${vector} <=> $1::vector(${collection.dim}) LIMIT $2`,
            params.values,
          );
          // relaxed_order may return rows slightly out of order.
          return rows.map((r) => ({ label: r.label, score: 1 - r.distance })).sort((a, b) => b.score - a.score || a.label - b.label);
        });
      },
      size: async (collection) => (await this.documents.counts(collection.id)).passages,
      created: () => undefined, // the HNSW index is created with the collection
      written: async () => undefined, // committed is searchable
      catchUp: async () => undefined,
      forget: () => undefined,
    };
  }
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

async function requireExtension(connection: PgConnection, name: string, hint: string): Promise<void> {
  if (await tryExtension(connection, name)) return;
  throw new TafutaError('INVALID_ARGUMENT', `the PostgreSQL server has no "${name}" extension: ${hint}`);
}

/** CREATE EXTENSION when the server has it (false when it does not, or this role may not create it). */
async function tryExtension(connection: PgConnection, name: string): Promise<boolean> {
  const [available] = await connection.query('SELECT 1 FROM pg_available_extensions WHERE name = $1', [name]);
  if (!available) return false;
  try {
    await connection.query(`CREATE EXTENSION IF NOT EXISTS ${name}`);
    return true;
  } catch {
    const [installed] = await connection.query('SELECT 1 FROM pg_extension WHERE extname = $1', [name]);
    return installed !== undefined;
  }
}

export function openPostgresStorage(options: PostgresStorageOptions): Promise<PostgresStorage> {
  return PostgresStorage.open(options);
}
