/**
 * docs/results.md, "Code-switching augmentation": 3-epoch runs that swap words of the non-English side for English
 * translations while training, against the same recipe without it, seed by seed.
 */
import { fmt } from '../eval/report.js';
import type { EvalReport } from '../eval/run.js';
import { averageOver, BENCH_ORDER, denseMediawiki, denseReport, mean, pairedOn, pCell, sd, signed, table, WEAK_LANGUAGES } from './results-common.js';

/** Code-switching augmentation (issue 18, lever 2): 3-epoch runs of configs/codeswitch/ against the same recipe without it. */
const CODE_SWITCH = {
  /** The shipped recipe at 3 epochs, seeds 1–3 (`configs/contact/base-es*.json`), trained on the same data build. */
  baseline: [
    { seed: 1, name: 'base-es' },
    { seed: 2, name: 'base-es-seed2' },
    { seed: 3, name: 'base-es-seed3' },
  ],
  variants: [
    { name: 'cs-r20', seed: 1, what: 'rate 0.2, translations with p ≥ 0.3' },
    { name: 'cs-r20-seed2', seed: 2, what: 'rate 0.2, translations with p ≥ 0.3' },
    { name: 'cs-r20-seed3', seed: 3, what: 'rate 0.2, translations with p ≥ 0.3' },
  ],
  weak: WEAK_LANGUAGES,
};

