/**
 * Keeps one collection's ANN index in step with SQLite. The index follows the store's change log (new passage
 * ids, tombstones), so the same `sync()` serves writes from this process, writes from another process (the
 * CLI indexing while the server runs) and recovery after a crash; a missing or corrupt file means a rebuild.
 */
import path from 'node:path';
import type { DocumentStore } from './document-store.js';
import { HnswVectorStore } from './hnsw-store.js';
import type { Logger } from './logger.js';
import type { CollectionRecord } from './types.js';

/**
 * During a gradual catch-up, vectors are added for at most this long per event-loop turn: an HNSW insert costs
 * from ~0.1 ms (small graph) to several ms (large graph, high efConstruction, busy machine), so a time budget
 * bounds the stall a search can see where a fixed count did not.
 */
const SYNC_SLICE_MS = 4;
/**
 * Rows read from SQLite per page during a catch-up. Small: a slice on a large graph adds only a few vectors, and rows
 * read but not added are read again next turn.
 */
const SYNC_PAGE = 16;
/**
 * How long a search waits for another process's writes (the CLI, another server worker) to enter the index. Small
 * writes are visible to the very next search; the rest of a large batch enters in the background (see syncGradually).
 */
export const FOREGROUND_SYNC_MS = 10;

export interface CollectionIndexOptions {
  store: DocumentStore;
  collection: CollectionRecord;
  /** Directory for index files; undefined keeps the index in memory only. */
  indexDir: string | undefined;
  /** Load the index file but never write it (another process owns the files). */
  readOnlyFiles?: boolean;
  logger: Logger;
}

export class CollectionIndex {
  readonly collection: CollectionRecord;
  private vectors: HnswVectorStore;
  private readonly store: DocumentStore;
  private readonly base: string | undefined;
  private readonly readOnlyFiles: boolean;
  private readonly logger: Logger;
  private dirty = false;
  private catchingUp = false;
  /**
   * SQLite may hold changes the index lacks. Set by the engine after its own writes and when another process
   * wrote (data_version moved); cleared by a completed sync. Lets the sync on every search skip its query.
   */
  private stale = true;
  /** A background save in progress: the graph must not change until it settles. */
  private saving: Promise<void> | undefined;
  /** Dropped or closing: a background save must not put its files in place any more. */
  private abandoned = false;

  private constructor(options: CollectionIndexOptions, vectors: HnswVectorStore, base: string | undefined) {
    this.collection = options.collection;
    this.store = options.store;
    this.logger = options.logger;
    this.base = base;
    this.readOnlyFiles = options.readOnlyFiles ?? false;
    this.vectors = vectors;
  }

  static open(options: CollectionIndexOptions): CollectionIndex {
    const { collection, logger } = options;
    const base = options.indexDir === undefined ? undefined : path.join(options.indexDir, collection.name);
    const storeOptions = { base, dim: collection.dim, params: collection.config.hnsw, collectionId: collection.id };
    let vectors: HnswVectorStore | undefined;
    if (base !== undefined) {
      const loaded = HnswVectorStore.load({ ...storeOptions, base });
      vectors = loaded.store;
      if (!vectors && options.store.counts(collection.id).passages > 0) {
        logger.warn({ collection: collection.name, reason: loaded.reason }, 'rebuilding vector index from SQLite');
      }
    }
    const index = new CollectionIndex(options, vectors ?? HnswVectorStore.create(storeOptions), base);
    index.sync();
    return index;
  }

  get size(): number {
    return this.vectors.size;
  }

  get vectorStore(): HnswVectorStore {
    return this.vectors;
  }

  /**
   * Catches up with this process's own write in time-bounded slices (SYNC_SLICE_MS), yielding to the event loop
   * between slices: a large batch enters the graph without stalling concurrent searches (they see it
   * progressively; BM25 sees it at once). Resolves when the index is complete.
   */
  async syncGradually(sliceMs = SYNC_SLICE_MS): Promise<void> {
    while (this.saving) await this.saving.catch(() => undefined);
    if (this.catchingUp) return;
    this.catchingUp = true;
    try {
      for (;;) {
        const started = performance.now();
        let last = -1;
        for (const { label, vector } of this.store.vectorsAfter(this.collection.id, this.vectors.cursor.passageId, SYNC_PAGE)) {
          this.vectors.add(label, vector);
          last = label;
          if (performance.now() - started >= sliceMs) break;
        }
        if (last < 0) break;
        this.vectors.cursor = { passageId: last, tombstoneSeq: this.vectors.cursor.tombstoneSeq };
        this.dirty = true;
        await new Promise((resolve) => setImmediate(resolve));
      }
    } finally {
      this.catchingUp = false;
    }
    this.sync(); // tombstones, the head mark, compaction
  }

