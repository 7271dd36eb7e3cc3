/**
 * docs/results.md, the ablation sections: 1-epoch runs that each change one component of a recipe, against the
 * full recipe, with a single seed (two protocols) and then with three seeds per run.
 */
import { fmt } from '../eval/report.js';
import type { EvalReport } from '../eval/run.js';
import { averageOver, denseMediawiki, macroMrrVersus, mean, pCell, sd, signed, table } from './results-common.js';

/** One ablation protocol: 1-epoch runs of `configs/<dir>/<name>.json`, each against a reference run. */
interface AblationSet {
  title: string;
  /** What each run changes. */
  runs: Record<string, string>;
  reference: string;
  /** The reference trained again with another seed, and the config that did it: the noise yardstick. */
  replicate: { name: string; config: string };
  intro: string[];
}

const ABLATION_SETS: AblationSet[] = [
  {
    title: 'Ablations (mediawiki-xling dev, dense)',
    runs: {
      'abl-1-cl': '+CL: contrastive only (in-batch negatives), no adapters, static weights',
      'abl-2-cl-mtl': '+MTL: CL + monolingual + morphology + language loss, static',
      'abl-3-cl-mtl-cla': '+CLA: the above + teacher distillation, static',
      'abl-4-full': 'full: + hard negatives + adapters + dynamic weighting',
      'abl-5-no-morph': 'full − morphology task',
      'abl-6-no-lang': 'full − language-contrastive loss',
      'abl-7-no-hardneg': 'full − hard negatives',
      'abl-8-no-adapters': 'full − language adapters',
      'abl-9-static': 'full with static (equal) task weights instead of dynamic',
    },
    reference: 'abl-4-full',
    replicate: { name: 'abl-4-full-seed2', config: 'configs/zero-shot/abl-4-full-seed2.json' },
    intro: [
      'Each run trains 1 epoch from `configs/ablations/<name>.json` (same data, seed, dim and buckets as `cmtp-base`, which',
      'trains 9 epochs (3 when these ran); mean pooling and character 3–5-grams, where cmtp-base uses attention pooling and 3–4-grams) and is',
      'evaluated like the rows above: `bash scripts/ablations.sh [name ...]`.',
    ],
  },
  {
    title: 'Ablations at the shipped recipe (mediawiki-xling dev, dense)',
    runs: {
      'shp-full': 'the recipe shipped until the monolingual task was turned off (attention pooling, 3–4-grams, no morphology task), 1 epoch',
      'shp-cl': 'contrastive only: no monolingual, language or distillation task, no adapters, no hard negatives, static weights',
      'shp-no-mono': 'full − monolingual positives',
      'shp-no-lang': 'full − language-contrastive loss',
      'shp-no-cla': 'full − distillation into the teacher space',
      'shp-no-adapters': 'full − language adapters',
      'shp-static': 'full with static (equal) task weights instead of dynamic',
    },
    reference: 'shp-full',
    replicate: { name: 'shp-full-seed2', config: 'configs/ablations-shipped/shp-full-seed2.json' },
    intro: [
      'The same protocol on the recipe `configs/cmtp-base.json` had before the monolingual task was turned off (attention',
      'pooling, character 3–4-grams, no morphology task), 1 epoch instead of 3: `bash scripts/ablations.sh --configs configs/ablations-shipped`. Hard',
      'negatives are not ablated here: 1-epoch runs mine them only at their last step (the full-length comparison is in',
      'docs/cmtp.md).',
    ],
  },
];

/** How far the reference moves with another seed: the yardstick for the ablation deltas. */
function seedNoiseNote(reports: EvalReport[], set: AblationSet, full: EvalReport): string[] {
  const seed2 = denseMediawiki(reports, set.replicate.name);
  if (!seed2) return [];
  const avg = macroMrrVersus(full, seed2);
  return [
    `**Seed noise.** \`${set.reference}\` trained again with seed 2 (\`${set.replicate.config}\`) scores`,
    `${fmt(avg.b)} (Δ ${signed(avg.delta)}, p ${pCell(avg.pBootstrap)} / ${pCell(avg.pRandomization)}). The p-values above are over queries with the`,
    'trained models held fixed, so they do not cover training variance: a Δ no larger than the seed-to-seed difference',
    'is not evidence about the ablated component, however small its p-value. Every run here is a single seed.',
    '',
  ];
}

