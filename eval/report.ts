/** Eval outputs: the TREC run file, the JSON report (with per-query values for --compare) and a Markdown table. */
import fs from 'node:fs';
import path from 'node:path';
import { TafutaError } from '../core/errors.js';
import { METRIC_NAMES, type MetricValues } from './metrics.js';
import type { EvalReport, EvalResult, RankedDocument } from './run.js';

/** `qid Q0 docid rank score tag`, one line per retrieved document, ranks from 1. */
export function formatRunFile(run: ReadonlyMap<string, readonly RankedDocument[]>, tag: string): string {
  const safeTag = tag.replace(/\s+/g, '_');
  const lines: string[] = [];
  for (const [qid, docs] of run) docs.forEach((d, i) => lines.push(`${qid} Q0 ${d.docid} ${i + 1} ${d.score.toFixed(6)} ${safeTag}`));
  return lines.length ? `${lines.join('\n')}\n` : '';
}

export function runTag(report: EvalReport): string {
  return `tafuta-${report.config.encoder.name}-${report.config.mode}`;
}

const round = (x: number, digits = 4) => Math.round(x * 10 ** digits) / 10 ** digits;

function roundMetrics(m: MetricValues): MetricValues {
  return Object.fromEntries(METRIC_NAMES.map((name) => [name, round(m[name])])) as MetricValues;
}

/** Pretty JSON, except per-query rows: one compact line each (values to 4 decimals) to keep files small. */
export function formatReportJson(report: EvalReport): string {
  const { perQuery, ...rest } = report;
  const head = JSON.stringify(rest, null, 2).replace(/\n}$/, '');
  const rows = perQuery.map((q) => `    ${JSON.stringify({ ...q, metrics: roundMetrics(q.metrics) })}`);
  return `${head},\n  "perQuery": [\n${rows.join(',\n')}\n  ]\n}\n`;
}

export const fmt = (x: number) => x.toFixed(3);

/** A Markdown summary of one report: rows = languages + macro average, columns = query count and metrics. */
export function formatMarkdown(report: EvalReport): string {
  const c = report.config;
  const sample = c.maxQueriesPerLang ? `, at most ${c.maxQueriesPerLang} queries per language (seeded sample, seed ${c.seed})` : '';
  const lines = [
    `# ${c.bench} (${c.split}) — ${c.encoder.name}, ${c.mode}, k = ${c.k}`,
    '',
    `${c.date}; commit ${c.git ? `${c.git.commit.slice(0, 12)}${c.git.dirty ? ' (with uncommitted changes)' : ''}` : 'unknown'}; ` +
      `${report.corpus.documents} documents / ${report.corpus.passages} passages${sample}. ` +
      `Wall time ${report.timing.wallSeconds.toFixed(1)} s (index ${report.timing.indexSeconds.toFixed(1)} s, ` +
      `search ${report.timing.searchSeconds.toFixed(1)} s, ${report.timing.msPerQuery.toFixed(2)} ms/query).`,
    ...(c.command ? ['', `Reproduce: \`${c.command}\``] : []),
    '',
    `| lang | queries | ${METRIC_NAMES.join(' | ')} |`,
    `|---|---:|${METRIC_NAMES.map(() => '---:').join('|')}|`,
  ];
  for (const [lang, r] of Object.entries(report.languages)) {
    lines.push(`| ${lang} | ${r.queries} | ${METRIC_NAMES.map((m) => (r.queries ? fmt(r.metrics[m]) : '–')).join(' | ')} |`);
  }
  const a = report.average;
  lines.push(`| **avg** (${a.languages} langs) | ${a.queries} | ${METRIC_NAMES.map((m) => `**${fmt(a.macro[m])}**`).join(' | ')} |`);
  if (a.skipped) lines.push('', `${a.skipped} queries with no relevant document in the qrels were skipped.`);
  return `${lines.join('\n')}\n`;
}

/** Writes `<base>.json`, `<base>.run` and `<base>.md`; returns their paths. */
export function writeEvalOutputs(result: EvalResult, base: string): string[] {
  fs.mkdirSync(path.dirname(path.resolve(base)), { recursive: true });
  const outputs: Array<[string, string]> = [
    [`${base}.json`, formatReportJson(result.report)],
    [`${base}.run`, formatRunFile(result.run, runTag(result.report))],
    [`${base}.md`, formatMarkdown(result.report)],
  ];
  for (const [file, text] of outputs) fs.writeFileSync(file, text);
  return outputs.map(([file]) => file);
}

/** Reads a JSON report, checking the fields that --compare and the results page rely on. */
export function readReport(file: string): EvalReport {
  if (!fs.existsSync(file)) throw new TafutaError('INPUT_FILE', `report not found: ${file}`);
  let raw: unknown;
  try {
    raw = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch {
    throw new TafutaError('INPUT_FILE', `${file}: not valid JSON`);
  }
  const report = raw as Partial<EvalReport>;
  if (report.formatVersion !== 1 || !report.config || !report.languages || !report.average || !Array.isArray(report.perQuery)) {
    throw new TafutaError('INPUT_FILE', `${file}: not a tafuta eval report (format version 1)`);
  }
  return report as EvalReport;
}
