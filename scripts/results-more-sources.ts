/**
 * docs/results.md, the "More data" sections of issue 18, lever 4: the 3-epoch and the 9-epoch recipe trained on a data
 * build with more sources (`abiword` and `language-variants`; then `debconf`, `qt-qm` and `debian-installer` for Tibetan), against three
 * seeds of the same recipe on the build without them.
 */
import { fmt } from '../eval/report.js';
import type { EvalReport } from '../eval/run.js';
import { BENCH_ORDER, mean, modeReport, pCell, sd, seedGroupComparisons, SHIPPED_ENCODER, SHIPPED_RECIPE_SEEDS, signed, table } from './results-common.js';

/** One comparison: a recipe on the default build (three seeds) against the same recipe on the build with the new sources. */
interface MoreSourcesSpec {
  heading: string;
  baseline: string[];
  /** Seeds 1, 2, 3 of the recipe on the new build; those not run yet are left out. */
  runs: string[];
  /** Also compared in mode translate-dense (`auto`'s mode since 2026-12-07), against these baseline reports. */
  translateDense?: { baseline: string[] };
  labels: { baseline: string; runs: string };
  intro: (seedsRun: number) => string[];
  reading: string[];
  reproduce: string[];
}

/** The languages the new sources add pairs to, then the rest of the weak ones. */
const LANGUAGES = ['qu', 'wo', 'so', 'bo', 'ti', 'ha', 'yo', 'ig', 'st'];

const THREE_EPOCHS: MoreSourcesSpec = {
  heading: 'More data: AbiWord and the Quechua catalogs under quz/quy (issue 18, lever 4)',
  baseline: ['base-es', 'base-es-seed2', 'base-es-seed3'],
  runs: ['base-es-abiword-qu', 'base-es-abiword-qu-seed2', 'base-es-abiword-qu-seed3'],
  labels: { baseline: 'base-es', runs: '+abiword +quz/quy' },
  intro: (seedsRun) => [
    'The survey of sources the build did not read (`docs/data-survey-2026-12-07.md`: debconf templates, the installer,',
    'Firefox, help pages, Qt catalogs, AbiWord) found two that add more than a quarter to a weak language: AbiWord\'s',
    'interface strings (`abiword`: Wolof and Southern Quechua; strings its translators copied from French or Spanish are',
    'dropped) and the gettext catalogs under the Quechua locale codes `quz` and `quy` that the build never matched',
    '(`language-variants`, `languageVariants` in `corpora/sources.json`). They were opt-in sources when this was measured',
    '(default since the 9-epoch comparison below). With them Quechua has',
    '1,681 pairs of two or more English words instead of 164 (73 of 12 words or more instead of 0), and it gets an',
    'adapter for the first time (2,435 pairs ≥ `adapterMinPairs`); Wolof 1,667 instead of 762. The 3-epoch recipe',
    `(\`configs/more-data/base-es-abiword-qu*.json\`) trained with ${seedsRun} seed(s) against the three seeds of \`base-es\` on the`,
    "default build of the time; Δ is the new build's seed average minus base-es's, p paired over queries on the seed-averaged",
    'per-query scores (bootstrap); a difference within about two seed sds is not evidence.',
  ],
  reading: [
    '**Reading (2026-12-07, three seeds each).** The two languages the sources feed gain far beyond seed noise on every',
    'benchmark: on mediawiki-xling Quechua 0.045 → 0.104 (2.3×, every seed 0.098–0.112 against 0.041–0.048) and Wolof',
    '0.059 → 0.148 (2.5×), on cldr-emoji +0.034 and +0.017, on udhr Wolof +0.063 (p 0.01). The macro averages do not pay',
    'for it: mediawiki-xling +0.011 (p 0.02), weak languages +0.012 (p 0.02), cldr-emoji +0.006 (p < 0.001), udhr',
    '+0.002. Languages without new pairs move within their seed sds on mediawiki-xling and cldr-emoji; on udhr\'s 30',
    'queries Tibetan falls (−0.060, p 0.04) and Igbo rises (+0.057, p 0.005), neither fed by these sources. **The sources',
    'help.** The shipped recipe (9 epochs) was then trained on a build with them: next section.',
  ],
  reproduce: [
    'npx tafuta data build --out-dir data-abiword-qu --only gettext,libreoffice,chromium,cldr,abiword,language-variants,mono,morph,bench   # the default build from the next section to the Tibetan swap',
    'npx tafuta train --config configs/more-data/base-es-abiword-qu.json --out .cache/more-data/base-es-abiword-qu   # and -seed2, -seed3',
  ],
};

