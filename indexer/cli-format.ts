/** How the CLI prints search results and collections for a person (`--json` prints the raw objects instead). */
import type { CollectionInfo } from './engine-types.js';
import type { SearchResponse, SearchResult } from './search.js';
import type { SearchMode } from './types.js';

/** What a score means in each mode: the scales differ by orders of magnitude, and only ranks compare across modes. */
export const SCORE_SCALES: Record<SearchMode, string> = {
  dense: 'cosine similarity, -1 to 1',
  bm25: 'BM25, 0 and up, unbounded',
  hybrid: 'reciprocal-rank fusion, sum of 1/(60 + rank): about 0.016-0.033',
  translate: 'BM25 of the translated query, 0 and up, unbounded',
  'translate-hybrid': 'weighted reciprocal-rank fusion, sum of weight/(60 + rank): up to about 0.016',
  'translate-dense': 'cosine similarity with the query moved towards its translation, -1 to 1',
};

function oneLine(text: string, max: number): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max - 3)}...` : flat;
}

/**
 * The passage as printed: with highlights, the best-matching sentence (or the text from a little before the first
 * matched term) with matched terms in «»; without, its beginning.
 */
function snippetOf(result: SearchResult, max: number): string {
  const { text, highlights } = result;
  if (!highlights) return oneLine(text, max);
  const from = highlights.sentence?.start ?? Math.max(0, (highlights.terms?.[0]?.start ?? 0) - 40);
  const to = highlights.sentence?.end ?? text.length;
  let marked = '';
  let at = from;
  for (const term of highlights.terms ?? []) {
    if (term.start < at || term.end > to) continue;
    marked += `${text.slice(at, term.start)}«${text.slice(term.start, term.end)}»`;
    at = term.end;
  }
  marked += text.slice(at, to);
  return `${from > 0 ? '...' : ''}${oneLine(marked, max)}`;
}

export function formatSearchResponse(response: SearchResponse): string {
  const lines = [`query_lang=${response.query_lang ?? 'unknown'} mode=${response.mode} took=${response.took_ms}ms (scores: ${SCORE_SCALES[response.mode]})`];
  for (const r of response.results) {
    const matched = r.matched_passages !== undefined ? `  (${r.matched_passages} passage${r.matched_passages === 1 ? '' : 's'} matched)` : '';
    lines.push(`${String(r.rank).padStart(3)}. ${r.score.toFixed(4)}  ${r.passage_id}  [${r.lang ?? '-'}]${r.title !== undefined ? `  ${oneLine(r.title, 80)}` : ''}${matched}`);
    lines.push(`     ${snippetOf(r, 160)}`);
    if (r.metadata !== undefined) lines.push(`     ${oneLine(JSON.stringify(r.metadata), 160)}`);
  }
  return `${lines.join('\n')}\n`;
}

export function formatCollections(collections: readonly CollectionInfo[]): string {
  if (collections.length === 0) return 'no collections\n';
  const rows = collections.map((c) => [
    c.name,
    `${c.encoder}${c.encoderChanged ? ' (ENCODER CHANGED: run tafuta reindex)' : ''}`,
    String(c.documents),
    String(c.passages),
    c.languages.map((l) => `${l.lang ?? '?'}:${l.documents}`).join(' '),
  ]);
  const header = ['collection', 'encoder', 'documents', 'passages', 'languages'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  return `${[header, ...rows].map((r) => r.map((cell, i) => (i === r.length - 1 ? cell : cell.padEnd(widths[i]!))).join('  ')).join('\n')}\n`;
}
