/**
 * docs/results.md, "Zero-shot transfer through a related language's translation table": a language held out of
 * training (xh) has no adapter and no translation table of its own; its queries can still be translated with a related
 * language's table (zu, `borrowFrom`) and searched in translate-dense. The 3-epoch shipped recipe on today's build,
 * trained with and without xh; each in dense and in translate-dense (the supervised run with xh's own table).
 */
import { fmt } from '../eval/report.js';
import type { EvalReport } from '../eval/run.js';
import { BENCH_ORDER, modeReport, pairedOn, pCell, signed, systemOf, table, zeroShotCells } from './results-common.js';

const SPEC = {
  heldOut: 'xh',
  related: 'zu',
  untrained: 'hashed-ngram-v1 · dense',
  supervised: 'base-es-tibetan-di',
  zeroShot: 'zs-no-xh-base-es-tibetan-di',
  modes: ['dense', 'translate-dense'],
};

/** Encoders this section shows, left out of the benchmark tables. */
export const ZERO_SHOT_BORROWED_RUNS: readonly string[] = [SPEC.supervised, SPEC.zeroShot];

export function zeroShotBorrowedSection(reports: EvalReport[]): string[] {
  const find = (bench: string, name: string, mode: string) => modeReport(reports, bench, name, mode);
  const rows: string[][] = [];
  const relatedRows: string[][] = [];
  const borrowRows: string[][] = [];
  const commands: string[] = [];
  for (const bench of BENCH_ORDER) {
    const untrained = reports.find((r) => r.config.bench === bench && systemOf(r) === SPEC.untrained);
    for (const mode of SPEC.modes) {
      const supervised = find(bench, SPEC.supervised, mode);
      const zeroShot = find(bench, SPEC.zeroShot, mode);
      if (!supervised || !zeroShot || !zeroShot.languages[SPEC.heldOut]?.queries) continue;
      commands.push(...[supervised, zeroShot].map((r) => r.config.command ?? `# ${bench} ${r.config.encoder.name}: no command recorded`));
      rows.push([bench, mode, ...zeroShotCells(supervised, zeroShot, untrained, SPEC.heldOut)]);
      const related = pairedOn(supervised, zeroShot, (lang) => lang === SPEC.related);
      if (related) relatedRows.push([bench, mode, String(related.n), fmt(related.a), fmt(related.b), `${signed(related.delta)} (${pCell(related.pBoot)})`]);
    }
    const [dense, translated] = SPEC.modes.map((mode) => find(bench, SPEC.zeroShot, mode));
    const borrowed = dense && translated ? pairedOn(dense, translated, (lang) => lang === SPEC.heldOut) : undefined;
    if (borrowed) borrowRows.push([bench, String(borrowed.n), fmt(borrowed.a), fmt(borrowed.b), `${signed(borrowed.delta)} (${pCell(borrowed.pBoot)})`]);
  }
  if (rows.length === 0) return [];
  return [
    "## Zero-shot transfer through a related language's translation table (issue 18, lever 3)",
    '',
    `A language held out of training has no adapter and no translation table of its own. ${SPEC.heldOut} and ${SPEC.related} are both`,
    `Nguni languages and share much vocabulary, so the held-out language's queries can be translated with ${SPEC.related}'s table`,
    `(\`borrowFrom: {"${SPEC.heldOut}": ["${SPEC.related}"]}\` in the translator config) and searched in translate-dense — what a language added`,
    'in production without pairs of its own would get from a related one. The shipped recipe at 3 epochs on today\'s build,',
    `trained with ${SPEC.heldOut} (\`configs/zero-shot/base-es-tibetan-di.json\`) and without any ${SPEC.heldOut} pair, validation pair or adapter`,
    `(\`configs/zero-shot/zs-no-xh-base-es-tibetan-di.json\`); the zero-shot run's tables learnt without ${SPEC.heldOut} too`,
    `(\`configs/zero-shot/translate-zs-no-xh-borrow-zu.json\`), the supervised run's are \`models/translate-base\` (${SPEC.heldOut}'s own table).`,
    'Declared before measuring (commit `6e41ec9`): gain kept in translate-dense, each run in that mode, cldr-emoji deciding',
    `(500 ${SPEC.heldOut} queries). One seed; **gain kept** = (zero-shot − untrained) / (supervised − untrained), untrained = the`,
    'hashed n-gram encoder in dense, as in *Zero-shot languages*; p paired over the held-out language\'s queries (bootstrap).',
    '',
    ...table(
      ['bench', 'mode (both runs)', `${SPEC.heldOut} queries`, 'untrained', 'supervised', 'zero-shot', 'kept', 'gain kept', 'zero-shot − untrained (p)', 'zero-shot − supervised (p)'],
      rows,
      2,
    ),
    '',
    `What ${SPEC.related}'s table gives the held-out language (zero-shot run, dense → translate-dense, ${SPEC.heldOut} queries):`,
    '',
    ...table(['bench', 'queries', 'dense', 'translate-dense', 'Δ (p)'], borrowRows, 1),
    '',
    `${SPEC.related}, still in training, supervised → zero-shot run:`,
    '',
    ...table(['bench', 'mode (both runs)', 'queries', 'supervised', 'zero-shot', 'Δ (p)'], relatedRows, 2),
    '',
    '**Reading (2026-12-07, one seed): the table helps the held-out language a little, the share it keeps does not move.**',
    'On cldr-emoji, the one benchmark with enough xh queries, zu\'s table lifts zero-shot xh by +0.006 (p 0.21), and by',
    '+0.014 over translate-dense with no table for xh at all (0.177: its words then stay themselves and are embedded as',
    'English, which costs; `docs/eval/zero-shot-control/`, `configs/zero-shot/translate-zs-no-xh.json`); but the supervised',
    'run gains as much from xh\'s own table (0.273 → 0.291), so xh keeps 31% of what training gives it in either mode (on the',
    'build of the section above, 20%; 31% there with 16k subword units) — not the issue\'s 50%. udhr (53% in translate-dense)',
    'and mediawiki-xling rest on 30 and 10 queries, less than one supervised run differs from another. Borrowing stays a',
    'translator option (`borrowFrom`) for a deployment that adds a language without pairs; the shipped translator does not',
    'need it (every language it serves has a table of its own).',
    '',
    'Reproduce (models: `npx tafuta train --config configs/zero-shot/<name>.json --out .cache/zero-shot/<name>`; tables:',
    '`npx tafuta translate train --config configs/zero-shot/translate-zs-no-xh-borrow-zu.json --out .cache/zero-shot/translate-zs-no-xh-borrow-zu --model .cache/zero-shot/zs-no-xh-base-es-tibetan-di`), then:',
    '',
    '```sh',
    ...commands,
    '```',
    '',
  ];
}
