/**
 * Keeps one collection's ANN index in step with SQLite. The index follows the store's change log (new passage
 * ids, tombstones), so the same `sync()` serves writes from this process, writes from another process (the
 * CLI, another server worker) and recovery after a crash; a missing, corrupt or unsound file means a rebuild.
 *
 * A sync only reads: passages SQLite has and the HNSW graph lacks go to `pending`, where searches score them
 * exactly, and a background job moves them into the graph in time-bounded slices. So a search sees every passage
 * committed before it began however far behind the graph is, and never waits for graph inserts. The same job
 * compacts the graph (rebuilds it without deleted slots) in slices while the old graph keeps serving
 * (graph-filling.ts), and the passages it moved into the graph last stay scored exactly (recent-passages.ts). A graph
 * another process saved that holds passages still pending is taken instead of inserting them (saved-graph-adoption.ts).
 */
import type { SqliteDocumentStore as DocumentStore, SyncCursor } from './document-store.js';
import { indexBaseOf } from './data-dir.js';
import {
  createGraphStore, DEFAULT_GRAPH, loadGraphStore, removeGraphFiles, savedGraphStamp, type GraphChoice, type GraphStore,
} from './graph-store.js';
import type { GraphFileVerifier } from './graph-file-check.js';
import { fitToSavedGraph, SavedGraphAdoption, type AdoptableGraph } from './saved-graph-adoption.js';
import { calibrationToKeep, readSavedCalibration, type DroppedCalibration } from './saved-calibration.js';
import type { Logger } from '../core/logger.js';
import type { CollectionRecord } from './types.js';
import { searchBreadthOf, type EfCalibration, type EfSource } from './config.js';
import { calibrateEf, calibrationDue } from './ef-calibration.js';
import { createRng } from '../core/rng.js';
import { dot, type VectorHit } from './vector-store.js';
import { addInBulk, fillInSlices, SLICE_MS, yieldToEventLoop } from './graph-filling.js';
import { PendingPassages } from './pending-passages.js';
import { RecentPassages } from './recent-passages.js';
import { TopHits } from './top-hits.js';

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

/**
 * Candidates per hit wanted that a graph of rounded vectors (f16, i8) returns for exact rescoring: enough for the
 * rounding not to push a true top-k hit out (with an exact beam the hits are the f32 graph's: index-sync test).
 * More buys no recall at the default ef, whose beam is the same, and costs SQLite reads (docs/benchmarks.md §2.3);
 * for an i8 graph too (§2.6: its own top 10 holds 0.88–0.91 of the true top 10, its top 20 rescored as much as f16's,
 * its top 40 ≤ 0.002 more).
 */
export const RESCORED_CANDIDATES_PER_HIT = 2;

/** The same queries for the same passages: a calibration is reproducible. */
const EF_CALIBRATION_SEED = 20261207;

export class CollectionIndex {
  readonly collection: CollectionRecord;
  private graph: GraphStore;
  private readonly graphChoice: GraphChoice;
  /** Passages read from SQLite and not yet in the graph, in id order. */
  private readonly pending: PendingPassages;
  /** The latest passages moved into the graph, searched exactly too. */
  private readonly recent: RecentPassages;
  /** Graph labels deleted while a background save reads the graph: hidden from searches, removed after it. */
  private readonly hiddenDuringSave = new Set<number>();
  /** How far into SQLite's change log this index has read; the graph's own cursor (what its file holds) trails it. */
  private read: SyncCursor;
  private readonly store: DocumentStore;
  private readonly base: string | undefined;
  private readonly readOnlyFiles: boolean;
  private readonly logger: Logger;
  private readonly onCaughtUp: () => void;
  private dirty = false;
  /** The background job (inserting pending passages, compacting); one at a time. */
  private job: Promise<void> | undefined;
  /** Resolved after each slice of the job and when it ends (catchUp waits on them). */
  private progressWaiters: Array<() => void> = [];
  /**
   * SQLite may hold changes the index lacks. Set by the engine after its own writes and when another process
   * wrote (data_version moved); cleared by a sync. Lets the sync on every search skip its query.
   */
  private stale = true;
  /** A background save in progress: the graph must not change until it settles. */
  private saving: Promise<void> | undefined;
  /** Dropped or closing: no background save may put its files in place, and the background job stops. */
  private abandoned = false;
  /** Graphs saved by another process that may replace this one (undefined: no files). */
  private readonly adoption: SavedGraphAdoption | undefined;
  /** The saved graph's manifest as last weighed for its calibration before a save (savedGraphStamp). */
  private calibrationStamp: string | undefined;
  /** The last calibration another process saved that this graph did not keep, and why (saved-calibration.ts). */
  private dropped: DroppedCalibration | undefined;

