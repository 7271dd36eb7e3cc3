import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, test } from 'node:test';
import { createEngine } from '../../../bin/runtime.js';
import { createRng } from '../../../core/rng.js';
import { silentLogger } from '../../../core/logger.js';
import { createAdaptedEncoder } from '../../../models/adapters/adapted-encoder.js';
import { adaptEncoder, type AdaptEncoderOptions } from '../../../models/adapters/cli.js';
import { ADAPTERS_FILE, readAdaptedModel } from '../../../models/adapters/format.js';
import type { Encoder } from '../../../models/encoder.js';
import { createHashedNgramEncoder } from '../../../models/hashed-ngram-encoder.js';
import { createEncoderRegistry } from '../../../models/registry.js';
import { createTransformersEncoder } from '../../../models/transformers/transformers-encoder.js';
import { writeSyntheticBertDir } from '../../../scripts/synthetic-bert.js';
import { tempDir } from '../../helpers/engine.js';

const root = tempDir('tafuta-adapters-');
after(() => fs.rmSync(root, { recursive: true, force: true }));

const ENGLISH = 'water house child mother school book road tree rain fire bread river'.split(' ');
/** A made-up orthography of the same words: what a language adapter has to learn to map onto English. */
const CIPHER = new Map(ENGLISH.map((w) => [w, `${w.split('').reverse().join('')}qa`]));

/** Two- and three-word phrases and their word-by-word "translations" (lang yo, as far as the code is concerned). */
function writePairs(file: string, n: number, seed = 1): string {
  const rng = createRng(seed);
  const lines = Array.from({ length: n }, () => {
    const words = Array.from({ length: 2 + rng.int(2) }, () => ENGLISH[rng.int(ENGLISH.length)]!);
    return JSON.stringify({ en: words.join(' '), text: words.map((w) => CIPHER.get(w)).join(' ') });
  });
  fs.writeFileSync(file, `${lines.join('\n')}\n`);
  return file;
}

function writeConfig(file: string, overrides: Record<string, unknown> = {}): string {
  fs.writeFileSync(file, JSON.stringify({ rank: 12, tau: 0.1, lr: 0.02, batchSize: 32, maxEpochs: 12, patience: 3, validationPerLang: 30, minPairs: 20, seed: 1, ...overrides }));
  return file;
}

const pairsFile = writePairs(path.join(root, 'yo.jsonl'), 300);
const configFile = writeConfig(path.join(root, 'adapters.json'));

async function adapt(encoders: Encoder[], options: Partial<AdaptEncoderOptions> & { encoder: string; out: string }) {
  const logs: string[] = [];
  const result = await adaptEncoder(
    { langs: ['yo'], pairs: pairsFile, configFile, ...options },
    { openEncoders: async () => createEncoderRegistry(encoders), modelsDirs: [], log: (m) => logs.push(m) },
  );
  return { result, logs };
}

/** normalize(v + U Vᵀ v) written out the long way, from the files. */
function corrected(dir: string, lang: string, v: Float32Array): Float32Array {
  const { manifest, adapters } = readAdaptedModel(dir);
  const { U, V } = adapters.get(lang)!;
  const r = manifest.rank;
  const h = Array.from({ length: r }, (_, k) => v.reduce((s, x, d) => s + V[d * r + k]! * x, 0));
  const w = Float32Array.from(v, (x, d) => x + h.reduce((s, hk, k) => s + U[d * r + k]! * hk, 0));
  const norm = Math.hypot(...w);
  return w.map((x) => x / norm);
}

const close = (a: ArrayLike<number>, b: ArrayLike<number>, what: string, tolerance = 1e-5) => {
  assert.equal(a.length, b.length, what);
  for (let i = 0; i < a.length; i++) assert.ok(Math.abs(a[i]! - b[i]!) < tolerance, `${what}[${i}]: ${a[i]} vs ${b[i]}`);
};

test('an adapter over hashed-ngram-v1 improves held-out retrieval, records its data and config, and reruns identically from the cache', async () => {
  const out = path.join(root, 'hashed+yo');
  const cacheDir = path.join(root, 'cache');
  const first = await adapt([createHashedNgramEncoder()], { encoder: 'hashed-ngram-v1', out, cacheDir });
  const [yo] = first.result.languages;
  assert.equal(first.result.name, 'hashed-ngram-v1+yo');
  assert.ok(yo!.validation.adapted.mrr > yo!.validation.base.mrr + 0.05, `validation MRR@10 ${yo!.validation.base.mrr} → ${yo!.validation.adapted.mrr}`);
  assert.ok(yo!.bestEpoch > 0);
  assert.equal(yo!.pairs.pairs, 300);
  assert.equal(yo!.pairs.train + yo!.pairs.validation, 300);
  const { manifest } = readAdaptedModel(out);
  assert.equal(manifest.base.name, 'hashed-ngram-v1');
  assert.equal(manifest.base.version, createHashedNgramEncoder().info.version);
  assert.equal(manifest.rank, 12);
  assert.match(manifest.languages[0]!.pairs.sha256, /^[0-9a-f]{64}$/);
  assert.ok(first.logs.some((l) => l.includes('embeddings computed')));

  const again = path.join(root, 'hashed+yo-again');
  const second = await adapt([createHashedNgramEncoder()], { encoder: 'hashed-ngram-v1', out: again, cacheDir });
  assert.ok(second.logs.some((l) => l.includes('embeddings from the cache')));
  assert.deepEqual(fs.readFileSync(path.join(again, ADAPTERS_FILE)), fs.readFileSync(path.join(out, ADAPTERS_FILE)), 'seeded: the same adapters');
});

