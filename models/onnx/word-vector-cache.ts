/**
 * A bounded map from a word to its pooled feature sum (a `dim`-float vector), in shared memory so that every encoder
 * thread of a process (the worker pool and the main thread) uses one cache: a word pooled by one thread is a hit for
 * the others (word-pooling.ts). Eviction is CLOCK (second chance): a word looked up since the hand last passed
 * survives one more round, so frequent words stay while a stream of one-off tokens (numbers, names) cycles through
 * the rest.
 *
 * Words are keyed by a 64-bit hash (two independent 32-bit FNV-1a hashes of the UTF-16 code units): two distinct
 * words collide with probability ~2⁻⁶⁴, i.e. about 10⁻¹¹ over a million distinct words, and a collision would only
 * give one rare word another's vector. Readers copy rows out and writers copy rows in while holding one lock, so no
 * row is ever read half-written and nothing has to stay pinned between calls. Critical sections are short (one hash
 * probe and one row copy per word); the lock is a futex-style mutex on Atomics.
 */

/** The shared memory of one cache: what a worker thread needs to attach to it (SharedArrayBuffers cross threads by reference). */
export interface WordVectorCacheMemory {
  dim: number;
  capacity: number;
  /** Int32 [lock, hand, size]. */
  header: SharedArrayBuffer;
  /** Int32 open-addressing table (linear probing) of row indices, -1 = empty; a power of two ≥ 2 × capacity. */
  table: SharedArrayBuffer;
  /** Uint32 [2 × capacity]: each row's word key (two hashes). */
  keys: SharedArrayBuffer;
  /** Uint8 [capacity]: CLOCK reference bits. */
  referenced: SharedArrayBuffer;
  /** Float32 [capacity × dim]: row r's vector at r × dim. Pages are committed by the OS as rows are first written. */
  vectors: SharedArrayBuffer;
}

const LOCK = 0;
const HAND = 1;
const SIZE = 2;
const UNLOCKED = 0;
const LOCKED = 1;
const CONTENDED = 2;
/** A thread that cannot take the lock for this long gives up with an error rather than hang (a holder died in it). */
const LOCK_TIMEOUT_MS = 30_000;

/** Allocates the shared memory of a cache of `capacity` words of `dim` floats. */
export function createWordVectorCacheMemory(dim: number, capacity: number): WordVectorCacheMemory {
  if (!Number.isInteger(dim) || dim <= 0) throw new Error(`dim must be a positive integer, got ${dim}`);
  if (!Number.isInteger(capacity) || capacity <= 0) throw new Error(`capacity must be a positive integer, got ${capacity}`);
  let tableSize = 4;
  while (tableSize < 2 * capacity) tableSize *= 2;
  const table = new SharedArrayBuffer(4 * tableSize);
  new Int32Array(table).fill(-1);
  return {
    dim,
    capacity,
    header: new SharedArrayBuffer(4 * 3),
    table,
    keys: new SharedArrayBuffer(8 * capacity),
    referenced: new SharedArrayBuffer(capacity),
    vectors: new SharedArrayBuffer(4 * capacity * dim),
  };
}

const FNV_PRIME = 0x01000193;

/**
 * The 64-bit key of each word, as pairs in one array: FNV-1a over the UTF-16 code units from two offset bases,
 * the second over the units in reverse, so the two halves do not collide together.
 */
export function wordKeys(words: readonly string[]): Uint32Array {
  const keys = new Uint32Array(2 * words.length);
  for (let w = 0; w < words.length; w++) {
    const word = words[w]!;
    let a = 0x811c9dc5;
    let b = 0x050c5d1f;
    for (let i = 0, j = word.length - 1; i < word.length; i++, j--) {
      a = Math.imul(a ^ word.charCodeAt(i), FNV_PRIME);
      b = Math.imul(b ^ word.charCodeAt(j), FNV_PRIME);
    }
    keys[2 * w] = a >>> 0;
    keys[2 * w + 1] = b >>> 0;
  }
  return keys;
}

