/**
 * Keeps one collection's ANN index in step with SQLite. The index follows the store's change log (new passage
 * ids, tombstones), so the same `sync()` serves writes from this process, writes from another process (the
 * CLI, another server worker) and recovery after a crash; a missing, corrupt or unsound file means a rebuild.
 *
 * A sync only reads: passages SQLite has and the HNSW graph lacks go to `pending`, where searches score them
 * exactly, and a background job moves them into the graph in time-bounded slices. So a search sees every passage
 * committed before it began however far behind the graph is, and never waits for graph inserts. The same job
 * compacts the graph (rebuilds it without deleted slots) in slices while the old graph keeps serving
 * (graph-compaction.ts), and the passages it moved into the graph last stay scored exactly (recent-passages.ts,
 * tiered-search.ts). A graph another process saved that holds passages still pending is taken instead of inserting them
 * (saved-graph-adoption.ts). This file wires them: the job is background-job.ts, saves are graph-saves.ts.
 */
import type { SqliteDocumentStore as DocumentStore, SyncCursor } from './document-store.js';
import { indexBaseOf } from './data-dir.js';
import {
  createGraphStore, DEFAULT_GRAPH, loadGraphStore, removeGraphFiles, savedGraphStamp, type GraphChoice, type GraphStore,
} from './graph-store.js';
import type { GraphFileVerifier } from './graph-file-check.js';
import { fitToSavedGraph, SavedGraphAdoption, type AdoptableGraph } from './saved-graph-adoption.js';
import { SavedCalibrations, type DroppedCalibration } from './saved-calibration.js';
import type { Logger } from '../core/logger.js';
import type { CollectionRecord } from './types.js';
import { searchBreadthOf, type EfCalibration, type EfSource } from './config.js';
import { calibrateCollectionGraph, calibrationDue } from './ef-calibration.js';
import type { VectorHit } from './vector-store.js';
import { addInBulk, SLICE_MS } from './graph-filling.js';
import { compactInSlices } from './graph-compaction.js';
import { BackgroundJob } from './background-job.js';
import { GraphSaves } from './graph-saves.js';
import { PendingPassages } from './pending-passages.js';
import { RecentPassages } from './recent-passages.js';
import { searchTiers } from './tiered-search.js';

export interface CollectionIndexOptions {
  store: DocumentStore;
  collection: CollectionRecord;
  /** Directory for index files; undefined keeps the index in memory only. */
  indexDir: string | undefined;
  /** Load the index file but never write it (another process owns the files). */
  readOnlyFiles?: boolean;
  logger: Logger;
  /**
   * Read SQLite's changes at once (default). False: the first sync or catch-up reads them — `catchUpNow` right
   * after opening streams a large backlog into the graph without holding it as pending vectors first.
   */
  syncOnOpen?: boolean;
  /** Called when the background job has put every pending passage in the graph (time to save it). */
  onCaughtUp?: () => void;
  /** The ANN library (and its settings) of graphs built anew; a saved index is read by the library that wrote it. */
  graph?: GraphChoice;
  /** How the background job verifies a graph another process saved before adopting it (default: on a worker thread). */
  graphFileVerifier?: GraphFileVerifier;
  /** How often the background job looks for such a graph while passages are pending (default ADOPTION_CHECK_MS). */
  adoptionCheckMs?: number;
}

