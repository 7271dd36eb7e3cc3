/**
 * The subword vocabulary of a training run, learned from its own training pairs (both sides; held-out validation
 * pairs left out) before anything is featurised. Every language's word counts are rescaled so that its share of
 * the counts is ∝ (its share of the text)^T, as pairs are sampled (pair-batch.ts): with T < 1 the small languages
 * get units of their own instead of the merges going to English and Amharic alone.
 */
import { segmentWords, normalizeText } from '../../text/normalize.js';
import { learnSubwords, type SubwordMerge } from '../subwords.js';

/** Counts are rescaled to integers at this resolution (a word seen once in the largest language keeps ≥ 1). */
const COUNT_RESOLUTION = 10;

export interface SubwordTexts {
  /** One entry per language (English is one of them): the texts it contributes. */
  byLanguage: ReadonlyArray<readonly string[]>;
}

export function languageWordCounts(texts: readonly string[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const text of texts) for (const word of segmentWords(normalizeText(text))) counts.set(word, (counts.get(word) ?? 0) + 1);
  return counts;
}

/** Word counts of every language merged, each language weighted as the header says; words carry the "<" ">" marks features use. */
export function weightedWordCounts(perLanguage: ReadonlyArray<ReadonlyMap<string, number>>, temperature: number): Map<string, number> {
  const totals = perLanguage.map((counts) => [...counts.values()].reduce((a, b) => a + b, 0));
  const all = totals.reduce((a, b) => a + b, 0);
  const targets = totals.map((t) => (t > 0 ? (t / all) ** temperature : 0));
  const targetSum = targets.reduce((a, b) => a + b, 0);
  const merged = new Map<string, number>();
  perLanguage.forEach((counts, l) => {
    if (totals[l] === 0) return;
    const scale = ((targets[l]! / targetSum) * all) / totals[l]!;
    for (const [word, count] of counts) {
      const key = `<${word}>`;
      merged.set(key, (merged.get(key) ?? 0) + Math.max(1, Math.round(count * scale * COUNT_RESOLUTION)));
    }
  });
  return merged;
}

export function learnTrainingSubwords(texts: SubwordTexts, merges: number, temperature: number): SubwordMerge[] {
  const perLanguage = texts.byLanguage.map(languageWordCounts);
  return learnSubwords(weightedWordCounts(perLanguage, temperature), { maxMerges: merges, minCount: 2 * COUNT_RESOLUTION });
}
