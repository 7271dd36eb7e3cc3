/**
 * A collection index's search over its three tiers: the HNSW graph, the pending passages (read from SQLite, not yet in
 * the graph) and the recent ones (the latest moved into the graph), the last two scored exactly. A recent passage the
 * graph found too is counted once; a graph of rounded vectors (f16, i8) has its candidates rescored with their f32
 * vectors.
 */
import type { SqliteDocumentStore as DocumentStore } from './document-store.js';
import type { GraphStore } from './graph-store.js';
import type { PendingPassages } from './pending-passages.js';
import type { RecentPassages } from './recent-passages.js';
import { TopHits } from './top-hits.js';
import { dot, type VectorHit } from './vector-store.js';

/**
 * Candidates per hit wanted that a graph of rounded vectors (f16, i8) returns for exact rescoring: enough for the
 * rounding not to push a true top-k hit out (with an exact beam the hits are the f32 graph's: index-sync test).
 * More buys no recall at the default ef, whose beam is the same, and costs SQLite reads (docs/benchmarks.md §2.3);
 * for an i8 graph too (§2.6: its own top 10 holds 0.88–0.91 of the true top 10, its top 20 rescored as much as f16's,
 * its top 40 ≤ 0.002 more).
 */
export const RESCORED_CANDIDATES_PER_HIT = 2;

export interface SearchTiers {
  graph: GraphStore;
  pending: PendingPassages;
  recent: RecentPassages;
  /** Where the f32 vectors of the graph's candidates are read. */
  store: DocumentStore;
}

/**
 * The k nearest among the tiers' passages. `filter` is the caller's; `visible` is it less the graph labels hidden
 * while a save reads the graph (pending passages are never among them).
 */
export function searchTiers(
  tiers: SearchTiers, query: Float32Array, k: number, filter: ((label: number) => boolean) | undefined, visible: ((label: number) => boolean) | undefined, ef: number,
): VectorHit[] {
  const { graph, pending, recent } = tiers;
  // The graph's own order, as it always was, when nothing is merged in (hnswlib may order equal scores either way).
  if (graph.exactScores && pending.size === 0 && recent.size === 0) return graph.search(query, k, visible, ef);
  const top = new TopHits(k);
  const scoredByGraph = offerGraphHits(tiers, top, query, k, visible, ef);
  pending.offerBest(top, query, filter);
  recent.scoreInto(top, query, visible, scoredByGraph);
  return top.hits();
}

/**
 * Offers the graph's k best to `top` and returns the labels it scored, which the recent passages must not offer
 * again. A graph of rounded vectors (f16, i8) is asked for RESCORED_CANDIDATES_PER_HIT × k candidates, scored again
 * with their f32 vectors: the scores are exact, and so is the order among the candidates (rounding moves a cosine
 * by ~1e-3, enough to swap close neighbours). A candidate among the recent passages is left to them (they hold its
 * f32 vector and score it alike); the others' vectors are read from SQLite, and one SQLite no longer has (deleted by
 * another process since the last sync) is dropped. Offering every candidate, not the k best of them, keeps the
 * same k: k candidates rank above any that is not among the best k.
 */
function offerGraphHits(
  { graph, recent, store }: SearchTiers, top: TopHits, query: Float32Array, k: number, filter: ((label: number) => boolean) | undefined, ef: number,
): readonly number[] {
  if (graph.exactScores) {
    const hits = graph.search(query, k, filter, ef);
    for (const hit of hits) top.offer(hit.label, hit.score);
    return hits.map((hit) => hit.label);
  }
  const unread: number[] = [];
  for (const hit of graph.search(query, k * RESCORED_CANDIDATES_PER_HIT, filter, ef)) {
    if (!recent.has(hit.label)) unread.push(hit.label);
  }
  for (const { label, vector } of store.vectorsOf(unread)) top.offer(label, dot(query, vector));
  return [];
}
