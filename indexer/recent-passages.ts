/**
 * The latest passages in a collection's graph (the highest ids: ids only grow), which searches score exactly
 * besides the graph's hits, RECENT_EXACT_PASSAGES of them. HNSW misses most often just there: a new passage unlike
 * the large cluster around it (a probe among thousands of near-duplicates) can be unreachable from the entry point
 * until later inserts link it — a document written a moment ago would not be found by its own text. Which passages
 * they are follows from the data alone, so a restart or a restored snapshot answers as the process that wrote them
 * did. The vectors sit in one matrix (a ring of rows, the oldest overwritten). An unfiltered search lets usearch's
 * exact SIMD scan pick the rows that can reach the top k and scores only those as dot() does; otherwise every row is
 * scored, eight rows per pass over the query (docs/benchmarks/notes/3.1-search-hot-path.md).
 */
import { exactSearch, MetricKind } from 'usearch';
import type { SqliteDocumentStore as DocumentStore } from './document-store.js';
import type { TopHits } from './top-hits.js';

export const RECENT_EXACT_PASSAGES = 1024;

/**
 * Rows summed side by side in one pass over the query: eight independent sums keep the CPU's adders busy where one
 * waits on each addition (2.4× faster than one row at a time at dim 256; RECENT_EXACT_PASSAGES is a multiple).
 */
const ROWS_PER_PASS = 8;

/** The label of a free row (passage ids start at 1). */
const FREE = 0;

/**
 * From this many recent passages on, an unfiltered search takes its candidates from usearch's exact scan (≈ 50 µs of
 * CPU for 1,024 × 256-d, against ≈ 170 µs for scoring every row here).
 */
export const NATIVE_SCAN_FROM = 256;
/** Rows the native scan keeps beyond k (and beyond the free rows, whose stale vectors it scores too). */
const NATIVE_MARGIN = 16;
/**
 * The native scan sums in another order (and may round differently): a row it left out could outscore the last one it
 * kept by rounding alone. When the last kept row scores within this of the k-th best, every row is scored instead.
 */
const NATIVE_TIE = 1e-4;

export class RecentPassages {
  /**
   * Row r holds the vector of `labels[r]` (FREE: none), at r × dim. Grown by doubling as passages arrive, so a small
   * collection holds no more than its own passages (a multiple of ROWS_PER_PASS rows, at most RECENT_EXACT_PASSAGES).
   */
  private matrix = new Float32Array(0);
  private readonly labels = new Float64Array(RECENT_EXACT_PASSAGES);
  private readonly rowOf = new Map<number, number>();
  /** The row the next passage goes to: the oldest one once the ring is full. */
  private next = 0;
  /** One scoreInto call's scores, by row. */
  private readonly scores = new Float64Array(RECENT_EXACT_PASSAGES);
  /** Rows marked to be passed over by one scoreInto call. */
  private readonly skipped = new Uint8Array(RECENT_EXACT_PASSAGES);
  /** A recent passage was deleted: the next search reads the latest passages again (one query, not one per delete). */
  private short = false;

  constructor(
    private readonly store: Pick<DocumentStore, 'latestVectors'>,
    private readonly collectionId: number,
    private readonly dim: number,
  ) {}

  get size(): number {
    return this.rowOf.size;
  }

  /** The latest live passages with ids <= `through` (the graph's cursor), from SQLite: rows deleted there are gone, whether or not read yet. */
  read(through: number): void {
    this.clear();
    for (const { label, vector } of this.store.latestVectors(this.collectionId, through, RECENT_EXACT_PASSAGES)) this.add(label, vector);
    this.short = false;
  }

  /** Reads them again when a deletion left fewer than there should be. */
  refillIfShort(through: number): void {
    if (this.short) this.read(through);
  }

  /** A passage just put into the graph (ids ascending); the oldest one is forgotten. */
  add(label: number, vector: Float32Array): void {
    const present = this.rowOf.get(label);
    if (present !== undefined) {
      this.matrix.set(vector, present * this.dim);
      return;
    }
    const row = this.next;
    this.next = (row + 1) % RECENT_EXACT_PASSAGES;
    const old = this.labels[row]!;
    if (old !== FREE) this.rowOf.delete(old);
    this.labels[row] = label;
    this.rowOf.set(label, row);
    if ((row + 1) * this.dim > this.matrix.length) this.growTo(row + 1);
    this.matrix.set(vector, row * this.dim);
  }

  /** Frees the passage's row; the next search reads the latest passages again, so a hole lives until then. */
  remove(label: number): void {
    const row = this.rowOf.get(label);
    if (row === undefined) return;
    this.rowOf.delete(label);
    this.labels[row] = FREE;
    this.short = true;
  }

