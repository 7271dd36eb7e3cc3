/**
 * docs/results.md, "Query translation": the translate and translate-hybrid modes of the shipped encoder against its
 * other modes, per benchmark and language, with the translator's training pairs and fusion weights.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fmt } from '../eval/report.js';
import type { EvalReport } from '../eval/run.js';
import { BENCH_ORDER, modeReport, pairedOn, pCell, REPO_ROOT, signed, table } from './results-common.js';

/** The shipped query translator and the modes it serves (models/translate/, indexer/translated-bm25.ts). */
const TRANSLATION = {
  encoder: 'cmtp-base',
  manifest: path.join(REPO_ROOT, 'models', 'translate-base', 'translator.json'),
  /** The bar: languages with fewer training pairs than this should reach 1.5× their best existing mode. */
  fewPairs: 5000,
  target: 1.5,
  /** The modes without query translation (`auto` runs translate-dense since 2026-12-07 20:30). */
  existingModes: ['dense', 'bm25', 'hybrid'],
};

export function queryTranslationSection(reports: EvalReport[]): string[] {
  if (!fs.existsSync(TRANSLATION.manifest)) return [];
  const manifest = JSON.parse(fs.readFileSync(TRANSLATION.manifest, 'utf8')) as {
    bytes: number; trainingSeconds: number; data: { pairs: Record<string, number> }; fusion: { weights: Record<string, number> };
  };
  const find = (bench: string, mode: string) => modeReport(reports, bench, TRANSLATION.encoder, mode);
  const mrr = (r: EvalReport | undefined, lang: string) => r?.languages[lang]?.metrics['MRR@10'];
  const rows: string[][] = [];
  for (const bench of BENCH_ORDER) {
    const dense = find(bench, 'dense');
    const translate = find(bench, 'translate');
    const fused = find(bench, 'translate-hybrid');
    if (!dense || !translate || !fused) continue;
    const existing = TRANSLATION.existingModes.map((m) => find(bench, m)).filter((r): r is EvalReport => r !== undefined);
    const langs = Object.keys(dense.languages).filter((l) => mrr(dense, l) !== undefined).sort();
    const line = (label: string, pairs: string, weight: string, only: (lang: string) => boolean, values: (r: EvalReport) => number | undefined) => {
      const best = existing.map((r) => ({ mode: r.config.mode, value: values(r) ?? 0 })).sort((a, b) => b.value - a.value)[0]!;
      const [t, f] = [values(translate), values(fused)];
      const cmp = pairedOn(dense, fused, only);
      if (t === undefined || f === undefined || !cmp) return;
      const ratio = best.value > 0 ? `${(Math.max(t, f) / best.value).toFixed(2)}×` : '–';
      rows.push([bench, label, pairs, String(cmp.n), `${fmt(best.value)} (${best.mode})`, fmt(t), fmt(f), weight, signed(cmp.delta), `${pCell(cmp.pBoot)} / ${pCell(cmp.pRand)}`, ratio]);
    };
    line('all (macro)', '', '', () => true, (r) => r.average.macro['MRR@10']);
    for (const lang of langs) {
      const pairs = manifest.data.pairs[lang];
      const weight = manifest.fusion.weights[lang];
      line(lang, pairs === undefined ? '–' : String(pairs), weight === undefined ? '–' : weight.toFixed(1), (l) => l === lang, (r) => mrr(r, lang));
    }
  }
  if (!rows.length) return [];
  return [
    '## Query translation (translate, translate-hybrid)',
    '',
    `\`models/translate-base\`: IBM Model 1 word translation tables learnt from each language's training pairs (the pairs`,
    'the encoder holds out for validation stay out), 5 EM iterations with a NULL word, at most 5 English translations per',
    `word with probability ≥ 0.05, renormalised (\`configs/translate-base.json\`; ${(manifest.bytes / 1e6).toFixed(1)} MB of gzipped tables, learnt in`,
    `${Math.round(manifest.trainingSeconds)} s). \`translate\` scores the English passages with BM25 of the translated query as a probabilistic`,
    'structured query (each word\'s tf and df are the weighted sums over its translations), scoring every passage that holds',
    'a translation from an in-memory term index of the collection (`indexer/term-index.ts`); `translate-hybrid` fuses that',
    'ranking with dense by weighted reciprocal-rank fusion, the translated list\'s weight per language fitted on one half',
    'of the held-out training pairs (column *w*; 0 means dense alone; the other half is where `auto` chooses its modes,',
    '`docs/eval/auto-modes/cmtp-base.md`). MRR@10; Δ and p (bootstrap / randomisation, paired over',
    `queries) are translate-hybrid against dense; "best existing" is the best of ${TRANSLATION.existingModes.join(', ')} (the modes without translation) with the shipped encoder;`,
    `the last column is the better translate mode over it (the issue's bar for languages with < ${TRANSLATION.fewPairs.toLocaleString('en')} pairs: ${TRANSLATION.target}×).`,
    '',
    ...table(['bench', 'language', 'pairs', 'queries', 'best existing', 'translate', 'translate-hybrid', 'w', 'Δ vs dense', 'p', 'best translate / best existing'], rows, 2),
    '',
    'Reproduce:',
    '',
    '```sh',
    'npx tafuta translate train --config configs/translate-base.json --out models/translate-base',
    'npx tafuta eval --bench data/bench/mediawiki-xling --encoder cmtp-base --mode translate --k 100 --out docs/eval/mediawiki-xling.cmtp-base.translate',
    'npx tafuta eval --bench data/bench/mediawiki-xling --encoder cmtp-base --mode translate-hybrid --k 100 --out docs/eval/mediawiki-xling.cmtp-base.translate-hybrid',
    'npx tafuta eval --bench data/bench/udhr --encoder cmtp-base --mode translate --k 100 --out docs/eval/udhr.cmtp-base.translate   # and translate-hybrid',
    'npx tafuta eval --bench data/bench/cldr-emoji --encoder cmtp-base --mode translate --k 100 --max-queries 500 --seed 42 --out docs/eval/cldr-emoji.cmtp-base.translate   # and translate-hybrid',
    '```',
    '',
  ];
}
