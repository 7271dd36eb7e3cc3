import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, test } from 'node:test';
import { createEngine, findModelDirs } from '../../bin/runtime.js';
import { silentLogger } from '../../core/logger.js';
import type { Encoder } from '../../models/encoder.js';
import { readTransformersSettings } from '../../models/transformers/settings.js';
import { createTransformersEncoder, type TransformersEncoderOptions } from '../../models/transformers/transformers-encoder.js';
import { referenceBertForward, writeSyntheticBertDir, type BertWeights } from '../../scripts/synthetic-bert.js';
import { tempDir } from '../helpers/engine.js';

const SHAPE = { hidden: 16, layers: 2, heads: 2, intermediate: 32, maxPositions: 24 };
const WORDS = ['hello', 'world', 'habari', 'za', 'asubuhi', 'maji', 'safi', 'mvua', 'query', 'passage', ':'];
const TEXTS = ['Hello world', 'habari za asubuhi', 'maji', 'mvua safi maji hello za', 'worldz'];

const root = tempDir('tafuta-transformers-');
after(() => fs.rmSync(root, { recursive: true, force: true }));

interface TestModel {
  dir: string;
  weights: BertWeights;
  vocab: string[];
}

/** A synthetic BERT (weights scaled up from BERT's 0.02 so that tokens and positions visibly matter). */
function writeModel(name: string, files: Record<string, unknown> = {}, seed = 7, onnxFile?: string): TestModel {
  const dir = path.join(root, name);
  const { weights, vocab } = writeSyntheticBertDir(dir, { shape: SHAPE, words: WORDS, seed, scale: 0.3, ...(onnxFile ? { onnxFile } : {}) });
  for (const [file, json] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
    fs.writeFileSync(path.join(dir, file), JSON.stringify(json));
  }
  return { dir, weights, vocab };
}

/** Token ids a lower-casing WordPiece gives a text of vocabulary words ('worldz' → world ##z), with [CLS] and [SEP]. */
function idsOf(model: TestModel, text: string): number[] {
  const id = (token: string) => {
    const i = model.vocab.indexOf(token);
    assert.ok(i >= 0, `${token} in vocab`);
    return i;
  };
  const pieces = text.toLowerCase().split(/\s+|(?=:)|(?<=:)/).filter(Boolean).flatMap((word) => (word === 'worldz' ? ['world', '##z'] : [word]));
  return [id('[CLS]'), ...pieces.map(id), id('[SEP]')];
}

/** The reference vector: forward pass in TypeScript, pooled, L2-normalised. */
function expected(model: TestModel, ids: number[], pooling: 'mean' | 'cls' = 'mean'): Float32Array {
  const h = SHAPE.hidden;
  const hidden = referenceBertForward(model.weights, ids, ids.map(() => 0), ids.map(() => 1));
  const v = new Float32Array(h);
  const rows = pooling === 'cls' ? 1 : ids.length;
  for (let t = 0; t < rows; t++) for (let j = 0; j < h; j++) v[j]! += hidden[t * h + j]! / rows;
  const norm = Math.hypot(...v);
  return v.map((x) => x / norm);
}

function assertClose(actual: Float32Array, reference: Float32Array, tolerance = 1e-4, what = ''): void {
  assert.equal(actual.length, reference.length);
  const diff = Math.max(...actual.map((x, i) => Math.abs(x - reference[i]!)));
  assert.ok(diff < tolerance, `${what} differs from the reference by ${diff}`);
}

async function withEncoder<T>(dir: string, run: (encoder: Encoder) => Promise<T>, options?: TransformersEncoderOptions): Promise<T> {
  const encoder = await createTransformersEncoder(dir, options);
  try {
    return await run(encoder);
  } finally {
    await encoder.close?.();
  }
}

const plain = writeModel('plain');

