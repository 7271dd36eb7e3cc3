/**
 * The OpenAPI 3 description of the HTTP API, served at /openapi.json, generated from the zod schemas of
 * server/api-schemas.ts (the ones the routes validate with) by z.toJSONSchema, so the documentation cannot drift
 * from validation. Tests check it against the routes and against real answers.
 */
import { z } from 'zod';
import { COLLECTION_NAME_PATTERN } from '../indexer/config.js';
import { LIMITS } from '../indexer/schemas.js';
import {
  API_COMPONENTS, REQUEST_SCHEMAS, collectionListSchema, deletedCountSchema, deletedSchema, statusSchema,
} from './api-schemas.js';
import { API_PATHS, openApiPath } from './routes.js';

type JsonSchema = Record<string, unknown>;
type OperationId = keyof typeof REQUEST_SCHEMAS;

const COMPONENT_PREFIX = '#/components/schemas/';
const GENERATION = { target: 'openapi-3.0', unrepresentable: 'any', uri: (id: string) => `${COMPONENT_PREFIX}${id}` } as const;

/** A registry holding `schemas` under their ids, so that a schema used inside another becomes a $ref. */
function registryOf(schemas: Record<string, z.ZodType>) {
  const registry = z.registry<{ id: string }>();
  for (const [id, schema] of Object.entries(schemas)) registry.add(schema, { id });
  return registry;
}

/** z.int()'s bounds are the safe integers: true of every JSON integer we read, and noise in the documentation. */
function withoutSafeIntegerBounds(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutSafeIntegerBounds);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.entries(value)
      .filter(([key, v]) => !(key === 'minimum' && v === Number.MIN_SAFE_INTEGER) && !(key === 'maximum' && v === Number.MAX_SAFE_INTEGER))
      .map(([key, v]) => [key, withoutSafeIntegerBounds(v)]),
  );
}

/** z.toJSONSchema of every schema in `schemas`, without the `$id`s OpenAPI 3.0 does not allow. */
function generate(schemas: Record<string, z.ZodType>, io: 'input' | 'output'): Record<string, JsonSchema> {
  const generated = z.toJSONSchema(registryOf(schemas), { ...GENERATION, io }).schemas as Record<string, JsonSchema>;
  return Object.fromEntries(Object.entries(generated).map(([id, { $id: _id, ...schema }]) => [id, withoutSafeIntegerBounds(schema) as JsonSchema]));
}

/** One schema that is not a component, with $refs to the components it uses. */
function generateOne(schema: z.ZodType, io: 'input' | 'output'): JsonSchema {
  const key = '(inline)';
  return generate({ ...API_COMPONENTS, [key]: schema }, io)[key]!;
}

/** What JSON Schema cannot read off the zod schemas, where a refinement or a later check does the validating. */
function documentDeferredChecks(schemas: Record<string, JsonSchema>): void {
  // The engine validates config (collectionConfigSchema), so the request schema takes it as unknown.
  (schemas.CreateCollection!.properties as Record<string, JsonSchema>).config = { $ref: `${COMPONENT_PREFIX}CollectionConfig` };
  // parseWhere (indexer/filters.ts) checks the grammar of a where document; this sketches it.
  schemas.Where!.additionalProperties = {
    nullable: true,
    oneOf: [
      { type: 'string' },
      { type: 'number' },
      { type: 'boolean' },
      { type: 'array', items: { $ref: `${COMPONENT_PREFIX}Where` } },
      {
        type: 'object',
        properties: Object.fromEntries(['$eq', '$ne', '$gt', '$gte', '$lt', '$lte', '$in', '$nin', '$exists'].map((op) => [op, {}])),
        additionalProperties: false,
      },
    ],
  };
}

export function componentSchemas(): Record<string, JsonSchema> {
  const schemas = generate(API_COMPONENTS, 'input');
  documentDeferredChecks(schemas);
  return schemas;
}

/**
 * Query parameters, one per field of the operation's query schema: typed as the value the string is parsed to
 * (OpenAPI's convention: `limit` is an integer sent as digits), JSON-valued ones as `content`; required as the
 * input schema says.
 */
