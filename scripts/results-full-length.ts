/**
 * docs/results.md, changes measured at full length: the shipped recipe of the time with and without an auxiliary
 * task, more epochs or subword units, three seeds each, on mediawiki-xling and optionally on every benchmark.
 */
import { fmt } from '../eval/report.js';
import type { EvalReport } from '../eval/run.js';
import { averageOver, BENCH_ORDER, deltaCells, denseMediawiki, denseReport, macroMrrVersus, mean, pairedOn, pCell, sd, signed, table, threeSeeds, type SeedPair } from './results-common.js';

/** One auxiliary task (or other change) measured at full length: the shipped recipe with and without it, per seed. */
interface TaskAtFullLength {
  title: string;
  intro: string[];
  seeds: SeedPair[];
  /** Read after the per-seed table. */
  outro: string[];
  /** What the two arms are called in the table (default "with the task" / "without"). */
  labels?: { with: string; without: string };
  /** Also compare the seed-averaged runs on every benchmark, not only mediawiki-xling. */
  everyBench?: boolean;
}

const FULL_LENGTH_TASKS: TaskAtFullLength[] = [
  {
    title: 'Monolingual positives at full length (mediawiki-xling dev, dense)',
    intro: [
      'The shipped recipe of the time (3 epochs, distillation on) with and without the monolingual task (`train.tasks.mono`: two',
      'translations of one English string, or two feature-dropout views of one Swahili sentence), per seed; configs in',
      '`configs/mono/`. Seed 1 with the task is `cmtp-base` as shipped until the task was turned off (kept as `cmtp-base-mono`).',
    ],
    seeds: [
      { seed: 1, with: 'cmtp-base-mono', without: 'base-no-mono' },
      { seed: 2, with: 'base-seed2', without: 'base-no-mono-seed2' },
      { seed: 3, with: 'base-seed3', without: 'base-no-mono-seed3' },
    ],
    outro: [
      'The sd with the task is the run-to-run noise of that recipe at full length: single-run comparisons elsewhere on',
      'this page that differ by less than about twice it are not evidence either way.',
    ],
  },
  {
    title: 'Distillation into the teacher space at full length (mediawiki-xling dev, dense)',
    intro: [
      "The recipe without the monolingual task (3 epochs) with and without distillation into the English teacher's space",
      '(`train.tasks.cla`: MSE between a linear map of the student vectors of both sides of a pair and the USE-lite vector',
      'of the English side), per seed: `configs/mono/base-no-mono*.json` (with) and `configs/cla/base-no-cla*.json` (without).',
    ],
    seeds: threeSeeds('base-no-mono', 'base-no-cla'),
    outro: [],
  },
  {
    title: 'Distillation of the English side only at full length (mediawiki-xling dev, dense)',
    intro: [
      'The shipped recipe (3 epochs, Spanish as a contact language) with and without distillation of the English side',
      "only (`train.claSides: \"english\"`: MSE between a linear map of the student vector of each pair's English side and",
      "its USE-lite vector; the other language is left to the contrastive task), per seed: `configs/cla-english/*.json`",
      '(with) and `configs/contact/base-es*.json` (without).',
    ],
    seeds: threeSeeds('base-es-cla-english', 'base-es'),
    outro: [],
  },
  {
    title: 'Six epochs instead of three (mediawiki-xling dev, dense)',
    intro: [
      'The shipped recipe trained for 6 epochs instead of 3 (validation MRR@10 was still rising at the end of epoch 3),',
      'per seed: `configs/epochs/base-es-6ep*.json` (6 epochs) and `configs/contact/base-es*.json` (3, the length shipped',
      'until this comparison; the shipped recipe then trained for 6, and 9 since the comparison below). Reproduce: `npx tafuta train --config',
      'configs/epochs/base-es-6ep.json --out .cache/epochs/base-es-6ep` (and -seed2, -seed3), then the three dense evals',
      'of each as under *Spanish as a contact language for Quechua* with `--model .cache/epochs/base-es-6ep --encoder base-es-6ep`.',
    ],
    seeds: threeSeeds('base-es-6ep', 'base-es'),
    outro: [],
    labels: { with: '6 epochs', without: '3 epochs' },
    everyBench: true,
  },
  {
    title: 'Nine epochs instead of six (mediawiki-xling dev, dense; issue 18, lever 6)',
    intro: [
      'The shipped recipe of the time (6 epochs) trained for 9, per seed: `configs/epochs/base-es-9ep*.json` against',
      '`configs/epochs/base-es-6ep*.json` (`cmtp-base` was the 6-epoch recipe at seed 1, the same files as base-es-6ep; it is now',
      'the 9-epoch run at seed 1, the same files as base-es-9ep: see *The shipped encoder: 6 epochs → 9*). Reproduce: `npx tafuta train',
      '--config configs/epochs/base-es-9ep.json --out .cache/epochs/base-es-9ep` (and -seed2, -seed3), then the three dense',
      'evals of each as under *Spanish as a contact language for Quechua* with `--model .cache/epochs/base-es-9ep --encoder',
      'base-es-9ep`. Seeds whose runs have not finished are left out of the table.',
    ],
    seeds: threeSeeds('base-es-9ep', 'base-es-6ep'),
    outro: [
      '',
      'Runs of one seed are not the same model: training on two Hogwild threads is not bit-reproducible (`--threads 1`',
      'is). `base-es-6ep` (trained and measured 2026-12-05 02:23) and the 6-epoch `cmtp-base` (a second run of the same',
      'recipe and seed, trained at 03:06 that day; `cmtp-base-6ep` in the next section, measured 2026-12-07) score the same',
      'macro on mediawiki-xling (0.413) but differ per language (ha 0.159 / 0.203) and on udhr (0.312 / 0.301): that is',
      'the run-to-run spread a single Δ here carries. Both recipes trained on the same data (manifest sha256 670d780b…);',
      'the 6-epoch reports date from 2026-12-05, the 9-epoch ones from 2026-12-07.',
    ],
    labels: { with: '9 epochs', without: '6 epochs' },
    everyBench: true,
  },
  {
    title: 'Twelve epochs instead of nine (mediawiki-xling dev, dense; issue 18, lever 6)',
    intro: [
      'The shipped recipe (9 epochs) trained for 12, per seed: `configs/epochs/base-es-12ep*.json` against',
      '`configs/epochs/base-es-9ep*.json`. Reproduce: `npx tafuta train --config configs/epochs/base-es-12ep.json --out',
      '.cache/epochs/base-es-12ep` (and -seed2, -seed3), then the three dense evals of each as under *Spanish as a contact',
      'language for Quechua* with `--model .cache/epochs/base-es-12ep --encoder base-es-12ep`. Seeds whose runs have not',
      'finished are left out of the table.',
    ],
    seeds: threeSeeds('base-es-12ep', 'base-es-9ep'),
    outro: [],
    labels: { with: '12 epochs', without: '9 epochs' },
    everyBench: true,
  },
  {
    title: 'Subword units beside the character n-grams (mediawiki-xling dev, dense; issue 18, lever 3)',
    intro: [
      'The shipped recipe (9 epochs) with 16,000 BPE merges learned over all training pairs (both sides, every language',
      'weighted by (share of the text)^0.5 as pairs are sampled; held-out validation pairs left out) whose units of `<word>`',
      '(longer than one character, not the whole word) are features beside the word and its character 3–4-grams, hashed into',
      'the same 65,536 buckets (`model.subwordMerges`; `models/subwords.ts`, `models/train/subword-vocabulary.ts`), per seed:',
      '`configs/subwords/base-es-9ep-sw16k*.json` against `configs/epochs/base-es-9ep*.json`. Reproduce: `npx tafuta train',
      '--config configs/subwords/base-es-9ep-sw16k.json --out .cache/subwords/base-es-9ep-sw16k`, then the three dense evals as',
      'under *Spanish as a contact language for Quechua* with `--model .cache/subwords/base-es-9ep-sw16k --encoder',
      'base-es-9ep-sw16k`. Seeds whose runs have not finished are left out of the table.',
    ],
    seeds: threeSeeds('base-es-9ep-sw16k', 'base-es-9ep'),
    outro: [],
    labels: { with: 'with subword units', without: 'without' },
    everyBench: true,
  },
];

