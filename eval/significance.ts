/**
 * Paired two-sided significance tests over per-query scores of two systems on the same queries.
 *
 * The statistic is the mean per-query difference b − a; with `groups` (e.g. the query languages) it is the
 * macro average — the mean over groups of each group's mean difference — which is how the reports average
 * over languages. Both tests are seeded, so a report's p-values are reproducible.
 */
import { randomInt, seededRandom } from './random.js';

export interface PairedTestOptions {
  /** One label per query; the statistic becomes the macro average over labels and resampling stays within them. */
  groups?: readonly string[];
  /** Resamples (bootstrap) or sign flips (randomization). Default 10 000. */
  resamples?: number;
  seed?: number;
}

export interface PairedTestResult {
  /** The observed statistic: mean (or macro-mean) of b − a. */
  delta: number;
  /** Two-sided p-value. */
  p: number;
  n: number;
}

export interface BootstrapResult extends PairedTestResult {
  /** 95% percentile interval of the resampled statistic. */
  ci95: [number, number];
}

export interface RandomizationResult extends PairedTestResult {
  /** True when all 2^n sign assignments were enumerated (small n) instead of sampled. */
  exact: boolean;
}

const DEFAULT_RESAMPLES = 10_000;
const DEFAULT_SEED = 0x5eed;

interface Prepared {
  deltas: Float64Array;
  /** Weight of each query in the statistic: 1 / (groups × size of its group). */
  weights: Float64Array;
  /** Query indexes of each group. */
  members: number[][];
}

function prepare(a: readonly number[], b: readonly number[], groups: readonly string[] | undefined): Prepared {
  if (a.length !== b.length) throw new Error(`paired test needs equal lengths, got ${a.length} and ${b.length}`);
  if (groups && groups.length !== a.length) throw new Error(`groups has ${groups.length} labels for ${a.length} queries`);
  if (a.length === 0) throw new Error('paired test needs at least one query');
  const byGroup = new Map<string, number[]>();
  a.forEach((_, i) => {
    const label = groups?.[i] ?? '';
    const list = byGroup.get(label) ?? [];
    list.push(i);
    byGroup.set(label, list);
  });
  const members = [...byGroup.values()];
  const weights = new Float64Array(a.length);
  for (const list of members) for (const i of list) weights[i] = 1 / (members.length * list.length);
  const deltas = Float64Array.from(a, (x, i) => b[i]! - x);
  return { deltas, weights, members };
}

function statistic({ deltas, weights }: Prepared): number {
  let s = 0;
  for (let i = 0; i < deltas.length; i++) s += weights[i]! * deltas[i]!;
  return s;
}

/** Ties within rounding error count as "at least as extreme". */
function atLeast(value: number, threshold: number): boolean {
  return value >= threshold - 1e-12 * Math.max(1, Math.abs(threshold));
}

/**
 * Paired bootstrap: resample queries with replacement (within groups), and count how often the resampled
 * statistic lies at least |observed| away from the observed one (the null shifted to zero).
 */
export function pairedBootstrap(a: readonly number[], b: readonly number[], options: PairedTestOptions = {}): BootstrapResult {
  const prepared = prepare(a, b, options.groups);
  const { deltas, members } = prepared;
  const resamples = options.resamples ?? DEFAULT_RESAMPLES;
  const random = seededRandom(options.seed ?? DEFAULT_SEED);
  const observed = statistic(prepared);
  const stats = new Float64Array(resamples);
  let extreme = 0;
  for (let r = 0; r < resamples; r++) {
    let s = 0;
    for (const list of members) {
      let sum = 0;
      for (let j = 0; j < list.length; j++) sum += deltas[list[randomInt(random, list.length)]!]!;
      s += sum / list.length;
    }
    s /= members.length;
    stats[r] = s;
    if (atLeast(Math.abs(s - observed), Math.abs(observed))) extreme++;
  }
  stats.sort();
  const at = (q: number) => stats[Math.min(resamples - 1, Math.max(0, Math.floor(q * resamples)))]!;
  return { delta: observed, p: (extreme + 1) / (resamples + 1), n: deltas.length, ci95: [at(0.025), at(0.975)] };
}

/**
 * Approximate randomization (sign flipping): under the null the two systems are exchangeable per query, so each
 * difference's sign is a coin flip. Enumerates all 2^n assignments when that is no more than `resamples`.
 */
export function randomizationTest(a: readonly number[], b: readonly number[], options: PairedTestOptions = {}): RandomizationResult {
  const prepared = prepare(a, b, options.groups);
  const { deltas, weights } = prepared;
  const n = deltas.length;
  const resamples = options.resamples ?? DEFAULT_RESAMPLES;
  const observed = Math.abs(statistic(prepared));
  const terms = Float64Array.from(deltas, (d, i) => d * weights[i]!);

  if (n < 31 && 2 ** n <= resamples) {
    let extreme = 0;
    for (let mask = 0; mask < 2 ** n; mask++) {
      let s = 0;
      for (let i = 0; i < n; i++) s += mask & (1 << i) ? -terms[i]! : terms[i]!;
      if (atLeast(Math.abs(s), observed)) extreme++;
    }
    return { delta: statistic(prepared), p: extreme / 2 ** n, n, exact: true };
  }

  const random = seededRandom(options.seed ?? DEFAULT_SEED);
  let extreme = 0;
  for (let r = 0; r < resamples; r++) {
    let s = 0;
    for (let i = 0; i < n; i++) s += random() < 0.5 ? -terms[i]! : terms[i]!;
    if (atLeast(Math.abs(s), observed)) extreme++;
  }
  return { delta: statistic(prepared), p: (extreme + 1) / (resamples + 1), n, exact: false };
}
