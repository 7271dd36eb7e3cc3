/**
 * One collection's words in memory — word → (passage, term frequency) postings and each passage's length — for the
 * translated BM25 of the translate modes (translated-bm25.ts). FTS5 cannot weigh terms, and reading per-term
 * postings out of it (fts5vocab) costs microseconds a row, so a query touching a frequent English word ("the" in
 * thousands of passages) would take tens of milliseconds; here a posting costs an array step.
 *
 * Passages are numbered by slot (0, 1, …) so that scorers can keep per-passage sums in flat arrays. Built on first
 * use from the passages' BM25 text, then kept in step with SQLite's change log like the ANN index
 * (collection-index.ts): each `sync()` reads passages added since (ids only grow) and tombstones since. A deleted
 * passage's slot is marked dead (length −1) and its postings stay behind until deleted passages outnumber live
 * ones; then the postings and slots are compacted in memory.
 */
import type { SqliteDocumentStore, SyncCursor } from './document-store.js';

type TermIndexStore = Pick<SqliteDocumentStore, 'syncHead' | 'searchTextsBetween' | 'tombstonesBetween'>;

export interface Postings {
  readonly slots: readonly number[];
  readonly counts: readonly number[];
}

export interface TermIndex {
  /** Reads the collection's changes since the last sync (every read below sees what sync saw). */
  sync(): void;
  /** Live passages and their total words (BM25's N and mean length). */
  readonly passages: number;
  readonly words: number;
  /** Slots are 0 … slots − 1. */
  readonly slots: number;
  /** A slot's word count; −1 for a deleted passage (skip its postings). */
  lengthAt(slot: number): number;
  labelAt(slot: number): number;
  /** The passages holding `word` (dead slots included), with its count in each. */
  postingsOf(word: string): Postings | undefined;
}

export function createTermIndex(store: TermIndexStore, collectionId: number): TermIndex {
  let postings = new Map<string, { slots: number[]; counts: number[] }>();
  let labels: number[] = [];
  let lengths: number[] = [];
  let slotOf = new Map<number, number>();
  let words = 0;
  let deadSlots = 0;
  let read: SyncCursor = { passageId: 0, tombstoneSeq: 0 };

  const add = (label: number, searchText: string) => {
    if (searchText === '') return;
    const tokens = searchText.split(' ');
    const slot = labels.length;
    const counts = new Map<string, number>();
    for (const token of tokens) counts.set(token, (counts.get(token) ?? 0) + 1);
    for (const [word, count] of counts) {
      let list = postings.get(word);
      if (!list) postings.set(word, (list = { slots: [], counts: [] }));
      list.slots.push(slot);
      list.counts.push(count);
    }
    labels.push(label);
    lengths.push(tokens.length);
    slotOf.set(label, slot);
    words += tokens.length;
  };

  const remove = (label: number) => {
    const slot = slotOf.get(label);
    if (slot === undefined) return;
    slotOf.delete(label);
    words -= lengths[slot]!;
    lengths[slot] = -1;
    deadSlots += 1;
  };

  /** Drops dead slots and their postings, renumbering the live slots in order. */
  const compact = () => {
    const newSlot = new Int32Array(labels.length).fill(-1);
    const keptLabels: number[] = [];
    const keptLengths: number[] = [];
    labels.forEach((label, slot) => {
      if (lengths[slot]! < 0) return;
      newSlot[slot] = keptLabels.length;
      keptLabels.push(label);
      keptLengths.push(lengths[slot]!);
    });
    const kept = new Map<string, { slots: number[]; counts: number[] }>();
    for (const [word, list] of postings) {
      const next = { slots: [] as number[], counts: [] as number[] };
      list.slots.forEach((slot, i) => {
        if (newSlot[slot]! < 0) return;
        next.slots.push(newSlot[slot]!);
        next.counts.push(list.counts[i]!);
      });
      if (next.slots.length > 0) kept.set(word, next);
    }
    postings = kept;
    labels = keptLabels;
    lengths = keptLengths;
    slotOf = new Map(keptLabels.map((label, slot) => [label, slot]));
    deadSlots = 0;
  };

  const startOver = () => {
    postings = new Map();
    labels = [];
    lengths = [];
    slotOf = new Map();
    words = 0;
    deadSlots = 0;
    read = { passageId: 0, tombstoneSeq: 0 };
  };

  return {
    sync() {
      const head = store.syncHead(collectionId);
      // The database went backwards (restored from an older copy): read it again from the start.
      if (head.passageId < read.passageId || head.tombstoneSeq < read.tombstoneSeq) startOver();
      // A first read takes the passages that exist now: the tombstones before it are of passages it will not see.
      if (read.passageId === 0) read = { passageId: 0, tombstoneSeq: head.tombstoneSeq };
      if (head.passageId > read.passageId) {
        for (const [label, searchText] of store.searchTextsBetween(collectionId, read.passageId, head.passageId)) add(label, searchText);
      }
      if (head.tombstoneSeq > read.tombstoneSeq) {
        for (const { passageId } of store.tombstonesBetween(collectionId, read.tombstoneSeq, head.tombstoneSeq)) remove(passageId);
        if (deadSlots > slotOf.size) compact();
      }
      read = head;
    },
    get passages() {
      return slotOf.size;
    },
    get words() {
      return words;
    },
    get slots() {
      return labels.length;
    },
    lengthAt: (slot) => lengths[slot]!,
    labelAt: (slot) => labels[slot]!,
    postingsOf: (word) => postings.get(word),
  };
}
