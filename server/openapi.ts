/** The OpenAPI 3 description of the HTTP API, served at /openapi.json. A test checks it against the routes. */
import { SEARCH_MODES } from '../indexer/types.js';

const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
const json = (schema: object) => ({ content: { 'application/json': { schema } } });
const errorResponse = (description: string) => ({ description, ...json(ref('Error')) });
const nameParam = { name: 'name', in: 'path', required: true, schema: { type: 'string', pattern: '^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$' } };
const idParam = { name: 'id', in: 'path', required: true, schema: { type: 'string', maxLength: 512 } };
/** Responses every key-protected operation can give (only when the server has keys configured / a rate limit). */
const guarded = (responses: Record<string, object>) => ({
  ...responses,
  401: errorResponse('missing or invalid API key (when keys are configured)'),
  429: { ...errorResponse('rate limited; retry after the Retry-After header (seconds)'), headers: { 'Retry-After': { schema: { type: 'integer' } } } },
});
/** Writes and collection management: the read-only key gets 403. */
const adminOnly = (responses: Record<string, object>) => ({ ...guarded(responses), 403: errorResponse('the read-only key cannot write; use the admin key') });
const langCode = { type: 'string', pattern: '^[A-Za-z]{2,3}(?:[-_][A-Za-z0-9]{2,8})*$', example: 'sw' };

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
      '/healthz': { get: { summary: 'Liveness (never needs a key)', security: [], responses: { 200: { description: 'up', ...json({ type: 'object', properties: { status: { type: 'string' } } }) } } } },
      '/v1/info': { get: { summary: 'Version, encoders, collections', responses: guarded({ 200: { description: 'server info', ...json(ref('Info')) } }) } },
      '/metrics': { get: { summary: 'Prometheus metrics', responses: guarded({ 200: { description: 'text exposition format', content: { 'text/plain': { schema: { type: 'string' } } } } }) } },
      '/openapi.json': { get: { summary: 'This document', responses: guarded({ 200: { description: 'OpenAPI 3 document', ...json({ type: 'object' }) } }) } },
      '/v1/collections': {
        get: { summary: 'List collections', responses: guarded({ 200: { description: 'collections', ...json({ type: 'object', properties: { collections: { type: 'array', items: ref('Collection') } } }) } }) },
        post: {
          summary: 'Create a collection',
          requestBody: { required: true, ...json(ref('CreateCollection')) },
          responses: adminOnly({ 201: { description: 'created', ...json(ref('Collection')) }, 400: errorResponse('invalid request'), 409: errorResponse('name taken') }),
        },
      },
      '/v1/collections/{name}': {
        parameters: [nameParam],
        get: { summary: 'Describe a collection', responses: guarded({ 200: { description: 'collection', ...json(ref('Collection')) }, 404: errorResponse('no such collection') }) },
        delete: {
          summary: 'Delete a collection and all its documents',
          responses: adminOnly({ 200: { description: 'deleted', ...json({ type: 'object', properties: { deleted: { type: 'string' } } }) }, 404: errorResponse('no such collection') }),
        },
      },
      '/v1/collections/{name}/documents': {
        parameters: [nameParam],
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
      '/v1/collections/{name}/documents/{id}': {
        parameters: [nameParam, idParam],
        get: { summary: 'Get a document', responses: guarded({ 200: { description: 'document', ...json(ref('StoredDocument')) }, 404: errorResponse('no such collection or document') }) },
        delete: {
          summary: 'Delete a document',
          responses: adminOnly({ 200: { description: 'deleted', ...json({ type: 'object', properties: { deleted: { type: 'string' } } }) }, 404: errorResponse('no such collection or document') }),
        },
      },
      '/v1/collections/{name}/search': {
        parameters: [nameParam],
        post: {
          summary: 'Search passages (dense, BM25 or hybrid)',
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
            encoders: { type: 'array', items: { type: 'object', properties: { name: { type: 'string' }, dim: { type: 'integer' }, description: { type: 'string' } } } },
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
          properties: { name: nameParam.schema, encoder: { type: 'string' }, config: ref('CollectionConfig') },
        },
        Collection: {
          type: 'object',
          properties: {
            name: { type: 'string' },
            encoder: { type: 'string' },
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
            id: { type: 'string', minLength: 1, maxLength: 512 },
            text: { type: 'string', minLength: 1, maxLength: 1000000, description: 'split into passages: at most 20,000 per document' },
            lang: { ...langCode, description: 'omitted: identified from the text (stored with lang_detected: true; null when the identifier is unsure)' },
            title: { type: 'string' },
            metadata: { type: 'object', additionalProperties: true },
          },
        },
        UpsertDocuments: { type: 'object', required: ['documents'], properties: { documents: { type: 'array', minItems: 1, maxItems: 1000, items: ref('Document') } } },
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
          },
        },
        SearchRequest: {
          type: 'object',
          required: ['query'],
          additionalProperties: false,
          properties: {
            query: { type: 'string', minLength: 1, maxLength: 4096 },
            k: { type: 'integer', minimum: 1, maximum: 1000, default: 10 },
            ef: { type: 'integer', minimum: 1, maximum: 4096, description: "HNSW search breadth for this request (higher: better recall, slower); default: the collection's hnsw.ef" },
            lang: langCode,
            mode: { type: 'string', enum: [...SEARCH_MODES], default: 'dense', description: "'auto': dense when the encoder has an adapter for the query language, hybrid otherwise" },
            filter: {
              type: 'object',
              additionalProperties: false,
              properties: {
                lang: { oneOf: [langCode, { type: 'array', items: langCode }] },
                metadata: { type: 'object', description: 'equality on metadata keys', additionalProperties: { nullable: true, oneOf: [{ type: 'string' }, { type: 'number' }, { type: 'boolean' }] } },
              },
            },
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
                },
              },
            },
            query_lang: { type: 'string', nullable: true },
            mode: { type: 'string', enum: ['dense', 'bm25', 'hybrid'] },
            took_ms: { type: 'number' },
          },
        },
      },
    },
  };
}