test('bad input is refused with its error code before any training', async () => {
  const hashed = () => [createHashedNgramEncoder()];
  const out = path.join(root, 'never');
  const rejects = (options: Partial<AdaptEncoderOptions>, code: string, message: RegExp) =>
    assert.rejects(adapt(hashed(), { encoder: 'hashed-ngram-v1', out, ...options }), (e: Error & { code?: string }) => e.code === code && message.test(e.message));
  await rejects({ encoder: 'no-such-encoder' }, 'UNKNOWN_ENCODER', /no-such-encoder.*loaded: hashed-ngram-v1/);
  await rejects({ pairs: path.join(root, 'missing.jsonl') }, 'INPUT_FILE', /no such file/);
  await rejects({ pairs: writePairs(path.join(root, 'few.jsonl'), 5) }, 'INPUT_FILE', /5 pairs.*at least 20/);
  await rejects({ langs: ['klingon!'] }, 'INVALID_ARGUMENT', /not an ISO 639/);
  await rejects({ langs: ['en'] }, 'INVALID_ARGUMENT', /pivot/);
  await rejects({ langs: ['yo', 'sw'] }, 'INVALID_ARGUMENT', /one file/);
  assert.equal(fs.existsSync(out), false);
});

const SHAPE = { hidden: 16, layers: 1, heads: 2, intermediate: 32, maxPositions: 16 };

test('over a Hugging Face model, served from a models directory: queries and passages of the language get exactly the correction, English none; a retrained adapter is ENCODER_CHANGED', async () => {
  const modelsDir = path.join(root, 'models');
  writeSyntheticBertDir(path.join(modelsDir, 'tiny-bert'), { shape: SHAPE, words: [...ENGLISH, ...CIPHER.values()], seed: 3, scale: 0.3 });
  const out = path.join(modelsDir, 'tiny-bert+yo');
  const { result } = await adapt([createHashedNgramEncoder(), await createTransformersEncoder(path.join(modelsDir, 'tiny-bert'))], { encoder: 'tiny-bert', out });
  assert.equal(result.name, 'tiny-bert+yo');
  const base = await createTransformersEncoder(path.join(modelsDir, 'tiny-bert'));
  try {
    const adapted = createAdaptedEncoder(base, readAdaptedModel(out), out);
    const query = 'retawqa esuohqa';
    const [raw] = await base.embed([query], { kind: 'query', lang: 'yo' });
    const [viaAdapter] = await adapted.embed([query], { kind: 'query', lang: 'yo' });
    close(viaAdapter!, corrected(out, 'yo', raw!), 'yo query');
    assert.ok(viaAdapter!.some((x, d) => Math.abs(x - raw![d]!) > 1e-4), 'the correction is not the identity');
    const english = ['water house', 'river tree'];
    assert.deepEqual(await adapted.embed(english, { kind: 'passage', lang: 'en' }), await base.embed(english, { kind: 'passage', lang: 'en' }));
    assert.deepEqual(await adapted.embed(english, { kind: 'passage' }), await base.embed(english, { kind: 'passage' }));
  } finally {
    await base.close?.();
  }

  const dataDir = path.join(root, 'data');
  const documents = [
    { id: 'en-1', lang: 'en', text: 'water house' },
    { id: 'en-2', lang: 'en', text: 'bread river fire' },
    { id: 'yo-1', lang: 'yo', text: 'daerbqa eerqa' },
  ];
  let engine = await createEngine({ dataDir, modelsDir: tempDir(), modelsDirs: [modelsDir], logger: silentLogger });
  try {
    const encoder = engine.encoders.get('tiny-bert+yo');
    assert.equal(encoder?.info.kind, 'adapted');
    assert.ok(encoder.info.adapters?.includes('yo'));
    assert.deepEqual(encoder.info.autoModes, { languages: {}, default: 'hybrid' }, "auto keeps the base's choice");
    const tiny = engine.encoders.get('tiny-bert')!;
    await engine.createCollection('c', { encoder: 'tiny-bert+yo' });
    await engine.upsertDocuments('c', documents);
    const query = 'retawqa esuohqa';
    const [rawQuery] = await tiny.embed([query], { kind: 'query', lang: 'yo' });
    const expectedQuery = corrected(out, 'yo', rawQuery!);
    const passageVectors = new Map<string, Float32Array>();
    for (const d of documents) {
      const [v] = await tiny.embed([d.text], { kind: 'passage', lang: d.lang });
      passageVectors.set(d.id, d.lang === 'yo' ? corrected(out, 'yo', v!) : v!);
    }
    const { results } = await engine.search('c', { query, lang: 'yo', k: 3, mode: 'dense' });
    assert.equal(results.length, 3);
    for (const hit of results) {
      const expected = passageVectors.get(hit.id)!.reduce((s, x, d) => s + x * expectedQuery[d]!, 0);
      assert.ok(Math.abs(hit.score - expected) < 1e-4, `${hit.id}: score ${hit.score}, expected ${expected}`);
    }
  } finally {
    await engine.close();
  }

  // Retrained with another seed into the same directory: another version, so the collection must be re-indexed.
  await adapt([await createTransformersEncoder(path.join(modelsDir, 'tiny-bert'))], { encoder: 'tiny-bert', out, seed: 2 });
  engine = await createEngine({ dataDir, modelsDir: tempDir(), modelsDirs: [modelsDir], logger: silentLogger });
  try {
    assert.ok((await engine.listCollections()).find((c) => c.name === 'c')?.encoderChanged);
    await assert.rejects(engine.search('c', { query: 'water', k: 1, mode: 'dense' }), (e: Error & { code?: string }) => e.code === 'ENCODER_CHANGED');
  } finally {
    await engine.close();
  }
});
