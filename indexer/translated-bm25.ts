/**
 * BM25 for a translated query: probabilistic structured queries (PSQ; Darwish & Oard 2003). Each query word q is a
 * distribution over English terms e, and BM25 sees it as one pseudo-term with
 *   tf(q, d) = Σ_e p(e|q) · tf(e, d)   and   df(q) = Σ_e p(e|q) · df(e),
 * so synonyms pool their evidence instead of each adding a full term's score, and an uncertain translation
 * weighs less. Constants and corpus statistics are those of FTS5's bm25() (k1 1.2, b 0.75, whole-index N and
 * mean length), so a query whose words all translate to themselves with weight 1 ranks like the `bm25` mode.
 *
 * FTS5 takes no term weights, so it only proposes candidates (the passages matching any term, best first by its
 * own unweighted BM25); they are re-scored here from their stored text.
 */
import type { WeightedTerm } from '../models/translate/table.js';
import type { SqliteDocumentStore as DocumentStore } from './document-store.js';
import { ftsPhraseOf, ftsQueryOfWords } from './search-text.js';
import type { SearchFilter } from './types.js';
import type { VectorHit } from './vector-store.js';

const K1 = 1.2;
const B = 0.75;
/** FTS5 floors a non-positive idf (terms in more than half the rows) at this, so they still count a little. */
const MIN_IDF = 1e-6;
/** Candidates re-scored per search: this many times the depth asked for, and never fewer than the minimum. */
const CANDIDATE_FACTOR = 10;
const MIN_CANDIDATES = 1000;

export type TranslatedQuery = ReadonlyArray<ReadonlyArray<WeightedTerm>>;

/** What the scoring reads from a store: SQLite's answers at once, a shared database's as promises. */
export type Bm25Store = {
  [K in 'bm25' | 'searchTextsOf' | 'ftsDocumentFrequency' | 'ftsStatistics']: (
    ...args: Parameters<DocumentStore[K]>
  ) => ReturnType<DocumentStore[K]> | Promise<ReturnType<DocumentStore[K]>>;
};

export async function translatedBm25Hits(store: Bm25Store, collectionId: number, query: TranslatedQuery, depth: number, filter?: SearchFilter): Promise<VectorHit[]> {
  const match = ftsQueryOfWords(query.flatMap((terms) => terms.map((t) => t.term)));
  if (match === undefined || depth <= 0) return [];
  const candidates = await store.bm25(collectionId, match, Math.max(MIN_CANDIDATES, depth * CANDIDATE_FACTOR), filter);
  if (candidates.length === 0) return [];
  const { rows, meanTokens } = await store.ftsStatistics();
  const documentFrequency = new Map<string, number>();
  for (const term of new Set(query.flatMap((terms) => terms.map((t) => t.term)))) {
    documentFrequency.set(term, await store.ftsDocumentFrequency(ftsPhraseOf(term)));
  }
  const idfs = query.map((terms) => {
    const df = terms.reduce((sum, t) => sum + t.weight * documentFrequency.get(t.term)!, 0);
    const idf = Math.log((rows - df + 0.5) / (df + 0.5));
    return idf > 0 ? idf : MIN_IDF;
  });
  const texts = await store.searchTextsOf(candidates.map((c) => c.label));
  const hits: VectorHit[] = [];
  for (const { label } of candidates) {
    const text = texts.get(label);
    if (text === undefined) continue;
    const words = text.split(' ');
    const counts = new Map<string, number>();
    for (const word of words) counts.set(word, (counts.get(word) ?? 0) + 1);
    const lengthNorm = K1 * (1 - B + (B * words.length) / Math.max(meanTokens, 1e-9));
    let score = 0;
    query.forEach((terms, i) => {
      const tf = terms.reduce((sum, t) => sum + t.weight * (counts.get(t.term) ?? 0), 0);
      if (tf > 0) score += (idfs[i]! * tf * (K1 + 1)) / (tf + lengthNorm);
    });
    if (score > 0) hits.push({ label, score });
  }
  return hits.sort((a, b) => b.score - a.score || a.label - b.label).slice(0, depth);
}
