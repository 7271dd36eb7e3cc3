/**
 * The latest passages in a collection's graph (the highest ids: ids only grow), which searches score exactly
 * besides the graph's hits, RECENT_EXACT_PASSAGES of them. HNSW misses most often just there: a new passage unlike
 * the large cluster around it (a probe among thousands of near-duplicates) can be unreachable from the entry point
 * until later inserts link it — a document written a moment ago would not be found by its own text. Which passages
 * they are follows from the data alone, so a restart or a restored snapshot answers as the process that wrote them
 * did. Costs one dot product each per search (~0.4 ms for 1,024 × 256-d on our machines).
 */
import type { SqliteDocumentStore as DocumentStore } from './document-store.js';
import { dot, type VectorHit } from './vector-store.js';

export const RECENT_EXACT_PASSAGES = 1024;

export class RecentPassages {
  /** The RECENT_EXACT_PASSAGES live passages of the graph with the highest ids, in id order. */
  private vectors = new Map<number, Float32Array>();
  /** A recent passage was deleted: the next search reads the latest passages again (one query, not one per delete). */
  private short = false;

  constructor(
    private readonly store: DocumentStore,
    private readonly collectionId: number,
  ) {}

  get size(): number {
    return this.vectors.size;
  }

  /** The latest live passages with ids <= `through` (the graph's cursor), from SQLite: rows deleted there are gone, whether or not read yet. */
  read(through: number): void {
    const latest = this.store.latestVectors(this.collectionId, through, RECENT_EXACT_PASSAGES);
    this.vectors = new Map(latest.map(({ label, vector }) => [label, vector]));
    this.short = false;
  }

  /** Reads them again when a deletion left fewer than there should be. */
  refillIfShort(through: number): void {
    if (this.short) this.read(through);
  }

  /** A passage just put into the graph; the oldest one is forgotten. */
  add(label: number, vector: Float32Array): void {
    this.vectors.set(label, vector);
    if (this.vectors.size > RECENT_EXACT_PASSAGES) this.vectors.delete(this.vectors.keys().next().value!);
  }

  remove(label: number): void {
    if (this.vectors.delete(label)) this.short = true;
  }

  clear(): void {
    this.vectors.clear();
  }

  /** Adds to `hits` the recent passages `visible` lets through, scored exactly (one the graph found is not added again). */
  addMissing(hits: VectorHit[], query: Float32Array, visible: ((label: number) => boolean) | undefined): void {
    if (this.vectors.size === 0) return;
    const found = new Set(hits.map((hit) => hit.label));
    for (const [label, vector] of this.vectors) {
      if (!found.has(label) && (visible?.(label) ?? true)) hits.push({ label, score: dot(query, vector) });
    }
  }
}
