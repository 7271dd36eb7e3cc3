/**
 * The real server, in a child process, keeps answering while it writes one large document: the issue was a
 * 200,000-character document without lang that made /healthz fail 22 of 23 polls for 28 s.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { startCliServer } from '../helpers/cli-server.js';
import { tempDir } from '../helpers/engine.js';

/** Lowercase words without punctuation: one 300,000-character sentence, the splitter's worst case. */
const LARGE_TEXT = Array.from({ length: 40_000 }, (_, i) => `neno${i % 997}x`).join(' ').slice(0, 300_000);

test('health checks and searches on another collection are answered while a 300,000-character document is written', { timeout: 600_000 }, async () => {
  const server = await startCliServer(tempDir('tafuta-large-document-'), { env: { TAFUTA_WORKERS: '1' } });
  let exit: string | undefined;
  void server.exited.then(({ code, signal }) => (exit = `exited (code ${code}, signal ${signal})`));
  // A failed request says why ("fetch failed" alone, seen once under heavy load, did not) and what the server logged.
  const request = async (path: string, init?: RequestInit) => {
    try {
      return await fetch(`${server.url}${path}`, init);
    } catch (error) {
      const cause = (error as { cause?: { code?: string; message?: string } }).cause;
      throw new Error(`${init?.method ?? 'GET'} ${path}: ${(error as Error).message} (${cause?.code ?? ''} ${cause?.message ?? ''}); server ${exit ?? 'running'}; stderr: ${server.stderr()}`, { cause: error });
    }
  };
  const post = (path: string, body: unknown) => request(path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  try {
    for (const name of ['other', 'large']) assert.equal((await post('/v1/collections', { name })).status, 201);
    assert.equal((await post('/v1/collections/other/documents', { documents: [{ id: 'w', text: 'Maji safi ni muhimu kwa afya.', lang: 'sw' }] })).status, 200);

    let written = false;
    const write = post('/v1/collections/large/documents', { documents: [{ id: 'large', text: LARGE_TEXT }] }).then((res) => {
      written = true;
      return res;
    });
    // Sequential polls: each is sent once the one before was answered, so a blocked event loop answers at most one.
    const answeredDuringWrite = { healthz: 0, search: 0 };
    while (!written) {
      const health = await request('/healthz');
      if (health.ok && !written) answeredDuringWrite.healthz++;
      const search = await post('/v1/collections/other/search', { query: 'maji safi', k: 1 });
      if (search.ok && !written) answeredDuringWrite.search++;
    }
    const res = await write;
    const body = await res.text();
    assert.equal(res.status, 200, body);
    assert.ok((JSON.parse(body) as { passages: number }).passages >= 300, body);
    assert.ok(answeredDuringWrite.healthz >= 5 && answeredDuringWrite.search >= 5, `answered during the write: ${JSON.stringify(answeredDuringWrite)}`);
  } finally {
    server.child.kill('SIGTERM');
    await server.exited;
  }
});
