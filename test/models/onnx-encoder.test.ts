import { TafutaError } from '../../core/errors.js';
import { createRng } from '../../core/rng.js';
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { featurize, type FeatureConfig } from '../../models/features.js';
import { exportEncoderOnnx, loadManifestFeatures, writeOnnxEncoderDir } from '../../models/onnx/export.js';
import { createOnnxEncoder } from '../../models/onnx/onnx-encoder.js';
import { readEncoderModel } from '../../models/onnx/import.js';
import { learnSubwords, SubwordSegmenter } from '../../models/subwords.js';
import {
  adapterIndexOf,
  float16BitsToFloat32,
  roundToInt8Rows,
  float32ToFloat16Bits,
  referenceForward,
  roundToFloat16,
  type EncoderWeights,
} from '../../models/onnx/reference.js';

const FEATURES: FeatureConfig = { buckets: 4096, minN: 3, maxN: 5, words: true };
const DIM = 32;
const RANK = 4;
const LANGS = ['sw', 'ha'];

/** The project's seeded generator (mulberry32), as a function. */
const prng = (seed: number): (() => number) => createRng(seed).next;

function randomArray(n: number, scale: number, rand: () => number): Float32Array {
  return Float32Array.from({ length: n }, () => (rand() * 2 - 1) * scale);
}

function randomWeights(seed: number, withAdapters: boolean): EncoderWeights {
  const rand = prng(seed);
  const table = randomArray(FEATURES.buckets * DIM, 1, rand);
  if (!withAdapters) return { buckets: FEATURES.buckets, dim: DIM, table };
  const n = LANGS.length * DIM * RANK;
  const adapters = { langs: LANGS, rank: RANK, U: randomArray(n, 0.5, rand), V: randomArray(n, 0.5, rand) };
  return { buckets: FEATURES.buckets, dim: DIM, table, adapters };
}

const tmpRoot = fs.mkdtempSync(path.join(os.tmpdir(), 'tafuta-onnx-'));
after(() => fs.rmSync(tmpRoot, { recursive: true, force: true }));

async function writeModel(name: string, weights: EncoderWeights, tableDtype?: 'float32' | 'float16' | 'int8'): Promise<string> {
  const dir = path.join(tmpRoot, name);
  await writeOnnxEncoderDir(dir, { name, description: 'random test model', features: FEATURES, weights, tableDtype });
  return dir;
}

