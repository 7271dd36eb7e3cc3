/**
 * The PostgreSQL store across processes, on a real engine (PGlite over the wire protocol): two `tafuta serve`
 * processes on one database see each other's acknowledged writes at once; a lost database answers 503 with
 * Retry-After (never a 500 or a crash) while the server stays up; a server without pgvector refuses
 * to start, naming the extension; a bad store URL is a usage error.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { CLI, startCliServer, type CliServer } from '../helpers/cli-server.js';
import { tempDir } from '../helpers/engine.js';
import { emptyDatabase, sharedPgliteServer, startPgliteServer, stopSharedPgliteServer, type PgliteServer } from '../helpers/postgres.js';

const post = (url: string, path: string, body: unknown) =>
  fetch(`${url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

const servers: CliServer[] = [];
async function serve(storeUrl: string): Promise<CliServer> {
  const server = await startCliServer(tempDir(), { args: ['--store', storeUrl], startTimeoutMs: 120_000 });
  servers.push(server);
  return server;
}

async function stopAll(): Promise<void> {
  await Promise.all(servers.splice(0).map(async (s) => {
    s.child.kill('SIGTERM');
    await s.exited;
  }));
}

after(async () => {
  await stopAll();
  await Promise.all([stopSharedPgliteServer(), own?.then((s) => s.stop()), bare?.then((s) => s.stop())]);
});

let storeUrl: string;
/** Started together: PGlite's start-up (WASM compilation) dominates this file's time. */
let own: Promise<PgliteServer>;
/** `own` keeps its database in a directory, so that it can be stopped and started again with its data. */
const ownDataDir = tempDir();
let bare: Promise<PgliteServer>;
before(async () => {
  own = startPgliteServer({ dataDir: ownDataDir });
  bare = startPgliteServer({ extensions: '@electric-sql/pglite-pg_textsearch:pg_textsearch' });
  storeUrl = (await sharedPgliteServer()).url;
  await emptyDatabase(storeUrl);
});

test('two servers on one PostgreSQL: a write acknowledged by one is found by the next search on the other', async () => {
  const [a, b] = [await serve(storeUrl), await serve(storeUrl)];
  assert.equal((await post(a.url, '/v1/collections', { name: 'shared' })).status, 201);
  const info = (await (await fetch(`${b.url}/v1/info`)).json()) as { store: { kind: string; text_ranking: string } };
  assert.deepEqual(info.store.kind, 'postgres');
  assert.equal(info.store.text_ranking, 'bm25', 'pg_textsearch is loaded in the test server');
  for (let i = 0; i < 3; i++) {
    const writer = i % 2 === 0 ? a : b;
    const reader = i % 2 === 0 ? b : a;
    const text = `kisima namba ${i} kijijini mwetu kina maji safi ya kunywa`;
    const written = await post(writer.url, '/v1/collections/shared/documents', { documents: [{ id: `w${i}`, text, lang: 'sw' }] });
    assert.equal(written.status, 200);
    for (const mode of ['dense', 'bm25', 'hybrid']) {
      const found = (await (await post(reader.url, '/v1/collections/shared/search', { query: text, mode, k: 1 })).json()) as { results: Array<{ id: string }> };
      assert.equal(found.results[0]?.id, `w${i}`, `${mode} search on the other server after write ${i}`);
    }
  }
  const deleted = await fetch(`${a.url}/v1/collections/shared/documents/w0`, { method: 'DELETE' });
  assert.equal(deleted.status, 200);
  const gone = await fetch(`${b.url}/v1/collections/shared/documents/w0`);
  assert.equal(gone.status, 404);
  await stopAll();
});

test('the database goes away: 503 STORE_UNAVAILABLE with Retry-After, the server stays up; it comes back: reads and writes work again', async () => {
  const database = await own;
  const server = await serve(database.url);
  try {
    assert.equal((await post(server.url, '/v1/collections', { name: 'c' })).status, 201);
    const before = await post(server.url, '/v1/collections/c/documents', { documents: [{ id: 'before', text: 'kisima cha maji safi kijijini', lang: 'sw' }] });
    assert.equal(before.status, 200);
    await database.stop();
    const whileAway = [
      await post(server.url, '/v1/collections/c/search', { query: 'maji' }),
      await fetch(`${server.url}/v1/collections`),
      await post(server.url, '/v1/collections/c/documents', { documents: [{ id: 'lost', text: 'haitaandikwa' }] }),
    ];
    for (const response of whileAway) {
      assert.equal(response.status, 503);
      assert.ok(Number(response.headers.get('retry-after')) > 0);
      assert.equal(((await response.json()) as { error: { code: string } }).error.code, 'STORE_UNAVAILABLE');
    }
    assert.equal(server.child.exitCode, null, 'still running');
    assert.equal((await fetch(`${server.url}/healthz`)).status, 200);

    // The same database, served again on the same port: tafuta's pool connects again on the next request.
    own = startPgliteServer({ dataDir: ownDataDir, port: Number(new URL(database.url).port) });
    await own;
    const found = await post(server.url, '/v1/collections/c/search', { query: 'kisima cha maji safi', k: 1 });
    assert.equal(found.status, 200, await found.clone().text());
    assert.equal(((await found.json()) as { results: Array<{ id: string }> }).results[0]?.id, 'before');
    const written = await post(server.url, '/v1/collections/c/documents', { documents: [{ id: 'after', text: 'shamba la mahindi baada ya mvua', lang: 'sw' }] });
    assert.equal(written.status, 200, await written.clone().text());
    for (const mode of ['dense', 'bm25', 'hybrid']) {
      const response = await post(server.url, '/v1/collections/c/search', { query: 'shamba la mahindi baada ya mvua', mode, k: 1 });
      assert.equal(((await response.json()) as { results: Array<{ id: string }> }).results[0]?.id, 'after', mode);
    }
    assert.equal(server.child.exitCode, null, 'the same process throughout');
  } finally {
    await (await own).stop();
    await stopAll();
  }
});

test('a PostgreSQL without pgvector: serve refuses to start and names the extension', async () => {
  try {
    await assert.rejects(serve((await bare).url), /"vector" extension.*pgvector/s);
  } finally {
    await (await bare).stop();
  }
});

test('a store URL that is not postgres:// is a usage error (exit 2) before anything opens', () => {
  const run = spawnSync(process.execPath, [CLI, 'serve', '--port', '0', '--store', 'mysql://x@y/z'], { encoding: 'utf8', env: { ...process.env, TAFUTA_LOG_LEVEL: 'warn' } });
  assert.equal(run.status, 2, run.stderr);
  assert.match(run.stderr, /--store must start with postgres:\/\//);
  const fromEnv = spawnSync(process.execPath, [CLI, 'serve', '--port', '0'], { encoding: 'utf8', env: { ...process.env, TAFUTA_LOG_LEVEL: 'warn', TAFUTA_STORE_URL: 'not a url' } });
  assert.equal(fromEnv.status, 2, fromEnv.stderr);
  assert.match(fromEnv.stderr, /TAFUTA_STORE_URL must be a PostgreSQL URL/);
});
