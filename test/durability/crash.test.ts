/**
 * Crash safety with SIGKILL at seeded random points (TAFUTA_CRASH_SEED to replay another seed):
 *   - `tafuta index --batch 50` killed several times, then re-run to completion: every batch is all-or-nothing
 *     after each kill, and in the end every document is present exactly once, searchable, and the HNSW element
 *     count equals the SQLite passage count;
 *   - `tafuta serve` killed while clients post batches: after a restart every acknowledged (200) batch is fully
 *     present, and no batch is partially present.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { createHashedNgramEncoder } from '../../models/hashed-ngram-encoder.js';
import { CLI, startCliServer } from '../helpers/cli-server.js';
import { tempDir, testEngine } from '../helpers/engine.js';
import { createRng } from '../../core/rng.js';

const SEED = Number(process.env.TAFUTA_CRASH_SEED ?? 20240611);
const BATCH = 50;
const WORDS = ['maji', 'safi', 'kilimo', 'mvua', 'elimu', 'haki', 'afya', 'watoto', 'shule', 'soko', 'barabara', 'mti', 'ndege', 'samaki', 'mlima'];

/** The project's seeded generator (mulberry32), as a function. */
const prng = (seed: number): (() => number) => createRng(seed).next;

const SYLLABLES = ['ka', 'mi', 'to', 'ze', 'lu', 'po', 'ra', 've', 'ni', 'so', 'du', 'fe', 'gi', 'ho', 'ja', 'ku', 'be', 'ty', 'wo', 'qa'];

/** A pseudo-word of four syllables, distinct per (n, salt): gives each document n-grams of its own. */
function pseudoWord(n: number, salt: number): string {
  let x = (Math.imul(n + 1, 2654435761) ^ salt) >>> 0;
  let word = '';
  for (let k = 0; k < 4; k++) {
    word += SYLLABLES[x % 20];
    x = Math.floor(x / 20);
  }
  return word;
}

function makeDocument(i: number, prefix = 'doc') {
  // Short (one passage) and distinctive, so that searching a document's text finds it first (checked for all
  // 2000 documents with the 256-d baseline encoder, dense and BM25).
  return {
    id: `${prefix}-${i}`,
    lang: 'sw',
    text: `${pseudoWord(i, 0x9e37)} ${WORDS[i % 15]} ${pseudoWord(i, 0x85eb)} ${prefix} ${i} ${pseudoWord(i, 0xc2b2)} ${WORDS[(i * 7) % 15]}.`,
  };
}

function childEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, TAFUTA_ADMIN_KEY: '', TAFUTA_READ_KEY: '', TAFUTA_RATE_LIMIT: '0' };
  delete env.TAFUTA_HOST;
  delete env.TAFUTA_PORT;
  return env;
}

function exitOf(child: ChildProcess): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve({ code: child.exitCode, signal: child.signalCode });
  return new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
}

/** Rows straight from SQLite (after a kill, before anything else opens the data directory). */
function storedIds(dataDir: string): string[] {
  const db = new Database(path.join(dataDir, 'tafuta.db'));
  try {
    const exists = db.prepare("SELECT 1 FROM sqlite_master WHERE name = 'documents'").get();
    if (!exists) return [];
    return (db.prepare('SELECT external_id FROM documents ORDER BY id').all() as Array<{ external_id: string }>).map((r) => r.external_id);
  } finally {
    db.close();
  }
}

function passageCount(dataDir: string): number {
  const db = new Database(path.join(dataDir, 'tafuta.db'));
  try {
    return (db.prepare('SELECT COUNT(*) AS n FROM passages').get() as { n: number }).n;
  } finally {
    db.close();
  }
}

