/**
 * The HTTP API's shapes as zod schemas, written once: what each operation reads (the schemas app.ts validates
 * requests with) and what it answers (used for the documentation, and by the tests to check real answers).
 * server/openapi.ts generates /openapi.json from both.
 */
import { z } from 'zod';
import { collectionConfigSchema } from '../indexer/config.js';
import {
  createCollectionSchema,
  deleteCollectionQuerySchema,
  deleteDocumentsSchema,
  documentSchema,
  listDocumentsQuerySchema,
  metadataWhereSchema,
  patchDocumentSchema,
  searchFilterSchema,
  searchSchema,
  upsertDocumentsSchema,
} from '../indexer/schemas.js';
import { ENCODER_NONE, SEARCH_MODES } from '../indexer/types.js';

/** The body and query each operation validates; the key names the operation (its OpenAPI operationId). */
export const REQUEST_SCHEMAS = {
  createCollection: { body: createCollectionSchema },
  deleteCollection: { query: deleteCollectionQuerySchema },
  upsertDocuments: { body: upsertDocumentsSchema },
  listDocuments: { query: listDocumentsQuerySchema },
  deleteDocuments: { body: deleteDocumentsSchema },
  patchDocument: { body: patchDocumentSchema },
  search: { body: searchSchema },
} as const satisfies Record<string, { body?: z.ZodType; query?: z.ZodType }>;

const langDetected = z.literal(true).optional().meta({ description: 'present when lang was identified by tafuta, not given' });

export const errorResponseSchema = z.object({
  error: z.object({ code: z.string(), message: z.string(), details: z.unknown().optional() }),
});

export const infoSchema = z.object({
  name: z.string(),
  version: z.string(),
  default_encoder: z.string(),
  language_identifier: z.string(),
  store: z
    .object({ kind: z.enum(['sqlite', 'postgres']), text_ranking: z.enum(['bm25', 'ts_rank']), text_ranking_engine: z.string() })
    .meta({ description: 'where collections live; text_ranking says whether mode "bm25" is BM25 (PostgreSQL without pg_textsearch ranks by ts_rank)' }),
  encoders: z.array(
    z.object({
      name: z.string(),
      kind: z.enum(['hashed', 'cmtp-onnx', 'transformers', 'adapted']),
      dim: z.int(),
      version: z.string().meta({ description: 'identifies the weights (and, for transformers models, tokenizer, pooling, prefixes, max length)' }),
      source: z.string().optional().meta({ description: 'the model directory; absent for the built-in baseline' }),
      description: z.string().optional(),
      adapters: z.array(z.string()).optional(),
    }),
  ),
  collections: z.array(z.object({ name: z.string(), encoder: z.string(), documents: z.int(), passages: z.int() })),
});

export const collectionSchema = z.object({
  name: z.string(),
  encoder: z.string().meta({ description: `"${ENCODER_NONE}": a collection of your own vectors` }),
  dim: z.int(),
  encoderVersion: z.string().nullable().meta({ description: 'the weights the vectors came from (null: created before versions were recorded)' }),
  encoderChanged: z.string().optional().meta({
    description: 'present when the loaded encoder no longer matches the stored vectors: re-index (searches and writes answer 409 ENCODER_CHANGED)',
  }),
  config: collectionConfigSchema,
  createdAt: z.string(),
  documents: z.int(),
  passages: z.int(),
  indexedVectors: z.int(),
  search: z
    .object({
      ef: z.int().meta({ description: 'the search breadth a dense search without `ef` uses' }),
      efSource: z.enum(['collection', 'calibrated', 'size-default', 'store-default']).meta({
        description:
          "collection: its config's hnsw.ef; calibrated: measured on its graph after the last bulk build (tafuta index); size-default: grows with its size; store-default: PostgreSQL's fixed ef_search",
      }),
      calibration: z
        .object({
          ef: z.int(),
          recall: z.number().meta({ description: 'recall@10 at that ef, against exact search' }),
          passages: z.int().meta({ description: 'the graph\'s passages when measured' }),
          queries: z.int(),
          target: z.number().meta({ description: 'the recall@10 the smallest ef had to reach' }),
          seconds: z.number(),
          holdsUpTo: z.int().meta({ description: 'the calibration applies up to this many passages; beyond, the size default until the next bulk build' }),
          holds: z.boolean(),
        })
        .optional()
        .meta({ description: 'SQLite store: the calibration saved with the graph, when there is one' }),
      droppedCalibration: z
        .object({
          ef: z.int(),
          recall: z.number(),
          passages: z.int(),
          queries: z.int(),
          target: z.number(),
          seconds: z.number(),
          reason: z.string().meta({ description: 'why the graph did not keep it' }),
        })
        .optional()
        .meta({ description: "SQLite store: the last calibration another process (tafuta index) saved with the graph that this server's graph did not keep when it saved over it, and why" }),
    })
    .meta({ description: 'a request\'s `ef` overrides it' }),
  languages: z.array(z.object({ lang: z.string().nullable(), documents: z.int() })),
});

