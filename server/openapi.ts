/** The OpenAPI 3 description of the HTTP API, served at /openapi.json. A test checks it against the routes. */
import { LIMITS } from '../indexer/schemas.js';
import { ENCODER_NONE, SEARCH_MODES } from '../indexer/types.js';
import { API_PATHS, openApiPath } from './routes.js';

const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
const json = (schema: object) => ({ content: { 'application/json': { schema } } });
const errorResponse = (description: string) => ({ description, ...json(ref('Error')) });
const nameParam = { name: 'name', in: 'path', required: true, schema: { type: 'string', pattern: '^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$' } };
const idParam = { name: 'id', in: 'path', required: true, schema: { type: 'string', maxLength: 512, not: { enum: ['.', '..'] } } };
/** Responses every key-protected operation can give (only when the server has keys configured / a rate limit). */
const guarded = (responses: Record<string, object>) => ({
  ...responses,
  401: errorResponse('missing or invalid API key (when keys are configured)'),
  429: { ...errorResponse('rate limited; retry after the Retry-After header (seconds)'), headers: { 'Retry-After': { schema: { type: 'integer' } } } },
});
/** Writes and collection management: the read-only key gets 403. */
const adminOnly = (responses: Record<string, object>) => ({ ...guarded(responses), 403: errorResponse('the read-only key cannot write; use the admin key') });
const vector = (description: string) => ({
  type: 'array',
  minItems: 1,
  maxItems: LIMITS.maxVectorDim,
  items: { type: 'number' },
  description: `${description}; finite numbers (1e309 and the like overflow to Infinity and are refused), not all zero; compared by cosine, so stored L2-normalised`,
});
const langCode = {
  type: 'string',
  pattern: '^[A-Za-z]{2,3}(?:[-_][A-Za-z0-9]{1,8})*$',
  example: 'sw',
  description: 'an ISO 639-1, 639-2 or 639-3 code, optionally with subtags ("sw", "swa", "sw-KE"); stored and answered as the 639-1 code when there is one ("sw"), else the 639-3 code; anything else is a 400',
};

