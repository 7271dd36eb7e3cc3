/**
 * The request schemas /openapi.json documents say what the zod schemas that validate the requests say: the same
 * fields, types, bounds, enums, defaults and closed objects, compared with zod's own JSON Schema of each
 * (z.toJSONSchema). The documentation adds descriptions and patterns for the checks JSON Schema cannot express.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { z } from 'zod';
import { openApiDocument } from '../../server/openapi.js';
import {
  createCollectionSchema, deleteDocumentsSchema, documentSchema, patchDocumentSchema, searchFilterSchema, searchSchema, upsertDocumentsSchema,
} from '../../indexer/schemas.js';

type JsonSchema = Record<string, unknown> & { properties?: Record<string, JsonSchema>; items?: JsonSchema; anyOf?: JsonSchema[]; oneOf?: JsonSchema[]; $ref?: string };

const documented = openApiDocument('t').components.schemas as unknown as Record<string, JsonSchema>;

/** A documented schema with its $refs followed (keywords beside a $ref, such as a description, are kept). */
function resolve(schema: JsonSchema | undefined): JsonSchema | undefined {
  let current = schema;
  while (current?.$ref !== undefined) {
    const { $ref, ...beside } = current;
    current = { ...documented[$ref.replace('#/components/schemas/', '')], ...beside };
  }
  return current;
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

const REQUEST_SCHEMAS: Record<string, z.ZodType> = {
  CreateCollection: createCollectionSchema,
  Document: documentSchema,
  UpsertDocuments: upsertDocumentsSchema,
  DocumentPatch: patchDocumentSchema,
  DeleteDocuments: deleteDocumentsSchema,
  SearchRequest: searchSchema,
  Filter: searchFilterSchema,
};

for (const [name, schema] of Object.entries(REQUEST_SCHEMAS)) {
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