export class CollectionIndex {
  readonly collection: CollectionRecord;
  private graph: GraphStore;
  private readonly graphChoice: GraphChoice;
  /** Passages read from SQLite and not yet in the graph, in id order. */
  private readonly pending: PendingPassages;
  /** The latest passages moved into the graph, searched exactly too. */
  private readonly recent: RecentPassages;
  /** How far into SQLite's change log this index has read; the graph's own cursor (what its file holds) trails it. */
  private read: SyncCursor;
  private readonly store: DocumentStore;
  private readonly base: string | undefined;
  private readonly logger: Logger;
  private readonly onCaughtUp: () => void;
  /** Whether the graph differs from its file, and saving it. */
  private readonly saves: GraphSaves;
  /** Inserting pending passages, compacting, adopting: one job at a time. */
  private readonly job: BackgroundJob;
  /**
   * SQLite may hold changes the index lacks. Set by the engine after its own writes and when another process
   * wrote (data_version moved); cleared by a sync. Lets the sync on every search skip its query.
   */
  private stale = true;
  /** Graphs saved by another process that may replace this one (undefined: no files). */
  private readonly adoption: SavedGraphAdoption | undefined;
  /** Calibrations other processes saved with the graph's file, weighed before a save replaces it. */
  private readonly savedCalibrations: SavedCalibrations | undefined;

  private constructor(options: CollectionIndexOptions, graph: GraphStore, base: string | undefined, stamp: string | undefined) {
    this.collection = options.collection;
    this.graphChoice = options.graph ?? DEFAULT_GRAPH;
    this.store = options.store;
    this.logger = options.logger;
    this.onCaughtUp = options.onCaughtUp ?? (() => undefined);
    this.base = base;
    this.graph = graph;
    this.read = { ...graph.cursor };
    this.recent = new RecentPassages(options.store, options.collection.id, options.collection.dim);
    this.pending = new PendingPassages(options.collection.dim);
    this.adoption = base === undefined ? undefined : new SavedGraphAdoption({
      base, choice: this.graphChoice, collection: options.collection, store: options.store, logger: options.logger, verifier: options.graphFileVerifier, checkMs: options.adoptionCheckMs, seen: stamp,
    });
    this.savedCalibrations = base === undefined ? undefined : new SavedCalibrations({ base, collection: options.collection, logger: options.logger, seen: stamp });
    this.saves = new GraphSaves({
      graph: () => this.graph,
      beforeSave: () => this.savedCalibrations?.weigh(this.graph, this.size),
      hiddenApplied: () => {
        this.advanceGraphCursor();
        this.job.start(); // compaction may be due
      },
    }, options.readOnlyFiles ?? false);
    this.job = new BackgroundJob({
      hasWork: () => this.pending.size > 0 || this.graph.needsCompaction(),
      saving: () => this.saves.inProgress,
      abandoned: () => this.saves.abandoned,
      adoptIfDue: () => (this.pending.size > 0 && this.adoption?.due() ? this.adoptSavedGraphInBackground() : undefined),
      step: () => (this.graph.needsCompaction() ? this.compact() : this.insertPendingSlice()),
      starting: () => this.adoption?.lookSoon(),
      caughtUp: () => this.onCaughtUp(),
      failed: (error) => this.logger.error({ err: error, collection: this.collection.name }, 'background vector index work failed'),
    });
  }

  /** Loads the saved graph (or starts an empty one) and reads what SQLite has beyond it; the graph catches up in the background. */
  static open(options: CollectionIndexOptions): CollectionIndex {
    const { collection, logger } = options;
    const base = options.indexDir === undefined ? undefined : indexBaseOf(options.indexDir, collection.name);
    const choice = options.graph ?? DEFAULT_GRAPH;
    let graph: GraphStore | undefined;
    const stamp = base === undefined ? undefined : savedGraphStamp(base);
    if (base !== undefined) {
      const loaded = loadGraphStore(choice, { base, dim: collection.dim, params: collection.config.hnsw, collectionId: collection.id });
      graph = loaded.store;
      if (!graph && options.store.counts(collection.id).passages > 0) {
        // No saved index (right after a re-index, or files removed) is routine; one that fails a check is not.
        if (loaded.missing) logger.info({ collection: collection.name }, 'building vector index from SQLite (no saved index)');
        else logger.warn({ collection: collection.name, reason: loaded.reason }, 'rebuilding vector index from SQLite');
      }
    }
    const index = new CollectionIndex(options, graph ?? CollectionIndex.emptyGraph(choice, collection, base), base, stamp);
    index.recent.read(index.graph.cursor.passageId);
    if (options.syncOnOpen ?? true) index.sync();
    return index;
  }

