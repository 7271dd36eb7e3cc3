/**
 * Passages read from SQLite and not yet in a collection's graph (collection-index.ts), which every search scores
 * exactly. During a bulk import by another process (`tafuta index` while `tafuta serve` answers) they can number
 * tens of thousands, so a search's pass over them is the server's hot loop (docs/benchmarks.md §2.5): the vectors
 * sit in one contiguous buffer, in id order, and a search keeps only the k best of them (no hit object per
 * passage, no sort of them all).
 */
import type { VectorHit } from './vector-store.js';

const INITIAL_ROWS = 1024;
/** A deleted or consumed row. */
const GONE = -1;

export class PendingPassages {
  private readonly dim: number;
  /** Row r's vector is vectors[r·dim, (r+1)·dim); its label labels[r], or GONE. Rows below `head` are consumed. */
  private vectors: Float32Array;
  private labels: Float64Array;
  private head = 0;
  private rows = 0;
  private live = 0;
  /** Row of each live label, counted from the buffer's first row ever (rowOf − dropped = index in the buffer). */
  private readonly rowOf = new Map<number, number>();
  private dropped = 0;
  private lastAdded = -Infinity;

  constructor(dim: number) {
    this.dim = dim;
    this.vectors = new Float32Array(INITIAL_ROWS * dim);
    this.labels = new Float64Array(INITIAL_ROWS);
  }

  get size(): number {
    return this.live;
  }

  /** A passage read from SQLite; labels arrive in increasing order (the change log's ids). */
  add(label: number, vector: Float32Array): void {
    if (vector.length !== this.dim) throw new Error(`pending vector of length ${vector.length} in an index of dim ${this.dim}`);
    if (label <= this.lastAdded) throw new Error(`pending passages must arrive in id order: ${label} after ${this.lastAdded}`);
    this.lastAdded = label;
    if (this.rows === this.labels.length) this.makeRoom();
    this.vectors.set(vector, this.rows * this.dim);
    this.labels[this.rows] = label;
    this.rowOf.set(label, this.rows + this.dropped);
    this.rows++;
    this.live++;
  }

  /** Forgets a passage (deleted before it reached the graph); false when it is not pending. */
  delete(label: number): boolean {
    const row = this.rowOf.get(label);
    if (row === undefined) return false;
    this.rowOf.delete(label);
    this.labels[row - this.dropped] = GONE;
    this.live--;
    if (this.live === 0) this.clear();
    return true;
  }

  /** The lowest pending id, if any. */
  firstLabel(): number | undefined {
    this.skipGone();
    return this.head < this.rows ? this.labels[this.head] : undefined;
  }

  /** Removes and returns the lowest pending passage (a copy of its vector), if any. */
  shift(): { label: number; vector: Float32Array } | undefined {
    this.skipGone();
    if (this.head === this.rows) return undefined;
    const label = this.labels[this.head]!;
    const vector = this.vectors.slice(this.head * this.dim, (this.head + 1) * this.dim);
    this.labels[this.head] = GONE;
    this.rowOf.delete(label);
    this.head++;
    this.live--;
    if (this.live === 0) this.clear();
    return { label, vector };
  }

  /** Forgets every pending passage; a buffer grown for a large backlog is given back. */
  clear(): void {
    if (this.labels.length > INITIAL_ROWS) {
      this.vectors = new Float32Array(INITIAL_ROWS * this.dim);
      this.labels = new Float64Array(INITIAL_ROWS);
    }
    this.dropped += this.rows;
    this.head = 0;
    this.rows = 0;
    this.live = 0;
    this.rowOf.clear();
    this.lastAdded = -Infinity;
  }

  /**
   * Appends to `hits` the k best pending passages by dot product with `query` that `allowed` lets through (ties to
   * the lower id, as the merged ranking breaks them): any other pending passage ranks below k hits already.
   */
  addBest(hits: VectorHit[], query: Float32Array, k: number, allowed?: (label: number) => boolean): void {
    if (this.live === 0 || k <= 0) return;
    const { dim, vectors, labels } = this;
    // The best so far, worst last; a candidate must beat the worst strictly (an equal score has a higher id).
    const bestLabels: number[] = [];
    const bestScores: number[] = [];
    let worst = -Infinity;
    for (let row = this.head; row < this.rows; row++) {
      const label = labels[row]!;
      if (label === GONE) continue;
      const offset = row * dim;
      // vector-store.ts's dot, inlined over the buffer: the same sum in the same order, so the same score bit for bit.
      let score = 0;
      for (let j = 0; j < dim; j++) score += query[j]! * vectors[offset + j]!;
      if (bestScores.length === k && score <= worst) continue;
      if (allowed && !allowed(label)) continue;
      let at = bestScores.length;
      while (at > 0 && bestScores[at - 1]! < score) at--;
      bestScores.splice(at, 0, score);
      bestLabels.splice(at, 0, label);
      if (bestScores.length > k) {
        bestScores.pop();
        bestLabels.pop();
      }
      if (bestScores.length === k) worst = bestScores[k - 1]!;
    }
    for (let i = 0; i < bestLabels.length; i++) hits.push({ label: bestLabels[i]!, score: bestScores[i]! });
  }

  private skipGone(): void {
    while (this.head < this.rows && this.labels[this.head] === GONE) this.head++;
  }

  /** Full buffer: drops the consumed rows when they are at least half of it, else doubles it. */
  private makeRoom(): void {
    this.skipGone();
    const keep = this.rows - this.head;
    if (keep * 2 <= this.labels.length) {
      this.vectors.copyWithin(0, this.head * this.dim, this.rows * this.dim);
      this.labels.copyWithin(0, this.head, this.rows);
    } else {
      const vectors = new Float32Array(this.labels.length * 2 * this.dim);
      const labels = new Float64Array(this.labels.length * 2);
      vectors.set(this.vectors.subarray(this.head * this.dim, this.rows * this.dim));
      labels.set(this.labels.subarray(this.head, this.rows));
      this.vectors = vectors;
      this.labels = labels;
    }
    this.dropped += this.head;
    this.rows = keep;
    this.head = 0;
  }
}
