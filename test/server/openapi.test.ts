/** /openapi.json is OpenAPI 3 and describes exactly the routes the app serves, and what they answer. */
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import request from 'supertest';
import type { Express } from 'express';
import { createApp } from '../../server/app.js';
import { openApiDocument } from '../../server/openapi.js';
import { silentLogger } from '../../core/logger.js';
import type { Engine } from '../../indexer/engine.js';
import { COLLECTION_NAME_PATTERN } from '../../indexer/config.js';
import { LIMITS } from '../../indexer/schemas.js';
import { appRoutes } from '../helpers/app-routes.js';
import { SAMPLE_DOCUMENTS, testEngine } from '../helpers/engine.js';
import type { z } from 'zod';
import {
  collectionListSchema, collectionSchema, deletedCountSchema, deletedSchema, documentPageSchema, errorResponseSchema, infoSchema, searchResponseSchema,
  statusSchema, storedDocumentSchema, upsertResultSchema,
} from '../../server/api-schemas.js';

const VERSION = '3.2.1-openapi';
const HTTP_METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'] as const;

interface Operation {
  summary?: string;
  parameters?: Parameter[];
  requestBody?: unknown;
  responses: Record<string, { description?: string; content?: Record<string, { schema?: unknown }> }>;
}
interface Parameter {
  name: string;
  in: string;
  required?: boolean;
}
type PathItem = Partial<Record<(typeof HTTP_METHODS)[number], Operation>> & { parameters?: Parameter[] };
interface OpenApi {
  openapi: string;
  info: { title: string; version: string };
  paths: Record<string, PathItem>;
  components: { schemas: Record<string, Record<string, unknown>> };
}

function documentedRoutes(doc: OpenApi): Set<string> {
  const routes = new Set<string>();
  for (const [path, item] of Object.entries(doc.paths)) {
    for (const method of HTTP_METHODS) if (item[method]) routes.add(`${method.toUpperCase()} ${path}`);
  }
  return routes;
}

function operations(doc: OpenApi): Array<{ key: string; path: string; item: PathItem; op: Operation }> {
  return Object.entries(doc.paths).flatMap(([path, item]) =>
    HTTP_METHODS.flatMap((m) => (item[m] ? [{ key: `${m.toUpperCase()} ${path}`, path, item, op: item[m] }] : [])),
  );
}

function collectRefs(value: unknown, out: string[] = []): string[] {
  if (Array.isArray(value)) for (const v of value) collectRefs(v, out);
  else if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      if (k === '$ref' && typeof v === 'string') out.push(v);
      else collectRefs(v, out);
    }
  }
  return out;
}

