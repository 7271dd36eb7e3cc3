/**
 * `tafuta adapt`: the few-shot path for a new language. The table and every other adapter stay frozen; only the
 * new language's low-rank adapter (v + U Vᵀ v, U starting at zero = identity) learns, by InfoNCE between its
 * sentences and their English translations (English goes through no adapter, as in pre-training). A few hundred
 * pairs train in seconds.
 */
import fs from 'node:fs';
import { featurize, type FeatureConfig } from '../features.js';
import { readEncoderModel } from '../onnx/import.js';
import { loadManifestFeatures, writeOnnxEncoderDir } from '../onnx/export.js';
import { EncoderGrads, backwardBatch, forwardBatch, type EncoderParams } from './encoder-params.js';
import { infoNce } from './losses/infonce.js';
import { AdamW } from './optimizer.js';
import { createRng, shuffle } from '../../core/rng.js';
import { readJsonlEntries } from '../../core/jsonl.js';
import { TafutaError } from '../../core/errors.js';

export interface AdaptOptions {
  modelDir: string;
  outDir: string;
  lang: string;
  /** JSONL {en, text} (the data build's train format) or TSV en<TAB>text. */
  pairsFile: string;
  epochs?: number;
  batchSize?: number;
  lr?: number;
  tau?: number;
  seed?: number;
  /** Rank for a model that has no adapters yet. */
  rank?: number;
  /**
   * Name of the adapted model; default "<source>+<lang>". A new name because the adapter changes how that
   * language is encoded: collections built with the source model must re-index its documents to use it.
   */
  name?: string;
}

export function readPairsFile(file: string): Array<{ en: string; text: string }> {
  if (!fs.existsSync(file)) throw new TafutaError('INPUT_FILE', `pairs file not found: ${file}`);
  const pairs: Array<{ en: string; text: string }> = [];
  if (file.endsWith('.tsv')) {
    fs.readFileSync(file, 'utf8').split('\n').forEach((line, i) => {
      if (!line.trim()) return;
      const [en, text] = line.split('\t');
      if (!en || !text) throw new TafutaError('INPUT_FILE', `${file}:${i + 1}: expected "english<TAB>translation"`);
      pairs.push({ en, text });
    });
  } else {
    for (const { line, value } of readJsonlEntries(file)) {
      const r = (value ?? {}) as { en?: unknown; text?: unknown };
      if (typeof r.en !== 'string' || typeof r.text !== 'string') throw new TafutaError('INPUT_FILE', `${file}:${line}: needs string fields "en" and "text"`);
      pairs.push({ en: r.en, text: r.text });
    }
  }
  if (pairs.length < 2) throw new TafutaError('INPUT_FILE', `${file}: need at least 2 pairs, found ${pairs.length}`);
  return pairs;
}

export async function adaptLanguage(options: AdaptOptions) {
  const started = performance.now();
  const { manifest, weights } = await readEncoderModel(options.modelDir);
  const features: FeatureConfig = await loadManifestFeatures(options.modelDir, manifest);
  const dim = weights.dim;
  const rank = weights.adapters?.rank ?? options.rank ?? 8;
  const langs = [...(weights.adapters?.langs ?? [])];
  let index = langs.indexOf(options.lang);
  const block = dim * rank;
  const U = new Float32Array((langs.length + (index < 0 ? 1 : 0)) * block);
  const V = new Float32Array(U.length);
  if (weights.adapters) {
    U.set(weights.adapters.U);
    V.set(weights.adapters.V);
  }
  const rng = createRng(options.seed ?? 1);
  if (index < 0) {
    index = langs.length;
    langs.push(options.lang);
  }
  // Fresh adapter for this language: U = 0 (identity), V random.
  U.fill(0, index * block, (index + 1) * block);
  for (let i = index * block; i < (index + 1) * block; i++) V[i] = rng.normal() / Math.sqrt(dim);

  const logits = weights.featureWeights ? Float32Array.from(weights.featureWeights, Math.log) : undefined;
  const params: EncoderParams = { buckets: weights.buckets, dim, adapterLangs: langs, adapterRank: rank, table: weights.table, U, V, logits };
  const pairs = readPairsFile(options.pairsFile)
    .map((p) => ({ en: featurize(p.en, features), lrl: featurize(p.text, features) }))
    .filter((p) => p.en.length > 0 && p.lrl.length > 0);
  const E = forwardBatch(params, pairs.map((p) => ({ ids: p.en, adapter: -1 }))).out; // frozen English side
  const optU = new AdamW(block, options.lr ?? 5e-3);
  const optV = new AdamW(block, options.lr ?? 5e-3);
  const batchSize = Math.min(options.batchSize ?? 64, pairs.length);
  const grads = new EncoderGrads(dim, U.length, weights.buckets, { maxRows: 8192 });
  const order = pairs.map((_, i) => i);
  let loss = 0;
  for (let epoch = 0; epoch < (options.epochs ?? 30); epoch++) {
    shuffle(order, rng);
    for (let start = 0; start + 2 <= order.length; start += batchSize) {
      const batch = order.slice(start, start + batchSize);
      const lrl = forwardBatch(params, batch.map((i) => ({ ids: pairs[i]!.lrl, adapter: index })));
      const eBatch = new Float32Array(batch.length * dim);
      batch.forEach((i, k) => eBatch.set(E.subarray(i * dim, (i + 1) * dim), k * dim));
      const r = infoNce(lrl.out, eBatch, batch.length, batch.length, dim, options.tau ?? 0.05);
      loss = r.loss;
      grads.reset();
      backwardBatch(params, lrl, r.dA, grads);
      // Only this language's block moves; the table and other adapters stay as shipped.
      optU.step(U.subarray(index * block, (index + 1) * block), grads.U.subarray(index * block, (index + 1) * block));
      optV.step(V.subarray(index * block, (index + 1) * block), grads.V.subarray(index * block, (index + 1) * block));
    }
  }
  const out = await writeOnnxEncoderDir(options.outDir, {
    name: options.name ?? `${manifest.name}+${options.lang}`,
    description: `${manifest.description} Adapter for "${options.lang}" added by tafuta adapt.`,
    features,
    weights: { ...weights, adapters: { langs, rank, U, V } },
    tableDtype: manifest.tableDtype ?? 'float32',
    extra: {
      ...Object.fromEntries(Object.entries(manifest).filter(([k]) => !['format', 'formatVersion', 'name', 'description', 'dim', 'features', 'adapters', 'onnx', 'tableDtype'].includes(k))),
      adapted: { lang: options.lang, pairs: pairs.length, from: options.modelDir, finalLoss: loss, seconds: (performance.now() - started) / 1000, date: new Date().toISOString() },
    },
  });
  return { manifest: out, pairs: pairs.length, loss, seconds: (performance.now() - started) / 1000 };
}