test(`tafuta index killed at random points resumes to a complete, consistent index (seed ${SEED})`, { timeout: 90_000 }, async () => {
  const random = prng(SEED);
  const N = 1500;
  const dir = tempDir('tafuta-crash-');
  const dataDir = path.join(dir, 'data');
  const input = path.join(dir, 'docs.jsonl');
  const documents = Array.from({ length: N }, (_, i) => makeDocument(i));
  fs.writeFileSync(input, documents.map((d) => JSON.stringify(d)).join('\n'));
  const args = [CLI, 'index', '-c', 'crash', '-i', input, '-d', dataDir, '--batch', String(BATCH)];

  let killedAt = 0;
  for (let round = 0; round < 4; round++) {
    // Kill once the run has reported a random number of documents beyond the last kill, after a random delay
    // so that the kill lands anywhere in the next batch (encoding, the transaction, the index save).
    // At most 4 × (50 + 250) = 1200 documents in: the last kill still leaves several batches to go.
    const target = Math.min(N - 4 * BATCH, killedAt + BATCH + Math.floor(random() * (N / 6)));
    const delayMs = Math.floor(random() * 40);
    const child = spawn(process.execPath, args, { env: { ...childEnv(), TAFUTA_LOG_LEVEL: 'info', TAFUTA_DEFAULT_ENCODER: 'hashed-ngram-v1' }, stdio: ['ignore', 'ignore', 'pipe'] });
    let buffered = '';
    let killed = false;
    child.stderr!.on('data', (chunk: Buffer) => {
      buffered += chunk.toString();
      let nl: number;
      while ((nl = buffered.indexOf('\n')) >= 0) {
        const line = buffered.slice(0, nl);
        buffered = buffered.slice(nl + 1);
        const progress = /"documents":(\d+)/.exec(line);
        if (!killed && progress && Number(progress[1]) >= target) {
          killed = true;
          killedAt = Number(progress[1]);
          setTimeout(() => child.kill('SIGKILL'), delayMs);
        }
      }
    });
    const exit = await exitOf(child);
    assert.equal(exit.signal, 'SIGKILL', `round ${round}: the run ended on its own (${JSON.stringify(exit)}) before reaching ${target}`);

    // All-or-nothing per batch: what is stored is a prefix of whole batches, and every document has its passage.
    const ids = storedIds(dataDir);
    assert.equal(ids.length % BATCH, 0, `round ${round}: ${ids.length} documents stored is not a whole number of batches`);
    assert.ok(ids.length >= killedAt - BATCH, `round ${round}: reported ${killedAt} but only ${ids.length} stored`);
    assert.deepEqual(ids, documents.slice(0, ids.length).map((d) => d.id));
    assert.equal(passageCount(dataDir), ids.length);
  }

  const final = spawn(process.execPath, args, { env: { ...childEnv(), TAFUTA_LOG_LEVEL: 'warn', TAFUTA_DEFAULT_ENCODER: 'hashed-ngram-v1' }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  final.stdout!.on('data', (c: Buffer) => (stdout += c.toString()));
  final.stderr!.on('data', (c: Buffer) => (stderr += c.toString()));
  assert.deepEqual(await exitOf(final), { code: 0, signal: null }, stderr);
  assert.match(stdout, new RegExp(`indexed ${N} documents into "crash"`));

  // The saved index (written by the completed run) agrees with SQLite before anything repairs it.
  const manifest = JSON.parse(fs.readFileSync(path.join(dataDir, 'indexes', 'crash.manifest.json'), 'utf8')) as { elements: number; deleted: number };
  assert.equal(manifest.elements - manifest.deleted, N);

  const ids = storedIds(dataDir);
  assert.equal(ids.length, N, 'every document exactly once');
  assert.equal(new Set(ids).size, N);
  const engine = testEngine(dataDir, [createHashedNgramEncoder()]);
  try {
    const c = await engine.getCollection('crash');
    assert.equal(c.documents, N);
    assert.equal(c.passages, N);
    assert.equal(c.indexedVectors, c.passages, 'HNSW elements = SQLite passages');
    for (let i = 0; i < 25; i++) {
      const d = documents[Math.floor(random() * N)]!;
      const dense = await engine.search('crash', { query: d.text, k: 1, mode: 'dense' });
      assert.equal(dense.results[0]?.id, d.id, `dense search finds ${d.id}`);
      const bm25 = await engine.search('crash', { query: d.text, k: 1, mode: 'bm25' });
      assert.equal(bm25.results[0]?.id, d.id, `bm25 search finds ${d.id}`);
    }
  } finally {
    engine.close();
  }
});

test(`tafuta serve killed during POST …/documents: acknowledged batches are durable, none is partial (seed ${SEED})`, { timeout: 60_000 }, async () => {
  const random = prng(SEED ^ 0x5eed);
  const dataDir = path.join(tempDir('tafuta-crash-serve-'), 'data');
  const server = await startCliServer(dataDir, { env: { TAFUTA_RATE_LIMIT: '0' } });
  const batches = Array.from({ length: 60 }, (_, b) => Array.from({ length: BATCH }, (_, i) => makeDocument(b * BATCH + i, `b${b}`)));
  const acknowledged = new Set<number>();
  const attempted = new Set<number>();
  const killAfter = 4 + Math.floor(random() * 16);
  try {
    const created = await fetch(`${server.url}/v1/collections`, { method: 'POST', body: JSON.stringify({ name: 'live' }) });
    assert.equal(created.status, 201);

    let next = 0;
    let dead = false;
    const client = async () => {
      while (!dead && next < batches.length) {
        const b = next++;
        attempted.add(b);
        try {
          const res = await fetch(`${server.url}/v1/collections/live/documents`, { method: 'POST', body: JSON.stringify({ documents: batches[b] }) });
          const body = (await res.json()) as { upserted?: number };
          if (res.status === 200) {
            assert.equal(body.upserted, BATCH);
            acknowledged.add(b);
            if (acknowledged.size === killAfter && !dead) {
              // Kill mid-way: the other clients have batches in flight.
              setTimeout(() => {
                dead = true;
                server.child.kill('SIGKILL');
              }, Math.floor(random() * 15));
            }
          }
        } catch {
          // Connection reset by the kill: not acknowledged.
        }
      }
    };
    await Promise.all([client(), client(), client()]);
    assert.equal((await exitOf(server.child)).signal, 'SIGKILL');
    assert.ok(acknowledged.size >= killAfter);
  } finally {
    if (server.child.exitCode === null && server.child.signalCode === null) server.child.kill('SIGKILL');
  }

  const restarted = await startCliServer(dataDir, { env: { TAFUTA_RATE_LIMIT: '0' } });
  try {
    const info = (await (await fetch(`${restarted.url}/v1/collections/live`)).json()) as { documents: number; passages: number; indexedVectors: number };
    assert.equal(info.indexedVectors, info.passages, 'the index caught up with SQLite after the crash');
    assert.equal(info.passages, info.documents);

    const present = new Set(storedIds(dataDir));
    let complete = 0;
    for (const b of attempted) {
      const found = batches[b]!.filter((d) => present.has(d.id)).length;
      assert.ok(found === 0 || found === BATCH, `batch ${b} is partially present (${found}/${BATCH})`);
      if (acknowledged.has(b)) assert.equal(found, BATCH, `acknowledged batch ${b} is missing after the crash`);
      if (found === BATCH) complete++;
    }
    assert.equal(info.documents, complete * BATCH, 'nothing but whole attempted batches is stored');
    for (const b of [...acknowledged].slice(0, 3)) {
      const d = batches[b]![17]!;
      const res = await fetch(`${restarted.url}/v1/collections/live/search`, { method: 'POST', body: JSON.stringify({ query: d.text, k: 1 }) });
      assert.equal(((await res.json()) as { results: Array<{ id: string }> }).results[0]?.id, d.id);
    }
    restarted.child.kill('SIGTERM');
    assert.deepEqual(await exitOf(restarted.child), { code: 0, signal: null });
  } finally {
    if (restarted.child.exitCode === null && restarted.child.signalCode === null) restarted.child.kill('SIGKILL');
  }
});
