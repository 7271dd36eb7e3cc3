/** `tafuta eval --compare a.json b.json`: per-language and macro-average deltas (b − a) with paired p-values. */
import { METRIC_NAMES, type MetricName } from './metrics.js';
import type { EvalReport } from './run.js';
import { fmt } from './report.js';
import { pairedBootstrap, randomizationTest } from './significance.js';

export interface ComparisonRow {
  /** A language code, or "avg" for the macro average over the languages both reports share. */
  lang: string;
  /** Queries present in both reports. */
  n: number;
  a: number;
  b: number;
  delta: number;
  pBootstrap: number;
  pRandomization: number;
}

export interface Comparison {
  metric: MetricName;
  rows: ComparisonRow[];
}

export interface CompareOptions {
  metrics?: readonly MetricName[];
  resamples?: number;
  seed?: number;
}

const mean = (xs: readonly number[]) => xs.reduce((s, x) => s + x, 0) / xs.length;

/** Differences in the setups that make a comparison suspect (different benchmark, split, k or sample). */
export function comparisonWarnings(a: EvalReport, b: EvalReport): string[] {
  const warnings: string[] = [];
  for (const key of ['bench', 'split', 'k', 'maxQueriesPerLang', 'seed'] as const) {
    if (a.config[key] !== b.config[key]) warnings.push(`${key} differs: ${String(a.config[key])} vs ${String(b.config[key])}`);
  }
  return warnings;
}

export function compareReports(a: EvalReport, b: EvalReport, options: CompareOptions = {}): Comparison[] {
  const inB = new Map(b.perQuery.map((q) => [q.id, q]));
  const pairs = a.perQuery.filter((q) => inB.has(q.id)).map((q) => ({ lang: q.lang, a: q.metrics, b: inB.get(q.id)!.metrics }));
  const langs = [...new Set(pairs.map((p) => p.lang))].sort();
  const testOptions = { resamples: options.resamples ?? 10_000, seed: options.seed ?? 0x5eed };

  return (options.metrics ?? METRIC_NAMES).map((metric) => {
    const row = (lang: string, subset: typeof pairs, macro: boolean): ComparisonRow => {
      const xa = subset.map((p) => p.a[metric]);
      const xb = subset.map((p) => p.b[metric]);
      const groups = macro ? subset.map((p) => p.lang) : undefined;
      const boot = pairedBootstrap(xa, xb, { ...testOptions, groups });
      const perm = randomizationTest(xa, xb, { ...testOptions, groups });
      const byLang = (xs: number[]) => (macro ? mean(langs.map((l) => mean(xs.filter((_, i) => subset[i]!.lang === l)))) : mean(xs));
      return { lang, n: subset.length, a: byLang(xa), b: byLang(xb), delta: boot.delta, pBootstrap: boot.p, pRandomization: perm.p };
    };
    const rows = langs.map((lang) => row(lang, pairs.filter((p) => p.lang === lang), false));
    if (pairs.length) rows.push(row('avg', pairs, true));
    return { metric, rows };
  });
}

const pValue = (p: number) => (p < 0.001 ? '<0.001' : p.toFixed(3));

export function formatComparison(a: EvalReport, b: EvalReport, comparisons: readonly Comparison[]): string {
  const name = (r: EvalReport) => `${r.config.encoder.name}/${r.config.mode}`;
  const lines = [`A = ${name(a)} (${a.config.date}), B = ${name(b)} (${b.config.date}) on ${a.config.bench} (${a.config.split}); Δ = B − A.`];
  for (const warning of comparisonWarnings(a, b)) lines.push(`warning: ${warning}`);
  lines.push('p: paired bootstrap / approximate randomization (two-sided, seeded); avg = macro average over languages.');
  for (const { metric, rows } of comparisons) {
    lines.push('', `### ${metric}`, '', '| lang | n | A | B | Δ | p (boot) | p (rand) |', '|---|---:|---:|---:|---:|---:|---:|');
    for (const r of rows) {
      const delta = `${r.delta >= 0 ? '+' : ''}${fmt(r.delta)}`;
      const cells = [r.lang === 'avg' ? '**avg**' : r.lang, r.n, fmt(r.a), fmt(r.b), delta, pValue(r.pBootstrap), pValue(r.pRandomization)];
      lines.push(`| ${cells.join(' | ')} |`);
    }
  }
  return `${lines.join('\n')}\n`;
}