  private static emptyGraph(choice: GraphChoice, collection: CollectionRecord, base: string | undefined): GraphStore {
    return createGraphStore(choice, { base, dim: collection.dim, params: collection.config.hnsw, collectionId: collection.id });
  }

  /** Searchable vectors: those in the graph and those pending. */
  get size(): number {
    return this.graph.size - this.saves.hidden.size + this.pending.size;
  }

  /** The HNSW graph alone (without pending passages). */
  get vectorStore(): GraphStore {
    return this.graph;
  }

  /** The database changed (a write here or in another process): the next sync must look. */
  markStale(): void {
    this.stale = true;
  }

  /**
   * Reads every change SQLite has that the index lacks, up to the head it reads first: new passages become
   * pending, deletions apply at once. Free when nothing was written since the last sync; never inserts into the
   * graph itself (the background job does), so its cost is reading rows.
   */
  sync(): void {
    if (!this.stale) return;
    this.stale = false;
    const head = this.readHead();
    // A graph another process saved may hold the new rows: then they are not read (and held) as pending first.
    if (head.passageId > this.read.passageId && this.adoptSavedGraph()) return;
    for (const { label, vector } of this.store.vectorsBetween(this.collection.id, this.read.passageId, head.passageId)) {
      this.pending.add(label, vector);
    }
    this.applyTombstonesUpTo(head);
    this.read = head;
    this.advanceGraphCursor();
    this.job.start();
  }

  /**
   * Syncs, then resolves once the graph holds every passage SQLite had: a write is acknowledged after this, so
   * writers cannot outrun the graph (searches would see the write without it, through `pending`).
   */
  async catchUp(): Promise<void> {
    this.sync();
    const target = this.read.passageId;
    while (!this.saves.abandoned && this.graph.cursor.passageId < target) {
      this.job.start();
      if (!this.job.running) break;
      await this.job.nextProgress();
    }
    if (!this.saves.abandoned && this.graph.cursor.passageId < target) throw new Error(`vector index of "${this.collection.name}" could not catch up`);
  }

  /**
   * Puts every passage SQLite has into the graph now, synchronously (before a final save, after a bulk import).
   * Rows the index has not read yet go from SQLite to the graph page by page, not through `pending`: after a
   * large import the vectors are not held in memory twice (pending and graph).
   */
  catchUpNow(): void {
    this.stale = true;
    if (this.saves.inProgress) {
      this.sync(); // the graph must not change under a save still writing it; the next start catches up
      return;
    }
    this.stale = false;
    const head = this.readHead();
    if (this.pending.size > 0) this.saves.dirty = true;
    for (let next = this.pending.shift(); next; next = this.pending.shift()) this.moveIntoGraph(next.label, next.vector);
    if (addInBulk(this.graph, this.store, this.collection, this.read.passageId, head.passageId) > 0) this.saves.dirty = true;
    // Tombstones after the rows: a passage inserted and deleted since the last read is simply absent from both.
    this.applyTombstonesUpTo(head);
    this.read = head;
    this.advanceGraphCursor();
    this.recent.read(this.graph.cursor.passageId);
  }

  /** The change log's head; when the database went backwards (restored from an older backup), starts over first. */
  private readHead(): SyncCursor {
    const head = this.store.syncHead(this.collection.id);
    if (head.passageId < this.read.passageId || head.tombstoneSeq < this.read.tombstoneSeq) {
      this.logger.warn({ collection: this.collection.name }, 'index is ahead of the database; rebuilding');
      this.startOver();
    }
    return head;
  }

  /** Deletions read since the last sync, up to `head`. */
  private applyTombstonesUpTo(head: SyncCursor): void {
    for (const { passageId } of this.store.tombstonesBetween(this.collection.id, this.read.tombstoneSeq, head.tombstoneSeq)) this.removeLabel(passageId);
  }