const NINE_EPOCHS: MoreSourcesSpec = {
  heading: 'More data at the shipped length: 9 epochs with AbiWord and quz/quy (issue 18, lever 4)',
  baseline: ['base-es-9ep', 'base-es-9ep-seed2', 'base-es-9ep-seed3'],
  runs: ['base-es-9ep-abiword-qu', 'base-es-9ep-abiword-qu-seed2', 'base-es-9ep-abiword-qu-seed3'],
  labels: { baseline: '9 epochs', runs: '9 epochs +abiword +quz/quy' },
  intro: (seedsRun) => [
    'The shipped recipe (9 epochs, `configs/epochs/base-es-9ep*.json`, seeds 1–3; seed 1 was `cmtp-base` until this',
    'comparison) against the same recipe on the build with `abiword` and `language-variants`',
    `(\`configs/more-data/base-es-9ep-abiword-qu*.json\`, ${seedsRun} seed(s)). Δ and p as in the section above.`,
  ],
  reading: [
    '**Reading (2026-12-07, three seeds each).** At 9 epochs the two fed languages gain as at 3, every seed of the new',
    'build above every seed of the old: on mediawiki-xling Quechua 0.049 → 0.115 (2.3×) and Wolof 0.066 → 0.171 (2.6×)',
    '(p < 0.001), on cldr-emoji +0.031 and +0.018 (p < 0.001), on udhr Quechua +0.076 (p 0.008). The weak-language',
    'macros rise (cldr-emoji +0.007, p < 0.001; udhr +0.020, p 0.045; mediawiki-xling +0.008, p 0.20), and no 20-language',
    'macro falls: cldr-emoji +0.006 (p < 0.001), udhr +0.004, mediawiki-xling ±0.000 — there the languages without new',
    'pairs give back what Quechua and Wolof gain (Igbo −0.018, p 0.01; Hausa −0.011 and Sesotho −0.064 on 95 and 12',
    'queries, within their seed sds). The new build is kept: it was the default build from then until the Tibetan',
    'sources joined it, and `cmtp-base` was trained on it (*The shipped encoder: 9 epochs on AbiWord and quz/quy too*;',
    'the seed shipped, 2, is the best of the three on mediawiki-xling and udhr, so its own Δ there overstates the recipe\'s).',
  ],
  reproduce: [
    'npx tafuta data build --out-dir data-abiword-qu --only gettext,libreoffice,chromium,cldr,abiword,language-variants,mono,morph,bench   # the default build of the time',
    'npx tafuta train --config configs/more-data/base-es-9ep-abiword-qu.json --out .cache/more-data/base-es-9ep-abiword-qu   # and -seed2, -seed3',
  ],
};

