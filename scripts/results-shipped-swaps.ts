/**
 * docs/results.md, one section per replacement of the shipped encoder: the new `cmtp-base` against the one it replaced
 * (its reports kept under another name), on every benchmark and mode, overall and on the weak languages, both measured
 * with the same code and data. A replacement is kept only if it is better on the macro and on the weak languages.
 */
import { fmt } from '../eval/report.js';
import type { EvalReport } from '../eval/run.js';
import { BENCH_ORDER, modeReport, pairedOn, pCell, signed, table, WEAK_LANGUAGES as WEAK } from './results-common.js';

export interface ShippedSwap {
  heading: string;
  /** Encoder name of the replaced model's reports, and of the replacing one's (the current model is `cmtp-base`). */
  before: string;
  after: string;
  labels: { before: string; after: string };
  about: string[];
  reproduce: string[];
  /** The modes compared (default MODES): a mode whose current reports no longer show this swap's effect is left out. */
  modes?: string[];
}

const MODES = ['dense', 'hybrid', 'auto', 'translate', 'translate-hybrid'];

/** After a new model is copied in: what depends on it refitted (tables, fusion weights, autoModes), then every eval. */
const REFIT_AND_MEASURE = [
    'npx tafuta translate train --config configs/translate-base.json --out models/translate-base',
    'npx tafuta auto-modes --model models/cmtp-base --out docs/eval/auto-modes/cmtp-base --write --seed 1 --distractors 6000   # until 2026-12-07 20:30; since then on a replica of the recipe (next line)',
    'npx tafuta auto-modes --model .cache/auto-modes/cmtp-base-replica --translator .cache/auto-modes/translate-replica --out docs/eval/auto-modes/cmtp-base-replica --write-to models/cmtp-base --seed 1 --distractors 6000   # after retraining the replica and its tables (configs/auto-modes/)',
    'npx tafuta eval --bench data/bench/mediawiki-xling --encoder cmtp-base --mode dense --k 100 --out docs/eval/mediawiki-xling.cmtp-base.dense   # and every mode and bench',
];

const SIX_TO_NINE_EPOCHS: ShippedSwap = {
  heading: 'The shipped encoder: 6 epochs → 9 (issue 18, lever 6)',
  before: 'cmtp-base-6ep',
  after: 'cmtp-base-9ep',
  labels: { before: '6 epochs', after: '9 epochs' },
  about: [
    '`cmtp-base` from 2026-12-07 02:00 to the next section\'s swap was the output of the 9-epoch run at seed 1 of *Nine',
    'epochs instead of six* (`configs/epochs/base-es-9ep.json`; its `model.onnx` and `training-log.json` copied unchanged,',
    '`model.json` with `name` and `config.name` set to `cmtp-base`). Its reports are kept as `cmtp-base-9ep` (the files',
    'of `git show 49ab4f1:docs/eval/B.cmtp-base.M.json` with the encoder renamed; measured 2026-12-07 02:30–02:50). It',
    'replaced the 6-epoch `cmtp-base` (`configs/cmtp-base.json` at 6 epochs, seed 1: a run of its own), whose reports',
    'are kept as `cmtp-base-6ep`: the files of `git show 98e9ccf:models/cmtp-base/…` renamed `cmtp-base-6ep`, translate-hybrid',
    'with the fusion weights fitted against that model (`98e9ccf:models/translate-base/translator.json`), measured on',
    '2026-12-07 with the same code and data as the 9-epoch rows. `translate` does not use the encoder: its two reports',
    'are equal query for query. The 6-epoch reports measured earlier (in git history) differ from these by up to',
    '+0.002 macro MRR@10 on cldr-emoji: code changed between the measurements, so compare rows measured together.',
  ],
  reproduce: [
    '# the 6-epoch model and its fusion weights, from git; then set "name" and "config.name" in its model.json to cmtp-base-6ep',
    'mkdir -p .cache/cmtp-base-6ep .cache/translate-base-6ep',
    'for f in model.onnx model.json training-log.json; do git show 98e9ccf:models/cmtp-base/$f > .cache/cmtp-base-6ep/$f; done',
    'git show 98e9ccf:models/translate-base/translator.json > .cache/translate-base-6ep/translator.json && ln -s ../../models/translate-base/tables .cache/translate-base-6ep/tables',
    'npx tafuta eval --bench data/bench/mediawiki-xling --model .cache/cmtp-base-6ep --encoder cmtp-base-6ep --mode dense --k 100 --out docs/eval/mediawiki-xling.cmtp-base-6ep.dense   # and every mode and bench',
    'npx tafuta eval --bench data/bench/mediawiki-xling --model .cache/cmtp-base-6ep --translator .cache/translate-base-6ep --encoder cmtp-base-6ep --mode translate-hybrid --k 100 --out docs/eval/mediawiki-xling.cmtp-base-6ep.translate-hybrid',
  ],
};

