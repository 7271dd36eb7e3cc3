/**
 * pgvector: a vector's text form, the HNSW index each collection has over its passages' `embedding::vector(dim)`
 * (partial on its id, cosine), and the vector search over it, with the request's ef and iterative scans so that
 * filtered searches still fill k. There is no per-process index to keep in step: what is committed is searchable.
 */
import type { DocumentStore, VectorIndexes } from '../store-contracts.js';
import type { CollectionConfig } from '../types.js';
import type { PgConnection } from './connection.js';
import { filterClausePg, SqlParams } from './filters.js';

/** pgvector's bounds: HNSW indexes `vector` up to 2000 dimensions, m in 2..100, ef_construction up to 1000, ef_search up to 1000. */
const PGVECTOR = { maxIndexedDim: 2000, maxM: 100, maxEfConstruction: 1000, maxEfSearch: 1000 } as const;

/**
 * ef_search when neither the request nor the collection sets one. Not the size-dependent default of the SQLite
 * backend (config.ts, defaultEfFor): that was measured on usearch graphs, and the collection's size would cost a
 * count per search here.
 */
const PGVECTOR_DEFAULT_EF = 64;

/** pgvector's text form; -0 is spelled out (String(-0) is "0"), so that a vector keeps its exact bytes through PostgreSQL. */
export const vectorLiteral = (v: Float32Array | readonly number[]) => `[${Array.from(v, (x) => (Object.is(x, -0) ? '-0' : String(x))).join(',')}]`;
export const parseVector = (text: string) => new Float32Array(JSON.parse(text) as number[]);

export const hnswIndexName = (collectionId: number) => `passages_hnsw_${collectionId}`;

export function hnswIndexSql(collection: { id: number; dim: number; config: CollectionConfig }): string | undefined {
  if (collection.dim > PGVECTOR.maxIndexedDim) return undefined; // searched exactly
  const m = Math.min(PGVECTOR.maxM, collection.config.hnsw.M);
  const efConstruction = Math.min(PGVECTOR.maxEfConstruction, Math.max(2 * m, collection.config.hnsw.efConstruction));
  return `CREATE INDEX IF NOT EXISTS ${hnswIndexName(collection.id)} ON passages
    USING hnsw ((embedding::vector(${collection.dim})) vector_cosine_ops) WITH (m = ${m}, ef_construction = ${efConstruction})
    WHERE collection_id = ${collection.id}`;
}

export function createPgVectorIndexes(connection: PgConnection, documents: DocumentStore): VectorIndexes {
  return {
    search: async (collection, query, k, filter, ef) => {
      const efSearch = Math.min(PGVECTOR.maxEfSearch, Math.max(k, ef ?? collection.config.hnsw.ef ?? PGVECTOR_DEFAULT_EF));
      const vector = `embedding::vector(${collection.dim})`;
      // The filter is compiled before the transaction: no other connection is waited for while one is held.
      const params = new SqlParams([vectorLiteral(query), k]);
      const clause = await filterClausePg(connection, collection.id, filter, params);
      return connection.transaction(async (client) => {
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
    size: async (collection) => (await documents.counts(collection.id)).passages,
    searchBreadth: async (collection) => {
      const { ef } = collection.config.hnsw;
      return ef === undefined ? { ef: PGVECTOR_DEFAULT_EF, efSource: 'store-default' } : { ef: Math.min(PGVECTOR.maxEfSearch, ef), efSource: 'collection' };
    },
    created: () => undefined, // the HNSW index is created with the collection
    written: async () => undefined, // committed is searchable
    catchUp: async () => undefined,
    forget: () => undefined,
  };
}
