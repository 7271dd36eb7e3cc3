/**
 * Document ids and collection deletes against clients that rewrite URLs: fetch (like curl and browsers) resolves
 * `.`/`..` path segments, also spelled `%2e`, before sending, so `DELETE …/documents/..` reaches the server as
 * `DELETE /v1/collections/<name>`. Such ids cannot be stored, and the rewritten request cannot drop a collection
 * that holds documents.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Engine } from '../../indexer/engine.js';
import { silentLogger } from '../../core/logger.js';
import { startWebServer, type RunningServer } from '../../server/start.js';
import { SAMPLE_DOCUMENTS, testEngine } from '../helpers/engine.js';

describe('document ids a client could rewrite', () => {
  let engine: Engine;
  let server: RunningServer;
  const headers = { 'content-type': 'application/json' };
  const post = (path: string, body: unknown) => fetch(`${server.url}${path}`, { method: 'POST', headers, body: JSON.stringify(body) });

  before(async () => {
    engine = testEngine(undefined);
    server = await startWebServer({ engine, logger: silentLogger, version: 'test', host: '127.0.0.1', port: 0, bodyLimit: '1mb' });
    assert.equal((await post('/v1/collections', { name: 'keep' })).status, 201);
    assert.equal((await post('/v1/collections/keep/documents', { documents: SAMPLE_DOCUMENTS })).status, 200);
  });
  after(async () => {
    await server.stop();
    await engine.close();
  });

  test('ids that are dot segments, or hold characters URLs drop, are refused with 400 and nothing is written', async () => {
    for (const id of ['.', '..', '%2e%2e', '%2E', '.%2e', 'a\tb', 'line\nbreak', 'nul\u0000', '\u0085']) {
      const res = await post('/v1/collections/keep/documents', { documents: [{ id: 'fine', text: 'maji' }, { id, text: 'maji' }] });
      assert.equal(res.status, 400, JSON.stringify(id));
      const body = (await res.json()) as { error: { code: string; message: string } };
      assert.equal(body.error.code, 'INVALID_ARGUMENT');
      assert.match(body.error.message, /id must not/);
    }
    assert.equal((await engine.getCollection('keep')).documents, SAMPLE_DOCUMENTS.length, 'the batches were refused whole');
  });

  test('a DELETE of document ".." that the client rewrites into a collection delete leaves the collection whole', async () => {
    for (const id of ['..', '%2e%2e', '.%2E']) {
      const res = await fetch(`${server.url}/v1/collections/keep/documents/${id}`, { method: 'DELETE' });
      assert.equal(res.status, 409, `DELETE …/documents/${id}`);
      assert.equal(((await res.json()) as { error: { code: string } }).error.code, 'COLLECTION_NOT_EMPTY');
    }
    assert.equal((await engine.getCollection('keep')).documents, SAMPLE_DOCUMENTS.length);
  });

  test('ids that look like paths but are not dot segments are stored and addressable', async () => {
    const ids = ['...', '..a', 'a/..', '../x', '%2F', 'a b'];
    assert.equal((await post('/v1/collections/keep/documents', { documents: ids.map((id) => ({ id, text: `maji ${id}` })) })).status, 200);
    for (const id of ids) {
      const got = await fetch(`${server.url}/v1/collections/keep/documents/${encodeURIComponent(id)}`);
      assert.equal(got.status, 200, id);
      assert.equal(((await got.json()) as { id: string }).id, id);
    }
    for (const id of ids) assert.equal((await fetch(`${server.url}/v1/collections/keep/documents/${encodeURIComponent(id)}`, { method: 'DELETE' })).status, 200, id);
    assert.equal((await engine.getCollection('keep')).documents, SAMPLE_DOCUMENTS.length);
  });

  test('a collection with documents is deleted only with force=true; an empty one without', async () => {
    assert.equal((await post('/v1/collections', { name: 'empty' })).status, 201);
    assert.equal((await fetch(`${server.url}/v1/collections/empty`, { method: 'DELETE' })).status, 200);
    assert.equal((await fetch(`${server.url}/v1/collections/keep?force=false`, { method: 'DELETE' })).status, 409);
    const forced = await fetch(`${server.url}/v1/collections/keep?force=true`, { method: 'DELETE' });
    assert.equal(forced.status, 200);
    assert.deepEqual(await forced.json(), { deleted: 'keep' });
  });
});