function queryParameters(operation: OperationId): JsonSchema[] {
  const query: z.ZodType | undefined = (REQUEST_SCHEMAS[operation] as { query?: z.ZodType }).query;
  if (!query) return [];
  const parsed = generateOne(query, 'output');
  const required = new Set((generateOne(query, 'input').required as string[] | undefined) ?? []);
  return Object.entries(parsed.properties as Record<string, JsonSchema>).map(([name, { description, ...described }]) => {
    // Without its description, a reference is the bare $ref that zod wrapped in allOf to keep the two together.
    const schema = Array.isArray(described.allOf) && described.allOf.length === 1 && Object.keys(described).length === 1 ? (described.allOf[0] as JsonSchema) : described;
    const isJson = schema.$ref !== undefined || schema.type === 'object';
    return {
      name,
      in: 'query',
      required: required.has(name),
      ...(description !== undefined && { description }),
      ...(isJson ? { content: { 'application/json': { schema } } } : { schema }),
    };
  });
}

const ref = (name: string) => ({ $ref: `${COMPONENT_PREFIX}${name}` });
const json = (schema: object) => ({ content: { 'application/json': { schema } } });
const inline = (schema: z.ZodType) => generateOne(schema, 'input');
const errorResponse = (description: string) => ({ description, ...json(ref('Error')) });
const nameParam = { name: 'name', in: 'path', required: true, schema: { type: 'string', pattern: COLLECTION_NAME_PATTERN.source } };
const idParam = { name: 'id', in: 'path', required: true, schema: { type: 'string', maxLength: LIMITS.maxIdChars, not: { enum: ['.', '..'] } } };
/** Responses every key-protected operation can give (only when the server has keys configured / a rate limit). */
const guarded = (responses: Record<string, object>) => ({
  ...responses,
  401: errorResponse('missing or invalid API key (when keys are configured)'),
  429: { ...errorResponse('rate limited; retry after the Retry-After header (seconds)'), headers: { 'Retry-After': { schema: { type: 'integer' } } } },
});
/** Writes and collection management: the read-only key gets 403. */
const adminOnly = (responses: Record<string, object>) => ({ ...guarded(responses), 403: errorResponse('the read-only key cannot write; use the admin key') });

/** An operation that reads a body or query string: both documented by the schemas it is validated with. */
function validated(operationId: OperationId, summary: string, responses: object, bodyTypes: string[] = ['application/json']) {
  const schemas = REQUEST_SCHEMAS[operationId] as { body?: z.ZodType; query?: z.ZodType };
  const body = schemas.body && Object.entries(API_COMPONENTS).find(([, schema]) => schema === schemas.body)?.[0];
  if (schemas.body && body === undefined) throw new Error(`the body schema of ${operationId} is not a component`);
  const parameters = queryParameters(operationId);
  return {
    operationId,
    summary,
    ...(parameters.length > 0 && { parameters }),
    ...(body !== undefined && { requestBody: { required: true, content: Object.fromEntries(bodyTypes.map((type) => [type, { schema: ref(body) }])) } }),
    responses,
  };
}

let built: ReturnType<typeof buildDocument> | undefined;

/** Built once per process (generation takes milliseconds; the document is served often). */
export function openApiDocument(version: string) {
  built ??= buildDocument();
  return { ...built, info: { ...built.info, version } };
}

