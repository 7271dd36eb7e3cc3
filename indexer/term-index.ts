/**
 * One collection's words in memory — word → (passage, term frequency) postings and each passage's length — for the
 * translated BM25 of the translate modes (translated-bm25.ts). FTS5 cannot weigh terms, and reading per-term
 * postings out of it (fts5vocab) costs microseconds a row, so a query touching a frequent English word ("the" in
 * thousands of passages) would take tens of milliseconds; here a posting costs a map step.
 *
 * Built on first use from the passages' BM25 text, then kept in step with SQLite's change log like the ANN index
 * (collection-index.ts): each `sync()` reads passages added since (ids only grow) and tombstones since. A deleted
 * passage leaves its postings behind as dead entries that readers skip (its length is gone); once deleted
 * passages outnumber live ones, the postings are compacted in memory.
 */
import type { DocumentStore, SyncCursor } from './document-store.js';

type TermIndexStore = Pick<DocumentStore, 'syncHead' | 'searchTextsBetween' | 'tombstonesBetween'>;

interface Postings {
  labels: number[];
  counts: number[];
}

export interface TermIndex {
  /** Reads the collection's changes since the last sync (every read below sees what sync saw). */
  sync(): void;
  /** Live passages and their total words (BM25's N and mean length). */
  readonly passages: number;
  readonly words: number;
  /** The word count of a live passage, undefined for a deleted or unknown one. */
  lengthOf(label: number): number | undefined;
  /** Calls `visit` for each live passage containing `word`, with the word's count there. */
  forEachPosting(word: string, visit: (label: number, count: number) => void): void;
}

export function createTermIndex(store: TermIndexStore, collectionId: number): TermIndex {
  let postings = new Map<string, Postings>();
  const lengths = new Map<number, number>();
  let words = 0;
  /** Passages deleted since the last compaction: their postings are still in `postings`. */
  let deadPassages = 0;
  let read: SyncCursor = { passageId: 0, tombstoneSeq: 0 };

  const add = (label: number, searchText: string) => {
    if (searchText === '') return;
    const tokens = searchText.split(' ');
    const counts = new Map<string, number>();
    for (const token of tokens) counts.set(token, (counts.get(token) ?? 0) + 1);
    for (const [word, count] of counts) {
      let list = postings.get(word);
      if (!list) postings.set(word, (list = { labels: [], counts: [] }));
      list.labels.push(label);
      list.counts.push(count);
    }
    lengths.set(label, tokens.length);
    words += tokens.length;
  };

  const remove = (label: number) => {
    const length = lengths.get(label);
    if (length === undefined) return;
    lengths.delete(label);
    words -= length;
    deadPassages += 1;
  };

  const compact = () => {
    const kept = new Map<string, Postings>();
    for (const [word, list] of postings) {
      const next: Postings = { labels: [], counts: [] };
      list.labels.forEach((label, i) => {
        if (lengths.has(label)) {
          next.labels.push(label);
          next.counts.push(list.counts[i]!);
        }
      });
      if (next.labels.length > 0) kept.set(word, next);
    }
    postings = kept;
    deadPassages = 0;
  };

  const startOver = () => {
    postings = new Map();
    lengths.clear();
    words = 0;
    deadPassages = 0;
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
        if (deadPassages > lengths.size) compact();
      }
      read = head;
    },
    get passages() {
      return lengths.size;
    },
    get words() {
      return words;
    },
    lengthOf: (label) => lengths.get(label),
    forEachPosting(word, visit) {
      const list = postings.get(word);
      if (!list) return;
      const { labels, counts } = list;
      for (let i = 0; i < labels.length; i++) {
        if (lengths.has(labels[i]!)) visit(labels[i]!, counts[i]!);
      }
    },
  };
}
