/**
 * The request schemas /openapi.json documents say what the zod schemas that validate the requests say: the same
 * fields, types, bounds, enums, defaults and closed objects, compared with zod's own JSON Schema of each
 * (z.toJSONSchema). The documentation adds descriptions and patterns for the checks JSON Schema cannot express.
 * Every operation that reads a body or query string documents the schemas app.ts validates it with, and the
 * generated schemas use only what an OpenAPI 3.0 Schema Object allows.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { z } from 'zod';
import { openApiDocument } from '../../server/openapi.js';
import { API_COMPONENTS, REQUEST_SCHEMAS } from '../../server/api-schemas.js';
import {
  createCollectionSchema, deleteDocumentsSchema, documentSchema, patchDocumentSchema, searchFilterSchema, searchSchema, upsertDocumentsSchema,
} from '../../indexer/schemas.js';

type JsonSchema = Record<string, unknown> & {
  properties?: Record<string, JsonSchema>; items?: JsonSchema; anyOf?: JsonSchema[]; oneOf?: JsonSchema[]; allOf?: JsonSchema[]; $ref?: string;
};

const document = openApiDocument('t');
const documented = document.components.schemas as unknown as Record<string, JsonSchema>;

/**
 * A documented schema with its $refs followed (keywords beside a $ref, such as a description, are kept; OpenAPI 3.0
 * writes a $ref with a description as `allOf: [{$ref}]` beside it).
 */
function resolve(schema: JsonSchema | undefined): JsonSchema | undefined {
  let current = schema;
  for (;;) {
    if (current?.allOf?.length === 1 && current.allOf[0]!.$ref !== undefined) {
      const { allOf, ...beside } = current;
      current = { ...allOf[0], ...beside };
    }
    if (current?.$ref === undefined) return current;
    const { $ref, ...beside } = current;
    current = { ...documented[$ref.replace('#/components/schemas/', '')], ...beside };
  }
}

const COMPARED = ['type', 'minimum', 'maximum', 'minLength', 'maxLength', 'minItems', 'maxItems', 'enum', 'required', 'default', 'nullable'] as const;

/** Where the documented schema says something else than the generated one, as "path: what" lines. */
function differences(generated: JsonSchema, documentedSchema: JsonSchema | undefined, at: string): string[] {
  const doc = resolve(documentedSchema);
  if (doc === undefined) return [`${at}: not documented`];
  const out: string[] = [];
  for (const key of COMPARED) {
    if (generated[key] !== undefined && JSON.stringify(generated[key]) !== JSON.stringify(doc[key])) {
      out.push(`${at}.${key}: validated ${JSON.stringify(generated[key])}, documented ${JSON.stringify(doc[key])}`);
    }
  }
  if (generated.additionalProperties === false && doc.additionalProperties !== false) out.push(`${at}: validation refuses other fields, the documentation allows them`);
  if (generated.properties) {
    const names = Object.keys(generated.properties).sort();
    const documentedNames = Object.keys(doc.properties ?? {}).sort();
    if (JSON.stringify(names) !== JSON.stringify(documentedNames)) out.push(`${at}: fields ${names.join(',')} validated, ${documentedNames.join(',')} documented`);
    for (const name of names) if (doc.properties?.[name]) out.push(...differences(generated.properties[name]!, doc.properties[name], `${at}.${name}`));
  }
  if (generated.items) out.push(...differences(generated.items, doc.items, `${at}[]`));
  if (generated.anyOf) {
    const alternatives = doc.anyOf ?? doc.oneOf ?? [];
    if (alternatives.length !== generated.anyOf.length) out.push(`${at}: ${generated.anyOf.length} alternatives validated, ${alternatives.length} documented`);
    else generated.anyOf.forEach((alternative, i) => out.push(...differences(alternative, alternatives[i], `${at}|${i}`)));
  }
  return out;
}

