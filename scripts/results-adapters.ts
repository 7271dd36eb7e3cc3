/**
 * docs/results.md, "Language adapters over a frozen encoder": each encoder alone against the same encoder with its
 * per-language adapters, per benchmark and language.
 */
import { compareReports } from '../eval/compare.js';
import { fmt } from '../eval/report.js';
import type { EvalReport } from '../eval/run.js';
import { denseReport, pCell, signed, systemOf, table } from './results-common.js';

/**
 * CMTP adapters over a frozen encoder (`tafuta adapt --encoder`, models/adapters/): the encoder alone against the
 * same encoder with one low-rank correction per language trained on data/train (held-out English as models/train
 * holds it out), per language, dense mode, paired over queries.
 */
const ADAPTERS = {
  /** Each adapted report against the encoder it was trained over: cmtp-base+adapters over the 6-epoch cmtp-base. */
  pairs: [
    { encoder: 'hashed-ngram-v1', adapted: 'hashed-ngram-v1+adapters' },
    { encoder: 'cmtp-base-6ep', adapted: 'cmtp-base+adapters' },
  ],
  benches: ['mediawiki-xling', 'udhr'],
};

export function adaptersSection(reports: EvalReport[]): string[] {
  const summary: string[][] = [];
  const perLanguage: string[][] = [];
  const commands: string[] = [];
  for (const bench of ADAPTERS.benches) {
    for (const { encoder, adapted: adaptedName } of ADAPTERS.pairs) {
      const base = denseReport(reports, bench, encoder);
      const adapted = denseReport(reports, bench, adaptedName);
      if (!base || !adapted) continue;
      commands.push(adapted.config.command ?? `# ${systemOf(adapted)}: no command recorded`);
      const rows = compareReports(base, adapted, { metrics: ['MRR@10'] })[0]!.rows;
      for (const row of rows) {
        const cells = [bench, encoder, row.lang === 'avg' ? 'macro' : row.lang, String(row.n), fmt(row.a), fmt(row.b), signed(row.delta), `${pCell(row.pBootstrap)} / ${pCell(row.pRandomization)}`];
        (row.lang === 'avg' ? summary : perLanguage).push(cells);
      }
    }
  }
  if (!summary.length) return [];
  const header = ['bench', 'encoder', 'lang', 'queries', 'encoder alone', '+ adapters', 'Δ', 'p'];
  return [
    '## Language adapters over a frozen encoder (dense)',
    '',
    '`tafuta adapt --encoder NAME` trains, for each language, v′ = normalize(v + U Vᵀ v) (rank 16) on the frozen',
    "encoder's vectors of that language's training pairs (data/train, at most 4,000 per language; validation on the",
    "English strings models/train holds out), InfoNCE against the unchanged English side, early stopping on validation",
    '(`configs/adapters.json`, models/adapters/). Queries of an adapted language get the correction; English passages do',
    'not. MRR@10, p paired over queries (bootstrap / randomisation). Details and commands: [adapters.md](adapters.md).',
    '`cmtp-base+adapters` were trained over the 6-epoch `cmtp-base` shipped when they were measured (`cmtp-base-6ep`),',
    'and are compared with it; they have not been retrained over the 9-epoch encoder.',
    '',
    ...table(header, summary, 3),
    '',
    'Per language:',
    '',
    ...table(header, perLanguage, 3),
    '',
    'Reproduce (the adapters first, see adapters.md; the encoder alone is under each benchmark above):',
    '',
    '```sh',
    ...commands,
    '```',
    '',
  ];
}

/** Encoders whose reports this section shows instead of the benchmark tables. */
export const ADAPTER_RUNS: readonly string[] = ADAPTERS.pairs.map((pair) => pair.adapted);
