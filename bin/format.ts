/** How the CLI prints search results and collections for a person (`--json` prints the raw objects instead). */
import type { CollectionInfo } from '../indexer/engine.js';
import type { SearchResponse } from '../indexer/search.js';
import type { SearchMode } from '../indexer/types.js';

/** What a score means in each mode: the scales differ by orders of magnitude, and only ranks compare across modes. */
export const SCORE_SCALES: Record<SearchMode, string> = {
  dense: 'cosine similarity, -1 to 1',
  bm25: 'BM25, 0 and up, unbounded',
  hybrid: 'reciprocal-rank fusion, sum of 1/(60 + rank): about 0.016-0.033',
  translate: 'BM25 of the translated query, 0 and up, unbounded',
  'translate-hybrid': 'weighted reciprocal-rank fusion, sum of weight/(60 + rank): up to about 0.016',
};

function oneLine(text: string, max: number): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max - 3)}...` : flat;
}

export function formatSearchResponse(response: SearchResponse): string {
  const lines = [`query_lang=${response.query_lang ?? 'unknown'} mode=${response.mode} took=${response.took_ms}ms (scores: ${SCORE_SCALES[response.mode]})`];
  for (const r of response.results) {
    lines.push(`${String(r.rank).padStart(3)}. ${r.score.toFixed(4)}  ${r.passage_id}  [${r.lang ?? '-'}]${r.title !== undefined ? `  ${oneLine(r.title, 80)}` : ''}`);
    lines.push(`     ${oneLine(r.text, 160)}`);
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