export function openApiDocument(version: string) {
  return {
    openapi: '3.0.3',
    info: {
      title: 'tafuta',
      version,
      description:
        'Dense semantic retrieval for low-resource languages: monolingual and cross-lingual search over passages. ' +
        'When the server is started with API keys, every operation except /healthz needs one, sent as ' +
        '"Authorization: Bearer <key>" or "x-api-key: <key>": the admin key for everything, the read-only key for ' +
        'searches and GETs (writes answer 403). Without keys the API is open.',
    },
    security: [{ bearerAuth: [] }, { apiKeyHeader: [] }],
    paths: {
      [openApiPath(API_PATHS.healthz)]: { get: { summary: 'Liveness (never needs a key)', security: [], responses: { 200: { description: 'up', ...json({ type: 'object', properties: { status: { type: 'string' } } }) } } } },
      [openApiPath(API_PATHS.info)]: { get: { summary: 'Version, encoders, collections', responses: guarded({ 200: { description: 'server info', ...json(ref('Info')) } }) } },
      [openApiPath(API_PATHS.metrics)]: { get: { summary: 'Prometheus metrics', responses: guarded({ 200: { description: 'text exposition format', content: { 'text/plain': { schema: { type: 'string' } } } } }) } },
      [openApiPath(API_PATHS.openapi)]: { get: { summary: 'This document', responses: guarded({ 200: { description: 'OpenAPI 3 document', ...json({ type: 'object' }) } }) } },
      [openApiPath(API_PATHS.collections)]: {
        get: { summary: 'List collections', responses: guarded({ 200: { description: 'collections', ...json({ type: 'object', properties: { collections: { type: 'array', items: ref('Collection') } } }) } }) },
        post: {
          summary: 'Create a collection',
          requestBody: { required: true, ...json(ref('CreateCollection')) },
          responses: adminOnly({ 201: { description: 'created', ...json(ref('Collection')) }, 400: errorResponse('invalid request'), 409: errorResponse('name taken') }),
        },
      },
      [openApiPath(API_PATHS.collection)]: {
        parameters: [nameParam],
        get: { summary: 'Describe a collection', responses: guarded({ 200: { description: 'collection', ...json(ref('Collection')) }, 404: errorResponse('no such collection') }) },
        delete: {
          summary: 'Delete a collection and all its documents (one that holds documents needs force=true)',
          parameters: [
            {
              name: 'force',
              in: 'query',
              required: false,
              description: 'required ("true") to delete a collection that still holds documents; without it such a delete answers 409 COLLECTION_NOT_EMPTY',
              schema: { type: 'string', enum: ['true', 'false'] },
            },
          ],
          responses: adminOnly({
            200: { description: 'deleted', ...json({ type: 'object', properties: { deleted: { type: 'string' } } }) },
            400: errorResponse('invalid force'),
            404: errorResponse('no such collection'),
            409: errorResponse('the collection holds documents and force=true was not given'),
          }),
        },
      },
      [openApiPath(API_PATHS.documents)]: {
        parameters: [nameParam],
        get: {
          summary: 'List documents (insertion order, cursor pagination, optional filter)',
          parameters: [
            { name: 'limit', in: 'query', schema: { type: 'integer', minimum: 1, maximum: 1000, default: 100 } },
            { name: 'cursor', in: 'query', schema: { type: 'string', maxLength: 64 }, description: "the previous page's next_cursor, unchanged (opaque)" },
            {
              name: 'filter',
              in: 'query',
              description: 'a Filter as URL-encoded JSON (at most 8192 characters), e.g. {"lang":"sw","metadata":{"year":{"$gte":2020}}}',
              content: { 'application/json': { schema: ref('Filter') } },
            },
          ],
          responses: guarded({ 200: { description: 'a page of documents', ...json(ref('DocumentPage')) }, 400: errorResponse('invalid limit, cursor or filter'), 404: errorResponse('no such collection') }),
        },
        post: {
          summary: 'Upsert documents (one transaction: all or nothing)',
          requestBody: { required: true, ...json(ref('UpsertDocuments')) },
          responses: adminOnly({
            200: { description: 'written', ...json(ref('UpsertResult')) },
            400: errorResponse('invalid request'),
            404: errorResponse('no such collection'),
            413: errorResponse('body too large'),
          }),
        },
      },
      [openApiPath(API_PATHS.document)]: {
        parameters: [nameParam, idParam],
        get: { summary: 'Get a document', responses: guarded({ 200: { description: 'document', ...json(ref('StoredDocument')) }, 404: errorResponse('no such collection or document') }) },
        patch: {
          summary: 'Change title and/or metadata (JSON Merge Patch, RFC 7396); a new title re-encodes the document, metadata alone does not',
          requestBody: { required: true, content: { 'application/json': { schema: ref('DocumentPatch') }, 'application/merge-patch+json': { schema: ref('DocumentPatch') } } },
          responses: adminOnly({ 200: { description: 'the patched document', ...json(ref('StoredDocument')) }, 400: errorResponse('invalid patch'), 404: errorResponse('no such collection or document') }),
        },
        delete: {
          summary: 'Delete a document',
          responses: adminOnly({ 200: { description: 'deleted', ...json({ type: 'object', properties: { deleted: { type: 'string' } } }) }, 404: errorResponse('no such collection or document') }),
        },
      },
      [openApiPath(API_PATHS.deleteDocuments)]: {
        parameters: [nameParam],
        post: {
          summary: 'Delete documents by ids or by a filter (which must restrict something)',
          requestBody: { required: true, ...json(ref('DeleteDocuments')) },
          responses: adminOnly({
            200: { description: 'how many documents were deleted', ...json({ type: 'object', required: ['deleted'], properties: { deleted: { type: 'integer' } } }) },
            400: errorResponse('invalid request, or an empty filter'),
            404: errorResponse('no such collection'),
          }),
        },
      },
      [openApiPath(API_PATHS.search)]: {
        parameters: [nameParam],
        post: {
          summary: 'Search passages (dense, BM25, hybrid or translated BM25)',
          requestBody: { required: true, ...json(ref('SearchRequest')) },
          responses: guarded({ 200: { description: 'ranked passages', ...json(ref('SearchResponse')) }, 400: errorResponse('invalid request'), 404: errorResponse('no such collection') }),
        },
      },
    },
    components: {
      securitySchemes: {
        bearerAuth: { type: 'http', scheme: 'bearer', description: 'the admin key or the read-only key' },
        apiKeyHeader: { type: 'apiKey', in: 'header', name: 'x-api-key', description: 'the same keys, in an x-api-key header' },
      },
      schemas: {
        Error: {
          type: 'object',
          required: ['error'],
          properties: { error: { type: 'object', required: ['code', 'message'], properties: { code: { type: 'string' }, message: { type: 'string' }, details: {} } } },
        },
        Info: {
          type: 'object',
          properties: {
            name: { type: 'string' },
            version: { type: 'string' },
            default_encoder: { type: 'string' },
            language_identifier: { type: 'string' },
            store: {
              type: 'object',
              description: 'where collections live; text_ranking says whether mode "bm25" is BM25 (PostgreSQL without pg_textsearch ranks by ts_rank)',
              properties: {
                kind: { type: 'string', enum: ['sqlite', 'postgres'] },
                text_ranking: { type: 'string', enum: ['bm25', 'ts_rank'] },
                text_ranking_engine: { type: 'string' },
              },
            },
            encoders: {
              type: 'array',
              items: {
                type: 'object',
                properties: {
                  name: { type: 'string' },
                  kind: { type: 'string', enum: ['hashed', 'cmtp-onnx', 'transformers', 'adapted'] },
                  dim: { type: 'integer' },
                  version: { type: 'string', description: 'identifies the weights (and, for transformers models, tokenizer, pooling, prefixes, max length)' },
                  source: { type: 'string', description: 'the model directory; absent for the built-in baseline' },
                  description: { type: 'string' },
                  adapters: { type: 'array', items: { type: 'string' } },
                },
              },
            },
            collections: { type: 'array', items: { type: 'object' } },
          },
        },
        CollectionConfig: {
          type: 'object',
          properties: {
            hnsw: { type: 'object', properties: { M: { type: 'integer', default: 16 }, efConstruction: { type: 'integer', default: 200 }, ef: { type: 'integer', default: 64 } } },
            passages: {
              type: 'object',
              properties: {
                maxChars: { type: 'integer', minimum: 50, maximum: 20000, default: 1000 },
                overlapChars: { type: 'integer', minimum: 0, description: 'at most half of maxChars; default 200, or half of maxChars when that is less' },
              },
            },
          },
        },
        CreateCollection: {
          type: 'object',
          required: ['name'],
          additionalProperties: false,
          description: `"encoder": "${ENCODER_NONE}" with "dim" makes a collection of your own vectors: every document brings its vector and is kept whole (one passage), dense searches bring a vector, and config.passages does not apply`,
          properties: {
            name: nameParam.schema,
            encoder: { type: 'string', minLength: 1, maxLength: 200, description: `a loaded encoder (GET /v1/info), or "${ENCODER_NONE}": documents and searches bring their own vectors; default: the server's default encoder` },
            dim: { type: 'integer', minimum: 1, maximum: LIMITS.maxVectorDim, description: `the length of the vectors; required with encoder "${ENCODER_NONE}", refused with any other` },
            config: ref('CollectionConfig'),
          },
        },
        Collection: {
          type: 'object',
          properties: {
            name: { type: 'string' },
            encoder: { type: 'string', description: `"${ENCODER_NONE}": a collection of your own vectors` },
            dim: { type: 'integer' },
            encoderVersion: { type: 'string', nullable: true, description: 'the weights the vectors came from (null: created before versions were recorded)' },
            encoderChanged: { type: 'string', description: 'present when the loaded encoder no longer matches the stored vectors: re-index (searches and writes answer 409 ENCODER_CHANGED)' },
            config: ref('CollectionConfig'),
            createdAt: { type: 'string' },
            documents: { type: 'integer' },
            passages: { type: 'integer' },
            indexedVectors: { type: 'integer' },
            languages: { type: 'array', items: { type: 'object', properties: { lang: { type: 'string', nullable: true }, documents: { type: 'integer' } } } },
          },
        },
        Document: {
          type: 'object',
          required: ['id', 'text'],
          additionalProperties: false,
          properties: {
            id: {
              type: 'string',
              minLength: 1,
              maxLength: 512,
              pattern: '^[^\\u0000-\\u001f\\u007f-\\u009f]*$',
              not: { pattern: '^(?:\\.|%2[eE]){1,2}$' },
              description: 'not "." or ".." (also spelled %2e), no control characters: HTTP clients rewrite such path segments',
            },
            text: { type: 'string', minLength: 1, maxLength: 1000000, description: 'split into passages: at most 20,000 per document' },
            lang: { ...langCode, description: `${langCode.description}; omitted: identified from the text (stored with lang_detected: true; null when the identifier is unsure)` },
            title: { type: 'string', maxLength: 2048, description: 'searched by BM25 as its own field (weighted 2× the text) and encoded with every passage ("title\n\ntext")' },
            metadata: { type: 'object', additionalProperties: true },
            vector: vector(`the document's own vector, of the collection's dim: required in a collection with encoder "${ENCODER_NONE}", refused by any other`),
          },
        },
        UpsertDocuments: { type: 'object', required: ['documents'], additionalProperties: false, properties: { documents: { type: 'array', minItems: 1, maxItems: 1000, items: ref('Document') } } },
        UpsertResult: { type: 'object', properties: { upserted: { type: 'integer' }, unchanged: { type: 'integer' }, passages: { type: 'integer' } } },
        StoredDocument: {
          type: 'object',
          properties: {
            id: { type: 'string' },
            text: { type: 'string' },
            lang: { type: 'string', nullable: true },
            lang_detected: { type: 'boolean', enum: [true], description: 'present when lang was identified by tafuta, not given' },
            title: { type: 'string', nullable: true },
            metadata: { type: 'object', nullable: true },
            passages: { type: 'integer' },
            updatedAt: { type: 'string' },
            vector: { type: 'array', items: { type: 'number' }, description: `in a collection with encoder "${ENCODER_NONE}": the stored (unit-length) vector; GET of one document and PATCH answer it, listings leave it out` },
          },
        },
        DocumentPatch: {
          type: 'object',
          additionalProperties: false,
          minProperties: 1,
          description:
            'JSON Merge Patch: title replaces (null removes it); metadata keys replace, null values remove keys, objects merge recursively, absent keys stay; metadata: null removes all. ' +
            'A new title re-encodes the document (titles are encoded with the text); metadata alone does not. text and lang cannot be patched: POST the document again.',
          properties: {
            title: { type: 'string', nullable: true, maxLength: 2048 },
            metadata: { type: 'object', nullable: true, additionalProperties: true },
          },
        },
        DeleteDocuments: {
          type: 'object',
          additionalProperties: false,
          description: 'exactly one of ids and filter',
          properties: {
            ids: { type: 'array', minItems: 1, maxItems: 1000, items: { type: 'string', minLength: 1, maxLength: 512 } },
            filter: { ...ref('Filter'), description: 'must restrict something: {} and {"metadata": {}} are refused' },
          },
        },
        DocumentPage: {
          type: 'object',
          required: ['documents', 'next_cursor'],
          properties: {
            documents: { type: 'array', items: ref('StoredDocument') },
            next_cursor: { type: 'string', nullable: true, description: 'pass as cursor for the next page; null: this was the last page' },
          },
        },
        SearchRequest: {
          type: 'object',
          additionalProperties: false,
          description: `a query, a vector, or both. Mode "bm25" needs the query; dense and hybrid search a collection with encoder "${ENCODER_NONE}" only by a vector`,
          anyOf: [{ required: ['query'] }, { required: ['vector'] }],
          properties: {
            query: { type: 'string', minLength: 1, maxLength: 4096, description: 'encoded for dense search (unless a vector is given), matched word by word by BM25, and used to identify the query language' },
            vector: vector("searched by instead of the encoded query, in any collection: of the collection's dim"),
            k: { type: 'integer', minimum: 1, maximum: 1000, default: 10 },
            ef: { type: 'integer', minimum: 1, maximum: 4096, description: "HNSW search breadth for this request (higher: better recall, slower); default: the collection's hnsw.ef" },
            lang: langCode,
            mode: { type: 'string', enum: [...SEARCH_MODES], default: 'dense', description: "'auto': the mode measured best for the query language on the encoder's validation pairs (its autoModes); without them, dense when the encoder has an adapter for the query language, hybrid otherwise; dense when there is no query; 'translate': BM25 of the query translated word by word into weighted English terms; 'translate-hybrid': that fused with dense by a per-language weight ('bm25', 'translate' and 'translate-hybrid' need a query)" },
            filter: ref('Filter'),
            offset: { type: 'integer', minimum: 0, maximum: 999, default: 0, description: 'results to skip (pagination); offset + k ≤ 1000. A page is ranks offset+1 … offset+k of the search for offset + k' },
            group_by: {
              type: 'string',
              enum: ['document'],
              description:
                'one result per document: its best passage, with matched_passages. The search looks at the top 128, 256, … 4096 passages, stopping at the first depth that holds offset + k documents (fewer are returned when 4096 passages hold fewer)',
            },
            highlight: {
              type: 'boolean',
              default: false,
              description: 'adds highlights to each result: the matched query terms (bm25, hybrid) and the sentence closest to the query (dense, hybrid)',
            },
          },
        },
        Span: {
          type: 'object',
          required: ['start', 'end'],
          description: 'a span of the result text in UTF-16 code units, as JavaScript\'s text.slice(start, end) takes it',
          properties: { start: { type: 'integer', minimum: 0 }, end: { type: 'integer', minimum: 0 } },
        },
        Filter: {
          type: 'object',
          additionalProperties: false,
          properties: {
            lang: { oneOf: [langCode, { type: 'array', minItems: 1, maxItems: 50, items: langCode }] },
            metadata: ref('Where'),
          },
        },
        Where: {
          type: 'object',
          description:
            "Chroma-style where document; its entries are ANDed. Keys are metadata keys or $and / $or (arrays of where documents) / $not (a where document), nesting at most 6 levels, at most 100 conditions. " +
            'A metadata key maps to a value (= $eq) or to an object of operators (ANDed): $eq, $ne (string, number, boolean or null), $gt, $gte, $lt, $lte (number or string), ' +
            '$in, $nin (1-1000 values of one type), $exists (boolean). A comparison matches only values of its operand\'s type ($ne and $nin never match documents without the key; $not does). ' +
            "Comparing a key with a type it holds in no document of the collection is a 400 (e.g. {\"year\": \"2024\"} when year holds numbers).",
          example: { topic: 'health', year: { $gte: 2020, $lt: 2025 }, $or: [{ reviewed: true }, { source: { $in: ['udhr', 'bible'] } }] },
          additionalProperties: {
            nullable: true,
            oneOf: [
              { type: 'string' },
              { type: 'number' },
              { type: 'boolean' },
              { type: 'array', items: ref('Where') },
              {
                type: 'object',
                properties: Object.fromEntries(['$eq', '$ne', '$gt', '$gte', '$lt', '$lte', '$in', '$nin', '$exists'].map((op) => [op, {}])),
                additionalProperties: false,
              },
            ],
          },
        },
        SearchResponse: {
          type: 'object',
          properties: {
            results: {
              type: 'array',
              items: {
                type: 'object',
                required: ['id', 'passage_id', 'text', 'score', 'rank', 'lang'],
                properties: {
                  id: { type: 'string' },
                  passage_id: { type: 'string' },
                  text: { type: 'string' },
                  score: { type: 'number' },
                  rank: { type: 'integer' },
                  lang: { type: 'string', nullable: true },
                  lang_detected: { type: 'boolean', enum: [true], description: 'present when lang was identified by tafuta, not given' },
                  title: { type: 'string' },
                  metadata: { type: 'object' },
                  matched_passages: { type: 'integer', minimum: 1, description: "with group_by: how many of the document's passages were among the passages the search looked at" },
                  highlights: {
                    type: 'object',
                    description: 'with highlight: true',
                    properties: {
                      terms: {
                        type: 'array',
                        items: ref('Span'),
                        description: 'bm25 and hybrid: the words of the text that match a query word after normalisation (case, Latin diacritics, NFKC), in text order',
                      },
                      sentence: {
                        ...ref('Span'),
                        description: "dense and hybrid: the sentence closest to the query (of a passage's first 32 sentences; absent when the query has no features, or past 1024 sentences per search)",
                      },
                    },
                  },
                },
              },
            },
            query_lang: { type: 'string', nullable: true },
            mode: { type: 'string', enum: SEARCH_MODES.filter((m) => m !== 'auto') },
            took_ms: { type: 'number' },
          },
        },
      },
    },
  };
}