  /**
   * Nearest neighbours among every passage read from SQLite: the graph's, merged with the pending and the recent
   * ones scored exactly (a recent passage the graph found too is counted once). The graph's breadth: the request's
   * ef, else the collection's, else the default for the collection's size (pending passages included).
   */
  search(query: Float32Array, k: number, filter?: (label: number) => boolean, requestedEf?: number): VectorHit[] {
    this.sync();
    this.recent.refillIfShort(this.graph.cursor.passageId);
    const { ef } = this.searchBreadth(requestedEf);
    const hidden = this.saves.hidden;
    const visible = hidden.size === 0 ? filter : (label: number) => !hidden.has(label) && (filter?.(label) ?? true);
    return searchTiers({ graph: this.graph, pending: this.pending, recent: this.recent, store: this.store }, query, k, filter, visible, ef);
  }

  /** The ef a search asking for `requestedEf` uses, and where it comes from (config.ts, searchBreadthOf). */
  searchBreadth(requestedEf?: number): { ef: number; source: EfSource } {
    return searchBreadthOf(requestedEf, this.collection.config.hnsw, this.size, this.graph.efCalibration);
  }

  /** The ef measured on the graph (ef-calibration.ts), whether or not it still holds for the collection's size. */
  get efCalibration(): EfCalibration | undefined {
    return this.graph.efCalibration;
  }

  /** The last calibration another process saved with the graph that this one did not keep, and why. */
  get droppedCalibration(): DroppedCalibration | undefined {
    return this.savedCalibrations?.dropped;
  }

  /**
   * Takes the calibration another process saved with the graph's file since the last look, when this graph is to keep
   * it (saved-calibration.ts): a server that saved its graph before the CLI saved the same passages calibrated. One
   * stat when no one saved. A save in progress replaces that file: the next save writes the calibration again.
   */
  followSavedCalibration(): void {
    if (this.savedCalibrations?.weigh(this.graph, this.size) && this.saves.inProgress) this.saves.dirty = true;
  }

  /**
   * After a bulk build (the CLI's catch-up, before its save): measures the ef the graph needs, searched as search() does,
   * when ef-calibration.ts says it is due; the calibration goes into the graph's manifest at the next save. Synchronous
   * (seconds at 1M passages): not for the server's event loop.
   */
  calibrateEfIfDue(): EfCalibration | undefined {
    if (this.pending.size > 0 || this.saves.inProgress || !calibrationDue(this.collection.config.hnsw, this.graph.size, this.graph.efCalibration)) return undefined;
    return this.calibrateEf();
  }

  /** Measures the graph's ef now, whether due or not (benchmarks), and keeps it with the graph. */
  calibrateEf(): EfCalibration {
    const calibration = calibrateCollectionGraph({
      search: (query, k, ef) => this.search(query, k, undefined, ef),
      store: this.store,
      collection: this.collection,
      passages: this.graph.size,
      through: this.graph.cursor.passageId,
      logger: this.logger,
    });
    this.graph.efCalibration = calibration;
    this.saves.dirty = true;
    return calibration;
  }

  /** Into the graph from `pending`, remembered among the recent passages (the oldest of which is forgotten). */
  private moveIntoGraph(label: number, vector: Float32Array): void {
    this.graph.add(label, vector);
    this.recent.add(label, vector);
  }

  private removeLabel(label: number): void {
    this.recent.remove(label);
    if (this.pending.delete(label)) return;
    this.saves.remove(label);
  }

  /**
   * The graph holds every live passage below the first pending one (pending is in id order), and every deletion
   * read so far unless some wait for a save to settle.
   */
  private advanceGraphCursor(): void {
    const firstPending = this.pending.firstLabel();
    const passageId = firstPending === undefined ? this.read.passageId : firstPending - 1;
    const tombstoneSeq = this.saves.hidden.size > 0 ? this.graph.cursor.tombstoneSeq : this.read.tombstoneSeq;
    if (passageId !== this.graph.cursor.passageId || tombstoneSeq !== this.graph.cursor.tombstoneSeq) {
      this.graph.cursor = { passageId, tombstoneSeq };
      this.saves.dirty = true;
    }
  }