function maxAbsDiff(a: Float32Array, b: Float32Array): number {
  assert.equal(a.length, b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
}

function norm(v: Float32Array): number {
  return Math.sqrt(v.reduce((s, x) => s + x * x, 0));
}

const TEXTS = [
  'Ninapenda kusoma vitabu',
  'Habari',
  'Ina son karanta littattafai da yawa a kowace rana',
  'The quick brown fox jumps over the lazy dog, again and again, until the dog finally gets up.',
  'alipenda',
  'ninapenda alipenda wanapenda tunapenda mnapenda',
];
const TEXT_LANGS = ['sw', 'sw', 'ha', undefined, 'xx', 'ha'];

function expected(weights: EncoderWeights, text: string, lang: string | undefined): Float32Array {
  return referenceForward(weights, featurize(text, FEATURES), adapterIndexOf(weights.adapters, lang));
}

const weights = randomWeights(42, true);
const modelDir = await writeModel('with-adapters', weights);

test('writeOnnxEncoderDir writes model.onnx and a valid model.json', () => {
  assert.deepEqual(fs.readdirSync(modelDir).sort(), ['model.json', 'model.onnx']);
  const manifest = JSON.parse(fs.readFileSync(path.join(modelDir, 'model.json'), 'utf8'));
  assert.equal(manifest.format, 'tafuta-onnx-encoder');
  assert.equal(manifest.formatVersion, 3);
  assert.deepEqual(manifest.adapters, LANGS);
  assert.equal(manifest.dim, DIM);
});

test('ONNX output matches referenceForward for mixed languages and lengths', async () => {
  const encoder = await createOnnxEncoder(modelDir);
  try {
    assert.equal(encoder.info.dim, DIM);
    assert.deepEqual(encoder.info.adapters, LANGS);
    const vectors = await encoder.embed(TEXTS, { kind: 'passage', lang: TEXT_LANGS });
    assert.equal(vectors.length, TEXTS.length);
    TEXTS.forEach((text, i) => {
      const v = vectors[i]!;
      assert.equal(v.length, DIM);
      assert.ok(maxAbsDiff(v, expected(weights, text, TEXT_LANGS[i])) < 1e-5, `text ${i} differs from reference`);
      assert.ok(Math.abs(norm(v) - 1) < 1e-5, `text ${i} is not unit norm`);
    });
    // One language for the whole batch.
    const sw = await encoder.embed(TEXTS, { kind: 'query', lang: 'sw' });
    TEXTS.forEach((text, i) => assert.ok(maxAbsDiff(sw[i]!, expected(weights, text, 'sw')) < 1e-5));
  } finally {
    await encoder.close?.();
  }
});

test('small chunks give the same vectors as one batch', async () => {
  const encoder = await createOnnxEncoder(modelDir, { maxBatchSize: 2, maxBatchFeatures: 50, intraOpNumThreads: 2 });
  const whole = await createOnnxEncoder(modelDir);
  try {
    const a = await encoder.embed(TEXTS, { kind: 'passage', lang: TEXT_LANGS });
    const b = await whole.embed(TEXTS, { kind: 'passage', lang: TEXT_LANGS });
    a.forEach((v, i) => assert.ok(maxAbsDiff(v, b[i]!) < 1e-6));
  } finally {
    await encoder.close?.();
    await whole.close?.();
  }
});

const fixtureDir = (name: string) => path.join(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'test', 'fixtures', name);

for (const [version, name, description] of [
  [1, 'onnx-encoder-v1', 'padded ids + mask'],
  [2, 'onnx-encoder-v2', 'every feature with its repeats, attention weights'],
] as const) {
  test(`format version ${version} models (${description}) still load and match the reference`, async () => {
    const dir = fixtureDir(name);
    const { manifest, weights: oldWeights } = await readEncoderModel(dir);
    assert.equal(manifest.formatVersion, version);
    const encoder = await createOnnxEncoder(dir, { maxBatchFeatures: 40 });
    try {
      const langs = TEXTS.map((_, i) => (i % 2 ? 'sw' : undefined));
      const vectors = await encoder.embed(TEXTS, { kind: 'passage', lang: langs });
      const features = await loadManifestFeatures(dir, manifest);
      TEXTS.forEach((text, i) => {
        const want = referenceForward(oldWeights, featurize(text, features), adapterIndexOf(oldWeights.adapters, langs[i]));
        assert.ok(maxAbsDiff(vectors[i]!, want) < 1e-5, `text ${i} differs from reference`);
      });
    } finally {
      await encoder.close?.();
    }
  });
}

test('cached word sums give the whole graph\'s vectors, warm or cold, with evictions and oversized texts', async () => {
  const rand = prng(5);
  const pooled: EncoderWeights = { ...weights, featureWeights: Float32Array.from({ length: FEATURES.buckets }, () => Math.exp((rand() * 2 - 1) * 3)) };
  const long = Array.from({ length: 40 }, (_, i) => `neno${i}`).join(' '); // 40 distinct words
  const texts = ['', ...TEXTS, long, TEXTS[0]!, 'ninapenda ninapenda ninapenda'];
  const langs = [undefined, ...TEXT_LANGS, 'sw', 'ha', 'sw'];
  for (const dtype of ['float32', 'int8'] as const) {
    const dir = await writeModel(`cached-${dtype}`, pooled, dtype);
    const whole = await createOnnxEncoder(dir, { wordCache: 0 });
    // A cache of 8 words: every batch evicts, and the 40-word text does not fit at all.
    const small = await createOnnxEncoder(dir, { wordCache: 8, maxBatchSize: 3, maxBatchFeatures: 40 });
    const big = await createOnnxEncoder(dir);
    try {
      const want = await whole.embed(texts, { kind: 'passage', lang: langs });
      for (const [name, encoder] of [['small cache', small], ['default cache', big]] as const) {
        for (const pass of ['cold', 'warm']) {
          const got = await encoder.embed(texts, { kind: 'passage', lang: langs });
          got.forEach((v, i) => assert.ok(maxAbsDiff(v, want[i]!) < 1e-6, `${dtype} ${name} ${pass} text ${i}`));
        }
        const reversed = await encoder.embed([...texts].reverse(), { kind: 'passage', lang: [...langs].reverse() });
        reversed.reverse().forEach((v, i) => assert.ok(maxAbsDiff(v, want[i]!) < 1e-6, `${dtype} ${name} reversed text ${i}`));
      }
      assert.ok(want[0]!.every((x) => x === 0));
      // Concurrent calls share one cache: each still gets its own texts' vectors.
      const singles = await Promise.all(texts.map((t, i) => small.embed([t], { kind: 'query', lang: langs[i] })));
      singles.forEach(([v], i) => assert.ok(maxAbsDiff(v!, want[i]!) < 1e-6, `${dtype} concurrent text ${i}`));
      // Concurrent batches of different sizes on a cold cache: each chunk pools words into a reused buffer of its own.
      const cold = await createOnnxEncoder(dir);
      try {
        const order = texts.map((_, i) => i);
        const batches = [order, [...order].reverse(), order.slice(2), [8], order.filter((i) => i % 2 === 1)];
        const results = await Promise.all(batches.map((b) => cold.embed(b.map((i) => texts[i]!), { kind: 'passage', lang: b.map((i) => langs[i]) })));
        results.forEach((vectors, k) =>
          vectors.forEach((v, j) => assert.ok(maxAbsDiff(v, want[batches[k]![j]!]!) < 1e-6, `${dtype} concurrent batch ${k} text ${j}`)),
        );
      } finally {
        await cold.close?.();
      }
    } finally {
      await Promise.all([whole, small, big].map((e) => e.close?.()));
    }
  }
  await assert.rejects(createOnnxEncoder(modelDir, { wordCache: -1 }), /wordCache must be a non-negative integer/);
});

test('adapters change only their own language; unknown languages get the identity', async () => {
  const encoder = await createOnnxEncoder(modelDir);
  try {
    const text = 'Ninapenda kusoma vitabu';
    const [sw, none, ha, unknown] = await encoder.embed([text, text, text, text], { kind: 'query', lang: ['sw', undefined, 'ha', 'xx'] });
    const plain = referenceForward(weights, featurize(text, FEATURES), 0);
    assert.ok(maxAbsDiff(none!, plain) < 1e-5, 'no language = no adapter');
    assert.ok(maxAbsDiff(unknown!, plain) < 1e-5, 'unknown language = identity adapter');
    assert.ok(maxAbsDiff(sw!, plain) > 1e-3, 'sw adapter changes the vector');
    assert.ok(maxAbsDiff(ha!, plain) > 1e-3, 'ha adapter changes the vector');
    assert.ok(maxAbsDiff(sw!, ha!) > 1e-3, 'sw and ha adapters differ');
    // Routing is per row: a neighbour's language does not leak into another row.
    const [alone] = await encoder.embed([text], { kind: 'query', lang: 'ha' });
    assert.ok(maxAbsDiff(alone!, ha!) < 1e-6);
  } finally {
    await encoder.close?.();
  }
});

test('texts without features give all-zero vectors, also next to real texts', async () => {
  const encoder = await createOnnxEncoder(modelDir);
  try {
    assert.equal(featurize('  ?! ', FEATURES).length, 0);
    const vectors = await encoder.embed(['', 'Habari yako', '  ?! '], { kind: 'query', lang: ['sw', 'sw', undefined] });
    for (const i of [0, 2]) assert.deepEqual([...vectors[i]!], new Array(DIM).fill(0));
    assert.ok(Math.abs(norm(vectors[1]!) - 1) < 1e-5);
    const [onlyEmpty] = await encoder.embed([''], { kind: 'query' });
    assert.ok(onlyEmpty!.every((x) => x === 0));
    assert.deepEqual(await encoder.embed([], { kind: 'query' }), []);
  } finally {
    await encoder.close?.();
  }
});

test('a model without adapters has no adapter input and ignores languages', async () => {
  const plainWeights = randomWeights(7, false);
  const dir = await writeModel('no-adapters', plainWeights);
  const encoder = await createOnnxEncoder(dir);
  try {
    assert.equal(encoder.info.adapters, undefined);
    const vectors = await encoder.embed(TEXTS, { kind: 'passage', lang: TEXT_LANGS });
    TEXTS.forEach((text, i) => assert.ok(maxAbsDiff(vectors[i]!, expected(plainWeights, text, undefined)) < 1e-5));
  } finally {
    await encoder.close?.();
  }
});

test('a float16 table matches the reference on the rounded table', async () => {
  const dir = await writeModel('fp16', weights, 'float16');
  assert.ok(fs.statSync(path.join(dir, 'model.onnx')).size < fs.statSync(path.join(modelDir, 'model.onnx')).size * 0.6);
  const rounded: EncoderWeights = { ...weights, table: roundToFloat16(weights.table) };
  const encoder = await createOnnxEncoder(dir);
  try {
    const vectors = await encoder.embed(TEXTS, { kind: 'passage', lang: TEXT_LANGS });
    TEXTS.forEach((text, i) => assert.ok(maxAbsDiff(vectors[i]!, expected(rounded, text, TEXT_LANGS[i])) < 1e-5));
  } finally {
    await encoder.close?.();
  }
});

test('an int8 table (one scale per row) matches the reference on the dequantised table', async () => {
  const dir = await writeModel('int8', weights, 'int8');
  assert.ok(fs.statSync(path.join(dir, 'model.onnx')).size < fs.statSync(path.join(modelDir, 'model.onnx')).size * 0.35);
  const dequantised: EncoderWeights = { ...weights, table: roundToInt8Rows(weights.table, weights.dim) };
  const encoder = await createOnnxEncoder(dir);
  try {
    const vectors = await encoder.embed(TEXTS, { kind: 'passage', lang: TEXT_LANGS });
    TEXTS.forEach((text, i) => assert.ok(maxAbsDiff(vectors[i]!, expected(dequantised, text, TEXT_LANGS[i])) < 1e-5));
  } finally {
    await encoder.close?.();
  }
});

test('pooling weights (SIF / attention) in float32 and int8 graphs match the reference and survive re-import', async () => {
  const rand = prng(11);
  const pooled: EncoderWeights = { ...weights, featureWeights: Float32Array.from({ length: FEATURES.buckets }, () => Math.exp((rand() * 2 - 1) * 3)) };
  for (const dtype of ['float32', 'int8'] as const) {
    const dir = await writeModel(`pooled-${dtype}`, pooled, dtype);
    const served: EncoderWeights = dtype === 'int8' ? { ...pooled, table: roundToInt8Rows(pooled.table, pooled.dim) } : pooled;
    const encoder = await createOnnxEncoder(dir);
    try {
      const vectors = await encoder.embed(['', ...TEXTS], { kind: 'passage', lang: [undefined, ...TEXT_LANGS] });
      assert.ok(vectors[0]!.every((x) => x === 0), 'a text without features stays all-zero');
      TEXTS.forEach((text, i) => assert.ok(maxAbsDiff(vectors[i + 1]!, expected(served, text, TEXT_LANGS[i])) < 1e-5, `${dtype} text ${i}`));
      // Not the mean-pooled vectors: the weights are in the graph.
      assert.ok(maxAbsDiff(vectors[4]!, expected({ ...served, featureWeights: undefined }, TEXTS[3]!, TEXT_LANGS[3])) > 1e-3);
    } finally {
      await encoder.close?.();
    }
    const { weights: back } = await readEncoderModel(dir);
    assert.deepEqual(back.featureWeights, pooled.featureWeights);
  }
});

test('int8 row quantisation keeps every value within half a step of its row scale', () => {
  const table = Float32Array.from([0.5, -1, 0.25, 0, 0, 0, 3, 2.9, -0.01]);
  const dq = roundToInt8Rows(table, 3);
  for (let r = 0; r < 3; r++) {
    const scale = Math.max(...Array.from(table.subarray(r * 3, r * 3 + 3), Math.abs)) / 127 || 1;
    for (let d = 0; d < 3; d++) assert.ok(Math.abs(dq[r * 3 + d]! - table[r * 3 + d]!) <= scale / 2 + 1e-7);
  }
  assert.deepEqual(Array.from(dq.subarray(3, 6)), [0, 0, 0]);
});

test('float16 conversion rounds to nearest even and handles the edges', () => {
  const cases: [number, number][] = [
    [0, 0x0000],
    [-0, 0x8000],
    [1, 0x3c00],
    [-2, 0xc000],
    [65504, 0x7bff],
    [1e6, 0x7c00],
    [2 ** -24, 0x0001],
    [2 ** -26, 0x0000],
    [1 + 2 ** -11, 0x3c00], // halfway, rounds to even
    [1 + 3 * 2 ** -11, 0x3c02],
  ];
  for (const [x, bits] of cases) assert.equal(float32ToFloat16Bits(x), bits, `f16(${x})`);
  assert.equal(float16BitsToFloat32(0x3555), 0.333251953125);
  assert.ok(Number.isNaN(float16BitsToFloat32(float32ToFloat16Bits(NaN))));
});

test("a measured auto rule in model.json reaches the encoder's info without changing its version", async () => {
  const plain = await createOnnxEncoder(modelDir);
  const dir = path.join(tmpRoot, 'with-auto-modes');
  fs.cpSync(modelDir, dir, { recursive: true });
  const manifestFile = path.join(dir, 'model.json');
  const autoModes = { languages: { sw: 'dense', qu: 'hybrid' }, default: 'dense' };
  fs.writeFileSync(manifestFile, JSON.stringify({ ...JSON.parse(fs.readFileSync(manifestFile, 'utf8')), autoModes }));
  const measured = await createOnnxEncoder(dir);
  try {
    assert.equal(plain.info.autoModes, undefined);
    assert.deepEqual(measured.info.autoModes, autoModes);
    assert.equal(measured.info.version, plain.info.version, 'collections indexed before keep their encoder version');
  } finally {
    await Promise.all([plain.close?.(), measured.close?.()]);
  }
  fs.writeFileSync(manifestFile, JSON.stringify({ ...JSON.parse(fs.readFileSync(manifestFile, 'utf8')), autoModes: { languages: { sw: 'sparse' }, default: 'dense' } }));
  await assert.rejects(createOnnxEncoder(dir), /autoModes/);
});

/** A rejection check: a TafutaError INPUT_FILE whose message matches. */
const inputFile = (message: RegExp) => (error: unknown) => error instanceof TafutaError && error.code === 'INPUT_FILE' && message.test(error.message);

test('bad model directories fail with clear errors, as INPUT_FILE', async () => {
  await assert.rejects(createOnnxEncoder(path.join(tmpRoot, 'does-not-exist')), inputFile(/model\.json: not found/));

  const bad = (name: string, manifest: string | object): string => {
    const dir = path.join(tmpRoot, name);
    fs.mkdirSync(dir, { recursive: true });
    fs.copyFileSync(path.join(modelDir, 'model.onnx'), path.join(dir, 'model.onnx'));
    fs.writeFileSync(path.join(dir, 'model.json'), typeof manifest === 'string' ? manifest : JSON.stringify(manifest));
    return dir;
  };
  const good = JSON.parse(fs.readFileSync(path.join(modelDir, 'model.json'), 'utf8'));

  await assert.rejects(createOnnxEncoder(bad('not-json', '{ nope')), inputFile(/model\.json is not valid JSON/));
  await assert.rejects(createOnnxEncoder(bad('wrong-version', { ...good, formatVersion: 4 })), inputFile(/model\.json is invalid:[\s\S]*formatVersion/));
  await assert.rejects(createOnnxEncoder(bad('v3-graph-called-v1', { ...good, formatVersion: 1 })), inputFile(/inputs \[.*\], expected \[ids, mask, adapter\]/));
  await assert.rejects(createOnnxEncoder(bad('v3-graph-called-v2', { ...good, formatVersion: 2 })), inputFile(/inputs \[.*\], expected \[ids, rows, counts, adapter\]/));
  const { dim: _dim, ...noDim } = good;
  await assert.rejects(createOnnxEncoder(bad('no-dim', noDim)), inputFile(/model\.json is invalid:[\s\S]*dim/));
  await assert.rejects(createOnnxEncoder(bad('escape', { ...good, onnx: '../model.onnx' })), inputFile(/invalid:[\s\S]*onnx/));
  await assert.rejects(createOnnxEncoder(bad('missing-onnx', { ...good, onnx: 'other.onnx' })), inputFile(/other\.onnx .*not found/));
  await assert.rejects(createOnnxEncoder(bad('wrong-dim', { ...good, dim: 64 })), inputFile(/outputs 32-dim vectors but model\.json says dim 64/));
  await assert.rejects(createOnnxEncoder(bad('wrong-adapters', { ...good, adapters: [] })), inputFile(/inputs .*expected/));
  const garbage = bad('garbage-onnx', good);
  fs.writeFileSync(path.join(garbage, 'model.onnx'), 'not a model');
  await assert.rejects(createOnnxEncoder(garbage), /model\.onnx failed to load/);
});

test('export rejects inconsistent weights; closed encoders refuse to embed', async () => {
  assert.throws(() => exportEncoderOnnx({ buckets: 10, dim: 4, table: new Float32Array(39) }), /table has 39 values/);
  const badAdapters = { ...weights, adapters: { langs: LANGS, rank: RANK, U: new Float32Array(3), V: new Float32Array(3) } };
  assert.throws(() => exportEncoderOnnx(badAdapters), /adapters\.U has 3 values/);
  const table = new Float32Array(40);
  assert.throws(() => exportEncoderOnnx({ buckets: 10, dim: 4, table, featureWeights: new Float32Array(9).fill(1) }), /featureWeights has 9 values/);
  assert.throws(() => exportEncoderOnnx({ buckets: 10, dim: 4, table, featureWeights: new Float32Array(10) }), /finite and positive/);
  const encoder = await createOnnxEncoder(modelDir);
  await encoder.close?.();
  await encoder.close?.();
  await assert.rejects(encoder.embed(['x'], { kind: 'query' }), /closed/);
});

test('a model with subword units: subwords.txt beside model.onnx, vectors match the reference on the same features, its own version; a changed file is refused', async () => {
  const merges = learnSubwords(new Map([['<ninapenda>', 5], ['<alipenda>', 4], ['<wanapenda>', 3], ['<habari>', 6]]), { maxMerges: 30 });
  const features: FeatureConfig = { ...FEATURES, subwords: new SubwordSegmenter(merges) };
  const dir = path.join(tmpRoot, 'with-subwords');
  await writeOnnxEncoderDir(dir, { name: 'with-subwords', description: 'random test model', features, weights, tableDtype: 'float32' });
  const manifest = JSON.parse(fs.readFileSync(path.join(dir, 'model.json'), 'utf8'));
  assert.equal(manifest.features.subwords.file, 'subwords.txt');
  assert.equal(manifest.features.subwords.merges, merges.length);
  assert.deepEqual((await loadManifestFeatures(dir, manifest)).subwords?.merges, merges);

  assert.ok(TEXTS.some((text) => featurize(text, features).length > featurize(text, FEATURES).length), 'some text gets subword features');
  const plainDir = await writeModel('without-subwords', weights, 'float32');
  const [encoder, plain] = [await createOnnxEncoder(dir), await createOnnxEncoder(plainDir)];
  try {
    const vectors = await encoder.embed(TEXTS, { kind: 'passage', lang: TEXT_LANGS });
    TEXTS.forEach((text, i) => {
      const want = referenceForward(weights, featurize(text, features), adapterIndexOf(weights.adapters, TEXT_LANGS[i]));
      assert.ok(maxAbsDiff(vectors[i]!, want) < 1e-5, `text ${i} differs from reference`);
    });
    assert.notEqual(encoder.info.version, plain.info.version, 'the same weights with subword units are another encoder');
  } finally {
    await Promise.all([encoder.close?.(), plain.close?.()]);
  }

  fs.appendFileSync(path.join(dir, 'subwords.txt'), 'x y\n');
  await assert.rejects(createOnnxEncoder(dir), inputFile(/subwords\.txt: sha256 .* differs/));
  fs.rmSync(path.join(dir, 'subwords.txt'));
  await assert.rejects(createOnnxEncoder(dir), inputFile(/subwords\.txt .*cannot be read/));
});