function taskAtFullLengthSection(reports: EvalReport[], spec: TaskAtFullLength): string[] {
  const labels = spec.labels ?? { with: 'with the task', without: 'without' };
  const rows: string[][] = [];
  const deltas: number[] = [];
  const withScores: number[] = [];
  const withoutScores: number[] = [];
  const pairs: Array<[EvalReport, EvalReport]> = [];
  for (const { seed, with: withName, without } of spec.seeds) {
    const a = denseMediawiki(reports, withName);
    const b = denseMediawiki(reports, without);
    if (!a || !b) continue;
    pairs.push([a, b]);
    const cmp = macroMrrVersus(b, a); // Δ = with − without, as in the every-benchmark table below
    deltas.push(cmp.delta);
    withScores.push(cmp.b);
    withoutScores.push(cmp.a);
    rows.push([String(seed), `${withName}: ${fmt(cmp.b)}`, `${without}: ${fmt(cmp.a)}`, ...deltaCells(cmp)]);
  }
  if (!rows.length) return [];
  const pooled = macroMrrVersus(averageOver(pairs.map(([, b]) => b)), averageOver(pairs.map(([a]) => a)));
  const spread = (xs: number[]) => `${fmt(mean(xs))}${xs.length > 1 ? ` (sd ${fmt(sd(xs))})` : ''}`;
  return [
    `## ${spec.title}`,
    '',
    ...spec.intro,
    `Δ is ${labels.with} − ${labels.without} in macro MRR@10 over the 20 languages, p paired over queries (bootstrap / randomisation).`,
    '',
    ...table(['seed', labels.with, labels.without, 'Δ', 'p'], rows, 1),
    '',
    `Over ${deltas.length} seed(s): ${labels.with} ${spread(withScores)}, ${labels.without} ${spread(withoutScores)}; mean Δ ${signed(mean(deltas))}` +
      (pairs.length > 1 ? `; on the seed-averaged per-query scores p = ${pCell(pooled.pBootstrap)} / ${pCell(pooled.pRandomization)}.` : '.'),
    ...(spec.everyBench ? everyBenchRows(reports, spec, labels) : []),
    ...spec.outro,
    '',
  ];
}

