/**
 * Translated BM25 (PSQ; the formula and constants of ../translated-bm25.ts) on PostgreSQL, which has no change log
 * for an in-memory term index to follow: the text index proposes candidates (passages matching any term, best first
 * by its own unweighted ranking) and they are re-scored here from their stored text with the store's statistics.
 */
import { ftsPhraseOf, ftsQueryOfWords } from '../search-text.js';
import { MIN_IDF, bm25TermScore, type TranslatedQuery } from '../translated-bm25.js';
import type { SearchFilter } from '../types.js';
import type { VectorHit } from '../vector-store.js';

/** Candidates re-scored per search: this many times the depth asked for, and never fewer than the minimum. */
const CANDIDATE_FACTOR = 10;
const MIN_CANDIDATES = 1000;

/** What the scoring reads from the store. */
export interface Bm25Statistics {
  bm25(collectionId: number, match: string, limit: number, filter?: SearchFilter): Promise<VectorHit[]>;
  searchTextsOf(labels: readonly number[]): Promise<Map<number, string>>;
  documentFrequency(phrase: string): Promise<number>;
  corpusStatistics(): Promise<{ rows: number; meanTokens: number }>;
}

export async function rescoredTranslatedHits(store: Bm25Statistics, collectionId: number, query: TranslatedQuery, depth: number, filter?: SearchFilter): Promise<VectorHit[]> {
  const match = ftsQueryOfWords(query.flatMap((terms) => terms.map((t) => t.term)));
  if (match === undefined || depth <= 0) return [];
  const candidates = await store.bm25(collectionId, match, Math.max(MIN_CANDIDATES, depth * CANDIDATE_FACTOR), filter);
  if (candidates.length === 0) return [];
  const { rows, meanTokens } = await store.corpusStatistics();
  const documentFrequency = new Map<string, number>();
  for (const term of new Set(query.flatMap((terms) => terms.map((t) => t.term)))) {
    documentFrequency.set(term, await store.documentFrequency(ftsPhraseOf(term)));
  }
  const idfs = query.map((terms) => {
    const df = terms.reduce((sum, t) => sum + t.weight * documentFrequency.get(t.term)!, 0);
    const idf = Math.log((rows - df + 0.5) / (df + 0.5));
    return idf > 0 ? idf : MIN_IDF;
  });
  const texts = await store.searchTextsOf(candidates.map((c) => c.label));
  const hits: VectorHit[] = [];
  const meanLength = Math.max(meanTokens, 1e-9);
  for (const { label } of candidates) {
    const text = texts.get(label);
    if (text === undefined) continue;
    const words = text.split(' ');
    const counts = new Map<string, number>();
    for (const word of words) counts.set(word, (counts.get(word) ?? 0) + 1);
    let score = 0;
    query.forEach((terms, i) => {
      const tf = terms.reduce((sum, t) => sum + t.weight * (counts.get(t.term) ?? 0), 0);
      if (tf > 0) score += bm25TermScore(idfs[i]!, tf, words.length, meanLength);
    });
    if (score > 0) hits.push({ label, score });
  }
  return hits.sort((a, b) => b.score - a.score || a.label - b.label).slice(0, depth);
}
