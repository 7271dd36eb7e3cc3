/**
 * Pieces shared by the sections of docs/results.md (scripts/results.ts and its section modules): Markdown tables,
 * system names, report look-ups, paired comparisons (also restricted to some languages), number formats.
 */
import { fileURLToPath } from 'node:url';
import { compareReports } from '../eval/compare.js';
import { METRIC_NAMES } from '../eval/metrics.js';
import { fmt } from '../eval/report.js';
import type { EvalReport } from '../eval/run.js';

export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));

export const BENCH_ORDER = ['mediawiki-xling', 'udhr', 'cldr-emoji'];

/** Issue 18's weak languages: fewer than 5,000 training pairs in the default build of 2026-12-05, plus Somali. */
export const WEAK_LANGUAGES: readonly string[] = ['so', 'qu', 'wo', 'bo', 'ti', 'ha', 'yo', 'ig', 'st'];

export const systemOf = (r: EvalReport) => `${r.config.encoder.name} · ${r.config.mode}`;

export function table(header: string[], rows: string[][], numericFrom = 1): string[] {
  return [
    `| ${header.join(' | ')} |`,
    `|${header.map((_, i) => (i >= numericFrom ? '---:' : '---')).join('|')}|`,
    ...rows.map((r) => `| ${r.join(' | ')} |`),
  ];
}

/** Paired MRR@10 comparison of two reports restricted to some query languages (macro over those languages). */
export function pairedOn(a: EvalReport, b: EvalReport, langs: (lang: string) => boolean): { n: number; langs: number; a: number; b: number; delta: number; pBoot: number; pRand: number } | undefined {
  const only = (r: EvalReport): EvalReport => ({ ...r, perQuery: r.perQuery.filter((q) => langs(q.lang)) });
  const avg = compareReports(only(a), only(b), { metrics: ['MRR@10'] })[0]!.rows.find((row) => row.lang === 'avg');
  if (!avg) return undefined;
  const count = new Set(only(a).perQuery.map((q) => q.lang)).size;
  return { n: avg.n, langs: count, a: avg.a, b: avg.b, delta: avg.delta, pBoot: avg.pBootstrap, pRand: avg.pRandomization };
}

/** A difference with its sign; one that rounds to zero is shown as ±0.000 rather than -0.000 or +0.000. */
export const signed = (x: number) => (fmt(Math.abs(x)) === fmt(0) ? `±${fmt(0)}` : `${x >= 0 ? '+' : ''}${fmt(x)}`);
export const pCell = (p: number) => (p < 0.001 ? '<0.001' : p.toFixed(3));
export const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
/** Sample standard deviation; NaN for fewer than two values. */
export const sd = (xs: number[]) => (xs.length > 1 ? Math.sqrt(xs.reduce((acc, x) => acc + (x - mean(xs)) ** 2, 0) / (xs.length - 1)) : NaN);
export const percent = (x: number) => `${Math.round(100 * x)}%`;

/** The shipped encoder, and its recipe's three seeds as evaluated (seed 2 is the shipped model itself). */
export const SHIPPED_ENCODER = 'cmtp-base';
export const SHIPPED_RECIPE_SEEDS: readonly string[] = ['base-es-9ep-tibetan-di', SHIPPED_ENCODER, 'base-es-9ep-tibetan-di-seed3'];

/** The report of encoder `name` on `bench` in `mode`. */
export function modeReport(reports: EvalReport[], bench: string, name: string, mode: string): EvalReport | undefined {
  return reports.find((r) => r.config.bench === bench && r.config.mode === mode && r.config.encoder.name === name);
}

export function denseReport(reports: EvalReport[], bench: string, name: string): EvalReport | undefined {
  return modeReport(reports, bench, name, 'dense');
}

/** The dense mediawiki-xling report of the encoder `name`: what the ablation, size, pooling and full-length sections compare. */
export function denseMediawiki(reports: EvalReport[], name: string): EvalReport | undefined {
  return denseReport(reports, 'mediawiki-xling', name);
}

/** b against a in macro MRR@10 over languages, with paired p-values. */
export function macroMrrVersus(a: EvalReport, b: EvalReport) {
  return compareReports(a, b, { metrics: ['MRR@10'] })[0]!.rows.find((row) => row.lang === 'avg')!;
}

