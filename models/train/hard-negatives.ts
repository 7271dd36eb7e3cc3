/**
 * Hard-negative mining with an HNSW index over the English side: for a sample of training pairs, the English
 * strings closest to the LRL sentence that are NOT its translation. Batches then draw from these with
 * probability ∝ exp(sim / T) (weighted negative sampling: harder is likelier, but not always the top-1, which
 * is often an unlabelled paraphrase).
 */
import hnswlib from 'hnswlib-node';
import type { Dataset } from './dataset.js';
import { forwardBatch, type EncoderInput, type EncoderParams } from './encoder-params.js';
import type { Rng } from '../../core/rng.js';

export interface HardNegatives {
  /** Training pair index → candidate English indices and their similarities. */
  candidates: Map<number, { english: Int32Array; sims: Float32Array }>;
}

function encodeAll(params: EncoderParams, inputs: EncoderInput[], chunk = 2048): Float32Array[] {
  const out: Float32Array[] = [];
  for (let i = 0; i < inputs.length; i += chunk) {
    const cache = forwardBatch(params, inputs.slice(i, i + chunk));
    for (let j = 0; j < cache.inputs.length; j++) out.push(cache.out.subarray(j * params.dim, (j + 1) * params.dim));
  }
  return out;
}

export function mineHardNegatives(
  params: EncoderParams,
  dataset: Dataset,
  adapterOf: (lang: number) => number,
  options: { topM: number; maxPairs: number },
  rng: Rng,
): HardNegatives {
  const englishInTrain = [...new Set(dataset.train.map((p) => p.en))];
  const englishVectors = encodeAll(params, englishInTrain.map((e) => ({ ids: dataset.english[e]!.ids, adapter: -1 })));
  const index = new hnswlib.HierarchicalNSW('cosine', params.dim);
  index.initIndex({ maxElements: englishInTrain.length, m: 12, efConstruction: 64, randomSeed: rng.int(1 << 30) });
  englishVectors.forEach((v, i) => index.addPoint(Array.from(v), englishInTrain[i]!));
  index.setEf(Math.max(32, options.topM * 4));

  const sample = dataset.train.length <= options.maxPairs
    ? dataset.train.map((_, i) => i)
    : Array.from({ length: options.maxPairs }, () => rng.int(dataset.train.length));
  const queries = encodeAll(params, sample.map((i) => ({ ids: dataset.train[i]!.lrl, adapter: adapterOf(dataset.train[i]!.lang) })));
  const candidates: HardNegatives['candidates'] = new Map();
  const k = Math.min(options.topM + 1, englishInTrain.length);
  sample.forEach((pairIndex, q) => {
    const own = dataset.train[pairIndex]!.en;
    const result = index.searchKnn(Array.from(queries[q]!), k);
    const keep = result.neighbors.map((e, i) => [e, 1 - result.distances[i]!] as const).filter(([e]) => e !== own).slice(0, options.topM);
    if (keep.length) {
      candidates.set(pairIndex, { english: Int32Array.from(keep.map(([e]) => e)), sims: Float32Array.from(keep.map(([, s]) => s)) });
    }
  });
  return { candidates };
}

/** Draws one candidate with probability ∝ exp(sim / temperature). */
export function sampleNegative(c: { english: Int32Array; sims: Float32Array }, temperature: number, rng: Rng): number {
  const max = Math.max(...c.sims);
  const weights = Array.from(c.sims, (s) => Math.exp((s - max) / temperature));
  let r = rng.next() * weights.reduce((a, b) => a + b, 0);
  for (let i = 0; i < weights.length; i++) {
    r -= weights[i]!;
    if (r <= 0) return c.english[i]!;
  }
  return c.english[c.english.length - 1]!;
}
