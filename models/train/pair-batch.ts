/**
 * The cross-lingual batch of a step: pairs drawn by language (p_l ∝ n_l^T) with distinct English sides, plus mined
 * hard negatives as extra English rows, encoded once and shared by the tasks that read pairs (cl, lang, cla).
 */
import type { Rng } from '../../core/rng.js';
import { codeSwitchIds } from './code-switch.js';
import type { TrainConfig } from './config.js';
import type { Dataset, TrainingPair } from './dataset.js';
import { forwardBatch, type EncoderInput, type EncoderParams, type ForwardCache } from './encoder-params.js';
import { sampleNegative, type HardNegatives } from './hard-negatives.js';

export interface PairBatch {
  pairs: TrainingPair[];
  /** The pairs' other-language sides, encoded. */
  lrl: ForwardCache;
  /** The pairs' English sides, then the hard negatives, encoded. */
  en: ForwardCache;
  /** Gradients w.r.t. `lrl.out` and `en.out`, summed over the tasks (weighted). */
  dL: Float32Array;
  dE: Float32Array;
}

/** Language sampler with p_l ∝ n_l^T. */
function languageSampler(sizes: number[], temperature: number, rng: Rng): () => number {
  const weights = sizes.map((n) => (n > 0 ? n ** temperature : 0));
  const total = weights.reduce((a, b) => a + b, 0);
  return () => {
    let r = rng.next() * total;
    for (let i = 0; i < weights.length; i++) {
      r -= weights[i]!;
      if (r <= 0 && weights[i]! > 0) return i;
    }
    return weights.findLastIndex((w) => w > 0);
  };
}

export interface PairBatchSampler {
  sample(params: EncoderParams, negatives: HardNegatives | undefined): PairBatch;
}

/** `rng` draws the batch; `augmentRng` only the augmentations, so switching them on leaves the batches the same. */
export function createPairBatchSampler(
  config: TrainConfig, dataset: Dataset, adapterOf: (lang: number) => number, rng: Rng, augmentRng: Rng,
): PairBatchSampler {
  const { train: t } = config;
  const sampleLang = languageSampler(dataset.byLang.map((b) => b.length), config.data.langTemperature, rng);
  const switchRate = dataset.codeSwitch ? (config.augment?.codeSwitch?.rate ?? 0) : 0;
  /** A pair's non-English features, code-switched when configured. */
  const lrlIds = (pairIndex: number, pair: TrainingPair): Uint32Array => {
    const candidates = dataset.codeSwitch;
    return candidates && switchRate > 0 ? codeSwitchIds(candidates, pairIndex, pair.lrl, switchRate, augmentRng) : pair.lrl;
  };
  const adapterDropout = config.augment?.adapterDropout ?? 0;
  const lrlAdapter = (pair: TrainingPair): number =>
    adapterDropout > 0 && augmentRng.next() < adapterDropout ? -1 : adapterOf(pair.lang);
  return {
    sample(params, negatives) {
      const batch: number[] = [];
      const seenEnglish = new Set<number>();
      for (let tries = 0; batch.length < t.batchSize && tries < t.batchSize * 4; tries++) {
        const members = dataset.byLang[sampleLang()]!;
        const pairIndex = members[rng.int(members.length)]!;
        const en = dataset.train[pairIndex]!.en;
        if (seenEnglish.has(en)) continue; // the same English twice would be a false negative
        seenEnglish.add(en);
        batch.push(pairIndex);
      }
      const extra: number[] = [];
      if (negatives) {
        for (const pairIndex of batch) {
          if (extra.length >= t.hardNegatives.perBatch) break;
          const c = negatives.candidates.get(pairIndex);
          if (!c) continue;
          const e = sampleNegative(c, t.hardNegatives.temperature, rng);
          if (!seenEnglish.has(e)) {
            seenEnglish.add(e);
            extra.push(e);
          }
        }
      }
      const pairs = batch.map((i) => dataset.train[i]!);
      const lrl = forwardBatch(params, pairs.map((p, k) => ({ ids: lrlIds(batch[k]!, p), adapter: lrlAdapter(p) })));
      const enInputs: EncoderInput[] = [...pairs.map((p) => p.en), ...extra].map((e) => ({ ids: dataset.english[e]!.ids, adapter: -1 }));
      const en = forwardBatch(params, enInputs);
      return { pairs, lrl, en, dL: new Float32Array(pairs.length * params.dim), dE: new Float32Array(enInputs.length * params.dim) };
    },
  };
}