/**
 * Deduplicates words by key (pairs from wordKeys): the distinct keys in order of first occurrence, the token where
 * each first occurs, and for every token the index of its distinct word.
 */
export function distinctKeys(tokenKeys: Uint32Array): { keys: Uint32Array; firstToken: Int32Array; tokenWords: Int32Array } {
  const n = tokenKeys.length / 2;
  let size = 4;
  while (size < 2 * n) size *= 2;
  const mask = size - 1;
  const slots = new Int32Array(size).fill(-1);
  const firstToken = new Int32Array(n);
  const keys = new Uint32Array(2 * n);
  const tokenWords = new Int32Array(n);
  let distinct = 0;
  for (let k = 0; k < n; k++) {
    const k0 = tokenKeys[2 * k]!;
    const k1 = tokenKeys[2 * k + 1]!;
    let at = k0 & mask;
    for (;;) {
      const word = slots[at]!;
      if (word < 0) {
        slots[at] = distinct;
        keys[2 * distinct] = k0;
        keys[2 * distinct + 1] = k1;
        firstToken[distinct] = k;
        tokenWords[k] = distinct++;
        break;
      }
      if (keys[2 * word] === k0 && keys[2 * word + 1] === k1) {
        tokenWords[k] = word;
        break;
      }
      at = (at + 1) & mask;
    }
  }
  return { keys: keys.slice(0, 2 * distinct), firstToken: firstToken.slice(0, distinct), tokenWords };
}

export class WordVectorCache {
  readonly dim: number;
  readonly capacity: number;
  private readonly header: Int32Array;
  private readonly table: Int32Array;
  private readonly mask: number;
  private readonly keys: Uint32Array;
  private readonly referenced: Uint8Array;
  private readonly vectors: Float32Array;
  private hitCount = 0;
  private missCount = 0;

  /** A new cache, or (given `memory`) one more view of a cache another thread created. */
  constructor(readonly memory: WordVectorCacheMemory) {
    this.dim = memory.dim;
    this.capacity = memory.capacity;
    this.header = new Int32Array(memory.header);
    this.table = new Int32Array(memory.table);
    this.mask = this.table.length - 1;
    this.keys = new Uint32Array(memory.keys);
    this.referenced = new Uint8Array(memory.referenced);
    this.vectors = new Float32Array(memory.vectors);
  }

  static create(dim: number, capacity: number): WordVectorCache {
    return new WordVectorCache(createWordVectorCacheMemory(dim, capacity));
  }

  /** Words cached now (shared by every thread). */
  get size(): number {
    return Atomics.load(this.header, SIZE);
  }

  /** This thread's lookups. */
  get stats(): { hits: number; misses: number; size: number; capacity: number } {
    return { hits: this.hitCount, misses: this.missCount, size: this.size, capacity: this.capacity };
  }

  /**
   * Copies the cached vector of each word (`keys` from wordKeys) into row i of `out` and returns the indices of the
   * words that are not cached (their rows of `out` are left as they were).
   */
  read(keys: Uint32Array, out: Float32Array): number[] {
    const { dim } = this;
    const missing: number[] = [];
    this.lock();
    try {
      for (let i = 0; 2 * i < keys.length; i++) {
        const row = this.find(keys[2 * i]!, keys[2 * i + 1]!);
        if (row < 0) {
          missing.push(i);
          continue;
        }
        this.referenced[row] = 1;
        out.set(this.vectors.subarray(row * dim, (row + 1) * dim), i * dim);
      }
    } finally {
      this.unlock();
    }
    this.hitCount += keys.length / 2 - missing.length;
    this.missCount += missing.length;
    return missing;
  }