const MORE_DATA: ShippedSwap = {
  heading: 'The shipped encoder: 9 epochs on AbiWord and quz/quy too (issue 18, lever 4)',
  before: 'cmtp-base-9ep',
  after: 'cmtp-base-abiword',
  labels: { before: 'before', after: 'after' },
  about: [
    '`models/cmtp-base` was, from 2026-12-07 12:16 to the next section\'s swap, the output of the 9-epoch run at seed 2 of',
    '*More data at the shipped length* (`configs/more-data/base-es-9ep-abiword-qu-seed2.json`; its reports are kept as',
    '`cmtp-base-abiword`), trained on a build with `abiword` and `language-variants` whose',
    'files were byte for byte (sha256) what `npx tafuta data build` wrote by default from this swap on: `model.onnx` and',
    '`training-log.json` unchanged, `model.json` with `name` and `config.name` set to `cmtp-base` and the `config.data`',
    'directories to `data/…` (its `data.files` keep the paths it was trained from); `configs/cmtp-base.json` was that config',
    'apart from the name. **Which seed**: the rule, fixed before seed 3 had finished, was to take, among the seeds whose',
    'dense macro and weak-language macro are at least the shipped model\'s on all three benchmarks, the one with the',
    'highest validation MRR@10 (held-out training pairs, no benchmark). Seed 1 fell short on mediawiki-xling (0.425) and',
    'udhr (0.311); seed 2 passed (validation 0.931); seed 3 is in the seeded section. Choosing among seeds by the dev',
    'benchmarks at all gives the chosen one a selection bonus of up to about one seed sd: the seed-averaged comparison',
    'of the two recipes is the unbiased estimate. The translation tables were retrained on the new build (Quechua has',
    'pairs of its own now). It replaced the 9-epoch `cmtp-base` of the section above, whose reports are kept as',
    '`cmtp-base-9ep` (the files of `git show 49ab4f1:docs/eval/B.cmtp-base.M.json` with the encoder renamed; measured',
    '2026-12-07 02:30–02:50 with that model and its own translation tables and fusion weights; re-running four of them',
    'with the code of this swap gave the same scores query for query).',
  ],
  reproduce: [
    'npx tafuta data build --out-dir data-abiword-qu --only gettext,libreoffice,chromium,cldr,abiword,language-variants,mono,morph,bench   # the default build of the time',
    'npx tafuta train --config configs/more-data/base-es-9ep-abiword-qu-seed2.json --out .cache/cmtp-base-abiword   # then name it cmtp-base',
    ...REFIT_AND_MEASURE,
  ],
};

const TIBETAN_SOURCES: ShippedSwap = {
  heading: 'The shipped encoder: 9 epochs with the Tibetan sources too (issue 18, lever 4)',
  before: 'cmtp-base-abiword',
  after: 'cmtp-base',
  labels: { before: 'before', after: 'after' },
  about: [
    '`models/cmtp-base` is, since 2026-12-07 17:10, the output of the 9-epoch run at seed 2 of *More data for Tibetan: the',
    'Debian installer too* (`configs/more-data/base-es-9ep-tibetan-di-seed2.json`), trained on a build with `debconf`,',
    '`qt-qm` and `debian-installer` whose files are byte for byte (sha256) what `npx tafuta data build` writes by default',
    'since: `model.onnx` and `training-log.json` unchanged, `model.json` with `name` and `config.name` set to `cmtp-base`',
    'and the `config.data` directories to `data/…`; `configs/cmtp-base.json` is that config apart from the name and',
    'directories. **Why this recipe and this seed**: the recipe passed the seed-averaged swap rule stated in that section',
    'before its results (mediawiki-xling macro +0.014, weak-language macro +0.029; udhr and cldr-emoji no lower). The',
    'seed is the one with the highest validation MRR@10 among the seeds at least as good as the replaced model on all',
    'three benchmarks\' dense macro and weak-language macro — only seed 2 was (validation 0.9347); seed 1, the best on',
    'validation, fell short on udhr. That gate was added after the seeds were seen (the issue asks it of a replacement),',
    'so the Δ below carries a selection bonus: the seed-averaged table in that section is the unbiased estimate. The',
    'translation tables, the translate-hybrid fusion weights and `autoModes` were refitted on the new build and model.',
    'It replaced the `cmtp-base` of the section above, whose reports are kept as `cmtp-base-abiword` (the files of',
    '`git show d5318da:docs/eval/B.cmtp-base.M.json` with the encoder renamed, measured with that model and its own',
    'translation tables and fusion weights). The `auto` rows are left out since 2026-12-07 20:30, when `cmtp-base`\'s',
    '`auto` became translate-dense for most languages (*`auto` decided on a replica of the shipped recipe*), which is not',
    'this swap\'s doing; at the swap both models\' `auto` was dense everywhere, its rows equal to the dense ones.',
  ],
  modes: MODES.filter((mode) => mode !== 'auto'),
  reproduce: [
    'npx tafuta data build   # debconf, qt-qm and debian-installer are default sources since this swap',
    'npx tafuta train --config configs/more-data/base-es-9ep-tibetan-di-seed2.json --out .cache/cmtp-base-tibetan   # then name it cmtp-base (configs/cmtp-base.json is this config over data/)',
    ...REFIT_AND_MEASURE,
  ],
};

