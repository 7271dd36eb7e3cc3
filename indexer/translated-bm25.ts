/**
 * BM25 for a translated query: probabilistic structured queries (PSQ; Darwish & Oard 2003). Each query word q is a
 * distribution over English terms e, and BM25 sees it as one pseudo-term with
 *   tf(q, d) = Σ_e p(e|q) · tf(e, d)   and   df(q) = Σ_e p(e|q) · df(e),
 * so synonyms pool their evidence instead of each adding a full term's score, and an uncertain translation
 * weighs less. Constants are those of FTS5's bm25() (k1 1.2, b 0.75, idf floored just above 0), so a query whose
 * words all translate to themselves with weight 1 ranks like the `bm25` mode over a collection's text.
 *
 * FTS5 takes no term weights, so the scores come from the collection's term index (term-index.ts): every passage
 * holding any translation is scored, exactly. N, df and the mean length are the collection's own (FTS5's are the
 * whole database's: the same when the database holds one collection).
 */
import type { WeightedTerm } from '../models/translate/table.js';
import type { TermIndex } from './term-index.js';
import type { VectorHit } from './vector-store.js';

export const K1 = 1.2;
export const B = 0.75;
/** FTS5 floors a non-positive idf (terms in more than half the rows) at this, so they still count a little. */
export const MIN_IDF = 1e-6;

export type TranslatedQuery = ReadonlyArray<ReadonlyArray<WeightedTerm>>;

/** One query term's BM25 contribution (FTS5's formula) for a passage of `length` words. */
export function bm25TermScore(idf: number, tf: number, length: number, meanLength: number): number {
  return (idf * tf * (K1 + 1)) / (tf + K1 * (1 - B + (B * length) / meanLength));
}

/** The `depth` best passages for the query, best first (ties by label); `allowed` restricts them (a filter). */
export function translatedBm25Hits(terms: TermIndex, query: TranslatedQuery, depth: number, allowed?: ReadonlySet<number>): VectorHit[] {
  if (depth <= 0 || query.length === 0) return [];
  terms.sync();
  const rows = terms.passages;
  const meanLength = Math.max(rows > 0 ? terms.words / rows : 0, 1e-9);
  // Per-slot sums in flat arrays; `touched` lists the slots to read back (and the tf sums to clear per word).
  const score = new Float64Array(terms.slots);
  const tf = new Float64Array(terms.slots);
  const scored: number[] = [];
  for (const translations of query) {
    const touched: number[] = [];
    let df = 0;
    for (const { term, weight } of translations) {
      const postings = terms.postingsOf(term);
      if (!postings) continue;
      const { slots, counts } = postings;
      let termDf = 0;
      for (let i = 0; i < slots.length; i++) {
        const slot = slots[i]!;
        if (terms.lengthAt(slot) < 0) continue;
        termDf += 1;
        if (tf[slot] === 0) touched.push(slot);
        tf[slot] = tf[slot]! + weight * counts[i]!;
      }
      df += weight * termDf;
    }
    const rawIdf = Math.log((rows - df + 0.5) / (df + 0.5));
    const idf = rawIdf > 0 ? rawIdf : MIN_IDF;
    for (const slot of touched) {
      const frequency = tf[slot]!;
      tf[slot] = 0;
      if (score[slot] === 0) scored.push(slot);
      score[slot] = score[slot]! + bm25TermScore(idf, frequency, terms.lengthAt(slot), meanLength);
    }
  }
  const candidates = allowed ? scored.filter((slot) => allowed.has(terms.labelAt(slot))) : scored;
  // Most passages of a collection can hold some translation: only those at or above the depth-th best score are
  // sorted (a numeric sort of the scores finds it far faster than sorting every hit).
  let threshold = 0;
  if (candidates.length > depth) {
    const values = Float64Array.from(candidates, (slot) => score[slot]!).sort();
    threshold = values[values.length - depth]!;
  }
  const hits: VectorHit[] = [];
  for (const slot of candidates) {
    if (score[slot]! > 0 && score[slot]! >= threshold) hits.push({ label: terms.labelAt(slot), score: score[slot]! });
  }
  return hits.sort((a, b) => b.score - a.score || a.label - b.label).slice(0, depth);
}
