/**
 * Generates docs/results.md from the eval reports in docs/eval/*.json (written by `tafuta eval --out`).
 * Run: `npx tsc -p tsconfig.json && node dist/scripts/results.js`. The page is generated; do not edit it by hand.
 * Each family of sections lives in its own results-*.ts module; this file lists the sections in page order.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { readReport } from '../eval/report.js';
import type { EvalReport } from '../eval/run.js';
import { ablationSections, ABLATION_RUNS } from './results-ablations.js';
import { adaptersSection, ADAPTER_RUNS } from './results-adapters.js';
import { autoReplicaSection } from './results-auto-replica.js';
import { benchmarkSections, introSection } from './results-benchmarks.js';
import { codeSwitchSection, CODE_SWITCH_RUNS } from './results-code-switching.js';
import { REPO_ROOT } from './results-common.js';
import { dimsSection, ENCODER_SHAPE_RUNS, poolingSection } from './results-encoder-shape.js';
import { fullLengthSections, FULL_LENGTH_RUNS } from './results-full-length.js';
import { MORE_SOURCES_RUNS, moreSourcesSections } from './results-more-sources.js';
import { queryTranslationSection } from './results-query-translation.js';
import { translateDenseSection } from './results-translate-dense.js';
import { SHIPPED_SWAP_RUNS, shippedSwapSections } from './results-shipped-swaps.js';
import { contactLanguageSection, moreDataSection, TRAINING_DATA_RUNS } from './results-training-data.js';
import { zeroShotSection, ZERO_SHOT_RUNS } from './results-zero-shot.js';
import { ZERO_SHOT_SUBWORD_RUNS, zeroShotSubwordsSection } from './results-zero-shot-subwords.js';
import { ZERO_SHOT_BORROWED_RUNS, zeroShotBorrowedSection } from './results-zero-shot-borrowed.js';

const REPORTS_DIR = path.join(REPO_ROOT, 'docs', 'eval');
const OUT = path.join(REPO_ROOT, 'docs', 'results.md');

/** Runs compared in a section of their own: they would only crowd the benchmark tables. */
const SHOWN_IN_OWN_SECTION = new Set([
  ...ABLATION_RUNS,
  ...ZERO_SHOT_RUNS,
  ...ENCODER_SHAPE_RUNS,
  ...FULL_LENGTH_RUNS,
  ...TRAINING_DATA_RUNS,
  ...CODE_SWITCH_RUNS,
  ...ADAPTER_RUNS,
  ...SHIPPED_SWAP_RUNS,
  ...MORE_SOURCES_RUNS,
  ...ZERO_SHOT_SUBWORD_RUNS,
  ...ZERO_SHOT_BORROWED_RUNS,
]);

function loadReports(dir: string): EvalReport[] {
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => readReport(path.join(dir, f)));
}

/** The sections after the benchmark tables, in page order. */
const COMPARISON_SECTIONS: Array<(reports: EvalReport[]) => string[]> = [
  dimsSection,
  ablationSections,
  poolingSection,
  fullLengthSections,
  shippedSwapSections,
  contactLanguageSection,
  moreDataSection,
  moreSourcesSections,
  zeroShotSection,
  zeroShotSubwordsSection,
  zeroShotBorrowedSection,
  queryTranslationSection,
  translateDenseSection,
  autoReplicaSection,
  codeSwitchSection,
  adaptersSection,
];

export function renderResults(reports: EvalReport[]): string {
  return [
    ...introSection(reports.length > 0),
    ...benchmarkSections(reports, SHOWN_IN_OWN_SECTION),
    ...COMPARISON_SECTIONS.flatMap((section) => section(reports)),
    '## Regenerate this page',
    '',
    '```sh',
    'npx tsc -p tsconfig.json',
    '# the commands under each "Reproduce" heading, then:',
    'node dist/scripts/results.js',
    '```',
    '',
  ].join('\n');
}

const isMain = process.argv[1] !== undefined && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url);
if (isMain) {
  const reports = loadReports(REPORTS_DIR);
  fs.writeFileSync(OUT, renderResults(reports));
  process.stdout.write(`wrote ${path.relative(REPO_ROOT, OUT)} from ${reports.length} report(s)\n`);
}
