/** Scoring a language identifier: forced top-1 accuracy, and coverage/precision when it may say "unsure". */

export const LENGTH_BUCKETS = ['1', '2-3', '4+'] as const;
export type LengthBucket = (typeof LENGTH_BUCKETS)[number];

/** 0-word strings (no features) count with the 1-word ones: they are the shortest queries. */
export function lengthBucket(words: number): LengthBucket {
  return words <= 1 ? '1' : words <= 3 ? '2-3' : '4+';
}

export interface Outcome {
  gold: string;
  words: number;
  /** Top label whatever its probability (undefined: no features, or an identifier that cannot be forced). */
  top?: string | undefined;
  /** The answer at the confidence threshold (undefined = unsure). */
  answer?: string | undefined;
}

export interface Score {
  n: number;
  /** Forced top-1 accuracy. */
  top1: number;
  /** Share of strings answered (not "unsure"). */
  coverage: number;
  /** Accuracy among answered strings (NaN when nothing was answered). */
  precision: number;
  /** Answered and right, over all strings (= coverage × precision). */
  correct: number;
}

export function score(outcomes: readonly Outcome[]): Score {
  const n = outcomes.length;
  let top1 = 0;
  let answered = 0;
  let right = 0;
  for (const o of outcomes) {
    if (o.top === o.gold) top1++;
    if (o.answer !== undefined) {
      answered++;
      if (o.answer === o.gold) right++;
    }
  }
  return { n, top1: n ? top1 / n : NaN, coverage: n ? answered / n : NaN, precision: answered ? right / answered : NaN, correct: n ? right / n : NaN };
}

export function groupBy<T>(items: readonly T[], key: (item: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const k = key(item);
    let list = groups.get(k);
    if (!list) groups.set(k, (list = []));
    list.push(item);
  }
  return groups;
}

/** Mean of per-language scores: every language counts the same, whatever its number of strings. */
export function macro(outcomes: readonly Outcome[]): Score {
  const perLang = [...groupBy(outcomes, (o) => o.gold).values()].map(score);
  const mean = (f: (s: Score) => number): number => {
    const values = perLang.map(f).filter((v) => !Number.isNaN(v));
    return values.length ? values.reduce((a, b) => a + b, 0) / values.length : NaN;
  };
  return { n: outcomes.length, top1: mean((s) => s.top1), coverage: mean((s) => s.coverage), precision: mean((s) => s.precision), correct: mean((s) => s.correct) };
}

/** Most frequent wrong forced answers of one language, e.g. "xh 31%, zu 4%". */
export function topConfusions(outcomes: readonly Outcome[], limit = 2): Array<{ lang: string; share: number }> {
  const wrong = groupBy(
    outcomes.filter((o) => o.top !== undefined && o.top !== o.gold),
    (o) => o.top!,
  );
  return [...wrong.entries()]
    .map(([lang, list]) => ({ lang, share: list.length / outcomes.length }))
    .sort((a, b) => b.share - a.share || (a.lang < b.lang ? -1 : 1))
    .slice(0, limit);
}

export interface ThresholdChoice {
  threshold: number;
  targetPrecision: number;
  /** Language-balanced precision and coverage at the threshold, on the strings it was chosen on. */
  precision: number;
  coverage: number;
  /** Whether the target was reached (else: the threshold of highest precision). */
  reached: boolean;
}

/** Language-balanced precision and coverage of answering the items whose probability reaches `threshold`. */
export function balancedAt(items: ReadonlyArray<{ gold: string; top: string; probability: number }>, threshold: number): { precision: number; coverage: number } {
  const weight = new Map([...groupBy(items, (i) => i.gold).entries()].map(([lang, list]) => [lang, 1 / list.length]));
  let answeredW = 0;
  let rightW = 0;
  let totalW = 0;
  for (const i of items) {
    const w = weight.get(i.gold)!;
    totalW += w;
    if (i.probability >= threshold) {
      answeredW += w;
      if (i.top === i.gold) rightW += w;
    }
  }
  return { precision: answeredW > 0 ? rightW / answeredW : 0, coverage: totalW > 0 ? answeredW / totalW : 0 };
}

/**
 * The smallest threshold (grid of 0.01) at which the language-balanced precision of answered strings reaches
 * `targetPrecision`; every language weighs the same, so the large ones cannot hide the small ones' errors.
 */
export function chooseThreshold(items: ReadonlyArray<{ gold: string; top: string; probability: number }>, targetPrecision: number): ThresholdChoice {
  let best: ThresholdChoice | undefined;
  for (let step = 0; step <= 99; step++) {
    const threshold = step / 100;
    const { precision, coverage } = balancedAt(items, threshold);
    const choice = { threshold, targetPrecision, precision, coverage, reached: precision >= targetPrecision };
    if (choice.reached) return choice;
    if (!best || precision > best.precision) best = choice;
  }
  return best!;
}
