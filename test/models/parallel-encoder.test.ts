import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import type { FeatureConfig } from '../../models/features.js';
import { writeOnnxEncoderDir } from '../../models/onnx/export.js';
import { createOnnxEncoder } from '../../models/onnx/onnx-encoder.js';
import { chunkRangesByLength, createParallelOnnxEncoder } from '../../models/onnx/parallel-encoder.js';
import { createRng } from '../../core/rng.js';
import { WordVectorCache, createWordVectorCacheMemory, wordKeys } from '../../models/onnx/word-vector-cache.js';

const FEATURES: FeatureConfig = { buckets: 2048, minN: 3, maxN: 5, words: true };
const DIM = 16;
const tmpRoot = fs.mkdtempSync(path.join(os.tmpdir(), 'tafuta-parallel-'));
after(() => fs.rmSync(tmpRoot, { recursive: true, force: true }));

async function writeModel(name: string, seed = 99): Promise<string> {
  const rng = createRng(seed);
  const r = (n: number, s: number) => Float32Array.from({ length: n }, () => (rng.next() * 2 - 1) * s);
  const dir = path.join(tmpRoot, name);
  await writeOnnxEncoderDir(dir, {
    name,
    description: 'random test model',
    features: FEATURES,
    weights: { buckets: FEATURES.buckets, dim: DIM, table: r(FEATURES.buckets * DIM, 1), adapters: { langs: ['sw', 'ha'], rank: 2, U: r(2 * DIM * 2, 0.5), V: r(2 * DIM * 2, 0.5) } },
    tableDtype: 'int8',
  });
  return dir;
}

const WORDS = ['ninapenda', 'kusoma', 'vitabu', 'ina', 'son', 'karanta', 'the', 'quick', 'brown', 'fox', 'habari', 'yako'];
const TEXTS = Array.from({ length: 150 }, (_, i) => Array.from({ length: 1 + (i % 17) }, (_, j) => WORDS[(i * 7 + j * 3) % WORDS.length]).join(' '));
const LANGS = TEXTS.map((_, i) => [undefined, 'sw', 'ha', 'xx'][i % 4]);

test('chunkRangesByLength cuts a batch into contiguous ranges of about one length', () => {
  assert.deepEqual(chunkRangesByLength([], 10), []);
  assert.deepEqual(chunkRangesByLength([3, 3], 10), [[0, 2]]);
  assert.deepEqual(chunkRangesByLength([5, 5, 5, 5, 5], 10), [[0, 2], [2, 4], [4, 5]]);
  // a long text closes its range at once; one longer than the target is a range of its own
  assert.deepEqual(chunkRangesByLength([1, 30, 2, 2, 40], 10), [[0, 2], [2, 5]]);
  assert.deepEqual(chunkRangesByLength([30, 1], 10), [[0, 1], [1, 2]]);
});

test('the worker pool gives the vectors of the single-thread encoder, with per-text adapter routing', async () => {
  const dir = await writeModel('pool');
  const single = await createOnnxEncoder(dir);
  // Small chunks, so that every batch is spread over both workers in several pieces.
  const pooled = await createParallelOnnxEncoder(dir, { workers: 2, inlineMaxTexts: 4, minChunkChars: 100 });
  try {
    assert.deepEqual(pooled.info, single.info);
    const want = await single.embed(TEXTS, { kind: 'passage', lang: LANGS });
    // Large batches go through the workers (one language per text, one for all, none); small ones stay inline.
    const got = await pooled.embed(TEXTS, { kind: 'passage', lang: LANGS });
    assert.equal(got.length, TEXTS.length);
    got.forEach((v, i) => assert.deepEqual([...v], [...want[i]!], `text ${i}`));
    const allSw = await pooled.embed(TEXTS, { kind: 'passage', lang: 'sw' });
    const wantSw = await single.embed(TEXTS, { kind: 'passage', lang: 'sw' });
    allSw.forEach((v, i) => assert.deepEqual([...v], [...wantSw[i]!]));
    const small = await pooled.embed(TEXTS.slice(0, 3), { kind: 'query', lang: LANGS.slice(0, 3) });
    small.forEach((v, i) => assert.deepEqual([...v], [...want[i]!]));
    // Concurrent batches share the workers and each gets its own answers back.
    const [a, b] = await Promise.all([
      pooled.embed(TEXTS.slice(0, 60), { kind: 'passage', lang: LANGS.slice(0, 60) }),
      pooled.embed(TEXTS.slice(60), { kind: 'passage', lang: LANGS.slice(60) }),
    ]);
    [...a, ...b].forEach((v, i) => assert.deepEqual([...v], [...want[i]!]));
    await assert.rejects(pooled.embed(TEXTS, { kind: 'passage', lang: ['sw'] }), /lang has 1 entries for 150 texts/);
  } finally {
    await single.close?.();
    await pooled.close?.();
  }
  await assert.rejects(pooled.embed(TEXTS, { kind: 'passage' }), /is closed/);
});