/** Oldest first; each section's `before` reports are kept under their own name and shown nowhere else. */
const SHIPPED_SWAPS: ShippedSwap[] = [SIX_TO_NINE_EPOCHS, MORE_DATA, TIBETAN_SOURCES];

/** Encoders whose reports these sections show instead of the benchmark tables. */
export const SHIPPED_SWAP_RUNS: readonly string[] = SHIPPED_SWAPS.map((swap) => swap.before);

export function shippedSwapSections(reports: EvalReport[]): string[] {
  return SHIPPED_SWAPS.flatMap((swap) => shippedSwapSection(reports, swap));
}

function shippedSwapSection(reports: EvalReport[], swap: ShippedSwap): string[] {
  const find = (bench: string, name: string, mode: string) => modeReport(reports, bench, name, mode);
  const isWeak = (lang: string) => WEAK.includes(lang);
  const summary: string[][] = [];
  const perLanguage: string[][] = [];
  for (const bench of BENCH_ORDER) {
    for (const mode of swap.modes ?? MODES) {
      const old = find(bench, swap.before, mode);
      const now = find(bench, swap.after, mode);
      if (!old || !now) continue;
      for (const [label, only] of [['all (macro)', () => true], ['weak (macro)', isWeak]] as const) {
        const cmp = pairedOn(old, now, only);
        if (cmp && cmp.n) summary.push([bench, mode, label, String(cmp.langs), String(cmp.n), fmt(cmp.a), fmt(cmp.b), signed(cmp.delta), `${pCell(cmp.pBoot)} / ${pCell(cmp.pRand)}`]);
      }
      if (mode !== 'dense') continue;
      for (const lang of WEAK) {
        const cmp = pairedOn(old, now, (l) => l === lang);
        if (cmp && cmp.n) perLanguage.push([bench, lang, String(cmp.n), fmt(cmp.a), fmt(cmp.b), signed(cmp.delta), `${pCell(cmp.pBoot)} / ${pCell(cmp.pRand)}`]);
      }
    }
  }
  if (!summary.length) return [];
  const { before, after } = swap.labels;
  return [
    `## ${swap.heading}`,
    '',
    ...swap.about,
    `The rule: the shipped model is replaced only by one better on the macro and on the weak languages (${WEAK.join(' ')}).`,
    'What depends on the encoder was refitted before these evals (the translate-hybrid fusion weights in',
    '`models/translate-base`, `autoModes` in `model.json`), so each row compares the two shipped systems in that mode.',
    `MRR@10; Δ = ${after} − ${before}; p paired over queries (bootstrap / randomisation). One model each: whether the`,
    'gain holds across seeds is the seeded comparison of the same recipes; a single-seed Δ within about twice the seed sd there is not evidence.',
    '',
    ...table(['bench', 'mode', 'languages', 'count', 'queries', before, after, 'Δ', 'p'], summary, 3),
    '',
    'Dense, per weak language:',
    '',
    ...table(['bench', 'lang', 'queries', before, after, 'Δ', 'p'], perLanguage, 2),
    '',
    'Reproduce (the eval commands of the current model are under each benchmark above):',
    '',
    '```sh',
    ...swap.reproduce,
    '```',
    '',
  ];
}