test('transformers encoder: shapes, unit norms and parity with the TypeScript forward pass (mean pooling, padded batch)', async () => {
  await withEncoder(plain.dir, async (encoder) => {
    assert.deepEqual({ ...encoder.info, description: undefined }, {
      name: 'plain', dim: SHAPE.hidden, description: undefined, version: encoder.info.version, kind: 'transformers', source: plain.dir,
    });
    assert.match(encoder.info.version ?? '', /^[0-9a-f]{16}$/);
    const vectors = await encoder.embed(TEXTS, { kind: 'passage' });
    assert.equal(vectors.length, TEXTS.length);
    TEXTS.forEach((text, i) => {
      assert.ok(Math.abs(Math.hypot(...vectors[i]!) - 1) < 1e-5, 'unit norm');
      assertClose(vectors[i]!, expected(plain, idsOf(plain, text)), 1e-4, text);
    });
    // Without prefixes queries and passages embed alike; texts differ from each other.
    assert.deepEqual(await encoder.embed(TEXTS, { kind: 'query' }), vectors);
    assert.ok(Math.abs(vectors[0]![0]! - vectors[1]![0]!) > 1e-3);
    assert.deepEqual(await encoder.embed([], { kind: 'query' }), []);
  });
});

test('transformers encoder: batches of every size and order give the same vectors, bit for bit on repeat', async () => {
  const words = 'hello world habari za asubuhi maji safi mvua'.split(' ');
  const texts = Array.from({ length: 40 }, (_, i) => words.slice(i % 8, (i % 8) + 1 + ((i * 7) % 8)).join(' '));
  const [whole, again, small] = await withEncoder(plain.dir, async (encoder) => [
    await encoder.embed(texts, { kind: 'passage' }),
    await encoder.embed(texts, { kind: 'passage' }),
    await Promise.all(texts.map(async (t) => (await encoder.embed([t], { kind: 'passage' }))[0]!)),
  ]);
  assert.deepEqual(again, whole, 'deterministic');
  await withEncoder(plain.dir, async (encoder) => {
    const chunked = await encoder.embed(texts, { kind: 'passage' });
    texts.forEach((text, i) => {
      assertClose(chunked[i]!, whole[i]!, 1e-5, `chunked ${text}`);
      assertClose(small[i]!, whole[i]!, 1e-5, `alone ${text}`);
    });
  }, { maxBatchSize: 3, maxBatchTokens: 20 });
});

test('transformers encoder: pooling and prefixes from sentence-transformers files; tafuta.json overrides them', async () => {
  const st = writeModel('st', {
    'modules.json': [
      { idx: 0, name: '0', path: '', type: 'sentence_transformers.models.Transformer' },
      { idx: 1, name: '1', path: '1_Pooling', type: 'sentence_transformers.models.Pooling' },
      { idx: 2, name: '2', path: '2_Normalize', type: 'sentence_transformers.models.Normalize' },
    ],
    '1_Pooling/config.json': { word_embedding_dimension: SHAPE.hidden, pooling_mode_cls_token: true, pooling_mode_mean_tokens: false },
    'config_sentence_transformers.json': { prompts: { query: 'query: ', passage: 'passage: ' } },
  });
  assert.deepEqual(
    (({ pooling, modelNormalizes, prefixes }) => ({ pooling, modelNormalizes, prefixes }))(readTransformersSettings(st.dir)),
    { pooling: 'cls', modelNormalizes: true, prefixes: { query: 'query: ', passage: 'passage: ' } },
  );
  const stVersion = await withEncoder(st.dir, async (encoder) => {
    const [query] = await encoder.embed(['maji safi'], { kind: 'query' });
    const [passage] = await encoder.embed(['maji safi'], { kind: 'passage' });
    assertClose(query!, expected(st, idsOf(st, 'query : maji safi'), 'cls'), 1e-4, 'query');
    assertClose(passage!, expected(st, idsOf(st, 'passage : maji safi'), 'cls'), 1e-4, 'passage');
    return encoder.info.version;
  });

  fs.writeFileSync(path.join(st.dir, 'tafuta.json'), JSON.stringify({ name: 'e5-like', pooling: 'mean', prefixes: { query: 'query: ', passage: '' } }));
  await withEncoder(st.dir, async (encoder) => {
    assert.equal(encoder.info.name, 'e5-like');
    assert.notEqual(encoder.info.version, stVersion, 'pooling and prefixes change the vectors, so the version');
    const [passage] = await encoder.embed(['maji safi'], { kind: 'passage' });
    assertClose(passage!, expected(st, idsOf(st, 'maji safi'), 'mean'), 1e-4, 'overridden passage');
  });

  fs.writeFileSync(path.join(st.dir, 'tafuta.json'), JSON.stringify({ pooling: 'max' }));
  assert.throws(() => readTransformersSettings(st.dir), /tafuta\.json is invalid/);
});