function buildDocument() {
  return {
    openapi: '3.0.3',
    info: {
      title: 'tafuta',
      version: '',
      description:
        'Dense semantic retrieval for low-resource languages: monolingual and cross-lingual search over passages. ' +
        'When the server is started with API keys, every operation except /healthz needs one, sent as ' +
        '"Authorization: Bearer <key>" or "x-api-key: <key>": the admin key for everything, the read-only key for ' +
        'searches and GETs (writes answer 403). Without keys the API is open.',
    },
    security: [{ bearerAuth: [] }, { apiKeyHeader: [] }],
    paths: {
      [openApiPath(API_PATHS.healthz)]: { get: { summary: 'Liveness (never needs a key)', security: [], responses: { 200: { description: 'up', ...json(inline(statusSchema)) } } } },
      [openApiPath(API_PATHS.info)]: { get: { summary: 'Version, encoders, collections', responses: guarded({ 200: { description: 'server info', ...json(ref('Info')) } }) } },
      [openApiPath(API_PATHS.metrics)]: { get: { summary: 'Prometheus metrics', responses: guarded({ 200: { description: 'text exposition format', content: { 'text/plain': { schema: { type: 'string' } } } } }) } },
      [openApiPath(API_PATHS.openapi)]: { get: { summary: 'This document', responses: guarded({ 200: { description: 'OpenAPI 3 document', ...json({ type: 'object' }) } }) } },
      [openApiPath(API_PATHS.collections)]: {
        get: { summary: 'List collections', responses: guarded({ 200: { description: 'collections', ...json(inline(collectionListSchema)) } }) },
        post: validated('createCollection', 'Create a collection', adminOnly({ 201: { description: 'created', ...json(ref('Collection')) }, 400: errorResponse('invalid request'), 409: errorResponse('name taken') })),
      },
      [openApiPath(API_PATHS.collection)]: {
        parameters: [nameParam],
        get: { summary: 'Describe a collection', responses: guarded({ 200: { description: 'collection', ...json(ref('Collection')) }, 404: errorResponse('no such collection') }) },
        delete: validated(
          'deleteCollection',
          'Delete a collection and all its documents (one that holds documents needs force=true)',
          adminOnly({
            200: { description: 'deleted', ...json(inline(deletedSchema)) },
            400: errorResponse('invalid force'),
            404: errorResponse('no such collection'),
            409: errorResponse('the collection holds documents and force=true was not given'),
          }),
        ),
      },
      [openApiPath(API_PATHS.documents)]: {
        parameters: [nameParam],
        get: validated(
          'listDocuments',
          'List documents (insertion order, cursor pagination, optional filter)',
          guarded({ 200: { description: 'a page of documents', ...json(ref('DocumentPage')) }, 400: errorResponse('invalid limit, cursor or filter'), 404: errorResponse('no such collection') }),
        ),
        post: validated(
          'upsertDocuments',
          'Upsert documents (one transaction: all or nothing)',
          adminOnly({ 200: { description: 'written', ...json(ref('UpsertResult')) }, 400: errorResponse('invalid request'), 404: errorResponse('no such collection'), 413: errorResponse('body too large') }),
        ),
      },
      [openApiPath(API_PATHS.document)]: {
        parameters: [nameParam, idParam],
        get: { summary: 'Get a document', responses: guarded({ 200: { description: 'document', ...json(ref('StoredDocument')) }, 404: errorResponse('no such collection or document') }) },
        patch: validated(
          'patchDocument',
          'Change title and/or metadata (JSON Merge Patch, RFC 7396); a new title re-encodes the document, metadata alone does not',
          adminOnly({ 200: { description: 'the patched document', ...json(ref('StoredDocument')) }, 400: errorResponse('invalid patch'), 404: errorResponse('no such collection or document') }),
          ['application/json', 'application/merge-patch+json'],
        ),
        delete: {
          summary: 'Delete a document',
          responses: adminOnly({ 200: { description: 'deleted', ...json(inline(deletedSchema)) }, 404: errorResponse('no such collection or document') }),
        },
      },
      [openApiPath(API_PATHS.deleteDocuments)]: {
        parameters: [nameParam],
        post: validated(
          'deleteDocuments',
          'Delete documents by ids or by a filter (which must restrict something)',
          adminOnly({
            200: { description: 'how many documents were deleted', ...json(inline(deletedCountSchema)) },
            400: errorResponse('invalid request, or an empty filter'),
            404: errorResponse('no such collection'),
          }),
        ),
      },
      [openApiPath(API_PATHS.search)]: {
        parameters: [nameParam],
        post: validated(
          'search',
          'Search passages (dense, BM25, hybrid or translated BM25)',
          guarded({ 200: { description: 'ranked passages', ...json(ref('SearchResponse')) }, 400: errorResponse('invalid request'), 404: errorResponse('no such collection') }),
        ),
      },
    },
    components: {
      securitySchemes: {
        bearerAuth: { type: 'http', scheme: 'bearer', description: 'the admin key or the read-only key' },
        apiKeyHeader: { type: 'apiKey', in: 'header', name: 'x-api-key', description: 'the same keys, in an x-api-key header' },
      },
      schemas: componentSchemas(),
    },
  };
}