const TIBETAN: MoreSourcesSpec = {
  heading: 'More data for Tibetan: debconf templates and Qt catalogs (issue 18, lever 4)',
  baseline: ['base-es-abiword-qu', 'base-es-abiword-qu-seed2', 'base-es-abiword-qu-seed3'],
  runs: ['base-es-tibetan', 'base-es-tibetan-seed2', 'base-es-tibetan-seed3'],
  labels: { baseline: 'AbiWord build', runs: '+debconf +qt-qm' },
  intro: (seedsRun) => [
    'Two more sources the survey counted, built as opt-in sources: `debconf` (the debconf `templates` of 18 fixed',
    'packages: system-setup questions in bo, wo, am, lo, mg, uz) and `qt-qm` (Qt `.qm` catalogs of 36 packages, Deepin\'s',
    'Tibetan among them; translations copied from a Russian, French, Spanish… sibling catalog dropped). Tibetan gets',
    '1,172 → 1,895 pairs of two or more English words (+62%), Wolof +7%, Tigrinya +13%, Kyrgyz +11%, the rest ≤ 8%',
    `(docs/data-survey-2026-12-07.md). The 3-epoch recipe (\`configs/more-data/base-es-tibetan*.json\`, ${seedsRun} seed(s)) on the`,
    'build with them against the same recipe on the default build of the time, the *AbiWord build* (`configs/more-data/base-es-abiword-qu*.json`, which',
    'read exactly its files). Δ and p as above.',
  ],
  reading: [
    '**Reading (2026-12-07, three seeds each).** Tibetan gains beyond seed noise on both benchmarks that have it, every',
    'seed of the new build above every seed of the old: mediawiki-xling 0.161 → 0.257 (+60%, p < 0.001), udhr 0.156 →',
    '0.254 (p 0.006); Wolof, fed by debconf, +0.029 on mediawiki-xling (p < 0.001), and the weak-language macro there',
    '+0.021 (p 0.003; Somali +0.014, p 0.02, without new pairs of its own). The 20-language macros move within their',
    "seed sds (mediawiki-xling +0.007, udhr −0.005, cldr-emoji +0.001; cldr-emoji has no Tibetan); udhr's 30 Igbo",
    'queries fall (−0.061, p 0.02) with no Igbo pairs changed. **The sources help Tibetan**; they stay opt-in until the',
    "shipped recipe (9 epochs) is trained on them with three seeds, as AbiWord's were.",
  ],
  reproduce: [
    'npx tafuta data build --out-dir data-tibetan --only gettext,libreoffice,chromium,cldr,abiword,language-variants,debconf,qt-qm,mono,morph,bench',
    'npx tafuta train --config configs/more-data/base-es-tibetan.json --out .cache/more-data/base-es-tibetan   # and -seed2, -seed3',
  ],
};

const TIBETAN_9EP: MoreSourcesSpec = {
  heading: 'More data for Tibetan at the shipped length: 9 epochs with debconf and Qt catalogs (issue 18, lever 4)',
  baseline: ['base-es-9ep-abiword-qu', 'base-es-9ep-abiword-qu-seed2', 'base-es-9ep-abiword-qu-seed3'],
  runs: ['base-es-9ep-tibetan', 'base-es-9ep-tibetan-seed2', 'base-es-9ep-tibetan-seed3'],
  labels: { baseline: 'AbiWord build, 9 epochs', runs: '+debconf +qt-qm' },
  intro: (seedsRun) => [
    'The shipped recipe (9 epochs) on the build with `debconf` and `qt-qm` (`configs/more-data/base-es-9ep-tibetan*.json`,',
    `${seedsRun} seed(s)) against its three seeds on the AbiWord build (\`configs/more-data/base-es-9ep-abiword-qu*.json\`, the`,
    '`cmtp-base` of the time being seed 2). Δ and p as above; seeds not run yet are left out.',
  ],
  reading: [
    '**Reading (2026-12-07, three seeds each).** Tibetan gains as at 3 epochs, every seed of the new build above every',
    'seed of the old: mediawiki-xling 0.181 → 0.283 (+0.102, p < 0.001; seeds 0.241–0.316 against 0.165–0.201), udhr',
    '0.182 → 0.288 (p 0.02); Wolof +0.031 on mediawiki-xling (p < 0.001). The weak-language macro rises there (+0.022,',
    'p < 0.001) and on udhr (+0.016, p 0.17), and so does the 20-language macro on mediawiki-xling (+0.009, p 0.035); udhr',
    '±0.000, cldr-emoji +0.001 (no Tibetan there). No language falls beyond its seed sd (cldr-emoji Quechua −0.009,',
    'p 0.06). **The recipe is better; the shipped model is not replaced**: the swap rule then in force (each seed against',
    'the shipped model: dense and weak-language macro at least its own on all three benchmarks) fails every seed on udhr,',
    "0.326 / 0.326 / 0.329 against 0.345 — the shipped model is the best of its recipe's three seeds there (0.311–0.345),",
    'picked on those benchmarks. `debconf` and `qt-qm` stay opt-in; the next section states the rule that replaces this one.',
    "Tibetan's bar (1.5 × 0.197 ≈ 0.296) is not met on average (0.283; seed 3 alone 0.316).",
  ],
  reproduce: [
    'npx tafuta data build --out-dir data-tibetan --only gettext,libreoffice,chromium,cldr,abiword,language-variants,debconf,qt-qm,mono,morph,bench',
    'npx tafuta train --config configs/more-data/base-es-9ep-tibetan.json --out .cache/more-data/base-es-9ep-tibetan',
  ],
};