/** "Δ" and "p (boot / rand)" cells of a comparison; dashes for the reference row itself. */
export function deltaCells(cmp: ReturnType<typeof macroMrrVersus> | undefined): [string, string] {
  return cmp ? [signed(cmp.delta), `${pCell(cmp.pBootstrap)} / ${pCell(cmp.pRandomization)}`] : ['—', '—'];
}

/** The runs of one seed of a recipe with and without a change. */
export interface SeedPair {
  seed: number;
  with: string;
  without: string;
}

/** Seeds 1–3 of two recipes whose runs are named `<name>`, `<name>-seed2`, `<name>-seed3`. */
export function threeSeeds(withName: string, without: string): SeedPair[] {
  return [1, 2, 3].map((seed) => {
    const suffix = seed === 1 ? '' : `-seed${seed}`;
    return { seed, with: `${withName}${suffix}`, without: `${without}${suffix}` };
  });
}

/** Every query's metrics averaged over several runs (seeds) of one recipe: the queries all of them scored. */
export function averageOver(reports: EvalReport[]): EvalReport {
  const [first] = reports;
  const byId = reports.map((r) => new Map(r.perQuery.map((q) => [q.id, q.metrics])));
  const perQuery = first!.perQuery
    .filter((q) => byId.every((m) => m.has(q.id)))
    .map((q) => ({
      ...q,
      metrics: Object.fromEntries(METRIC_NAMES.map((name) => [name, byId.reduce((sum, m) => sum + m.get(q.id)![name], 0) / byId.length])) as typeof q.metrics,
    }));
  return { ...first!, perQuery };
}

/** Macro MRR@10 over the languages `only` keeps (each language's mean over its queries, then the mean of those). */
export function macroMrrOn(report: EvalReport, only: (lang: string) => boolean): number {
  const byLang = new Map<string, number[]>();
  for (const q of report.perQuery) if (only(q.lang)) byLang.set(q.lang, [...(byLang.get(q.lang) ?? []), q.metrics['MRR@10']]);
  return mean([...byLang.values()].map(mean));
}

/** Rows of a per-language comparison: every language, the weak ones, then each of `languages` the benchmark has. */
export function languageGroups(present: ReadonlySet<string>, weak: readonly string[], languages: readonly string[]): Array<[string, (lang: string) => boolean]> {
  return [
    ['all (macro)', () => true],
    ['weak (macro)', (l) => weak.includes(l)],
    ...languages.filter((l) => present.has(l)).map((l): [string, (lang: string) => boolean] => [l, (x) => x === l]),
  ];
}

/**
 * Several seeds of a recipe against several of another on one benchmark, per language group (every language, the weak
 * ones, then each of `languages` present): the paired comparison of the seed-averaged per-query scores, and each
 * seed's macro on both sides.
 */
export function seedGroupComparisons(baseline: EvalReport[], runs: EvalReport[], languages: readonly string[]) {
  const [a, b] = [averageOver(baseline), averageOver(runs)];
  return languageGroups(new Set(a.perQuery.map((q) => q.lang)), WEAK_LANGUAGES, languages).flatMap(([label, only]) => {
    const cmp = pairedOn(a, b, only);
    return cmp ? [{ label, cmp, baseline: baseline.map((r) => macroMrrOn(r, only)), runs: runs.map((r) => macroMrrOn(r, only)) }] : [];
  });
}

/**
 * A held-out language's cells of a zero-shot table: queries, untrained, supervised, zero-shot, kept, gain kept
 * ((zero-shot − untrained) / (supervised − untrained)), and the zero-shot run against untrained and supervised.
 */
export function zeroShotCells(supervised: EvalReport, zeroShot: EvalReport, untrained: EvalReport | undefined, heldOut: string): string[] {
  const held = pairedOn(supervised, zeroShot, (lang) => lang === heldOut)!;
  const base = untrained?.languages[heldOut]?.metrics['MRR@10'];
  const vsBase = untrained ? pairedOn(untrained, zeroShot, (lang) => lang === heldOut) : undefined;
  const gain = base !== undefined && held.a > base ? (held.b - base) / (held.a - base) : undefined;
  return [
    String(held.n),
    base === undefined ? '–' : fmt(base),
    fmt(held.a),
    `**${fmt(held.b)}**`,
    held.a > 0 ? percent(held.b / held.a) : '–',
    gain === undefined ? '–' : `**${percent(gain)}**`,
    vsBase ? `${signed(vsBase.delta)} (${pCell(vsBase.pBoot)})` : '–',
    `${signed(held.delta)} (${pCell(held.pBoot)})`,
  ];
}
