/**
 * A bounded map from a word to its pooled feature sum (a `dim`-float vector), stored as rows of one slab that an
 * onnxruntime graph reads directly (word-pooling.ts). Eviction is CLOCK (second chance): a word looked up since
 * the hand last passed survives one more round, so frequent words stay while a stream of one-off tokens (numbers,
 * names) cycles through the rest. Rows used by the current batch are pinned (`beginBatch`): nothing the batch
 * looked up or inserted is evicted before the batch ends. The slab grows by doubling up to `capacity` rows, so a
 * process that embeds little holds little.
 */
export class WordVectorCache {
  private readonly slotOf = new Map<string, number>();
  private keys: Array<string | undefined> = [];
  private referenced = new Uint8Array(0);
  /** pinnedIn[slot] === batch: the slot is used by the current batch. */
  private pinnedIn = new Uint32Array(0);
  private batch = 1;
  private slab = new Float32Array(0);
  private hand = 0;
  private hitCount = 0;
  private missCount = 0;

  constructor(
    readonly dim: number,
    readonly capacity: number,
  ) {
    if (!Number.isInteger(dim) || dim <= 0) throw new Error(`dim must be a positive integer, got ${dim}`);
    if (!Number.isInteger(capacity) || capacity <= 0) throw new Error(`capacity must be a positive integer, got ${capacity}`);
  }

  get size(): number {
    return this.slotOf.size;
  }

  get stats(): { hits: number; misses: number; size: number; capacity: number } {
    return { hits: this.hitCount, misses: this.missCount, size: this.size, capacity: this.capacity };
  }

  /** The slab: row `slot` (`dim` floats at `slot * dim`) is that slot's vector. Replaced when the cache grows. */
  get vectors(): Float32Array {
    return this.slab;
  }

  /** Starts a batch: rows pinned by the previous one may be evicted again. */
  beginBatch(): void {
    if (++this.batch > 0xfffffffe) {
      this.pinnedIn.fill(0);
      this.batch = 1;
    }
  }

  /** The slot holding `word`'s vector (pinned for this batch), or -1 when absent. */
  lookup(word: string): number {
    const slot = this.slotOf.get(word);
    if (slot === undefined) {
      this.missCount++;
      return -1;
    }
    this.hitCount++;
    this.referenced[slot] = 1;
    this.pinnedIn[slot] = this.batch;
    return slot;
  }

  /**
   * Stores `source[offset, offset + dim)` as `word`'s vector and returns its slot (pinned for this batch), or -1
   * when every slot is pinned: the batch uses more distinct words than the cache holds.
   */
  insert(word: string, source: Float32Array, offset: number): number {
    let slot = this.slotOf.get(word);
    if (slot === undefined) {
      slot = this.freeSlot();
      if (slot < 0) return -1;
      this.slotOf.set(word, slot);
      this.keys[slot] = word;
    }
    this.referenced[slot] = 0;
    this.pinnedIn[slot] = this.batch;
    this.slab.set(source.subarray(offset, offset + this.dim), slot * this.dim);
    return slot;
  }

  private freeSlot(): number {
    const used = this.slotOf.size;
    if (used < this.capacity) {
      if (used >= this.referenced.length) this.grow(Math.min(this.capacity, Math.max(1024, 2 * this.referenced.length)));
      return used;
    }
    // Full: advance the hand past pinned and recently used slots (clearing the latter's bit) to the first other.
    // Two turns clear every bit, so a longer search means every slot is pinned.
    for (let steps = 0; steps < 2 * this.capacity; steps++) {
      const slot = this.hand;
      this.hand = (this.hand + 1) % this.capacity;
      if (this.pinnedIn[slot] === this.batch) continue;
      if (this.referenced[slot] === 1) {
        this.referenced[slot] = 0;
        continue;
      }
      this.slotOf.delete(this.keys[slot]!);
      return slot;
    }
    return -1;
  }

  private grow(rows: number): void {
    const referenced = new Uint8Array(rows);
    referenced.set(this.referenced);
    this.referenced = referenced;
    const pinnedIn = new Uint32Array(rows);
    pinnedIn.set(this.pinnedIn);
    this.pinnedIn = pinnedIn;
    const slab = new Float32Array(rows * this.dim);
    slab.set(this.slab);
    this.slab = slab;
  }
}