const TIBETAN_INSTALLER_9EP: MoreSourcesSpec = {
  heading: 'More data for Tibetan: the Debian installer too, 9 epochs (issue 18, lever 4)',
  baseline: ['base-es-9ep-abiword-qu', 'base-es-9ep-abiword-qu-seed2', 'base-es-9ep-abiword-qu-seed3'],
  runs: ['base-es-9ep-tibetan-di', 'base-es-9ep-tibetan-di-seed2', 'base-es-9ep-tibetan-di-seed3'],
  labels: { baseline: 'AbiWord build, 9 epochs', runs: '+debconf +qt-qm +debian-installer' },
  intro: (seedsRun) => [
    'The build of the section above plus the opt-in source `debian-installer` (the installer udebs\' templates and the',
    'debian-boot source packages\' `debian/po` catalogs: Tibetan 1,895 → 2,193 pairs of two or more English words, 142 →',
    '221 of twelve or more; Amharic and Lao gain too, no other weak language; docs/data-survey-2026-12-07.md), the',
    `shipped recipe (\`configs/more-data/base-es-9ep-tibetan-di*.json\`, ${seedsRun} seed(s)) against the same three seeds on`,
    'the AbiWord build as above, so the two sections\' columns compare directly.',
    '',
    '**The swap rule from this comparison on** (fixed 2026-12-07 15:25, before any of its seeds had finished): a recipe',
    'replaces the shipped one when, over three seeds against the shipped recipe\'s three (seed-averaged as in these',
    'tables), its 20-language macro and weak-language macro are no lower on mediawiki-xling, the issue\'s benchmark, and',
    'neither is significantly lower (p < 0.05) on udhr or cldr-emoji; the seed shipped is then the one with the highest',
    'validation MRR@10 (held-out training pairs), no benchmark involved. The rule before compared each seed with the',
    'shipped model — itself a seed picked on these benchmarks — so a recipe equal on average had to beat a lucky draw.',
  ],
  reading: [
    '**Reading (2026-12-07, three seeds each).** The installer\'s strings add to what `debconf` and `qt-qm` gave Tibetan:',
    'mediawiki-xling 0.181 → **0.325** (+0.145, p < 0.001; 0.283 without them, section above), which meets the issue\'s',
    'bar for it (1.5 × 0.197 ≈ 0.296) seed-averaged; udhr Tibetan 0.182 → 0.305 (p < 0.001); Wolof +0.037 (p < 0.001). The',
    'weak-language macro on mediawiki-xling +0.029 (p < 0.001), the 20-language macro +0.014 (p 0.004); udhr +0.011 and',
    '+0.015 (p 0.12, 0.14), cldr-emoji +0.001 and +0.001. No language falls significantly. **The swap rule above',
    'passes.** The seed it names, the highest validation MRR@10, is seed 1 (0.9352; seed 2 0.9347, seed 3 0.9308) — but',
    'seed 1 is not better than the shipped model on every benchmark (udhr macro 0.328 against 0.345; weak-language macro',
    '0.243 against 0.251 on udhr, 0.108 against 0.111 on cldr-emoji), which the issue asks of a model that replaces',
    "`cmtp-base`. So the pick is made among the seeds that are (the previous rule's gate, kept as a condition on the seed):",
    'only seed 2 (0.450 / 0.348 / 0.161, weak 0.232 / 0.269 / 0.111 against 0.432 / 0.345 / 0.160, weak 0.195 / 0.251 /',
    '0.110). This amendment was made after seeing the seeds, to meet the issue\'s condition, not to choose a better seed',
    'than the rule named. **Seed 2 is `cmtp-base` since** (*The shipped encoder: 9 epochs with the Tibetan sources too*),',
    'and `debconf`, `qt-qm`, `debian-installer` are default sources since.',
  ],
  reproduce: [
    'npx tafuta data build --out-dir data-tibetan-di --only gettext,libreoffice,chromium,cldr,abiword,language-variants,debconf,qt-qm,debian-installer,mono,morph,bench   # the default build since',
    'npx tafuta train --config configs/more-data/base-es-9ep-tibetan-di.json --out .cache/more-data/base-es-9ep-tibetan-di   # and -seed2, -seed3',
  ],
};

