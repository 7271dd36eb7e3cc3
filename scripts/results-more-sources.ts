/**
 * docs/results.md, "More data: AbiWord and the Quechua catalogs under quz/quy" (issue 18, lever 4): the 3-epoch recipe
 * trained once on a data build with the opt-in sources `abiword` and `language-variants`, against the three seeds of
 * base-es on the default build — as the CLDR-files experiment was measured.
 */
import { fmt } from '../eval/report.js';
import type { EvalReport } from '../eval/run.js';
import { averageOver, BENCH_ORDER, denseReport, macroMrrOn, mean, pairedOn, pCell, sd, signed, table } from './results-common.js';

const SPEC = {
  baseline: ['base-es', 'base-es-seed2', 'base-es-seed3'],
  run: 'base-es-abiword-qu',
  /** The languages the new sources add pairs to, then the rest of the weak ones. */
  languages: ['qu', 'wo', 'so', 'bo', 'ti', 'ha', 'yo', 'ig', 'st'],
  weak: ['so', 'qu', 'wo', 'bo', 'ti', 'ha', 'yo', 'ig', 'st'],
};

export function moreSourcesSection(reports: EvalReport[]): string[] {
  const rows: string[][] = [];
  const commands: string[] = [];
  for (const bench of BENCH_ORDER) {
    const seeds = SPEC.baseline.map((name) => denseReport(reports, bench, name)).filter((r): r is EvalReport => !!r);
    const run = denseReport(reports, bench, SPEC.run);
    if (seeds.length !== SPEC.baseline.length || !run) continue;
    commands.push(run.config.command ?? `# ${bench}: no command recorded`);
    const base = averageOver(seeds);
    const present = new Set(base.perQuery.map((q) => q.lang));
    const groups: Array<[string, (lang: string) => boolean]> = [
      ['all (macro)', () => true],
      ['weak (macro)', (l) => SPEC.weak.includes(l)],
      ...SPEC.languages.filter((l) => present.has(l)).map((l): [string, (lang: string) => boolean] => [l, (x) => x === l]),
    ];
    for (const [label, only] of groups) {
      const perSeed = seeds.map((r) => macroMrrOn(r, only));
      const cmp = pairedOn(base, run, only);
      if (!cmp) continue;
      rows.push([bench, label, String(cmp.n), perSeed.map(fmt).join(' / '), fmt(sd(perSeed)), fmt(mean(perSeed)), fmt(cmp.b), `${signed(cmp.delta)} (${pCell(cmp.pBoot)})`]);
    }
  }
  if (!rows.length) return [];
  return [
    '## More data: AbiWord and the Quechua catalogs under quz/quy (issue 18, lever 4)',
    '',
    'The survey of sources the build did not read (`docs/data-survey-2026-12-07.md`: debconf templates, the installer,',
    'Firefox, help pages, Qt catalogs, AbiWord) found two that add more than a quarter to a weak language: AbiWord\'s',
    'interface strings (`abiword`: Wolof and Southern Quechua; strings its translators copied from French or Spanish are',
    'dropped) and the gettext catalogs under the Quechua locale codes `quz` and `quy` that the build never matched',
    '(`language-variants`, `languageVariants` in `corpora/sources.json`). Both are opt-in sources. With them Quechua has',
    '1,681 pairs of two or more English words instead of 164 (73 of 12 words or more instead of 0), and it gets an',
    'adapter for the first time (2,435 pairs ≥ `adapterMinPairs`); Wolof 1,667 instead of 762. The 3-epoch recipe',
    '(`configs/more-data/base-es-abiword-qu.json`) trained once (seed 1) against the three seeds of `base-es` on the',
    'default build; Δ is the run minus the seed average, p paired over queries (bootstrap); a single run within about',
    'two seed sds of the average is not evidence.',
    '',
    ...table(['bench', 'languages', 'queries', 'base-es seeds 1 / 2 / 3', 'seed sd', 'seed mean', '+abiword +quz/quy', 'Δ (p)'], rows, 2),
    '',
    'Reproduce:',
    '',
    '```sh',
    'npx tafuta data build --out-dir data-abiword-qu --only gettext,libreoffice,chromium,cldr,abiword,language-variants,mono,morph,bench',
    'npx tafuta train --config configs/more-data/base-es-abiword-qu.json --out .cache/more-data/base-es-abiword-qu',
    ...commands,
    '```',
    '',
  ];
}
