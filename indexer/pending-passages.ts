/**
 * Passages read from SQLite and not yet in a collection's graph (collection-index.ts), which every search scores
 * exactly. During a bulk import by another process (`tafuta index` while `tafuta serve` answers) they can number
 * tens of thousands, so a search's pass over them is the server's hot loop (docs/benchmarks.md §2.5): the vectors
 * sit in one contiguous buffer, in id order, and a search keeps only the k best of them (no hit object per
 * passage, no sort of them all).
 */
import { exactSearch, MetricKind } from 'usearch';
import type { TopHits } from './top-hits.js';

const INITIAL_ROWS = 1024;
/**
 * From this many pending passages an unfiltered search picks candidates with usearch's exact (brute-force, SIMD)
 * search, ≈ 6× faster than the loop here (60k × 256-d: 7.5 ms vs 46 ms on our loaded machine), then scores them
 * again with the same arithmetic as everywhere else; fewer are scored here directly.
 */
export const NATIVE_SCAN_FROM = 2048;
/** Candidates beyond k taken from the native scan: its f32 sums round differently from ours near the k-th score. */
const NATIVE_MARGIN = 16;
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

  private readonly nativeFrom: number;

  /** `nativeFrom`: tests lower it to run the native scan on a few passages. */
  constructor(dim: number, options: { nativeFrom?: number } = {}) {
    this.dim = dim;
    this.nativeFrom = options.nativeFrom ?? NATIVE_SCAN_FROM;
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
    this.vectors.fill(0, (row - this.dropped) * this.dim, (row - this.dropped + 1) * this.dim);
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
    this.vectors.fill(0, this.head * this.dim, (this.head + 1) * this.dim);
    this.rowOf.delete(label);
    this.head++;
    this.live--;
    if (this.live === 0) this.clear();
    return { label, vector };
  }

  /** Forgets the pending passages with ids <= `through` (a graph saved by another process holds them); returns how many. */
  dropThrough(through: number): number {
    let forgotten = 0;
    for (this.skipGone(); this.head < this.rows && this.labels[this.head]! <= through; this.skipGone()) {
      this.rowOf.delete(this.labels[this.head]!);
      this.labels[this.head] = GONE;
      this.head++;
      this.live--;
      forgotten++;
    }
    // The rows left behind are not zeroed: the native scan reads from the buffer's start, so they go at once.
    if (this.live === 0) this.clear();
    else if (forgotten > 0) this.dropConsumed();
    return forgotten;
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
   * Offers to `top` the pending passages `allowed` lets through, by dot product with `query` (ties to the lower id,
   * as the merged ranking breaks them); with the native scan, only those that can reach its k best.
   */
  offerBest(top: TopHits, query: Float32Array, allowed?: (label: number) => boolean): void {
    if (this.live === 0 || top.k <= 0) return;
    if (!allowed && this.live >= this.nativeFrom && this.offerNative(top, query)) return;
    for (let row = this.head; row < this.rows; row++) this.offerRow(top, query, row, allowed);
  }

  /**
   * The native scan runs over rows [0, rows) of the buffer (usearch reads a view from its buffer's start), where
   * consumed and deleted rows are zero vectors. Its best k + margin rows, scored again here, hold the k best live
   * passages once at least k of them are live: any row left out scores no higher than those. Otherwise (most live
   * passages score ≤ 0 with this query) false, and the caller scans.
   */
  private offerNative(top: TopHits, query: Float32Array): boolean {
    if (this.head > this.live && this.head > INITIAL_ROWS) this.dropConsumed();
    const wanted = Math.min(this.rows, top.k + NATIVE_MARGIN);
    const { keys } = exactSearch(this.vectors.subarray(0, this.rows * this.dim), Float32Array.from(query), this.dim, wanted, MetricKind.IP, 1);
    const rows: number[] = [];
    for (const key of keys) if (this.labels[Number(key)] !== GONE) rows.push(Number(key));
    if (rows.length < top.k) return false;
    for (const row of rows) this.offerRow(top, query, row, undefined);
    return true;
  }

  /** Row `row`'s passage, scored here, to `top` if it is live, `allowed` and among its k best so far. */
  private offerRow(top: TopHits, query: Float32Array, row: number, allowed: ((label: number) => boolean) | undefined): void {
    const { dim, vectors } = this;
    const label = this.labels[row]!;
    if (label === GONE) return;
    const offset = row * dim;
    // vector-store.ts's dot, inlined over the buffer: the same sum in the same order, so the same score bit for bit.
    let score = 0;
    for (let j = 0; j < dim; j++) score += query[j]! * vectors[offset + j]!;
    if (!top.admits(label, score) || (allowed && !allowed(label))) return;
    top.offer(label, score);
  }

  private skipGone(): void {
    while (this.head < this.rows && this.labels[this.head] === GONE) this.head++;
  }

  /** Full buffer: drops the consumed rows when they are at least half of it, else doubles it. */
  private makeRoom(): void {
    this.skipGone();
    const keep = this.rows - this.head;
    if (keep * 2 <= this.labels.length) this.dropConsumed();
    else {
      const vectors = new Float32Array(this.labels.length * 2 * this.dim);
      const labels = new Float64Array(this.labels.length * 2);
      vectors.set(this.vectors.subarray(this.head * this.dim, this.rows * this.dim));
      labels.set(this.labels.subarray(this.head, this.rows));
      this.vectors = vectors;
      this.labels = labels;
      this.dropped += this.head;
      this.rows = keep;
      this.head = 0;
    }
  }

  /** Moves the rows from `head` on to the buffer's start (the native scan reads from there). */
  private dropConsumed(): void {
    this.skipGone();
    const keep = this.rows - this.head;
    this.vectors.copyWithin(0, this.head * this.dim, this.rows * this.dim);
    this.labels.copyWithin(0, this.head, this.rows);
    this.dropped += this.head;
    this.rows = keep;
    this.head = 0;
  }
}
