/**
 * Byte-pair-encoding subword units (Sennrich et al. 2016) learned over the training text of every language at
 * once, so related languages share units ("-enda" in Zulu and Xhosa, loanword stems across languages). The
 * learner follows Hugging Face tokenizers' BpeTrainer exactly — the pair with the highest count merges first,
 * ties go to the smaller (left id, right id), single characters are numbered by code point and merged tokens in
 * the order they are made — so its output can be checked against that implementation (test/models/subwords).
 */

/** A merge rule: the two tokens whose adjacent occurrences become one. Its rank is its position in the list. */
export type SubwordMerge = readonly [left: string, right: string];

export interface LearnSubwordsOptions {
  /** Stop after this many merges. */
  maxMerges: number;
  /** Stop when the best pair occurs fewer times than this (weighted). */
  minCount?: number;
}

const PAIR_SHIFT = 2 ** 21;
const pairKey = (left: number, right: number): number => left * PAIR_SHIFT + right;

interface QueueEntry {
  count: number;
  left: number;
  right: number;
}

/** Max-heap order: higher count first, then the smaller pair of ids. */
function before(a: QueueEntry, b: QueueEntry): boolean {
  if (a.count !== b.count) return a.count > b.count;
  return a.left !== b.left ? a.left < b.left : a.right < b.right;
}

class PairQueue {
  private readonly heap: QueueEntry[] = [];

  get size(): number {
    return this.heap.length;
  }

  push(entry: QueueEntry): void {
    const heap = this.heap;
    heap.push(entry);
    let i = heap.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!before(heap[i]!, heap[parent]!)) break;
      [heap[i], heap[parent]] = [heap[parent]!, heap[i]!];
      i = parent;
    }
  }

  pop(): QueueEntry | undefined {
    const heap = this.heap;
    const top = heap[0];
    const last = heap.pop();
    if (heap.length > 0 && last) {
      heap[0] = last;
      for (let i = 0; ; ) {
        const l = 2 * i + 1;
        const r = l + 1;
        let best = i;
        if (l < heap.length && before(heap[l]!, heap[best]!)) best = l;
        if (r < heap.length && before(heap[r]!, heap[best]!)) best = r;
        if (best === i) break;
        [heap[i], heap[best]] = [heap[best]!, heap[i]!];
        i = best;
      }
    }
    return top;
  }
}

/**
 * Learns merges from words with (integer or fractional) counts. Each word is a sequence of code points; no
 * merge crosses a word. Incremental: after a merge only the words holding the pair are re-read.
 */
