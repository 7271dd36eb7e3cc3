/**
 * docs/results.md, the encoder's shape: the embedding size (with the hash table shrinking as the dim grows) and the
 * pooling of feature rows into one vector.
 */
import { fmt } from '../eval/report.js';
import type { EvalReport } from '../eval/run.js';
import { averageOver, deltaCells, denseMediawiki, macroMrrVersus, mean, sd, table } from './results-common.js';

/** The embedding-size comparison: configs/dims/<name>.json, the shipped recipe (3 epochs) at each dim. */
const DIMS = {
  runs: {
    'cmtp-128': '128-d, 131,072 buckets (the shipped model until 2026-12-04)',
    'cmtp-256': '256-d, 65,536 buckets (the shape of `configs/cmtp-base.json`)',
    'cmtp-512': '512-d, 32,768 buckets',
  } as Record<string, string>,
  reference: 'cmtp-256',
};

export function dimsSection(reports: EvalReport[]): string[] {
  const find = (name: string) => denseMediawiki(reports, name);
  const reference = find(DIMS.reference);
  if (!reference) return [];
  const five = ['sw', 'yo', 'ig', 'am', 'ha'];
  const names = Object.keys(DIMS.runs).filter((n) => find(n));
  const rows = names.map((name) => {
    const r = find(name)!;
    const fiveAvg = five.reduce((sum, l) => sum + (r.languages[l]?.metrics['MRR@10'] ?? 0), 0) / five.length;
    const cmp = name === DIMS.reference ? undefined : macroMrrVersus(reference, r);
    return [`${name}: ${DIMS.runs[name]}`, fmt(r.average.macro['MRR@10']), fmt(fiveAvg), ...deltaCells(cmp)];
  });
  return [
    '## Embedding size (mediawiki-xling dev, dense)',
    '',
    'The recipe shipped then with mean pooling (3 epochs, same data and seed) at three sizes. The int8 model must stay within 25 MB, so the',
    'hash table shrinks as the dim grows (buckets × dim is constant). Configs: `configs/dims/<name>.json`. Δ and p',
    '(paired bootstrap / randomisation over queries) are against `cmtp-256`, for macro MRR@10 over 20 languages.',
    '',
    ...table(['model', 'MRR@10 (20 langs)', 'MRR@10 (sw yo ig am ha)', 'Δ vs cmtp-256', 'p'], rows, 1),
    '',
  ];
}

/** The pooling comparison: configs/pooling/pool-<method>-s<seed>.json, the full 1-epoch model with each pooling. */
const POOLING = {
  methods: {
    mean: 'mean of the feature rows (cmtp-base)',
    sif: 'fixed SIF weights a/(a + p(feature)), a = 1e-3, p from training-text frequencies',
    attention: 'a learned weight per feature (softmax over the text, starts at the mean)',
  } as Record<string, string>,
  reference: 'mean',
  seeds: [1, 2, 3],
  /** Full-length (3-epoch) runs of the shipped recipe: mean (configs/dims/cmtp-256.json) vs attention. */
  fullLength: {
    'cmtp-256': 'mean pooling (`configs/dims/cmtp-256.json`)',
    'cmtp-base-attention': 'attention pooling (`configs/pooling/cmtp-base-attention.json`)',
    'cmtp-base-3to5': 'the run above repeated (shipped until the 3–4-gram change; report kept under this name)',
  } as Record<string, string>,
};
const poolingRun = (method: string, seed: number) => `pool-${method}-s${seed}`;

/** Each pooling's seeds against mean pooling's, on the seed-averaged per-query scores, then the full-length runs. */
export function poolingSection(reports: EvalReport[]): string[] {
  const find = (name: string) => denseMediawiki(reports, name);
  const runs = Object.fromEntries(
    Object.keys(POOLING.methods).map((m) => [m, POOLING.seeds.map((seed) => find(poolingRun(m, seed))).filter((r): r is EvalReport => r !== undefined)]),
  );
  const reference = runs[POOLING.reference]!;
  if (!reference.length) return [];
  const referenceAverage = averageOver(reference);
  const macro = (r: EvalReport) => r.average.macro['MRR@10'];
  const rows = Object.entries(runs)
    .filter(([, list]) => list.length > 0)
    .map(([method, list]) => {
      const values = list.map(macro);
      const average = mean(values);
      const spread = sd(values);
      const isReference = method === POOLING.reference;
      const cmp = isReference ? undefined : macroMrrVersus(referenceAverage, averageOver(list));
      return [`${method}: ${POOLING.methods[method]}`, values.map(fmt).join(' / '), fmt(average), Number.isNaN(spread) ? '—' : fmt(spread), ...deltaCells(cmp)];
    });
  return [
    '## Pooling: mean vs SIF vs attention (mediawiki-xling dev, dense)',
    '',
    'The full 1-epoch ablation model (`abl-4-full`) trained with each pooling and three seeds',
    '(`configs/pooling/pool-<method>-s<seed>.json`; `bash scripts/ablations.sh --configs configs/pooling`). MRR@10 is',
    'the macro average over the 20 languages; sd is across seeds. Δ and the paired p-values (bootstrap / randomisation,',
    'over queries, resampling within languages) compare each method\'s seed-averaged per-query scores with mean pooling\'s.',
    '',
    ...table(['pooling', `MRR@10 per seed (${POOLING.seeds.join(', ')})`, 'mean', 'sd', 'Δ vs mean', 'p'], rows, 1),
    '',
    ...poolingFullLength(find),
  ];
}

function poolingFullLength(find: (name: string) => EvalReport | undefined): string[] {
  const [referenceName] = Object.keys(POOLING.fullLength);
  const reference = find(referenceName!);
  if (!reference) return [];
  const rows = Object.entries(POOLING.fullLength)
    .filter(([name]) => find(name))
    .map(([name, what]) => {
      const r = find(name)!;
      const cmp = name === referenceName ? undefined : macroMrrVersus(reference, r);
      return [`${name}: ${what}`, fmt(r.average.macro['MRR@10']), ...deltaCells(cmp)];
    });
  return [
    `At full length (3 epochs, seed 1, 256-d; one run each, so Hogwild run-to-run noise is not covered), against ${referenceName}:`,
    '',
    ...table(['model', 'MRR@10', `Δ vs ${referenceName}`, 'p'], rows, 1),
    '',
  ];
}

/** Encoders whose reports these sections show instead of the benchmark tables. */
export const ENCODER_SHAPE_RUNS: readonly string[] = [
  ...Object.keys(DIMS.runs),
  ...Object.keys(POOLING.methods).flatMap((m) => POOLING.seeds.map((seed) => poolingRun(m, seed))),
  ...Object.keys(POOLING.fullLength),
];
