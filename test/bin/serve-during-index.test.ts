/**
 * `tafuta index` into the data directory a `tafuta serve` process serves (issue 23), both real child processes: the
 * server answers with the CLI's documents, takes the graph the CLI saved instead of building it again (its first
 * search after the import finds the saved graph before it reads the imported rows), and exits on SIGTERM.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { CLI, startCliServer } from '../helpers/cli-server.js';
import { tempDir } from '../helpers/engine.js';

const EXIT_LIMIT_MS = 30_000;
const ENV = { ...process.env, TAFUTA_LOG_LEVEL: 'warn', TAFUTA_DEFAULT_ENCODER: 'hashed-ngram-v1' };

function writeDocuments(file: string, prefix: string, n: number): void {
  const lines = Array.from({ length: n }, (_, i) => JSON.stringify({ id: `${prefix}${i}`, lang: 'sw', text: `hati ${prefix} namba ${i} kijiji${prefix}${i} maji safi na kilimo` }));
  fs.writeFileSync(file, `${lines.join('\n')}\n`);
}

function index(data: string, input: string): void {
  const run = spawnSync(process.execPath, [CLI, 'index', '-c', 'c', '-i', input, '-d', data], { env: ENV, encoding: 'utf8', timeout: 60_000 });
  assert.equal(run.status, 0, run.stderr);
}

test("a server finds what `tafuta index` wrote into its data directory, through the graph the CLI saved, and exits on SIGTERM", { timeout: 120_000 }, async () => {
  const dir = tempDir('tafuta-serve-index-');
  const data = path.join(dir, 'data');
  writeDocuments(path.join(dir, 'base.jsonl'), 'a', 20);
  writeDocuments(path.join(dir, 'import.jsonl'), 'b', 1500);
  index(data, path.join(dir, 'base.jsonl'));
  const server = await startCliServer(data, { env: { TAFUTA_LOG_LEVEL: 'info', TAFUTA_RATE_LIMIT: '0' } });
  try {
    const search = async (query: string) => {
      const response = await fetch(`${server.url}/v1/collections/c/search`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query, k: 3, mode: 'dense' }) });
      assert.equal(response.status, 200);
      return ((await response.json()) as { results: Array<{ passage_id: string }> }).results.map((r) => r.passage_id);
    };
    assert.equal((await search('hati a namba 7 kijijia7 maji safi na kilimo'))[0], 'a7#0');

    index(data, path.join(dir, 'import.jsonl'));
    assert.equal((await search('hati b namba 1234 kijijib1234 maji safi na kilimo'))[0], 'b1234#0');
    assert.equal((await search('hati a namba 7 kijijia7 maji safi na kilimo'))[0], 'a7#0');
    assert.match(server.stderr(), /adopted the vector index saved by another process/);
  } finally {
    server.child.kill('SIGTERM');
  }
  const exit = await Promise.race([server.exited, new Promise<'still running'>((resolve) => setTimeout(() => resolve('still running'), EXIT_LIMIT_MS).unref())]);
  if (exit === 'still running') server.child.kill('SIGKILL');
  assert.deepEqual(exit, { code: 0, signal: null }, server.stderr());
});
