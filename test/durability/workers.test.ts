/**
 * `tafuta serve --workers 2`: two server processes on one port over one data directory. A write acknowledged by
 * one worker is seen by searches on either (each follows SQLite's change log); a deleted document disappears from
 * both; a worker killed with SIGKILL is replaced; SIGTERM to the primary stops both gracefully, and the index file
 * (written by worker 0 only) agrees with SQLite.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import Database from 'better-sqlite3';
import { startCliServer, type CliServer } from '../helpers/cli-server.js';
import { tempDir } from '../helpers/engine.js';

async function serveWorkers(dataDir: string, workers: number): Promise<CliServer> {
  const server = await startCliServer(dataDir, { args: ['--workers', String(workers)], startTimeoutMs: 30_000, env: { TAFUTA_LOG_LEVEL: 'info' } });
  assert.match(server.announcement, new RegExp(`\\(${workers} workers\\)$`));
  return server;
}

/** Worker processes of the primary (Linux /proc). */
function childPids(pid: number): number[] {
  const file = `/proc/${pid}/task/${pid}/children`;
  return fs.readFileSync(file, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function call(url: string, method: string, route: string, body?: unknown): Promise<{ status: number; json: any }> {
  // A fresh connection per call (no agent): the cluster hands connections to the workers in turn.
  const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
  return new Promise((resolve, reject) => {
    const req = http.request(`${url}${route}`, { method, agent: false, headers: payload ? { 'content-type': 'application/json', 'content-length': payload.length } : {} }, (res) => {
      let text = '';
      res.on('data', (c: Buffer) => (text += c.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, json: JSON.parse(text) }));
    });
    req.on('error', reject);
    req.end(payload);
  });
}

async function searchIds(url: string, query: string): Promise<string[]> {
  const { status, json } = await call(url, 'POST', '/v1/collections/c/search', { query, k: 5, mode: 'hybrid' });
  assert.equal(status, 200, JSON.stringify(json));
  return (json.results as Array<{ id: string }>).map((r) => r.id);
}

test('two workers: writes on one are searchable on both, deletions too; a killed worker is replaced; SIGTERM (even mid-restart) saves', { timeout: 90_000 }, async () => {
  const dataDir = tempDir('tafuta-workers-');
  const cluster = await serveWorkers(dataDir, 2);
  try {
    assert.equal(childPids(cluster.child.pid!).length, 2);
    assert.equal((await call(cluster.url, 'POST', '/v1/collections', { name: 'c' })).status, 201);
    const documents = Array.from({ length: 60 }, (_, i) => ({ id: `d${i}`, text: `Hati ya majaribio ${i}: maji safi, kilimo na elimu kijiji${i}.`, lang: 'sw' }));
    const written = await call(cluster.url, 'POST', '/v1/collections/c/documents', { documents });
    assert.equal(written.status, 200, JSON.stringify(written.json));

    // Read-your-writes on every worker: 12 searches over fresh connections, each must find its document first.
    for (let i = 0; i < 12; i++) {
      assert.equal((await searchIds(cluster.url, `kijiji${i * 5}`))[0], `d${i * 5}`);
    }

    // A deletion acknowledged by one worker is gone from the other's results.
    assert.equal((await call(cluster.url, 'DELETE', '/v1/collections/c/documents/d7')).status, 200);
    for (let i = 0; i < 6; i++) assert.ok(!(await searchIds(cluster.url, 'kijiji7')).includes('d7'));

    // SIGKILL one worker: the primary forks a replacement and the cluster keeps answering.
    const [victim] = childPids(cluster.child.pid!);
    process.kill(victim!, 'SIGKILL');
    const deadline = Date.now() + 20_000;
    let pids = childPids(cluster.child.pid!);
    while ((pids.length < 2 || pids.includes(victim!)) && Date.now() < deadline) {
      await sleep(100);
      pids = childPids(cluster.child.pid!);
    }
    assert.equal(pids.length, 2, 'a replacement worker runs');
    assert.ok(!pids.includes(victim!));
    // The replacement (worker 0's, which alone saves index files, when the victim was worker 0) opens its engine and listens.
    while (!cluster.stderr().includes('replacement worker listening') && Date.now() < deadline + 20_000) await sleep(50);
    assert.match(cluster.stderr(), /replacement worker listening/);
    for (let i = 0; i < 6; i++) assert.equal((await searchIds(cluster.url, 'kijiji12'))[0], 'd12');

    // A shutdown that arrives while a replacement is still starting must still stop it.
    const [second] = childPids(cluster.child.pid!);
    process.kill(second!, 'SIGKILL');
    while (!childPids(cluster.child.pid!).some((pid) => pid !== second && !pids.includes(pid)) && Date.now() < deadline + 20_000) await sleep(20);
    cluster.child.kill('SIGTERM');
    const exit = await cluster.exited;
    assert.deepEqual(exit, { code: 0, signal: null }, cluster.stderr());
  } finally {
    if (cluster.child.exitCode === null) cluster.child.kill('SIGKILL');
  }

  // Worker 0 saved the index; it holds every live passage and no deleted one.
  const manifest = JSON.parse(fs.readFileSync(path.join(dataDir, 'indexes', 'c.manifest.json'), 'utf8')) as { elements: number; deleted: number };
  const db = new Database(path.join(dataDir, 'tafuta.db'), { readonly: true });
  const { passages } = db.prepare('SELECT COUNT(*) AS passages FROM passages').get() as { passages: number };
  db.close();
  assert.equal(passages, 59);
  assert.equal(manifest.elements - manifest.deleted, passages);
});

test('two workers under back-to-back batch writes: every acknowledged single-document write is found by the next search', { timeout: 120_000 }, async () => {
  const dataDir = tempDir('tafuta-workers-load-');
  const cluster = await serveWorkers(dataDir, 2);
  try {
    assert.equal((await call(cluster.url, 'POST', '/v1/collections', { name: 'c' })).status, 201);
    let writing = true;
    let batches = 0;
    const load = (async () => {
      while (writing) {
        const documents = Array.from({ length: 200 }, (_, i) => ({ id: `load${batches}-${i}`, text: `Mzigo ${batches} hati ${i}: habari za soko la samaki na mvua.`, lang: 'sw' }));
        const written = await call(cluster.url, 'POST', '/v1/collections/c/documents', { documents });
        assert.equal(written.status, 200, `${JSON.stringify(written.json)}\n${cluster.stderr()}`);
        batches++;
      }
    })();
    const missed: string[] = [];
    for (let i = 0; i < 40; i++) {
      const text = `Uchunguzi ${i}: neno la pekee zumaridi${i}kivuko`;
      assert.equal((await call(cluster.url, 'POST', '/v1/collections/c/documents', { documents: [{ id: `probe${i}`, text, lang: 'sw' }] })).status, 200);
      // A fresh connection: the cluster hands it to the workers in turn, so half the probes land on the other one.
      const { status, json } = await call(cluster.url, 'POST', '/v1/collections/c/search', { query: text, k: 3, mode: 'dense' });
      assert.equal(status, 200);
      if ((json.results as Array<{ id: string }>)[0]?.id !== `probe${i}`) missed.push(`probe${i}`);
    }
    writing = false;
    await load;
    assert.ok(batches >= 3, `the load wrote only ${batches} batches meanwhile`);
    assert.deepEqual(missed, [], `missed by the next search while ${batches} batches were written`);
  } finally {
    cluster.child.kill('SIGTERM');
    await cluster.exited;
  }
});

/** Waits for a worker pid of the primary that is not in `known` (a replacement it forked). */
async function nextWorker(cluster: CliServer, known: ReadonlySet<number>): Promise<number> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const primaryGone = () => cluster.child.exitCode !== null || !fs.existsSync(`/proc/${cluster.child.pid}`);
    assert.ok(!primaryGone(), `the server stopped instead of replacing a worker: ${cluster.stderr()}`);
    const fresh = childPids(cluster.child.pid!).find((pid) => !known.has(pid));
    if (fresh !== undefined) return fresh;
    assert.ok(Date.now() < deadline, 'the primary forked no replacement');
    await sleep(10);
  }
}

test('replacements killed while still starting count as crashes: five a minute are survived, the sixth stops the server (exit 1)', { timeout: 90_000 }, async () => {
  const cluster = await serveWorkers(tempDir('tafuta-restarts-'), 2);
  try {
    const seen = new Set(childPids(cluster.child.pid!));
    let victim = [...seen][0]!;
    for (let crash = 1; crash <= 5; crash++) {
      process.kill(victim, 'SIGKILL');
      // The replacement is killed as soon as it exists, long before it has opened its engine and listens.
      victim = await nextWorker(cluster, seen);
      seen.add(victim);
      assert.equal(cluster.child.exitCode, null, `the server stopped after ${crash} crash(es)`);
      assert.equal((await call(cluster.url, 'GET', '/healthz')).status, 200, 'the other worker keeps serving');
    }
    process.kill(victim, 'SIGKILL');
    const exit = await cluster.exited;
    assert.deepEqual(exit, { code: 1, signal: null });
    assert.match(cluster.stderr(), /workers keep crashing; stopping/);
    assert.equal((cluster.stderr().match(/"msg":"worker died"/g) ?? []).length, 6);
  } finally {
    if (cluster.child.exitCode === null) cluster.child.kill('SIGKILL');
  }
});
