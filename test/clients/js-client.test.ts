/**
 * clients/js against the real server, its types against the served /openapi.json (field lists that the compiler
 * holds equal to the types, and this test equal to the document), and its README example run as written.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { PACKAGE_ROOT } from '../../bin/runtime.js';
import { SEARCH_MODES, TafutaApiError, TafutaClient } from '../../clients/js/index.js';
import type { Collection, CreateCollection, Document, SearchRequest, SearchResponse, SearchResult, StoredDocument } from '../../clients/js/index.js';
import { readmeExample } from '../helpers/readme-example.js';
import { ADMIN_KEY, COLLECTION, startMultilingualServer, type MultilingualServer } from '../helpers/multilingual-server.js';

/** `satisfies Record<keyof T, true>`: a field missing from, or extra to, the type does not compile. */
const FIELDS = {
  SearchRequest: { query: true, vector: true, k: true, ef: true, lang: true, mode: true, filter: true, offset: true, group_by: true, highlight: true } satisfies Record<keyof SearchRequest, true>,
  SearchResponse: { results: true, query_lang: true, mode: true, took_ms: true } satisfies Record<keyof SearchResponse, true>,
  SearchResult: {
    id: true, passage_id: true, text: true, score: true, rank: true, lang: true, lang_detected: true, title: true, metadata: true, matched_passages: true, highlights: true,
  } satisfies Record<keyof SearchResult, true>,
  Document: { id: true, text: true, lang: true, title: true, metadata: true, vector: true } satisfies Record<keyof Document, true>,
  StoredDocument: { id: true, text: true, lang: true, lang_detected: true, title: true, metadata: true, passages: true, updatedAt: true, vector: true } satisfies Record<keyof StoredDocument, true>,
  CreateCollection: { name: true, encoder: true, dim: true, config: true } satisfies Record<keyof CreateCollection, true>,
  Collection: {
    name: true, encoder: true, dim: true, encoderVersion: true, encoderChanged: true, config: true, createdAt: true, documents: true, passages: true, indexedVectors: true, search: true, languages: true,
  } satisfies Record<keyof Collection, true>,
};

type Schema = { properties?: Record<string, Schema>; items?: Schema; enum?: unknown[] };

describe('the JavaScript client', () => {
  let tafuta: MultilingualServer;
  let client: TafutaClient;

  before(async () => {
    tafuta = await startMultilingualServer();
    client = new TafutaClient({ baseUrl: `${tafuta.url}/`, apiKey: ADMIN_KEY });
  });

  after(async () => {
    await tafuta?.stop();
  });

  test("the types' fields are the OpenAPI document's", async () => {
    const doc = await tafuta.api<{ components: { schemas: Record<string, Schema> } }>('GET', '/openapi.json');
    const schemas = doc.components.schemas;
    const properties: Record<keyof typeof FIELDS, Schema | undefined> = {
      SearchRequest: schemas.SearchRequest,
      SearchResponse: schemas.SearchResponse,
      SearchResult: schemas.SearchResponse?.properties?.results?.items,
      Document: schemas.Document,
      StoredDocument: schemas.StoredDocument,
      CreateCollection: schemas.CreateCollection,
      Collection: schemas.Collection,
    };
    for (const [name, fields] of Object.entries(FIELDS)) {
      assert.deepEqual(Object.keys(fields).sort(), Object.keys(properties[name as keyof typeof FIELDS]?.properties ?? {}).sort(), name);
    }
    assert.deepEqual([...SEARCH_MODES].sort(), [...(schemas.SearchRequest?.properties?.mode?.enum ?? [])].sort(), 'search modes');
  });

  test('searches in Swahili, Hausa and Amharic find their documents, with highlights', async () => {
    for (const [query, expected] of [['haki ya elimu', 'sw-elimu'], ["'yancin samun ilimi", 'ha-ilimi'], ['የመማር መብት', 'am-timhirt']] as const) {
      const answer = await client.search(COLLECTION, { query, k: 3, mode: 'hybrid', highlight: true, group_by: 'document' });
      assert.equal(answer.results[0]?.id, expected, query);
      assert.equal(answer.mode, 'hybrid');
      const term = answer.results[0]!.highlights!.terms![0]!;
      assert.ok(answer.results[0]!.text.slice(term.start, term.end).length > 0);
    }
    const filtered = await client.search(COLLECTION, { query: 'haki', mode: 'dense', k: 2, offset: 1, filter: { lang: 'sw' } });
    assert.deepEqual(filtered.results.map((r) => [r.rank, r.lang]), [[2, 'sw']]);
  });

  test('collections and documents: create, upsert, list by cursor, patch, delete', async () => {
    const name = 'js-client';
    assert.equal((await client.createCollection({ name })).name, name);
    const documents = Array.from({ length: 5 }, (_, i) => ({ id: `d/${i}`, text: `Hati nambari ${i} ya majaribio.`, lang: 'sw' }));
    assert.equal((await client.upsertDocuments(name, documents)).upserted, 5);
    const ids: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await client.listDocuments(name, { limit: 2, cursor, filter: { lang: 'sw' } });
      ids.push(...page.documents.map((d) => d.id));
      cursor = page.next_cursor ?? undefined;
    } while (cursor !== undefined);
    assert.deepEqual(ids, documents.map((d) => d.id));
    const patched = await client.patchDocument(name, 'd/1', { title: 'Kichwa', metadata: { chanzo: 'jaribio' } });
    assert.deepEqual([patched.title, patched.metadata], ['Kichwa', { chanzo: 'jaribio' }]);
    assert.equal((await client.getDocument(name, 'd/1')).title, 'Kichwa');
    assert.deepEqual(await client.deleteDocument(name, 'd/0'), { deleted: 'd/0' });
    assert.deepEqual(await client.deleteDocuments(name, { ids: ['d/2', 'd/3'] }), { deleted: 2 });
    assert.equal((await client.getCollection(name)).documents, 2);
    await assert.rejects(client.deleteCollection(name), (error: unknown) => error instanceof TafutaApiError && error.status === 409 && error.code === 'COLLECTION_NOT_EMPTY');
    assert.deepEqual(await client.deleteCollection(name, { force: true }), { deleted: name });
    assert.ok(!(await client.listCollections()).some((c) => c.name === name));
    assert.ok((await client.info()).encoders.length > 0);
  });

  test('errors carry the API code; a wrong key is a 401', async () => {
    await assert.rejects(client.getDocument(COLLECTION, 'no-such-document'), (error: unknown) => error instanceof TafutaApiError && error.code === 'DOCUMENT_NOT_FOUND' && error.status === 404);
    const wrongKey = new TafutaClient({ baseUrl: tafuta.url, apiKey: 'wrong' });
    await assert.rejects(wrongKey.info(), (error: unknown) => error instanceof TafutaApiError && error.code === 'UNAUTHORIZED' && error.status === 401);
  });

  test('the README example runs as written (importing tafuta/client from inside the repository)', () => {
    const example = path.join(PACKAGE_ROOT, 'dist', 'clients', 'js', 'readme-example.mjs');
    fs.writeFileSync(example, readmeExample(path.join(PACKAGE_ROOT, 'clients', 'js', 'README.md'), 'js'));
    const run = spawnSync(process.execPath, [example], { encoding: 'utf8', timeout: 60_000, env: { ...process.env, TAFUTA_URL: tafuta.url, TAFUTA_API_KEY: ADMIN_KEY } });
    assert.equal(run.status, 0, run.stderr);
    assert.match(run.stdout, /^query language \S+, mode (dense|hybrid)\n1 mvua sw /);
  });
});
