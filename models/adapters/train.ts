/**
 * Trains one language's low-rank correction (low-rank.ts) on cached embeddings of a frozen encoder: InfoNCE with
 * in-batch negatives between the corrected vectors of the language's texts and the unchanged English ones (the
 * pivot), AdamW on U and V only, seeded. Validation is on held-out English strings (models/train/dataset.ts's split,
 * so the pairs a CMTP model validated on are not trained on here either); the best epoch by validation MRR@10 is
 * kept, and training stops after `patience` epochs without a better one. When no epoch beats the base encoder, the
 * adapter stays the identity (U = 0) and the scores say so.
 */
import { z } from 'zod';
import { createRng, shuffle } from '../../core/rng.js';
import { AdamW } from '../train/optimizer.js';
import { infoNce } from '../train/losses/infonce.js';
import { adapterBackward, applyAdapterRows, type LowRankAdapter } from './low-rank.js';

export const adapterTrainConfigSchema = z
  .object({
    rank: z.number().int().min(1).max(256),
    tau: z.number().positive(),
    lr: z.number().positive(),
    batchSize: z.number().int().min(2).max(4096),
    maxEpochs: z.number().int().min(1).max(1000),
    patience: z.number().int().min(1),
    validationPerLang: z.number().int().min(1),
    minPairs: z.number().int().min(4),
    /** Most training pairs per language (a seeded sample of the rest): a few thousand pairs is what an adapter of rank ≤ 32 uses. */
    maxTrainPairs: z.number().int().min(2).optional(),
    seed: z.number().int(),
  })
  .strict();
export type AdapterTrainConfig = z.infer<typeof adapterTrainConfigSchema>;

export interface ValidationScores {
  /** MRR@10 of each held-out pair's English among the distinct held-out English strings. */
  mrr: number;
  r1: number;
}

export interface TrainedAdapter {
  adapter: LowRankAdapter;
  base: ValidationScores;
  adapted: ValidationScores;
  epochs: number;
  /** 0 = no epoch beat the base: the adapter is the identity. */
  bestEpoch: number;
}

export interface AdapterTrainingData {
  dim: number;
  /** [n, dim] unit vectors each: English (frozen, the pivot) and the language's side. */
  en: Float32Array;
  text: Float32Array;
  /** English string of pair i (pairs with one English string are never each other's negatives). */
  english: readonly string[];
  train: readonly number[];
  validation: readonly number[];
}

function rows(matrix: Float32Array, dim: number, indices: readonly number[]): Float32Array {
  const out = new Float32Array(indices.length * dim);
  indices.forEach((i, k) => out.set(matrix.subarray(i * dim, (i + 1) * dim), k * dim));
  return out;
}

export function validationScores(adapter: LowRankAdapter | undefined, data: AdapterTrainingData): ValidationScores {
  const { dim } = data;
  const distinct = [...new Set(data.validation.map((i) => data.english[i]!))];
  const firstOf = new Map<string, number>();
  for (const i of data.validation) if (!firstOf.has(data.english[i]!)) firstOf.set(data.english[i]!, i);
  const candidates = rows(data.en, dim, distinct.map((en) => firstOf.get(en)!));
  const raw = rows(data.text, dim, data.validation);
  const queries = adapter ? applyAdapterRows(adapter, raw, data.validation.length).out : raw;
  let mrr = 0;
  let r1 = 0;
  data.validation.forEach((pair, q) => {
    const target = distinct.indexOf(data.english[pair]!);
    const score = (c: number) => {
      let s = 0;
      for (let d = 0; d < dim; d++) s += queries[q * dim + d]! * candidates[c * dim + d]!;
      return s;
    };
    const own = score(target);
    let rank = 1;
    for (let c = 0; c < distinct.length; c++) if (c !== target && score(c) >= own) rank++;
    if (rank <= 10) mrr += 1 / rank;
    if (rank === 1) r1++;
  });
  const n = Math.max(1, data.validation.length);
  return { mrr: mrr / n, r1: r1 / n };
}

/** Batches of distinct English strings (a repeated English string would be its own in-batch negative). */
function batchesOf(order: readonly number[], english: readonly string[], size: number): number[][] {
  const batches: number[][] = [];
  let pending = [...order];
  while (pending.length > 0) {
    const batch: number[] = [];
    const seen = new Set<string>();
    const rest: number[] = [];
    for (const i of pending) {
      if (batch.length < size && !seen.has(english[i]!)) {
        batch.push(i);
        seen.add(english[i]!);
      } else {
        rest.push(i);
      }
    }
    if (batch.length >= 2) batches.push(batch);
    if (batch.length < 2) break;
    pending = rest;
  }
  return batches;
}

export function trainAdapter(data: AdapterTrainingData, config: AdapterTrainConfig, log: (message: string) => void = () => {}): TrainedAdapter {
  const { dim } = data;
  const { rank } = config;
  const rng = createRng(config.seed);
  const adapter: LowRankAdapter = { dim, rank, U: new Float32Array(dim * rank), V: Float32Array.from({ length: dim * rank }, () => rng.normal() / Math.sqrt(dim)) };
  const base = validationScores(undefined, data);
  let best = { scores: base, epoch: 0, U: adapter.U.slice(), V: adapter.V.slice() };
  const optU = new AdamW(dim * rank, config.lr);
  const optV = new AdamW(dim * rank, config.lr);
  const dU = new Float32Array(dim * rank);
  const dV = new Float32Array(dim * rank);
  const order = [...data.train];
  let epoch = 0;
  while (epoch < config.maxEpochs && epoch - best.epoch < config.patience) {
    epoch++;
    shuffle(order, rng);
    let loss = 0;
    let batches = 0;
    for (const batch of batchesOf(order, data.english, config.batchSize)) {
      const inputs = rows(data.text, dim, batch);
      const forward = applyAdapterRows(adapter, inputs, batch.length);
      const result = infoNce(forward.out, rows(data.en, dim, batch), batch.length, batch.length, dim, config.tau);
      dU.fill(0);
      dV.fill(0);
      adapterBackward(adapter, inputs, forward, result.dA, batch.length, dU, dV);
      optU.step(adapter.U, dU);
      optV.step(adapter.V, dV);
      loss += result.loss;
      batches++;
    }
    const scores = validationScores(adapter, data);
    log(`epoch ${epoch}: loss ${(loss / Math.max(1, batches)).toFixed(4)}, validation MRR@10 ${scores.mrr.toFixed(4)} (base ${base.mrr.toFixed(4)})`);
    if (scores.mrr > best.scores.mrr) best = { scores, epoch, U: adapter.U.slice(), V: adapter.V.slice() };
  }
  return { adapter: { dim, rank, U: best.U, V: best.V }, base, adapted: best.scores, epochs: epoch, bestEpoch: best.epoch };
}
