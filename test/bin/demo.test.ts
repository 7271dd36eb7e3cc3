/**
 * `tafuta demo` as a newcomer runs it (`npm start`): a child process that indexes the shipped demo corpus into a
 * fresh data directory, then serves it from the same engine — searches must work after the import, and SIGTERM ends it.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { startCliServer } from '../helpers/cli-server.js';

test('tafuta demo indexes the demo corpus, answers searches with the shipped model, and exits 0 on SIGTERM', { timeout: 120_000 }, async (t) => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'tafuta-demo-'));
  t.after(() => fs.rmSync(dataDir, { recursive: true, force: true }));
  const server = await startCliServer(dataDir, { verb: 'demo', env: { TAFUTA_DEFAULT_ENCODER: 'cmtp-base' }, startTimeoutMs: 90_000 });
  try {
    const response = await fetch(`${server.url}/v1/collections/demo/search`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: 'haki ya elimu', k: 3 }),
    });
    const body = (await response.json()) as { results?: Array<{ id: string }> };
    assert.equal(response.status, 200, JSON.stringify(body));
    assert.equal(body.results?.length, 3);
  } finally {
    server.child.kill('SIGTERM');
  }
  assert.deepEqual(await server.exited, { code: 0, signal: null }, server.stderr());
});