  private growTo(rows: number): void {
    let capacity = Math.max(ROWS_PER_PASS, this.matrix.length / this.dim);
    while (capacity < rows) capacity *= 2;
    const grown = new Float32Array(Math.min(RECENT_EXACT_PASSAGES, capacity) * this.dim);
    grown.set(this.matrix);
    this.matrix = grown;
  }

  clear(): void {
    this.labels.fill(FREE);
    this.rowOf.clear();
    this.next = 0;
  }

  has(label: number): boolean {
    return this.rowOf.has(label);
  }

  /**
   * Offers to `top` each recent passage `visible` lets through, scored exactly, except the `skip` labels (the graph
   * scored them already). A score is the sum of query[i] × vector[i] in order from i = 0, as dot() adds them: the
   * rows summed side by side are each summed in that order, so the scores are dot()'s to the last bit.
   */
  scoreInto(top: TopHits, query: Float32Array, visible: ((label: number) => boolean) | undefined, skip: readonly number[] = []): void {
    if (this.rowOf.size === 0) return;
    if (visible === undefined && this.rowOf.size >= NATIVE_SCAN_FROM && this.offerNativeCandidates(top, query, skip)) return;
    const { matrix, labels, scores, skipped, dim } = this;
    for (const label of skip) {
      const row = this.rowOf.get(label);
      if (row !== undefined) skipped[row] = 1;
    }
    const rows = matrix.length / dim;
    for (let r = 0; r < rows; r += ROWS_PER_PASS) {
      if (this.freeBlock(r)) continue;
      const start = r * dim;
      let s0 = 0;
      let s1 = 0;
      let s2 = 0;
      let s3 = 0;
      let s4 = 0;
      let s5 = 0;
      let s6 = 0;
      let s7 = 0;
      for (let i = 0; i < dim; i++) {
        const q = query[i]!;
        const at = start + i;
        s0 += q * matrix[at]!;
        s1 += q * matrix[at + dim]!;
        s2 += q * matrix[at + 2 * dim]!;
        s3 += q * matrix[at + 3 * dim]!;
        s4 += q * matrix[at + 4 * dim]!;
        s5 += q * matrix[at + 5 * dim]!;
        s6 += q * matrix[at + 6 * dim]!;
        s7 += q * matrix[at + 7 * dim]!;
      }
      scores[r] = s0;
      scores[r + 1] = s1;
      scores[r + 2] = s2;
      scores[r + 3] = s3;
      scores[r + 4] = s4;
      scores[r + 5] = s5;
      scores[r + 6] = s6;
      scores[r + 7] = s7;
    }
    for (let r = 0; r < rows; r++) {
      const label = labels[r]!;
      if (label !== FREE && skipped[r] === 0 && (visible === undefined || visible(label))) top.offer(label, scores[r]!);
    }
    for (const label of skip) {
      const row = this.rowOf.get(label);
      if (row !== undefined) skipped[row] = 0;
    }
  }

  /**
   * Offers the rows among usearch's best `top.k` + margin + free rows, scored as dot() does, and returns true; or
   * false, offering nothing, when the scan cannot rule out the rows it left out (a near-tie at its edge). A row left
   * out scores no higher than every row kept, so it ranks below k live passages that are offered — by this call or,
   * for the `skip` labels, by the graph with the same score.
   */
  private offerNativeCandidates(top: TopHits, query: Float32Array, skip: readonly number[]): boolean {
    const { matrix, labels, dim } = this;
    const rows = matrix.length / dim;
    const wanted = top.k + NATIVE_MARGIN + (rows - this.rowOf.size);
    if (top.k === 0 || wanted >= rows) return false;
    const { keys } = exactSearch(matrix, Float32Array.from(query), dim, wanted, MetricKind.IP, 1);
    const candidates: Array<{ label: number; score: number }> = [];
    let lowest = Infinity;
    for (const key of keys) {
      const row = Number(key);
      const label = labels[row]!;
      if (label === FREE) continue;
      const start = row * dim;
      let score = 0;
      for (let i = 0; i < dim; i++) score += query[i]! * matrix[start + i]!;
      candidates.push({ label, score });
      lowest = Math.min(lowest, score);
    }
    if (keys.length < wanted || candidates.length < top.k) return false;
    const kth = candidates.map((c) => c.score).sort((a, b) => b - a)[top.k - 1]!;
    if (lowest >= kth - NATIVE_TIE) return false;
    const skipping = new Set(skip);
    for (const { label, score } of candidates) if (!skipping.has(label)) top.offer(label, score);
    return true;
  }

  private freeBlock(first: number): boolean {
    for (let r = first; r < first + ROWS_PER_PASS; r++) if (this.labels[r] !== FREE) return false;
    return true;
  }
}
