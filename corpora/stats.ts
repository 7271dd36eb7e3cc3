import { DROP_REASONS } from './types.js';
import type { Manifest, SourceLangStats } from './types.js';
import type { Verdict } from './clean.js';

export type StatsTable = Record<string, Record<string, SourceLangStats>>;

function emptyStats(): SourceLangStats {
  return { raw: 0, kept: 0, short: 0, dropped: { empty: 0, untranslated: 0, 'length-ratio': 0, leak: 0, duplicate: 0, 'over-cap': 0 } };
}

export function countVerdict<T extends object>(table: StatsTable, key: string, lang: string, verdict: Verdict<T>): void {
  const bySource = (table[key] ??= {});
  const stats = (bySource[lang] ??= emptyStats());
  stats.raw++;
  if (verdict.keep) {
    stats.kept++;
    if ('short' in verdict.record && verdict.record.short === true) stats.short++;
  } else {
    stats.dropped[verdict.reason]++;
  }
}

/** Plain-text summary: one row per source × language, then bench query counts. */
export function formatSummary(manifest: Manifest): string {
  const header = ['source', 'lang', 'raw', 'kept', 'short', ...DROP_REASONS];
  const rows: string[][] = [header];
  for (const [source, byLang] of Object.entries(manifest.stats)) {
    for (const [lang, s] of Object.entries(byLang).sort()) {
      rows.push([source, lang, String(s.raw), String(s.kept), String(s.short), ...DROP_REASONS.map((r) => String(s.dropped[r]))]);
    }
  }
  const widths = header.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  const lines = rows.map((r) => r.map((cell, i) => (i < 2 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!))).join('  '));
  for (const [name, bench] of Object.entries(manifest.bench)) {
    const perLang = Object.entries(bench.queries).sort().map(([l, n]) => `${l} ${n}`).join(', ');
    lines.push(`bench ${name}: corpus ${bench.corpus}, qrels ${bench.qrels}, queries: ${perLang}`);
  }
  const failed = manifest.packages.filter((p) => p.status === 'failed');
  if (failed.length) lines.push(`failed packages: ${failed.map((p) => p.name).join(', ')}`);
  lines.push(`wall time ${(manifest.wallTimeMs / 1000).toFixed(1)} s, ${manifest.outputs.length} output files`);
  return lines.join('\n');
}