const NPM_CATALOGS_9EP: MoreSourcesSpec = {
  heading: 'More data from npm: Scratch, Blockly and iD catalogs, 9 epochs (issue 18, lever 4)',
  baseline: ['base-es-9ep-tibetan-di', 'base-es-9ep-tibetan-di-seed2', 'base-es-9ep-tibetan-di-seed3'],
  runs: ['base-es-9ep-npm-catalogs', 'base-es-9ep-npm-catalogs-seed2', 'base-es-9ep-npm-catalogs-seed3'],
  translateDense: { baseline: [...SHIPPED_RECIPE_SEEDS] },
  labels: { baseline: 'default build', runs: '+npm-catalogs' },
  intro: (seedsRun) => [
    'The earlier survey read Debian only; npm packages ship the locale catalogs of web applications too',
    '(docs/data-survey-2026-12-07.md, *npm catalogs*). Three hold weak-language text no Debian package has, read by the',
    'opt-in source `npm-catalogs` (key–value catalogs paired by key): Scratch\'s editor and website (`scratch-l10n`;',
    'Hausa, Quechua, Swahili…, the website\'s pages often prose), Blockly\'s messages (translatewiki.net; Hausa, Igbo,',
    'Yoruba, Tigrinya) and the OpenStreetMap editor iD with its presets (Somali). Pairs of two or more English words:',
    'Hausa 1,338 → 4,180 (838 of them of 12 words or more), Quechua 1,818 → 2,618, Somali 384 → 477, Igbo +13%, Yoruba',
    '+12%, Tigrinya +9%; Swahili +16%, Zulu +12%. The shipped recipe (`configs/more-data/base-es-9ep-npm-catalogs*.json`,',
    `${seedsRun} seed(s)) against its three seeds on the default build (\`cmtp-base\` is seed 2), in dense and in`,
    'translate-dense (`auto`\'s mode), the latter with translation tables learnt from the same build',
    '(`configs/more-data/translate-npm-catalogs.json`; the baseline\'s are `translate-base`). Δ and p as above.',
    '',
    '**Decision rule** (fixed 2026-12-07 22:32, commit e03525c, before any seed had finished): the swap rule of *More data for Tibetan: the',
    'Debian installer too* — over three seeds, the 20-language and weak-language macros no lower on mediawiki-xling and',
    'neither significantly lower (p < 0.05) on udhr or cldr-emoji — must hold in dense and in translate-dense; the seed',
    'shipped is the one with the highest validation MRR@10 among the seeds at least as good as `cmtp-base` on those',
    'macros, and `auto`\'s modes are then measured anew on a replica of the new recipe',
    '(`configs/auto-modes/npm-catalogs-replica.json`), never on a benchmark.',
  ],
  reading: [
    '**Reading (2026-12-08, three seeds each).** Hausa, which the catalogs nearly quadruple, gains far beyond seed noise',
    'on every benchmark, every seed of the new build above every seed of the old: mediawiki-xling 0.175 → **0.458** dense',
    'and 0.245 → **0.538** translate-dense (its bar, 1.5 × 0.203 ≈ 0.305, met 1.8× over), udhr 0.201 → 0.350, cldr-emoji',
    '+0.037 / +0.047; none of its 95 MediaWiki queries shares even half its word types with a training text (Jaccard ≥',
    '0.5: 0 of 95 for every source, Quechua 0 of 402; `node dist/scripts/query-overlap.js data-npm-catalogs ha,qu 0.5`),',
    'so this is vocabulary, not leakage. Quechua +0.034 / +0.042 (0.174 in translate-dense), Igbo +0.022 /',
    '+0.028, Yoruba +0.019 in translate-dense (p 0.01; its bar 0.428 is not met). All macros rise: mediawiki-xling +0.020',
    '/ +0.021 (translate-dense **0.507**), weak languages +0.027 / +0.040, cldr-emoji +0.009 / +0.013, udhr +0.008 /',
    '+0.010 (p 0.29, 0.19). What falls: Tigrinya −0.034 in dense on 25 queries (p 0.03; −0.016, p 0.38 in',
    'translate-dense) and, on udhr\'s 30 queries, Tibetan −0.063 (p 0.006) and Sesotho −0.083 (p 0.03) in dense, neither',
    'fed by these sources and neither significant in translate-dense (±0.000, −0.034); Somali gets an adapter now (1,213',
    'pairs ≥ `adapterMinPairs`) and stays at 0.07–0.08. **The recipe passes the rule in both modes.** The seed pick does',
    'not: the validation pick is seed 2 (0.931; seed 3 0.928, seed 1 0.927), and no seed is at least `cmtp-base`\'s on',
    'every macro in both modes — seed 2 is better on all twelve but udhr dense (0.346 against 0.348), seed 3 on all but',
    'udhr translate-dense (0.358 against 0.360), seed 1 falls short on udhr dense (0.339). The rule as written names no',
    'seed, so `cmtp-base` is not replaced by this comparison; `npm-catalogs` stays opt-in until a swap is decided.',
  ],
  reproduce: [
    'npx tafuta data build --out-dir data-npm-catalogs --only gettext,libreoffice,chromium,cldr,abiword,language-variants,debconf,qt-qm,debian-installer,npm-catalogs,mono,morph,bench',
    'npx tafuta train --config configs/more-data/base-es-9ep-npm-catalogs.json --out .cache/more-data/base-es-9ep-npm-catalogs   # and -seed2, -seed3',
    'npx tafuta translate train --config configs/more-data/translate-npm-catalogs.json --out .cache/more-data/translate-npm-catalogs --model .cache/more-data/base-es-9ep-npm-catalogs-seed2',
  ],
};