test('transformers encoder: texts are truncated at the maximum length, [SEP] kept', async () => {
  const short = writeModel('short', { 'tafuta.json': { maxLength: 5 } });
  const long = 'habari za asubuhi maji safi mvua hello';
  await withEncoder(short.dir, async (encoder) => {
    const [v] = await encoder.embed([long], { kind: 'passage' });
    const ids = idsOf(short, long);
    assertClose(v!, expected(short, [...ids.slice(0, 4), ids.at(-1)!]), 1e-4, 'truncated');
  });
  // Without an override, the position table bounds the length: 24 tokens, not tokenizer_config's.
  fs.writeFileSync(path.join(short.dir, 'tafuta.json'), JSON.stringify({ maxLength: 4096 }));
  assert.equal(readTransformersSettings(short.dir).maxLength, SHAPE.maxPositions);
  await withEncoder(short.dir, async (encoder) => {
    const [v] = await encoder.embed([Array(100).fill('maji').join(' ')], { kind: 'passage' });
    assert.ok(Math.abs(Math.hypot(...v!) - 1) < 1e-5);
  });
});

test('settings: XLM-R-like position tables start after the padding index; tokenizer_config lengths of 1e30 mean none', () => {
  const model = writeModel('xlmr-like');
  const configFile = path.join(model.dir, 'config.json');
  const config = JSON.parse(fs.readFileSync(configFile, 'utf8')) as Record<string, unknown>;
  fs.writeFileSync(configFile, JSON.stringify({ ...config, model_type: 'xlm-roberta', max_position_embeddings: 514, pad_token_id: 1 }));
  fs.writeFileSync(path.join(model.dir, 'tokenizer_config.json'), JSON.stringify({ model_max_length: 1e30 }));
  assert.equal(readTransformersSettings(model.dir).maxLength, 512);
  fs.writeFileSync(path.join(model.dir, 'sentence_bert_config.json'), JSON.stringify({ max_seq_length: 256 }));
  assert.equal(readTransformersSettings(model.dir).maxLength, 256);
});

test('transformers encoder: dtype q8 loads onnx/model_quantized.onnx; Git LFS pointers do not count; a missing variant is an error', async () => {
  const both = writeModel('both');
  const quantized = writeSyntheticBertDir(path.join(root, 'both'), { shape: SHAPE, words: WORDS, seed: 99, scale: 0.3, onnxFile: 'model_quantized.onnx' });
  const fp32Version = await withEncoder(both.dir, async (encoder) => encoder.info.version);
  fs.writeFileSync(path.join(both.dir, 'tafuta.json'), JSON.stringify({ dtype: 'q8' }));
  await withEncoder(both.dir, async (encoder) => {
    assert.notEqual(encoder.info.version, fp32Version);
    const [v] = await encoder.embed(['hello world'], { kind: 'passage' });
    assertClose(v!, expected({ dir: both.dir, ...quantized }, idsOf(both, 'hello world')), 1e-4, 'q8 file');
  });
  // A clone without `git lfs pull` of model.onnx: the variant that is there is used; a pointer tokenizer is an error.
  fs.rmSync(path.join(both.dir, 'tafuta.json'));
  const lfsPointer = 'version https://git-lfs.github.com/spec/v1\noid sha256:4d7a\nsize 470000000\n';
  fs.writeFileSync(path.join(both.dir, 'onnx', 'model.onnx'), lfsPointer);
  assert.equal(readTransformersSettings(both.dir).dtype, 'q8');
  fs.copyFileSync(path.join(both.dir, 'tokenizer.json'), path.join(root, 'tokenizer.json.saved'));
  fs.writeFileSync(path.join(both.dir, 'tokenizer.json'), lfsPointer);
  assert.throws(() => readTransformersSettings(both.dir), /tokenizer\.json is a Git LFS pointer: run `git lfs pull --include "tokenizer\.json"`/);
  fs.copyFileSync(path.join(root, 'tokenizer.json.saved'), path.join(both.dir, 'tokenizer.json'));
  fs.writeFileSync(path.join(both.dir, 'tafuta.json'), JSON.stringify({ dtype: 'fp16' }));
  await assert.rejects(createTransformersEncoder(both.dir), /dtype fp16 needs onnx\/model_fp16\.onnx/);
  // An fp16 export returns float16 hidden states.
  const half = writeSyntheticBertDir(both.dir, { shape: SHAPE, words: WORDS, seed: 7, scale: 0.3, onnxFile: 'model_fp16.onnx', output: 'float16' });
  await withEncoder(both.dir, async (encoder) => {
    const [v] = await encoder.embed(['hello world'], { kind: 'passage' });
    assertClose(v!, expected({ dir: both.dir, ...half }, idsOf(both, 'hello world')), 2e-3, 'fp16 file');
  });
});