export function learnSubwords(wordCounts: ReadonlyMap<string, number>, options: LearnSubwordsOptions): SubwordMerge[] {
  const minCount = options.minCount ?? 1;
  const alphabet = new Set<number>();
  for (const word of wordCounts.keys()) for (const ch of word) alphabet.add(ch.codePointAt(0)!);
  const tokens = [...alphabet].sort((a, b) => a - b).map((cp) => String.fromCodePoint(cp));
  const idOf = new Map(tokens.map((t, i) => [t, i]));

  const words: number[][] = [];
  const counts: number[] = [];
  for (const [word, count] of wordCounts) {
    if (count <= 0) continue;
    words.push(Array.from(word, (ch) => idOf.get(ch)!));
    counts.push(count);
  }

  const pairCounts = new Map<number, number>();
  const pairWords = new Map<number, Set<number>>();
  const addPair = (left: number, right: number, word: number, delta: number) => {
    const key = pairKey(left, right);
    pairCounts.set(key, (pairCounts.get(key) ?? 0) + delta);
    if (delta > 0) {
      let set = pairWords.get(key);
      if (!set) pairWords.set(key, (set = new Set()));
      set.add(word);
    }
  };
  for (let w = 0; w < words.length; w++) {
    const symbols = words[w]!;
    for (let i = 0; i + 1 < symbols.length; i++) addPair(symbols[i]!, symbols[i + 1]!, w, counts[w]!);
  }
  const queue = new PairQueue();
  for (const [key, count] of pairCounts) queue.push({ count, left: Math.floor(key / PAIR_SHIFT), right: key % PAIR_SHIFT });

  const merges: SubwordMerge[] = [];
  while (merges.length < options.maxMerges && queue.size > 0) {
    const top = queue.pop()!;
    const key = pairKey(top.left, top.right);
    const current = pairCounts.get(key) ?? 0;
    if (current !== top.count) {
      // Counts only fall after the entry was queued (merges use up occurrences): requeue at the current count.
      if (current > 0) queue.push({ ...top, count: current });
      continue;
    }
    if (current < minCount || current <= 0) break;
    const merged = tokens[top.left]! + tokens[top.right]!;
    let newId = idOf.get(merged);
    if (newId === undefined) {
      newId = tokens.length;
      tokens.push(merged);
      idOf.set(merged, newId);
    }
    merges.push([tokens[top.left]!, tokens[top.right]!]);

    const created = new Set<number>();
    for (const w of pairWords.get(key) ?? []) {
      const symbols = words[w]!;
      const count = counts[w]!;
      for (let i = 0; i + 1 < symbols.length; i++) {
        if (symbols[i] !== top.left || symbols[i + 1] !== top.right) continue;
        if (i > 0) addPair(symbols[i - 1]!, top.left, w, -count);
        if (i + 2 < symbols.length) addPair(top.right, symbols[i + 2]!, w, -count);
        addPair(top.left, top.right, w, -count);
        symbols.splice(i, 2, newId);
        if (i > 0) {
          addPair(symbols[i - 1]!, newId, w, count);
          created.add(pairKey(symbols[i - 1]!, newId));
        }
        if (i + 1 < symbols.length) {
          addPair(newId, symbols[i + 1]!, w, count);
          created.add(pairKey(newId, symbols[i + 1]!));
        }
      }
    }
    pairWords.delete(key);
    pairCounts.delete(key);
    for (const k of [...created].sort((a, b) => a - b)) {
      const count = pairCounts.get(k) ?? 0;
      if (count > 0) queue.push({ count, left: Math.floor(k / PAIR_SHIFT), right: k % PAIR_SHIFT });
    }
  }
  return merges;
}

/**
 * Splits words into learned units by applying the merges in rank order (lowest rank first, every occurrence of
 * that pair left to right), as a BPE tokenizer does. Characters never seen in training stay single units.
 */
export class SubwordSegmenter {
  private readonly ranks = new Map<string, number>();

  constructor(readonly merges: readonly SubwordMerge[]) {
    merges.forEach(([left, right], rank) => {
      const key = `${left}\u0000${right}`;
      if (!this.ranks.has(key)) this.ranks.set(key, rank);
    });
  }

  /** Uncached: the featuriser keeps each word's unit hashes (features.ts), the only repeated caller. */
  segment(word: string): readonly string[] {
    const units = Array.from(word);
    for (;;) {
      let bestRank = Infinity;
      let bestAt = -1;
      for (let i = 0; i + 1 < units.length; i++) {
        const rank = this.ranks.get(`${units[i]}\u0000${units[i + 1]}`);
        if (rank !== undefined && rank < bestRank) {
          bestRank = rank;
          bestAt = i;
        }
      }
      if (bestAt < 0) break;
      const [left, right] = [units[bestAt]!, units[bestAt + 1]!];
      for (let i = bestAt; i + 1 < units.length; i++) {
        if (units[i] === left && units[i + 1] === right) units.splice(i, 2, left + right);
      }
    }
    return units;
  }
}

/** One merge per line, "left right" — the merges.txt layout of BPE tokenizers. Tokens never hold spaces. */
export function formatSubwordMerges(merges: readonly SubwordMerge[]): string {
  return merges.map(([left, right]) => `${left} ${right}\n`).join('');
}

export function parseSubwordMerges(text: string, source: string): SubwordMerge[] {
  const merges: SubwordMerge[] = [];
  text.split('\n').forEach((line, i) => {
    if (line === '') return;
    const parts = line.split(' ');
    if (parts.length !== 2 || parts[0] === '' || parts[1] === '') throw new Error(`${source}:${i + 1}: expected "left right", got ${JSON.stringify(line)}`);
    merges.push([parts[0]!, parts[1]!]);
  });
  return merges;
}