test('the workers and the main thread share one word cache; a tiny shared cache still gives the whole graph\'s vectors', async () => {
  const dir = await writeModel('shared-cache');
  const whole = await createOnnxEncoder(dir, { wordCache: 0 });
  const memory = createWordVectorCacheMemory(DIM, 64);
  const shared = await createParallelOnnxEncoder(dir, { workers: 2, inlineMaxTexts: 4, minChunkChars: 100, wordCache: 64, sharedWordCache: memory });
  // 5 words for 12 distinct ones: the threads evict each other's words all the time.
  const tiny = await createParallelOnnxEncoder(dir, { workers: 2, inlineMaxTexts: 4, minChunkChars: 100, wordCache: 5 });
  const close = (a: Float32Array, b: Float32Array) => a.every((x, k) => Math.abs(x - b[k]!) < 1e-6);
  try {
    const want = await whole.embed(TEXTS, { kind: 'passage', lang: LANGS });
    (await shared.embed(TEXTS, { kind: 'passage', lang: LANGS })).forEach((v, i) => assert.ok(close(v, want[i]!), `shared, text ${i}`));
    // The workers pooled every word into the memory the caller handed over, where another thread finds it.
    const view = new WordVectorCache(memory);
    assert.equal(view.size, WORDS.length);
    assert.deepEqual(view.read(wordKeys(WORDS), new Float32Array(WORDS.length * DIM)), []);
    (await shared.embed(TEXTS.slice(0, 3), { kind: 'query', lang: LANGS.slice(0, 3) })).forEach((v, i) => assert.ok(close(v, want[i]!)));
    for (let pass = 0; pass < 2; pass++) {
      (await tiny.embed(TEXTS, { kind: 'passage', lang: LANGS })).forEach((v, i) => assert.ok(close(v, want[i]!), `tiny, pass ${pass}, text ${i}`));
    }
  } finally {
    await Promise.all([whole, shared, tiny].map((e) => e.close?.()));
  }
  await assert.rejects(createOnnxEncoder(dir, { sharedWordCache: createWordVectorCacheMemory(DIM + 1, 8) }), /word vector cache holds 17-dim vectors, the model makes 16/);
});

test('a worker that cannot load fails the batch with a clear error; the next batch gets a fresh worker', async () => {
  const dir = await writeModel('flaky');
  const pooled = await createParallelOnnxEncoder(dir, { workers: 1, inlineMaxTexts: 4 });
  const onnx = path.join(dir, 'model.onnx');
  const bytes = fs.readFileSync(onnx);
  try {
    // Workers start on the first large batch: replace the model file before that happens.
    fs.writeFileSync(onnx, 'not a model');
    await assert.rejects(pooled.embed(TEXTS, { kind: 'passage' }), /encoder worker could not load .*flaky/);
    // Queries still work on the calling thread meanwhile.
    assert.equal((await pooled.embed(['habari'], { kind: 'query' })).length, 1);
    fs.writeFileSync(onnx, bytes);
    const vectors = await pooled.embed(TEXTS, { kind: 'passage' });
    assert.equal(vectors.length, TEXTS.length);
    // A different model under the same directory is refused rather than mixed into one collection's vectors.
    const other = await writeModel('other', 7);
    fs.copyFileSync(path.join(other, 'model.onnx'), onnx);
    const fresh = await createParallelOnnxEncoder(dir, { workers: 1, inlineMaxTexts: 4 });
    try {
      fs.writeFileSync(onnx, bytes);
      await assert.rejects(fresh.embed(TEXTS, { kind: 'passage' }), /the model changed on disk/);
    } finally {
      await fresh.close?.();
    }
  } finally {
    fs.writeFileSync(onnx, bytes);
    await pooled.close?.();
  }
});

test('workers: 0 is the plain single-thread encoder; bad counts are refused', async () => {
  const dir = await writeModel('inline');
  const encoder = await createParallelOnnxEncoder(dir, { workers: 0 });
  try {
    assert.equal((await encoder.embed(TEXTS, { kind: 'passage' })).length, TEXTS.length);
  } finally {
    await encoder.close?.();
  }
  await assert.rejects(createParallelOnnxEncoder(dir, { workers: -1 }), /workers must be a non-negative integer/);
  await assert.rejects(createParallelOnnxEncoder(dir, { workers: 1.5 }), /workers must be a non-negative integer/);
});

test('an idle pool lets its process end without close(); a busy one keeps it alive until the batch is done', { timeout: 60_000 }, async () => {
  const dir = await writeModel('lifecycle');
  const moduleUrl = new URL('../../models/onnx/parallel-encoder.js', import.meta.url).href;
  // One chunk (minChunkChars above the batch) for two workers: one of them never gets work, the case that hung.
  // Nothing else holds the child's event loop: it exits 0 after printing only if the embed resolved and the
  // idle workers then let go (exit code 13 = the top-level await never settled: the pool let go too early).
  const script = `
    const { createParallelOnnxEncoder } = await import(${JSON.stringify(moduleUrl)});
    const encoder = await createParallelOnnxEncoder(${JSON.stringify(dir)}, { workers: 2, minChunkChars: 1e9 });
    const vectors = await encoder.embed(${JSON.stringify(TEXTS)}, { kind: 'passage' });
    console.log('embedded', vectors.length);
  `;
  const file = path.join(tmpRoot, 'idle-pool.mjs'); // a file, not --eval: workers inherit the parent's execArgv
  fs.writeFileSync(file, script);
  const child = spawn(process.execPath, [file], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr.on('data', (c: Buffer) => (out += c.toString()));
  const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
  const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve) => child.on('exit', (c, s) => resolve([c, s])));
  clearTimeout(timer);
  assert.deepEqual({ code, signal }, { code: 0, signal: null }, out);
  assert.match(out, new RegExp(`embedded ${TEXTS.length}`));
});