  /** The database changed (a write here or in another process): the next sync must look. */
  markStale(): void {
    this.stale = true;
  }

  /**
   * Applies every change SQLite has that the index lacks; free when nothing was written since the last sync. With
   * a budget, vectors are added for at most `budgetMs` and the rest continues in the background (tombstones wait
   * for it, so a deletion can never be applied before the insert it undoes).
   */
  sync(budgetMs = Infinity): void {
    if (!this.stale) return;
    // A gradual catch-up or a background save is under way: searches use the index as it stands (another
    // process's writes show up on the first search after it).
    if (this.catchingUp || this.saving) return;
    this.stale = false;
    const head = this.store.syncHead(this.collection.id);
    const cursor = this.vectors.cursor;
    if (head.passageId === cursor.passageId && head.tombstoneSeq === cursor.tombstoneSeq) return;
    if (head.passageId < cursor.passageId || head.tombstoneSeq < cursor.tombstoneSeq) {
      // The database went backwards (restored from an older backup): the index is from the future.
      this.logger.warn({ collection: this.collection.name }, 'index is ahead of the database; rebuilding');
      this.rebuild();
      return;
    }
    const started = performance.now();
    let added = 0;
    let last = -1;
    let cut = false;
    for (const { label, vector } of this.store.vectorsAfter(this.collection.id, cursor.passageId)) {
      if (performance.now() - started >= budgetMs) {
        cut = true;
        break;
      }
      this.vectors.add(label, vector);
      added++;
      last = label;
    }
    if (cut) {
      if (last >= 0) this.vectors.cursor = { passageId: last, tombstoneSeq: cursor.tombstoneSeq };
      this.dirty = true;
      this.stale = true;
      this.syncGradually().catch((error: unknown) => this.logger.error({ err: error, collection: this.collection.name }, 'background index catch-up failed'));
      return;
    }
    const tombstones = this.store.tombstonesAfter(this.collection.id, cursor.tombstoneSeq);
    for (const t of tombstones) this.vectors.remove(t.passageId);
    this.vectors.cursor = head;
    // A head that moved only because another collection was written changes nothing here worth a save.
    if (added > 0 || tombstones.length > 0) this.dirty = true;
    this.logger.debug({ collection: this.collection.name, added, removed: tombstones.length }, 'vector index synced');
    if (this.vectors.needsCompaction()) {
      this.logger.info({ collection: this.collection.name }, 'compacting vector index (too many deleted slots)');
      this.rebuild();
    }
  }

  /** Builds a fresh index from every vector in SQLite. */
  rebuild(): void {
    const started = Date.now();
    this.vectors = HnswVectorStore.create({ base: this.base, dim: this.collection.dim, params: this.collection.config.hnsw, collectionId: this.collection.id });
    const head = this.store.syncHead(this.collection.id);
    for (const { label, vector } of this.store.vectorsAfter(this.collection.id, 0)) this.vectors.add(label, vector);
    this.vectors.cursor = head;
    this.dirty = true;
    this.logger.info({ collection: this.collection.name, vectors: this.vectors.size, ms: Date.now() - started }, 'vector index rebuilt');
  }

  /** Writes the index to disk if it changed since the last save. */
  save(): void {
    if (!this.dirty || this.readOnlyFiles) return;
    this.vectors.save();
    this.dirty = false;
  }

  /**
   * Writes the index to disk without blocking searches (see HnswVectorStore.saveInBackground). Skipped while a
   * catch-up is under way; the write that caused it schedules another save.
   */
  async saveInBackground(): Promise<void> {
    if (!this.dirty || this.readOnlyFiles || this.saving || this.catchingUp || this.abandoned) return;
    this.dirty = false;
    const saving = this.vectors.saveInBackground(() => !this.abandoned).then(
      (committed) => {
        if (!committed) this.dirty = true;
      },
      (error: unknown) => {
        this.dirty = true;
        throw error;
      },
    );
    this.saving = saving.finally(() => {
      this.saving = undefined;
    });
    await this.saving;
  }

  /** Stops a background save from committing (collection dropped, or a synchronous save at shutdown follows). */
  abandonBackgroundSave(): void {
    if (this.saving) this.dirty = true;
    this.abandoned = true;
  }

  get needsSave(): boolean {
    return this.dirty && !this.readOnlyFiles;
  }

  static removeFiles(indexDir: string, name: string): void {
    HnswVectorStore.removeFiles(path.join(indexDir, name));
  }
}
