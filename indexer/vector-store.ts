/** The ANN seam: anything that can hold labelled unit vectors and return nearest neighbours by cosine. */
import type { SyncCursor } from './document-store.js';

export interface VectorHit {
  label: number;
  /** Cosine similarity, higher is closer. */
  score: number;
}

export interface VectorStore {
  readonly dim: number;
  /** Live (not deleted) vectors. */
  readonly size: number;
  /** How far into the document store's change log this index is. */
  cursor: SyncCursor;
  add(label: number, vector: Float32Array): void;
  /** Removes a label; unknown labels are ignored. */
  remove(label: number): void;
  /** `ef`: search breadth where the store has one (HNSW); default: its configured value. */
  search(query: Float32Array, k: number, filter?: (label: number) => boolean, ef?: number): VectorHit[];
  /** True when deletions have left so many dead slots that a rebuild would pay off. */
  needsCompaction(): boolean;
  /** Persists to disk (atomically); a no-op for in-memory stores. */
  save(): void;
}

/** Dot product: the cosine similarity of two unit vectors. */
export function dot(a: Float32Array, b: Float32Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!;
  return s;
}

/** The unit vector along a + b; undefined when they cancel out (opposite vectors). */
export function normalisedSum(a: Float32Array, b: Float32Array): Float32Array | undefined {
  const sum = new Float32Array(a.length);
  let norm = 0;
  for (let i = 0; i < a.length; i++) {
    sum[i] = a[i]! + b[i]!;
    norm += sum[i]! * sum[i]!;
  }
  if (norm === 0) return undefined;
  const scale = 1 / Math.sqrt(norm);
  for (let i = 0; i < a.length; i++) sum[i]! *= scale;
  return sum;
}

/** Rebuild a graph once more than this share of its slots is dead (and there are enough to matter). */
const COMPACTION_DEAD_FRACTION = 0.5;
const COMPACTION_MIN_DEAD = 1000;

/** The one compaction policy of every graph library: `dead` deleted slots among `elements` (live + dead). */
export function deadSlotsNeedCompaction(dead: number, elements: number): boolean {
  return dead >= COMPACTION_MIN_DEAD && dead > COMPACTION_DEAD_FRACTION * elements;
}
