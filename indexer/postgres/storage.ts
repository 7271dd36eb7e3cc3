/**
 * Storage on PostgreSQL with pgvector, shared by every tafuta process: there is no per-process vector index, so a
 * write one server acknowledged is found by the next search on any other. Built from the document store
 * (documents.ts) and the vector indexes (vectors.ts); this file opens the database and ranks words: by BM25
 * (pg_textsearch) where the extension exists, else by ts_rank, which is not BM25.
 */
import type { Logger } from '../../core/logger.js';
import { TafutaError } from '../../core/errors.js';
import { searchTextOf, wordsOfFtsQuery } from '../search-text.js';
import { rescoredTranslatedHits, type Bm25Statistics } from './translated-bm25.js';
import type { CollectionRecord, SearchFilter } from '../types.js';
import type { VectorHit } from '../vector-store.js';
import type { DocumentStore, Storage, StorageInfo, TextRanking, TextSearch, VectorIndexes } from '../store-contracts.js';
import { PgConnection } from './connection.js';
import { createPgDocumentStore } from './documents.js';
import { filterClausePg, SqlParams } from './filters.js';
import { followTextNormalizationPg, migratePostgres } from './migrations.js';
import { createPgVectorIndexes } from './vectors.js';

export interface PostgresStorageOptions {
  url: string;
  logger: Logger;
  maxConnections?: number;
}

const BM25_INDEX = 'passages_bm25';

const PG_TEXTSEARCH_RANKING: TextRanking = { kind: 'bm25', engine: 'PostgreSQL pg_textsearch (BM25)' };
const TS_RANK_RANKING: TextRanking = { kind: 'ts_rank', engine: "PostgreSQL full-text ts_rank (not BM25: pg_textsearch is not installed)" };

/** A tsquery matching any of the words, each a quoted lexeme (user input is never tsquery syntax). */
function tsqueryOfWords(words: readonly string[]): string {
  return [...new Set(words)].map((w) => `'${w.replaceAll('\\', '\\\\').replaceAll("'", "''")}'`).join(' | ');
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
    this.documents = createPgDocumentStore(connection);
    this.text = this.textSearch(hasBm25);
    this.vectors = createPgVectorIndexes(connection, this.documents);
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


  /** Passages matching any of `words`, best first, with the ranking the server has. */
  private async rankWords(hasBm25: boolean, collectionId: number, words: readonly string[], limit: number, filter: SearchFilter | undefined): Promise<VectorHit[]> {
    if (words.length === 0 || limit <= 0) return [];
    if (hasBm25) {
      const params = new SqlParams([[...new Set(words)].join(' '), collectionId, limit]);
      const clause = await filterClausePg(this.connection, collectionId, filter, params);
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
    const clause = await filterClausePg(this.connection, collectionId, filter, params);
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