export const storedDocumentSchema = z.object({
  id: z.string(),
  text: z.string(),
  lang: z.string().nullable(),
  lang_detected: langDetected,
  title: z.string().nullable(),
  metadata: z.record(z.string(), z.unknown()).nullable(),
  passages: z.int(),
  updatedAt: z.string(),
  vector: z.array(z.number()).optional().meta({
    description: `in a collection with encoder "${ENCODER_NONE}": the stored (unit-length) vector; GET of one document and PATCH answer it, listings leave it out`,
  }),
});

export const upsertResultSchema = z.object({ upserted: z.int(), unchanged: z.int(), passages: z.int() });

export const documentPageSchema = z.object({
  documents: z.array(storedDocumentSchema),
  next_cursor: z.string().nullable().meta({ description: 'pass as cursor for the next page; null: this was the last page' }),
});

export const spanSchema = z
  .object({ start: z.int().min(0), end: z.int().min(0) })
  .meta({ description: "a span of the result text in UTF-16 code units, as JavaScript's text.slice(start, end) takes it" });

export const searchResponseSchema = z.object({
  results: z.array(
    z.object({
      id: z.string(),
      passage_id: z.string(),
      text: z.string(),
      score: z.number(),
      rank: z.int(),
      lang: z.string().nullable(),
      lang_detected: langDetected,
      title: z.string().optional(),
      metadata: z.record(z.string(), z.unknown()).optional(),
      matched_passages: z.int().min(1).optional().meta({
        description: "with group_by: how many of the document's passages were among the passages the search looked at",
      }),
      highlights: z
        .object({
          terms: z.array(spanSchema).optional().meta({
            description: 'bm25 and hybrid: the words of the text that match a query word after normalisation (case, Latin diacritics, NFKC), in text order',
          }),
          sentence: spanSchema.optional().meta({
            description:
              "dense and hybrid: the sentence closest to the query (of a passage's first 32 sentences; absent when the query has no features, or past 1024 sentences per search)",
          }),
        })
        .optional()
        .meta({ description: 'with highlight: true' }),
    }),
  ),
  query_lang: z.string().nullable(),
  mode: z.enum(SEARCH_MODES.filter((m) => m !== 'auto')),
  took_ms: z.number(),
});

export const statusSchema = z.object({ status: z.string() });
export const collectionListSchema = z.object({ collections: z.array(collectionSchema) });
export const deletedSchema = z.object({ deleted: z.string() });
export const deletedCountSchema = z.object({ deleted: z.int() });

/** The schemas /openapi.json names in components.schemas (the rest are written inline where they are used). */
export const API_COMPONENTS: Record<string, z.ZodType> = {
  Error: errorResponseSchema,
  Info: infoSchema,
  CollectionConfig: collectionConfigSchema,
  CreateCollection: createCollectionSchema,
  Collection: collectionSchema,
  Document: documentSchema,
  UpsertDocuments: upsertDocumentsSchema,
  UpsertResult: upsertResultSchema,
  StoredDocument: storedDocumentSchema,
  DocumentPatch: patchDocumentSchema,
  DeleteDocuments: deleteDocumentsSchema,
  DocumentPage: documentPageSchema,
  SearchRequest: searchSchema,
  Span: spanSchema,
  Filter: searchFilterSchema,
  Where: metadataWhereSchema,
  SearchResponse: searchResponseSchema,
};