test('models directories: ours and transformers ones are found; a served collection searches, then reports ENCODER_CHANGED and reindexes', async () => {
  const modelsDir = path.join(root, 'models-dir');
  const served = writeModel(path.join('models-dir', 'tiny-bert'));
  fs.mkdirSync(path.join(modelsDir, 'not-a-model'));
  assert.deepEqual(findModelDirs(modelsDir), [{ dir: served.dir, kind: 'transformers' }]);
  assert.deepEqual(findModelDirs(served.dir), [{ dir: served.dir, kind: 'transformers' }], 'a model directory itself');

  const dataDir = tempDir();
  const documents = [
    { id: 'a', text: 'habari za asubuhi' },
    { id: 'b', text: 'maji safi maji safi' },
    { id: 'c', text: 'hello world' },
  ];
  const open = () => createEngine({ dataDir, modelsDir: tempDir(), modelsDirs: [modelsDir], logger: silentLogger });
  let engine = await open();
  try {
    const info = engine.encoders.list().find((e) => e.name === 'tiny-bert');
    assert.equal(info?.kind, 'transformers');
    assert.equal(info?.source, served.dir);
    await engine.createCollection('c', { encoder: 'tiny-bert' });
    await engine.upsertDocuments('c', documents);
    for (const doc of documents) {
      const { results } = await engine.search('c', { query: doc.text, k: 1, mode: 'dense' });
      assert.equal(results[0]?.id, doc.id, `"${doc.text}" finds itself`);
    }
  } finally {
    await engine.close();
  }

  writeModel(path.join('models-dir', 'tiny-bert'), {}, 8); // retrained: same name, other weights
  engine = await open();
  try {
    assert.match((await engine.getCollection('c')).encoderChanged ?? '', /version/);
    await assert.rejects(engine.search('c', { query: 'maji', k: 1, mode: 'dense' }), (e: Error & { code?: string }) => e.code === 'ENCODER_CHANGED');
    const result = await engine.reindexCollection('c');
    assert.equal(result.documents, documents.length);
    assert.equal((await engine.search('c', { query: 'hello world', k: 1, mode: 'dense' })).results[0]?.id, 'c');
  } finally {
    await engine.close();
  }
});

test('passages longer than the model reads are split by tokens, so nothing is truncated away', async () => {
  const modelsDir = path.join(root, 'token-split');
  const model = writeModel(path.join('token-split', 'eight'), { 'tafuta.json': { maxLength: 8, prefixes: { query: '', passage: 'passage: ' } } });
  const words = 'habari za asubuhi maji safi mvua hello world'.split(' ');
  const text = Array.from({ length: 40 }, (_, i) => words[i % words.length]).join(' ');
  const engine = await createEngine({ dataDir: tempDir(), modelsDir: tempDir(), modelsDirs: [modelsDir], logger: silentLogger });
  try {
    await engine.createCollection('c', { encoder: 'eight' });
    const { passages } = await engine.upsertDocuments('c', [{ id: 'long', text }]);
    const stored = (await engine.listDocuments('c', { limit: 10 })).documents[0]!;
    assert.equal(stored.passages, passages);
    assert.ok(passages >= 40 / (8 - 4), `${passages} passages for 40 words, at most 4 words each ([CLS] passage : … [SEP])`);
    const encoder = engine.encoders.get('eight')!;
    const { results } = await engine.search('c', { query: 'maji', k: 100, mode: 'dense' });
    assert.equal(results.length, passages);
    for (const r of results) assert.ok(encoder.tokenLimit!.countTokens([r.text])[0]! <= 8, r.text);
    assert.equal(model.dir, path.join(modelsDir, 'eight'));
  } finally {
    await engine.close();
  }
});