describe('OpenAPI document', () => {
  let engine: Engine;
  let app: Express;
  let doc: OpenApi;

  before(async () => {
    engine = testEngine(undefined);
    app = createApp({ engine, logger: silentLogger, version: VERSION, bodyLimit: '1mb' });
    const res = await request(app).get('/openapi.json');
    assert.equal(res.status, 200);
    assert.match(String(res.headers['content-type']), /^application\/json/);
    doc = res.body as OpenApi;
  });

  after(() => engine.close());

  test('is OpenAPI 3 with the server version', () => {
    assert.match(doc.openapi, /^3\.\d+\.\d+$/);
    assert.equal(doc.info.title, 'tafuta');
    assert.equal(doc.info.version, VERSION);
    assert.equal(typeof doc.paths, 'object');
    assert.deepEqual(doc, JSON.parse(JSON.stringify(openApiDocument(VERSION))), 'served as built');
  });

  test('the route enumeration sees the app (sanity)', () => {
    const routes = appRoutes(app);
    assert.ok(routes.size >= 10, `only ${routes.size} routes found`);
    for (const r of ['GET /healthz', 'POST /v1/collections', 'POST /v1/collections/{name}/search', 'DELETE /v1/collections/{name}/documents/{id}']) {
      assert.ok(routes.has(r), `${r} in ${[...routes].join(', ')}`);
    }
  });

  test('every route the app serves is documented', () => {
    const documented = documentedRoutes(doc);
    const missing = [...appRoutes(app)].filter((r) => !documented.has(r));
    assert.deepEqual(missing, []);
  });

  test('every documented operation is served by the app', () => {
    const served = appRoutes(app);
    const extra = [...documentedRoutes(doc)].filter((r) => !served.has(r));
    assert.deepEqual(extra, []);
  });

  test('the two route sets are equal', () => {
    assert.deepEqual([...documentedRoutes(doc)].sort(), [...appRoutes(app)].sort());
  });

  test('every operation declares at least one 2xx response, and only real status codes', () => {
    for (const { key, op } of operations(doc)) {
      const codes = Object.keys(op.responses ?? {});
      assert.ok(codes.some((c) => /^2\d\d$/.test(c)), `${key} declares no 2xx response (has ${codes.join(', ')})`);
      for (const code of codes) assert.match(code, /^[1-5]\d\d$|^default$/, `${key}: ${code}`);
      for (const [code, response] of Object.entries(op.responses)) {
        assert.equal(typeof response.description, 'string', `${key} ${code} has a description`);
        if (/^[45]/.test(code)) assert.deepEqual(response.content?.['application/json']?.schema, { $ref: '#/components/schemas/Error' }, `${key} ${code}`);
      }
    }
  });

  test('every path template parameter is declared as a required path parameter', () => {
    for (const { key, path, item, op } of operations(doc)) {
      const declared = [...(item.parameters ?? []), ...(op.parameters ?? [])].filter((p) => p.in === 'path');
      const templated = [...path.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]!);
      assert.deepEqual(declared.map((p) => p.name).sort(), [...templated].sort(), key);
      for (const p of declared) assert.equal(p.required, true, `${key}: {${p.name}} is required`);
    }
  });

  test('body-taking operations declare a JSON request body', () => {
    for (const { key, op } of operations(doc)) {
      if (key.startsWith('POST ') || key.startsWith('PATCH ')) assert.ok(op.requestBody, `${key} has a requestBody`);
      else assert.equal(op.requestBody, undefined, `${key} takes no body`);
    }
  });

  test('every $ref resolves to a component schema', () => {
    const refs = collectRefs(doc);
    assert.ok(refs.length > 0);
    for (const ref of refs) {
      const match = /^#\/components\/schemas\/(.+)$/.exec(ref);
      assert.ok(match, `unsupported $ref ${ref}`);
      assert.ok(doc.components.schemas[match[1]!], `${ref} is defined`);
    }
  });

  test('the documented limits match the validation schemas', () => {
    const schemas = doc.components.schemas as Record<string, { properties: Record<string, Record<string, unknown>> }>;
    const search = schemas.SearchRequest!.properties;
    assert.equal(search.k!.maximum, LIMITS.maxK);
    assert.equal(search.k!.minimum, 1);
    assert.equal(search.query!.maxLength, LIMITS.maxQueryChars);
    assert.deepEqual(search.mode!.enum, ['dense', 'bm25', 'hybrid', 'translate', 'translate-hybrid', 'translate-dense', 'auto']);
    assert.equal(search.offset!.maximum, LIMITS.maxK - 1);
    assert.deepEqual(search.group_by!.enum, ['document']);
    assert.equal(search.highlight!.type, 'boolean');
    const upsert = schemas.UpsertDocuments!.properties;
    assert.equal(upsert.documents!.maxItems, LIMITS.maxDocumentsPerBatch);
    assert.equal(upsert.documents!.minItems, 1);
    assert.equal(schemas.Document!.properties.id!.maxLength, LIMITS.maxIdChars);
    assert.equal(search.vector!.maxItems, LIMITS.maxVectorDim);
    assert.equal(schemas.Document!.properties.vector!.maxItems, LIMITS.maxVectorDim);
    assert.equal(schemas.CreateCollection!.properties.dim!.maximum, LIMITS.maxVectorDim);
    assert.equal(schemas.CreateCollection!.properties.dim!.minimum, 1);
    const name = schemas.CreateCollection!.properties.name as { pattern: string };
    assert.equal(name.pattern, COLLECTION_NAME_PATTERN.source);
  });

  /** The answer is what the response schema documents: it parses, and parsing (which drops unknown fields) keeps all of it. */
  function assertAnswers(schema: z.ZodType, body: unknown, what: string) {
    const parsed = schema.safeParse(body);
    assert.ok(parsed.success, `${what}: ${parsed.error?.message}`);
    assert.deepEqual(parsed.data, body, `${what} answers only documented fields`);
  }

  test('real answers match the documented response schemas', async () => {
    const get = (path: string) => request(app).get(path);
    assertAnswers(statusSchema, (await get('/healthz')).body, 'GET /healthz');
    const created = await request(app).post('/v1/collections').send({ name: 'answers' });
    assert.equal(created.status, 201);
    assertAnswers(collectionSchema, created.body, 'POST /v1/collections');
    const upserted = await request(app).post('/v1/collections/answers/documents').send({ documents: [...SAMPLE_DOCUMENTS, { id: 'guessed', text: 'Habari za asubuhi, watoto wote wako shuleni leo.' }] });
    assertAnswers(upsertResultSchema, upserted.body, 'POST …/documents');
    assertAnswers(collectionSchema, (await get('/v1/collections/answers')).body, 'GET …/{name}');
    assertAnswers(collectionListSchema, (await get('/v1/collections')).body, 'GET /v1/collections');
    assertAnswers(infoSchema, (await get('/v1/info')).body, 'GET /v1/info');
    assertAnswers(documentPageSchema, (await get('/v1/collections/answers/documents?limit=2')).body, 'GET …/documents');
    assertAnswers(storedDocumentSchema, (await get('/v1/collections/answers/documents/guessed')).body, 'GET …/documents/{id}');
    for (const search of [
      { query: 'maji safi', mode: 'hybrid', highlight: true, group_by: 'document' },
      { query: 'maji', mode: 'bm25', k: 3, filter: { lang: 'sw', metadata: { year: { $gte: 2020 } } } },
      { query: 'watoto', mode: 'dense', highlight: true },
    ]) {
      const answer = await request(app).post('/v1/collections/answers/search').send(search);
      assert.equal(answer.status, 200, JSON.stringify(answer.body));
      assert.ok(answer.body.results.length > 0, JSON.stringify(search));
      assertAnswers(searchResponseSchema, answer.body, `search ${JSON.stringify(search)}`);
    }
    const patched = await request(app).patch('/v1/collections/answers/documents/sw-1').send({ title: 'Maji safi', metadata: { year: null } });
    assertAnswers(storedDocumentSchema, patched.body, 'PATCH …/documents/{id}');
    assertAnswers(deletedSchema, (await request(app).delete('/v1/collections/answers/documents/sw-2')).body, 'DELETE …/documents/{id}');
    assertAnswers(deletedCountSchema, (await request(app).post('/v1/collections/answers/documents/delete').send({ ids: ['guessed'] })).body, 'POST …/documents/delete');
    assertAnswers(errorResponseSchema, (await get('/v1/collections/none-such')).body, 'a 404');
    assertAnswers(deletedSchema, (await request(app).delete('/v1/collections/answers?force=true')).body, 'DELETE …/{name}');
  });

  test('the answer check sees an undocumented or missing field', () => {
    assert.throws(() => assertAnswers(deletedSchema, { deleted: 'x', extra: 1 }, 'extra'));
    assert.throws(() => assertAnswers(statusSchema, {}, 'missing'));
  });
});