  /**
   * Stores, for each j, the vector in row `words[j]` of `source` under the key of word `words[j]` (`keys` as given
   * to read), evicting by CLOCK when full. A word another thread stored meanwhile keeps its (equal) vector.
   */
  write(keys: Uint32Array, words: readonly number[], source: Float32Array): void {
    const { dim } = this;
    this.lock();
    try {
      for (const i of words) {
        const k0 = keys[2 * i]!;
        const k1 = keys[2 * i + 1]!;
        if (this.find(k0, k1) >= 0) continue;
        const row = this.freeRow();
        this.keys[2 * row] = k0;
        this.keys[2 * row + 1] = k1;
        this.referenced[row] = 0;
        this.vectors.set(source.subarray(i * dim, (i + 1) * dim), row * dim);
        let at = k0 & this.mask;
        while (this.table[at] !== -1) at = (at + 1) & this.mask;
        this.table[at] = row;
      }
    } finally {
      this.unlock();
    }
  }

  /** Forgets every word (for every thread attached). */
  clear(): void {
    this.lock();
    try {
      this.table.fill(-1);
      this.referenced.fill(0);
      this.header[SIZE] = 0;
      this.header[HAND] = 0;
    } finally {
      this.unlock();
    }
  }

  /** The row holding key (k0, k1), or -1. Caller holds the lock. */
  private find(k0: number, k1: number): number {
    for (let at = k0 & this.mask; ; at = (at + 1) & this.mask) {
      const row = this.table[at]!;
      if (row < 0) return -1;
      if (this.keys[2 * row] === k0 && this.keys[2 * row + 1] === k1) return row;
    }
  }

  /** A row to (over)write: the next unused one, else the CLOCK victim, whose key leaves the table. Caller holds the lock. */
  private freeRow(): number {
    const used = this.header[SIZE]!;
    if (used < this.capacity) {
      this.header[SIZE] = used + 1;
      return used;
    }
    // Full: advance the hand past recently used rows (clearing their bit) to the first other; one turn clears
    // every bit, so this ends within two turns.
    let hand = this.header[HAND]!;
    for (;;) {
      const row = hand;
      hand = (hand + 1) % this.capacity;
      if (this.referenced[row] === 1) {
        this.referenced[row] = 0;
        continue;
      }
      this.header[HAND] = hand;
      this.removeFromTable(row);
      return row;
    }
  }

  /** Deletes `row` from the probe table by backward shift, so that no tombstones slow later probes. */
  private removeFromTable(row: number): void {
    const { table, mask } = this;
    let hole = this.keys[2 * row]! & mask;
    while (table[hole] !== row) hole = (hole + 1) & mask;
    for (let at = (hole + 1) & mask; ; at = (at + 1) & mask) {
      const other = table[at]!;
      if (other < 0) break;
      const home = this.keys[2 * other]! & mask;
      // `other` may move back into the hole unless its home lies cyclically in (hole, at].
      const stays = hole <= at ? hole < home && home <= at : hole < home || home <= at;
      if (stays) continue;
      table[hole] = other;
      hole = at;
    }
    table[hole] = -1;
  }

  private lock(): void {
    const h = this.header;
    let state = Atomics.compareExchange(h, LOCK, UNLOCKED, LOCKED);
    if (state === UNLOCKED) return;
    const deadline = Date.now() + LOCK_TIMEOUT_MS;
    do {
      if (state === CONTENDED || Atomics.compareExchange(h, LOCK, LOCKED, CONTENDED) !== UNLOCKED) {
        Atomics.wait(h, LOCK, CONTENDED, 100);
        if (Date.now() > deadline) throw new Error(`word vector cache: lock not released for ${LOCK_TIMEOUT_MS / 1000} s (a thread died holding it?)`);
      }
      state = Atomics.compareExchange(h, LOCK, UNLOCKED, CONTENDED);
    } while (state !== UNLOCKED);
  }

  private unlock(): void {
    if (Atomics.sub(this.header, LOCK, 1) !== LOCKED) {
      Atomics.store(this.header, LOCK, UNLOCKED);
      Atomics.notify(this.header, LOCK, 1);
    }
  }
}