  /** Drops everything and reads the whole collection again (the background job rebuilds the graph). */
  private startOver(): void {
    this.graph = CollectionIndex.emptyGraph(this.graphChoice, this.collection, this.base);
    this.pending.clear();
    this.recent.clear();
    this.saves.hidden.clear();
    this.read = { passageId: 0, tombstoneSeq: 0 };
    this.saves.dirty = true;
  }

  /**
   * Takes the graph another process saved in place of this one when saved-graph-adoption.ts says it may, instead of
   * inserting the passages it holds; writes after its save stay pending. Never while a save of this index reads the
   * graph; a compaction in progress gives up when the graph is replaced. This one is the sync's (it finds new rows and
   * looks before reading them) and blocks for the whole verification: reading those rows as pending would block longer.
   */
  adoptSavedGraph(): boolean {
    if (!this.mayAdopt()) return false;
    const adoptable = this.adoption!.loadNow(this.graph.cursor);
    if (adoptable) this.swapIn(adoptable);
    return adoptable !== undefined;
  }

  /**
   * The background job's: the file is verified off the main thread (SavedGraphAdoption.load: what may change
   * meanwhile); the job inserts nothing until it is done, and no save of this index starts while the job runs.
   */
  private adoptSavedGraphInBackground(): Promise<boolean> | undefined {
    if (!this.mayAdopt()) return undefined;
    return this.adoption!.load(() => this.graph.cursor, () => this.mayAdopt(), (adoptable) => this.swapIn(adoptable));
  }

  private mayAdopt(): boolean {
    return this.adoption !== undefined && !this.saves.inProgress && this.saves.hidden.size === 0 && !this.saves.abandoned;
  }

  /** Synchronous, right after SavedGraphAdoption's checks: nothing else touches the index meanwhile. */
  private swapIn(adoptable: AdoptableGraph): void {
    const fitted = fitToSavedGraph(adoptable.graph, this.pending, this.read, this.store, this.collection.id);
    this.graph = adoptable.graph;
    this.saves.dirty = fitted.graphChanged;
    this.read = fitted.read;
    this.stale = true;
    this.sync(); // passages after its cursor, deletions after this index's: as for any change
    this.recent.read(this.graph.cursor.passageId);
    this.adoption!.logAdopted(adoptable, fitted.droppedPending, this.pending.size);
  }

  private insertPendingSlice(): void {
    const started = performance.now();
    for (let next = this.pending.shift(); next; next = this.pending.shift()) {
      this.moveIntoGraph(next.label, next.vector);
      if (performance.now() - started >= SLICE_MS) break;
    }
    this.saves.dirty = true;
    this.advanceGraphCursor();
  }

  /** Builds a graph without deleted slots from SQLite, in slices, while the old one serves; swaps them when done. */
  private compact(): Promise<void> {
    const old = this.graph;
    return compactInSlices(old, {
      store: this.store,
      collection: this.collection,
      logger: this.logger,
      fresh: CollectionIndex.emptyGraph(this.graphChoice, this.collection, this.base),
      stillWanted: () => !this.saves.abandoned && this.graph === old, // not closing, not started over
      install: (compacted) => {
        this.graph = compacted;
        this.saves.dirty = true;
      },
    });
  }

  /** Writes the graph to disk if it changed since the last save. */
  save(): void {
    this.saves.saveNow();
  }

  /** Writes the graph to disk without blocking searches; skipped while the background job runs (it asks for a save when done). */
  saveInBackground(): Promise<void> {
    return this.saves.inBackground(this.job.running);
  }

  /** Stops the background job and keeps a background save from committing (collection dropped, or closing). */
  abandonBackgroundSave(): void {
    this.saves.abandon();
  }

  get needsSave(): boolean {
    return this.saves.needed;
  }

  static removeFiles(indexDir: string, name: string): void {
    removeGraphFiles(indexBaseOf(indexDir, name));
  }
}