const generated = (schema: z.ZodType) => z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any', target: 'openapi-3.0' }) as JsonSchema;

const VALIDATION_SCHEMAS: Record<string, z.ZodType> = {
  CreateCollection: createCollectionSchema,
  Document: documentSchema,
  UpsertDocuments: upsertDocumentsSchema,
  DocumentPatch: patchDocumentSchema,
  DeleteDocuments: deleteDocumentsSchema,
  SearchRequest: searchSchema,
  Filter: searchFilterSchema,
};

for (const [name, schema] of Object.entries(VALIDATION_SCHEMAS)) {
  test(`the documented ${name} matches its validation schema`, () => {
    assert.deepEqual(differences(generated(schema), { $ref: `#/components/schemas/${name}` }, name), []);
  });
}

test('the comparison sees a documented bound, field or closed object that validation does not have', () => {
  const validation = generated(z.strictObject({ k: z.int().min(1).max(10), q: z.string().optional() }));
  const doc: JsonSchema = { type: 'object', required: ['k'], additionalProperties: false, properties: { k: { type: 'integer', minimum: 1, maximum: 10 }, q: { type: 'string' } } };
  assert.deepEqual(differences(validation, doc, 'X'), []);
  assert.equal(differences(validation, { ...doc, properties: { ...doc.properties, k: { type: 'integer', minimum: 1, maximum: 100 } } }, 'X').length, 1);
  assert.equal(differences(validation, { ...doc, properties: { k: doc.properties!.k! } }, 'X').length, 1);
  assert.equal(differences(validation, { ...doc, additionalProperties: true }, 'X').length, 1);
});

type Operation = { operationId?: string; parameters?: Array<{ name: string; in: string; required?: boolean }>; requestBody?: { content: Record<string, { schema: JsonSchema }> } };

function documentedOperations(): Array<[string, Operation]> {
  return Object.entries(document.paths as unknown as Record<string, Record<string, unknown>>).flatMap(([path, item]) =>
    Object.entries(item)
      .filter(([method]) => method !== 'parameters')
      .map(([method, op]): [string, Operation] => [`${method.toUpperCase()} ${path}`, op as Operation]),
  );
}

test('every operation that reads a body or a query string documents the schema app.ts validates it with', () => {
  const seen = new Set<string>();
  for (const [key, op] of documentedOperations()) {
    const schemas = op.operationId === undefined ? undefined : (REQUEST_SCHEMAS as Record<string, { body?: z.ZodType; query?: z.ZodType }>)[op.operationId];
    if (op.requestBody !== undefined || op.parameters?.some((p) => p.in === 'query')) assert.ok(schemas, `${key} documents input but names no REQUEST_SCHEMAS entry`);
    if (!schemas) continue;
    seen.add(op.operationId!);
    if (schemas.body) {
      for (const [type, { schema }] of Object.entries(op.requestBody?.content ?? {})) {
        const name = schema.$ref?.replace('#/components/schemas/', '');
        assert.equal(name !== undefined && API_COMPONENTS[name], schemas.body, `${key} ${type}: the body is documented by its validation schema`);
      }
      assert.ok(op.requestBody, `${key} documents its body`);
    } else assert.equal(op.requestBody, undefined, `${key} takes no body`);
    const queryNames = (op.parameters ?? []).filter((p) => p.in === 'query').map((p) => p.name).sort();
    const validatedNames = schemas.query ? Object.keys((generated(schemas.query).properties ?? {}) as object).sort() : [];
    assert.deepEqual(queryNames, validatedNames, `${key}: the query parameters are the validated ones`);
    const required = new Set((schemas.query ? (generated(schemas.query).required as string[] | undefined) : undefined) ?? []);
    for (const p of op.parameters ?? []) if (p.in === 'query') assert.equal(p.required, required.has(p.name), `${key}: ${p.name} required`);
  }
  assert.deepEqual([...seen].sort(), Object.keys(REQUEST_SCHEMAS).sort(), 'every validated operation is documented');
});