/** The seed paper's ablation table on our data: every run against the full model, MRR@10 with paired p-values. */
function ablationSection(reports: EvalReport[], set: AblationSet): string[] {
  const runs = reports.filter((r) => r.config.bench === 'mediawiki-xling' && r.config.mode === 'dense' && r.config.encoder.name in set.runs);
  const full = runs.find((r) => r.config.encoder.name === set.reference);
  if (!runs.length || !full) return [];
  const order = Object.keys(set.runs);
  const rows = runs
    .sort((a, b) => order.indexOf(a.config.encoder.name) - order.indexOf(b.config.encoder.name))
    .map((r) => {
      const name = r.config.encoder.name;
      const avg = macroMrrVersus(full, r);
      const same = name === set.reference;
      return [name, set.runs[name]!, fmt(avg.b), same ? '—' : signed(avg.delta), same ? '—' : pCell(avg.pBootstrap), same ? '—' : pCell(avg.pRandomization)];
    });
  const missing = order.filter((n) => !runs.some((r) => r.config.encoder.name === n));
  return [
    `## ${set.title}`,
    '',
    ...set.intro,
    `Δ is the run minus the full model (\`${set.reference}\`) in macro MRR@10 over the 20 languages; p-values are paired over`,
    'queries (bootstrap / approximate randomisation, two-sided, seeded, resampling within languages).',
    '',
    ...table(['run', 'what it changes', 'MRR@10', 'Δ vs full', 'p (boot)', 'p (rand)'], rows, 2),
    '',
    ...(missing.length ? [`Not run yet: ${missing.map((n) => `\`${n}\``).join(', ')}.`, ''] : []),
    ...seedNoiseNote(reports, set, full),
  ];
}

/**
 * The ablations at the shipped recipe again, 1 epoch, with three seeds per run (configs/ablations-seeds/sd-<run>-seed<s>.json),
 * so that a component's effect can be set against the seed-to-seed spread instead of a single pair of runs.
 */
const SEEDED_ABLATIONS = {
  runs: {
    full: 'the shipped recipe until distillation was turned off (attention pooling, 3–4-grams, no monolingual or morphology task, distillation on), 1 epoch, float32',
    'no-lang': 'full − language-contrastive loss',
    'no-cla': 'full − distillation into the teacher space',
    'no-adapters': 'full − language adapters',
    'no-hardneg': 'full − hard negatives (a 1-epoch run mines them only at its last step: this row cannot show their effect)',
    static: 'full with static (equal) task weights instead of dynamic',
  } as Record<string, string>,
  reference: 'full',
  seeds: [1, 2, 3],
};
const seededRun = (run: string, seed: number) => `sd-${run}-seed${seed}`;

function seededAblationSection(reports: EvalReport[]): string[] {
  const find = (name: string) => denseMediawiki(reports, name);
  const { runs, reference, seeds } = SEEDED_ABLATIONS;
  const full = new Map(seeds.flatMap((s) => (find(seededRun(reference, s)) ? [[s, find(seededRun(reference, s))!] as const] : [])));
  if (!full.size) return [];
  const missing: string[] = [];
  const rows = Object.entries(runs).flatMap(([run, what]) => {
    const done = seeds.filter((s) => find(seededRun(run, s)) && full.has(s));
    missing.push(...seeds.filter((s) => !find(seededRun(run, s))).map((s) => seededRun(run, s)));
    if (!done.length) return [];
    const scores = done.map((s) => find(seededRun(run, s))!.average.macro['MRR@10']);
    const spread = `${fmt(mean(scores))}${scores.length > 1 ? ` ± ${fmt(sd(scores))}` : ''}`;
    if (run === reference) return [[run, what, scores.map(fmt).join(' / '), spread, '—', '—', '—']];
    // Seed-matched differences, and one paired test on the seed-averaged per-query scores.
    const deltas = done.map((s) => macroMrrVersus(full.get(s)!, find(seededRun(run, s))!).delta);
    const averaged = macroMrrVersus(averageOver(done.map((s) => full.get(s)!)), averageOver(done.map((s) => find(seededRun(run, s))!)));
    return [[run, what, scores.map(fmt).join(' / '), spread, deltas.map(signed).join(' / '), `**${signed(mean(deltas))}**`, `${pCell(averaged.pBootstrap)} / ${pCell(averaged.pRandomization)}`]];
  });
  const fullScores = [...full.values()].map((r) => r.average.macro['MRR@10']);
  return [
    '## Ablations at the shipped recipe, three seeds (mediawiki-xling dev, dense)',
    '',
    'Each run trains 1 epoch from `configs/ablations-seeds/sd-<run>-seed<s>.json` (the recipe `configs/cmtp-base.json` had',
    'before distillation was turned off, with one component changed; float32 tables), with seeds 1, 2 and 3:',
    '`bash scripts/ablations.sh --configs configs/ablations-seeds`. The −distillation row led to the full-length check below.',
    'MRR@10 is the macro average over the 20 languages, per seed and as mean ± sd across seeds. Δ per seed is the run',
    'minus `full` trained with the same seed; the p-values (bootstrap / approximate randomisation, paired over queries,',
    'resampling within languages) compare the seed-averaged per-query scores of the run with those of `full`. Unlike the',
    'single-seed tables above, the seed spread is in view: a component earns its place when every seed agrees on the sign',
    `and the mean Δ is clearly larger than the sd of \`full\` across seeds (${fullScores.length > 1 ? fmt(sd(fullScores)) : '—'}).`,
    '',
    ...table(['run', 'what it changes', `MRR@10 per seed (${seeds.join(', ')})`, 'mean ± sd', 'Δ per seed', 'mean Δ', 'p (boot / rand)'], rows, 2),
    '',
    ...(missing.length ? [`Not run yet: ${missing.map((n) => `\`${n}\``).join(', ')}.`, ''] : []),
  ];
}

/** Encoders whose reports these sections show instead of the benchmark tables. */
export const ABLATION_RUNS: readonly string[] = [
  ...ABLATION_SETS.flatMap((set) => [...Object.keys(set.runs), set.replicate.name]),
  ...Object.keys(SEEDED_ABLATIONS.runs).flatMap((run) => SEEDED_ABLATIONS.seeds.map((seed) => seededRun(run, seed))),
];

export function ablationSections(reports: EvalReport[]): string[] {
  return [...ABLATION_SETS.flatMap((set) => ablationSection(reports, set)), ...seededAblationSection(reports)];
}