  private constructor(options: CollectionIndexOptions, graph: GraphStore, base: string | undefined, stamp: string | undefined) {
    this.collection = options.collection;
    this.graphChoice = options.graph ?? DEFAULT_GRAPH;
    this.store = options.store;
    this.logger = options.logger;
    this.onCaughtUp = options.onCaughtUp ?? (() => undefined);
    this.base = base;
    this.readOnlyFiles = options.readOnlyFiles ?? false;
    this.graph = graph;
    this.read = { ...graph.cursor };
    this.recent = new RecentPassages(options.store, options.collection.id, options.collection.dim);
    this.pending = new PendingPassages(options.collection.dim);
    this.calibrationStamp = stamp;
    this.adoption = base === undefined ? undefined : new SavedGraphAdoption({
      base, choice: this.graphChoice, collection: options.collection, store: options.store, logger: options.logger, verifier: options.graphFileVerifier, checkMs: options.adoptionCheckMs, seen: stamp,
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
    return this.graph.size - this.hiddenDuringSave.size + this.pending.size;
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
    this.startJob();
  }

  /**
   * Syncs, then resolves once the graph holds every passage SQLite had: a write is acknowledged after this, so
   * writers cannot outrun the graph (searches would see the write without it, through `pending`).
   */
  async catchUp(): Promise<void> {
    this.sync();
    const target = this.read.passageId;
    while (!this.abandoned && this.graph.cursor.passageId < target) {
      this.startJob();
      if (!this.job) break;
      await new Promise<void>((resolve) => this.progressWaiters.push(resolve));
    }
    if (!this.abandoned && this.graph.cursor.passageId < target) throw new Error(`vector index of "${this.collection.name}" could not catch up`);
  }

  /**
   * Puts every passage SQLite has into the graph now, synchronously (before a final save, after a bulk import).
   * Rows the index has not read yet go from SQLite to the graph page by page, not through `pending`: after a
   * large import the vectors are not held in memory twice (pending and graph).
   */
  catchUpNow(): void {
    this.stale = true;
    if (this.saving) {
      this.sync(); // the graph must not change under a save still writing it; the next start catches up
      return;
    }
    this.stale = false;
    const head = this.readHead();
    if (this.pending.size > 0) this.dirty = true;
    for (let next = this.pending.shift(); next; next = this.pending.shift()) this.moveIntoGraph(next.label, next.vector);
    if (addInBulk(this.graph, this.store, this.collection, this.read.passageId, head.passageId) > 0) this.dirty = true;
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
    const hidden = this.hiddenDuringSave;
    const visible = hidden.size === 0 ? filter : (label: number) => !hidden.has(label) && (filter?.(label) ?? true);
    // The graph's own order, as it always was, when nothing is merged in (hnswlib may order equal scores either way).
    if (this.graph.exactScores && this.pending.size === 0 && this.recent.size === 0) return this.graph.search(query, k, visible, ef);
    const top = new TopHits(k);
    const scoredByGraph = this.offerGraphHits(top, query, k, visible, ef);
    this.pending.offerBest(top, query, filter);
    this.recent.scoreInto(top, query, visible, scoredByGraph);
    return top.hits();
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
    return this.dropped;
  }

  /**
   * After a bulk build (the CLI's catch-up, before its save): measures the ef the graph needs, searched as search() does,
   * when ef-calibration.ts says it is due; the calibration goes into the graph's manifest at the next save. Synchronous
   * (seconds at 1M passages): not for the server's event loop.
   */
  calibrateEfIfDue(): EfCalibration | undefined {
    if (this.pending.size > 0 || this.saving || !calibrationDue(this.collection.config.hnsw, this.graph.size, this.graph.efCalibration)) return undefined;
    return this.calibrateEf();
  }

  /** Measures the graph's ef now, whether due or not (benchmarks), and keeps it with the graph. */
  calibrateEf(): EfCalibration {
    const { id, dim } = this.collection;
    const through = this.graph.cursor.passageId;
    const calibration = calibrateEf({
      search: (query, k, ef) => this.search(query, k, undefined, ef),
      vectors: {
        dim,
        languages: () => this.store.passageLanguagesBetween(id, 0, through),
        vectorsOf: (labels) => this.store.vectorsOf(labels),
        all: (pageSize) => this.store.vectorsBetween(id, 0, through, pageSize),
      },
      passages: this.graph.size,
      rng: createRng(EF_CALIBRATION_SEED),
      logger: this.logger,
    });
    this.graph.efCalibration = calibration;
    this.dirty = true;
    return calibration;
  }

  /**
   * Offers the graph's k best to `top` and returns the labels it scored, which the recent passages must not offer
   * again. A graph of rounded vectors (f16, i8) is asked for RESCORED_CANDIDATES_PER_HIT × k candidates, scored again
   * with their f32 vectors: the scores are exact, and so is the order among the candidates (rounding moves a cosine
   * by ~1e-3, enough to swap close neighbours). A candidate among the recent passages is left to them (they hold its
   * f32 vector and score it alike); the others' vectors are read from SQLite, and one SQLite no longer has (deleted by
   * another process since the last sync) is dropped. Offering every candidate, not the k best of them, keeps the
   * same k: k candidates rank above any that is not among the best k.
   */
  private offerGraphHits(top: TopHits, query: Float32Array, k: number, filter: ((label: number) => boolean) | undefined, ef: number): readonly number[] {
    if (this.graph.exactScores) {
      const hits = this.graph.search(query, k, filter, ef);
      for (const hit of hits) top.offer(hit.label, hit.score);
      return hits.map((hit) => hit.label);
    }
    const unread: number[] = [];
    for (const hit of this.graph.search(query, k * RESCORED_CANDIDATES_PER_HIT, filter, ef)) {
      if (!this.recent.has(hit.label)) unread.push(hit.label);
    }
    for (const { label, vector } of this.store.vectorsOf(unread)) top.offer(label, dot(query, vector));
    return [];
  }

  /** Into the graph from `pending`, remembered among the recent passages (the oldest of which is forgotten). */
  private moveIntoGraph(label: number, vector: Float32Array): void {
    this.graph.add(label, vector);
    this.recent.add(label, vector);
  }

  private removeLabel(label: number): void {
    this.recent.remove(label);
    if (this.pending.delete(label)) return;
    if (this.saving) {
      this.hiddenDuringSave.add(label);
      return;
    }
    this.graph.remove(label);
    this.dirty = true;
  }

  /**
   * The graph holds every live passage below the first pending one (pending is in id order), and every deletion
   * read so far unless some wait for a save to settle.
   */
  private advanceGraphCursor(): void {
    const firstPending = this.pending.firstLabel();
    const passageId = firstPending === undefined ? this.read.passageId : firstPending - 1;
    const tombstoneSeq = this.hiddenDuringSave.size > 0 ? this.graph.cursor.tombstoneSeq : this.read.tombstoneSeq;
    if (passageId !== this.graph.cursor.passageId || tombstoneSeq !== this.graph.cursor.tombstoneSeq) {
      this.graph.cursor = { passageId, tombstoneSeq };
      this.dirty = true;
    }
  }

  /** Drops everything and reads the whole collection again (the background job rebuilds the graph). */
  private startOver(): void {
    this.graph = CollectionIndex.emptyGraph(this.graphChoice, this.collection, this.base);
    this.pending.clear();
    this.recent.clear();
    this.hiddenDuringSave.clear();
    this.read = { passageId: 0, tombstoneSeq: 0 };
    this.dirty = true;
  }

  private hasWork(): boolean {
    return this.pending.size > 0 || this.graph.needsCompaction();
  }

  private startJob(): void {
    if (this.job || this.abandoned || !this.hasWork()) return;
    this.job = this.runJob().finally(() => {
      this.job = undefined;
      // A sync between the job's last slice and this callback found the job still running and left its passages
      // pending: start again for them, or whoever waits in catchUp would find no job and the graph behind.
      this.startJob();
      this.reportProgress();
    });
    this.job.catch((error: unknown) => this.logger.error({ err: error, collection: this.collection.name }, 'background vector index work failed'));
  }

  /** Inserts pending passages and compacts, in slices of SLICE_MS with a turn of the event loop between them. */
  private async runJob(): Promise<void> {
    let worked = false;
    this.adoption?.lookSoon(); // a job starts when new passages were read: another process may have saved them
    for (;;) {
      while (this.saving) await this.saving.catch(() => undefined);
      if (this.abandoned) return;
      const adopting = this.pending.size > 0 && this.adoption?.due() ? this.adoptSavedGraphInBackground() : undefined;
      if (adopting) {
        if (await adopting) worked = true;
        if (this.abandoned) return;
      }
      if (!this.hasWork()) break;
      if (this.graph.needsCompaction()) await this.compact();
      else if (this.pending.size > 0) this.insertPendingSlice();
      worked = true;
      // Over as soon as nothing is left, not a turn later: whoever waits for it may save next.
      if (!this.hasWork()) break;
      this.reportProgress();
      await yieldToEventLoop();
    }
    if (worked) this.onCaughtUp();
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
    return this.adoption !== undefined && !this.saving && this.hiddenDuringSave.size === 0 && !this.abandoned;
  }

  /** Synchronous, right after SavedGraphAdoption's checks: nothing else touches the index meanwhile. */
  private swapIn(adoptable: AdoptableGraph): void {
    const fitted = fitToSavedGraph(adoptable.graph, this.pending, this.read, this.store, this.collection.id);
    this.graph = adoptable.graph;
    this.dirty = fitted.graphChanged;
    this.read = fitted.read;
    this.stale = true;
    this.sync(); // passages after its cursor, deletions after this index's: as for any change
    this.recent.read(this.graph.cursor.passageId);
    this.adoption!.logAdopted(adoptable, fitted.droppedPending, this.pending.size);
  }

  private reportProgress(): void {
    const waiters = this.progressWaiters;
    this.progressWaiters = [];
    for (const resolve of waiters) resolve();
  }

  private insertPendingSlice(): void {
    const started = performance.now();
    for (let next = this.pending.shift(); next; next = this.pending.shift()) {
      this.moveIntoGraph(next.label, next.vector);
      if (performance.now() - started >= SLICE_MS) break;
    }
    this.dirty = true;
    this.advanceGraphCursor();
  }

  /**
   * Builds a graph without deleted slots from SQLite, in slices, while the old one serves; swaps them when done.
   * Pending passages wait (they are searched exactly meanwhile), so the old graph's contents stay fixed: every
   * live passage up to its cursor, less the deletions read since, which are applied to the new graph at the end.
   */
  private async compact(): Promise<void> {
    const started = Date.now();
    const old = this.graph;
    const { passageId: through, tombstoneSeq: fromSeq } = old.cursor;
    this.logger.info({ collection: this.collection.name, elements: old.elements, live: old.size }, 'compacting vector index (too many deleted slots)');
    const fresh = CollectionIndex.emptyGraph(this.graphChoice, this.collection, this.base);
    const stillWanted = () => !this.abandoned && this.graph === old; // not closing, not started over
    if (!(await fillInSlices(fresh, this.store, this.collection.id, through, stillWanted))) return;
    for (const { passageId } of this.store.tombstonesBetween(this.collection.id, fromSeq, old.cursor.tombstoneSeq)) fresh.remove(passageId);
    fresh.cursor = { ...old.cursor };
    // Its passages less deleted ones, inserted one by one with efConstruction: at least as good a graph as the one measured.
    fresh.efCalibration = old.efCalibration;
    this.graph = fresh;
    this.dirty = true;
    this.logger.info({ collection: this.collection.name, vectors: fresh.size, ms: Date.now() - started }, 'vector index compacted');
  }

  /** Writes the graph to disk if it changed since the last save. */
  save(): void {
    if (!this.dirty || this.readOnlyFiles) return;
    this.weighSavedCalibration();
    this.graph.save();
    this.dirty = false;
  }

  /**
   * Writes the graph to disk without blocking searches (see HnswVectorStore.saveInBackground). Skipped while the
   * background job runs; it asks for a save when it is done.
   */
  async saveInBackground(): Promise<void> {
    if (!this.dirty || this.readOnlyFiles || this.saving || this.job || this.abandoned) return;
    this.weighSavedCalibration();
    this.dirty = false;
    const saving = this.graph.saveInBackground(() => !this.abandoned).then(
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
      this.applyDeletionsHiddenDuringSave();
    });
    await this.saving;
  }

  /**
   * Before a save replaces the graph file: another process may have saved one since, with a calibration this graph is
   * to keep (a server that inserted a small import itself, where the CLI calibrated the same passages) or to drop with
   * a reason (saved-calibration.ts). One stat when no other process saved.
   */
  private weighSavedCalibration(): void {
    if (this.base === undefined) return;
    const stamp = savedGraphStamp(this.base);
    if (stamp === undefined || stamp === this.calibrationStamp) return;
    this.calibrationStamp = stamp;
    const saved = readSavedCalibration(this.base);
    if (saved === undefined) return;
    const build = { library: this.graph.library, scalar: this.graph.scalar, params: this.collection.config.hnsw };
    const choice = calibrationToKeep(this.graph.efCalibration, saved, { collectionId: this.collection.id, build, passages: this.size });
    if (choice.dropped) {
      this.dropped = choice.dropped;
      this.logger.info({ collection: this.collection.name, ...choice.dropped }, 'not keeping the ef calibration another process saved');
    } else if (choice.keep !== this.graph.efCalibration) {
      this.graph.efCalibration = choice.keep;
      this.dropped = undefined;
      this.logger.info({ collection: this.collection.name, ...choice.keep }, 'kept the ef calibration another process saved');
    }
  }

  private applyDeletionsHiddenDuringSave(): void {
    if (this.hiddenDuringSave.size === 0) return;
    for (const label of this.hiddenDuringSave) this.graph.remove(label);
    this.hiddenDuringSave.clear();
    this.dirty = true;
    this.advanceGraphCursor();
    this.startJob(); // compaction may be due
  }

  /** Stops the background job and keeps a background save from committing (collection dropped, or closing). */
  abandonBackgroundSave(): void {
    if (this.saving) this.dirty = true;
    this.abandoned = true;
  }

  get needsSave(): boolean {
    return this.dirty && !this.readOnlyFiles;
  }

  static removeFiles(indexDir: string, name: string): void {
    removeGraphFiles(indexBaseOf(indexDir, name));
  }
}