test('the documented query parameters carry the parsed bounds: limit is an integer from 1 to 1000, filter a JSON Filter', () => {
  const list = documentedOperations().find(([, op]) => op.operationId === 'listDocuments')![1] as unknown as {
    parameters: Array<{ name: string; schema?: JsonSchema; content?: Record<string, { schema: JsonSchema }> }>;
  };
  const limit = list.parameters.find((p) => p.name === 'limit')!;
  assert.deepEqual([limit.schema?.type, limit.schema?.minimum, limit.schema?.maximum, limit.schema?.default], ['integer', 1, 1000, 100]);
  assert.deepEqual(list.parameters.find((p) => p.name === 'filter')!.content?.['application/json']?.schema, { $ref: '#/components/schemas/Filter' });
});

/** The keywords of an OpenAPI 3.0 Schema Object (3.0.3, section 4.7.24); anything else (such as $id, const, propertyNames) is invalid there. */
const OPENAPI_30_KEYWORDS = new Set([
  'title', 'multipleOf', 'maximum', 'exclusiveMaximum', 'minimum', 'exclusiveMinimum', 'maxLength', 'minLength', 'pattern', 'maxItems', 'minItems',
  'uniqueItems', 'maxProperties', 'minProperties', 'required', 'enum', 'type', 'allOf', 'oneOf', 'anyOf', 'not', 'items', 'properties',
  'additionalProperties', 'description', 'format', 'default', 'nullable', 'discriminator', 'readOnly', 'writeOnly', 'xml', 'externalDocs', 'example',
  'deprecated', '$ref',
]);

/** Keywords outside OpenAPI 3.0, as "path: keyword" lines, walking sub-schemas (property names are not keywords). */
function foreignKeywords(schema: unknown, at: string): string[] {
  if (schema === null || typeof schema !== 'object' || Array.isArray(schema)) return [];
  const out: string[] = [];
  for (const [key, value] of Object.entries(schema)) {
    if (!OPENAPI_30_KEYWORDS.has(key)) out.push(`${at}: ${key}`);
    else if (key === 'properties') for (const [name, sub] of Object.entries(value as object)) out.push(...foreignKeywords(sub, `${at}.${name}`));
    else if (key === 'allOf' || key === 'oneOf' || key === 'anyOf') (value as unknown[]).forEach((sub, i) => out.push(...foreignKeywords(sub, `${at}|${i}`)));
    else if (key === 'items' || key === 'not' || (key === 'additionalProperties' && typeof value === 'object')) out.push(...foreignKeywords(value, `${at}.${key}`));
  }
  return out;
}

test('every schema in the document uses only OpenAPI 3.0 Schema Object keywords', () => {
  const found = Object.entries(documented).flatMap(([name, schema]) => foreignKeywords(schema, name));
  for (const [key, op] of documentedOperations()) {
    const responses = (op as { responses?: Record<string, { content?: Record<string, { schema: unknown }> }> }).responses ?? {};
    for (const [code, response] of Object.entries(responses)) for (const { schema } of Object.values(response.content ?? {})) found.push(...foreignKeywords(schema, `${key} ${code}`));
    for (const { schema } of Object.values(op.requestBody?.content ?? {})) found.push(...foreignKeywords(schema, `${key} body`));
    for (const p of (op.parameters ?? []) as Array<{ schema?: unknown; content?: Record<string, { schema: unknown }> }>) {
      found.push(...foreignKeywords(p.schema, `${key} parameter`));
      for (const { schema } of Object.values(p.content ?? {})) found.push(...foreignKeywords(schema, `${key} parameter`));
    }
  }
  assert.deepEqual(found, []);
  assert.deepEqual(foreignKeywords({ type: 'object', properties: { a: { const: 1 } }, propertyNames: {} }, 'X'), ['X.a: const', 'X: propertyNames']);
});
