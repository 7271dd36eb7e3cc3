/**
 * Validation during training: held-out pairs (by English string), LRL sentence → all held-out English strings,
 * MRR@10 per language by exact search. This is the number model selection and validation-driven choices may
 * use; the MediaWiki/CLDR/UDHR benchmarks never feed back into training.
 */
import type { Dataset, TrainingPair } from './dataset.js';
import { forwardBatch, type EncoderParams } from './encoder-params.js';

export interface ValidationScores {
  mrr10: Record<string, number>;
  average: number;
}

export function validate(params: EncoderParams, dataset: Dataset, adapterOf: (lang: number) => number, pairs: TrainingPair[] = dataset.validation): ValidationScores {
  const dim = params.dim;
  const englishIds = [...new Set(pairs.map((p) => p.en))];
  const position = new Map(englishIds.map((e, i) => [e, i]));
  const E = forwardBatch(params, englishIds.map((e) => ({ ids: dataset.english[e]!.ids, adapter: -1 }))).out;
  const L = forwardBatch(params, pairs.map((p) => ({ ids: p.lrl, adapter: adapterOf(p.lang) }))).out;
  const sums = new Map<number, { rr: number; n: number }>();
  pairs.forEach((p, i) => {
    const target = position.get(p.en)!;
    let targetScore = 0;
    for (let d = 0; d < dim; d++) targetScore += L[i * dim + d]! * E[target * dim + d]!;
    let rank = 1;
    for (let j = 0; j < englishIds.length && rank <= 10; j++) {
      if (j === target) continue;
      let s = 0;
      for (let d = 0; d < dim; d++) s += L[i * dim + d]! * E[j * dim + d]!;
      if (s > targetScore) rank++;
    }
    const entry = sums.get(p.lang) ?? { rr: 0, n: 0 };
    entry.rr += rank <= 10 ? 1 / rank : 0;
    entry.n++;
    sums.set(p.lang, entry);
  });
  const mrr10: Record<string, number> = {};
  for (const [lang, { rr, n }] of sums) mrr10[dataset.langs[lang]!] = rr / n;
  const values = Object.values(mrr10);
  return { mrr10, average: values.length ? values.reduce((a, b) => a + b, 0) / values.length : 0 };
}