const SPECS: MoreSourcesSpec[] = [THREE_EPOCHS, NINE_EPOCHS, TIBETAN, TIBETAN_9EP, TIBETAN_INSTALLER_9EP, NPM_CATALOGS_9EP];

/** Encoders these sections show (every mode), left out of the benchmark tables. */
export const MORE_SOURCES_RUNS: readonly string[] = SPECS.flatMap((spec) => [...spec.baseline, ...spec.runs]).filter((name) => name !== SHIPPED_ENCODER);

export function moreSourcesSections(reports: EvalReport[]): string[] {
  return SPECS.flatMap((spec) => moreSourcesSection(reports, spec));
}

function moreSourcesSection(reports: EvalReport[], spec: MoreSourcesSpec): string[] {
  const rows: string[][] = [];
  const commands: string[] = [];
  let seedsRun = 0;
  const modes = [{ mode: 'dense', baseline: spec.baseline }, ...(spec.translateDense ? [{ mode: 'translate-dense', baseline: spec.translateDense.baseline }] : [])];
  for (const { mode, baseline } of modes) {
    for (const bench of BENCH_ORDER) {
      const seeds = baseline.map((name) => modeReport(reports, bench, name, mode)).filter((r): r is EvalReport => !!r);
      const runs = spec.runs.map((name) => modeReport(reports, bench, name, mode)).filter((r): r is EvalReport => !!r);
      if (seeds.length !== baseline.length || runs.length === 0) continue;
      commands.push(...runs.map((run) => run.config.command ?? `# ${bench} ${run.config.encoder.name} ${mode}: no command recorded`));
      for (const { label, cmp, baseline: perSeed, runs: runPerSeed } of seedGroupComparisons(seeds, runs, LANGUAGES)) {
        rows.push([...(spec.translateDense ? [mode] : []), bench, label, String(cmp.n), perSeed.map(fmt).join(' / '), fmt(sd(perSeed)), fmt(mean(perSeed)),
          runPerSeed.map(fmt).join(' / '), fmt(cmp.b), `${signed(cmp.delta)} (${pCell(cmp.pBoot)})`]);
        if (mode === 'dense') seedsRun = runs.length;
      }
    }
  }
  if (!rows.length) return [];
  const { baseline, runs } = spec.labels;
  return [
    `## ${spec.heading}`,
    '',
    ...spec.intro(seedsRun),
    '',
    ...table([...(spec.translateDense ? ['mode'] : []), 'bench', 'languages', 'queries', `${baseline} seeds 1 / 2 / 3`, 'seed sd', 'seed mean', `${runs} per seed`, `${runs} mean`, 'Δ (p)'], rows, spec.translateDense ? 3 : 2),
    '',
    ...spec.reading,
    '',
    'Reproduce:',
    '',
    '```sh',
    ...spec.reproduce,
    ...commands,
    '```',
    '',
  ];
}