/** The seed-averaged arms of a full-length comparison on every benchmark (dense; Δ = with − without here). */
function everyBenchRows(reports: EvalReport[], spec: TaskAtFullLength, labels: { with: string; without: string }): string[] {
  const rows: string[][] = [];
  for (const bench of BENCH_ORDER) {
    const runs = spec.seeds.map((s) => [denseReport(reports, bench, s.with), denseReport(reports, bench, s.without)] as const).filter((r): r is readonly [EvalReport, EvalReport] => !!r[0] && !!r[1]);
    if (!runs.length) continue;
    const cmp = pairedOn(averageOver(runs.map(([, without]) => without)), averageOver(runs.map(([w]) => w)), () => true);
    if (cmp) rows.push([bench, String(runs.length), String(cmp.n), fmt(cmp.a), fmt(cmp.b), signed(cmp.delta), `${pCell(cmp.pBoot)} / ${pCell(cmp.pRand)}`]);
  }
  if (!rows.length) return [];
  return [
    '',
    `Every benchmark, macro MRR@10 averaged over the seeds per query (Δ = ${labels.with} − ${labels.without}; cldr-emoji: 500 queries per language, seed 42):`,
    '',
    ...table(['bench', 'seeds', 'queries', labels.without, labels.with, 'Δ', 'p'], rows, 2),
  ];
}

/** Encoders whose reports these sections show instead of the benchmark tables. */
export const FULL_LENGTH_RUNS: readonly string[] = FULL_LENGTH_TASKS.flatMap((t) => t.seeds.flatMap((s) => [s.with, s.without]));

export function fullLengthSections(reports: EvalReport[]): string[] {
  return FULL_LENGTH_TASKS.flatMap((spec) => taskAtFullLengthSection(reports, spec));
}