export function codeSwitchSection(reports: EvalReport[]): string[] {
  const baseOf = (bench: string, seed: number) => denseReport(reports, bench, CODE_SWITCH.baseline.find((b) => b.seed === seed)!.name);
  const variants = CODE_SWITCH.variants.filter((v) => denseMediawiki(reports, v.name));
  if (!variants.length) return [];
  const macro = (r: EvalReport) => r.average.macro['MRR@10'];
  const isWeak = (lang: string) => CODE_SWITCH.weak.includes(lang);
  const summary: string[][] = [];
  for (const bench of BENCH_ORDER) {
    const bases = CODE_SWITCH.baseline.map((b) => denseReport(reports, bench, b.name)).filter((r): r is EvalReport => r !== undefined);
    const spread = bases.length > 1 ? `${fmt(mean(bases.map(macro)))} (sd ${fmt(sd(bases.map(macro)))})` : '–';
    for (const v of variants) {
      const run = denseReport(reports, bench, v.name);
      const base = baseOf(bench, v.seed);
      if (!run || !base) continue;
      const all = pairedOn(base, run, () => true)!;
      const weak = pairedOn(base, run, isWeak);
      summary.push([
        bench, v.name, String(v.seed), fmt(all.b), fmt(all.a), signed(all.delta), `${pCell(all.pBoot)} / ${pCell(all.pRand)}`, spread,
        weak ? `${fmt(weak.a)} → ${fmt(weak.b)} (${signed(weak.delta)}, p ${pCell(weak.pRand)})` : '–',
      ]);
    }
  }
  const averaged: string[][] = [];
  const seeded = variants.filter((v) => v.name === 'cs-r20' || v.name.startsWith('cs-r20-seed'));
  if (seeded.length > 1) {
    for (const bench of BENCH_ORDER) {
      const runs = seeded.map((v) => [denseReport(reports, bench, v.name), baseOf(bench, v.seed)] as const).filter((r): r is readonly [EvalReport, EvalReport] => !!r[0] && !!r[1]);
      if (runs.length < 2) continue;
      for (const [label, only] of [['all (macro)', () => true], ['weak (macro)', isWeak]] as const) {
        const cmp = pairedOn(averageOver(runs.map(([, b]) => b)), averageOver(runs.map(([a]) => a)), only);
        if (cmp) averaged.push([bench, label, String(runs.length), String(cmp.n), fmt(cmp.a), fmt(cmp.b), signed(cmp.delta), `${pCell(cmp.pBoot)} / ${pCell(cmp.pRand)}`]);
      }
    }
  }
  const perLang: string[][] = [];
  const mw = CODE_SWITCH.baseline.map((b) => denseMediawiki(reports, b.name));
  for (const lang of CODE_SWITCH.weak) {
    const baseScores = mw.map((r) => r?.languages[lang]?.metrics['MRR@10']).filter((x): x is number => x !== undefined);
    if (!baseScores.length) continue;
    const cells = variants.map((v) => {
      const run = denseMediawiki(reports, v.name);
      const base = denseMediawiki(reports, CODE_SWITCH.baseline.find((b) => b.seed === v.seed)!.name);
      const cmp = run && base ? pairedOn(base, run, (l) => l === lang) : undefined;
      return cmp ? `${fmt(cmp.b)} (${signed(cmp.delta)}, p ${pCell(cmp.pRand)})` : '–';
    });
    const n = mw[0]?.languages[lang]?.queries;
    perLang.push([lang, n === undefined ? '–' : String(n), baseScores.map(fmt).join(' / '), baseScores.length > 1 ? fmt(sd(baseScores)) : '–', ...cells]);
  }
  return [
    '## Code-switching augmentation (issue 18, lever 2)',
    '',
    '`augment.codeSwitch` in the train config (models/train/code-switch.ts): each time a pair is drawn, each word of its',
    'non-English side that has a usable entry in the IBM Model 1 tables of `models/translate-base` (a translation with',
    'probability ≥ `minProbability`, other than the word itself; Quechua also consults the Spanish table) is replaced',
    'with probability `rate` by one of those English translations, drawn by probability; the English side is never',
    'touched. The features are hashed words and character n-grams, so the swapped word brings its English features',
    'into the sentence (CoSDA-ML-style code-switching). The tables were learnt from the same training files holding out',
    'the same validation pairs (checked at load: file checksums and hold-out quota). The FreeDict Swahili–English',
    'dictionary is not in the data build, so only the induced tables are used. Each run is the shipped recipe at',
    '3 epochs (`configs/codeswitch/*.json`) against `configs/contact/base-es*.json` with the same seed, trained on the same',
    'data build (the manifest sha256 of the 3-epoch `cmtp-base` trained alongside them equals today\'s). Dense mode; MRR@10;',
    'p paired over queries (bootstrap / randomisation). Paired tests do not cover training variance: compare Δ with the',
    'seed-to-seed sd of the baseline.',
    '',
    ...table(['bench', 'run', 'seed', 'macro MRR@10', 'base-es (same seed)', 'Δ', 'p', 'base-es seeds 1–3', `weak languages (${CODE_SWITCH.weak.join(' ')}): base → run`], summary, 2),
    '',
    ...(averaged.length
      ? ['Seed-averaged per query (the rate-0.2 runs against base-es over the same seeds):', '', ...table(['bench', 'languages', 'seeds', 'queries', 'base-es', 'code-switched', 'Δ', 'p'], averaged, 2), '']
      : []),
    'mediawiki-xling, per weak language: base-es MRR@10 for seeds 1 / 2 / 3 and their sd, then each run (Δ against base-es',
    'with the same seed, randomisation p):',
    '',
    ...table(['lang', 'queries', 'base-es s1 / s2 / s3', 'sd', ...variants.map((v) => `${v.name} (${v.what})`)], perLang, 1),
    '',
    'What these runs say, and what was decided, is in docs/cmtp.md (*Code-switching augmentation*).',
    '',
    'Reproduce (one run; the others with their configs):',
    '',
    '```sh',
    'npx tafuta train --config configs/codeswitch/cs-r20.json --out .cache/codeswitch/cs-r20',
    'npx tafuta eval --bench data/bench/mediawiki-xling --model .cache/codeswitch/cs-r20 --encoder cs-r20 --mode dense --k 100 --out docs/eval/mediawiki-xling.cs-r20.dense',
    'npx tafuta eval --bench data/bench/udhr --model .cache/codeswitch/cs-r20 --encoder cs-r20 --mode dense --k 100 --out docs/eval/udhr.cs-r20.dense',
    'npx tafuta eval --bench data/bench/cldr-emoji --model .cache/codeswitch/cs-r20 --encoder cs-r20 --mode dense --k 100 --max-queries 500 --seed 42 --out docs/eval/cldr-emoji.cs-r20.dense',
    'npx tafuta eval --compare docs/eval/mediawiki-xling.base-es.dense.json docs/eval/mediawiki-xling.cs-r20.dense.json',
    '```',
    '',
  ];
}

/** Encoders whose reports this section shows instead of the benchmark tables. */
export const CODE_SWITCH_RUNS: readonly string[] = CODE_SWITCH.variants.map((v) => v.name);
