/**
 * Which graph saved by another process (`tafuta index` at the end of an import, the server worker that owns the
 * files) a collection index may take in place of its own, and loading it (issue 23; docs/benchmarks.md §2.5b).
 * CollectionIndex swaps the graph this returns in, after fitToSavedGraph.
 *
 * A saved graph is adoptable when its manifest is new (its stamp changed since the last look), its cursor is ahead of
 * the index's graph by at least ADOPTION_MIN_SHARE of its size and not ahead of the database, and its file passes the
 * checks of a load at start-up (collection, build parameters, checksum, structure). The cursor is checked again on
 * the graph as loaded: the manifest read first may have been replaced since.
 */
import type { Logger } from '../core/logger.js';
import type { SqliteDocumentStore as DocumentStore, SyncCursor } from './document-store.js';
import { graphFileVerifierOnWorker, verifyGraphFileNow, type GraphFileVerdict, type GraphFileVerifier } from './graph-file-check.js';
import { planGraphLoad, savedGraphStamp, savedGraphSummary, type GraphChoice, type GraphStore, type SavedGraphPlan } from './graph-store.js';
import type { PendingPassages } from './pending-passages.js';
import type { CollectionRecord } from './types.js';

/**
 * How often the background job, while passages are pending, looks (one stat of the manifest) for a graph saved by
 * another process that holds them; it looks when it starts too. The CLI saves its graph once, at the end of an import.
 */
export const ADOPTION_CHECK_MS = 500;
/**
 * A saved graph is adopted only when it holds at least this share of its size in passages this index's graph lacks.
 * Loading it stalls the event loop (usearch's load: for the background job's adoptions the read, checksum and
 * structural check run on a worker thread; a sync's adoption does all four), where inserting is spread over slices
 * and costs ~50× more CPU per vector than the whole load: a few passages are inserted.
 */
export const ADOPTION_MIN_SHARE = 1 / 16;

export interface SavedGraphAdoptionOptions {
  /** `<indexDir>/<collection>`: the saved graph's files. */
  base: string;
  choice: GraphChoice;
  collection: CollectionRecord;
  store: DocumentStore;
  logger: Logger;
  /** Verifies the file off the main thread (default: on a worker thread). Tests hold it to interleave searches and saves. */
  verifier?: GraphFileVerifier | undefined;
  /** How often the background job looks (default ADOPTION_CHECK_MS; tests: 0, at every slice). */
  checkMs?: number | undefined;
  /** The stamp of the graph loaded at opening: not looked at again. */
  seen: string | undefined;
}

/** A saved graph loaded and checked against the index's graph, and timings of its adoption. */
export interface AdoptableGraph {
  graph: GraphStore;
  /** performance.now() when the look began, and when the main thread began loading the verified file. */
  startedAt: number;
  loadStartedAt: number;
}

export class SavedGraphAdoption {
  private readonly options: SavedGraphAdoptionOptions;
  private readonly verifier: GraphFileVerifier;
  /** The saved graph's manifest as last looked at (savedGraphStamp). */
  private seen: string | undefined;
  private nextCheck = 0;

  constructor(options: SavedGraphAdoptionOptions) {
    this.options = options;
    this.verifier = options.verifier ?? graphFileVerifierOnWorker;
    this.seen = options.seen;
  }

  /** Whether the background job should look now; looking makes the next look due ADOPTION_CHECK_MS later. */
  due(): boolean {
    const now = performance.now();
    if (now < this.nextCheck) return false;
    this.nextCheck = now + (this.options.checkMs ?? ADOPTION_CHECK_MS);
    return true;
  }

  /** The next `due()` is at once (a job starts when new passages were read: another process may have saved them). */
  lookSoon(): void {
    this.nextCheck = 0;
  }

  /** The saved graph if it is adoptable ahead of `graphCursor`, verified and loaded on this thread: blocks throughout. */
  loadNow(graphCursor: SyncCursor): AdoptableGraph | undefined {
    const startedAt = performance.now();
    const plan = this.plan(graphCursor);
    return plan && this.finish(plan, verifyGraphFileNow(plan.check), graphCursor, startedAt);
  }

  /**
   * As loadNow, with the file read, checksummed and checked by the verifier (off the main thread); then usearch's (or
   * hnswlib's) load of the verified file, the checks after it and `adopt` run in one synchronous section: only they
   * block the event loop. While the verifier works, the index serves and changes:
   * - it reads new passages (pending) and deletions: `adopt` fits the graph to what the index has read by then;
   * - its graph takes passages in (catchUpNow) or is replaced (a sync's adoption, a start-over after a restore): the
   *   cursor is checked after the load against the graph's cursor and the database's head then (`graphCursor` is asked
   *   again), so a graph that caught up past the file keeps its own;
   * - a save replaces the file (another process's, this server's at shutdown): the file's identity from before the
   *   verification is compared after the load, and a file replaced is not adopted. A manifest replaced before its file
   *   was read fails the checksum. Either way the newer save has a new stamp: the next look (lookSoon) verifies it;
   * - it starts saving, is closed or dropped: `mayAdopt` is asked after the verification; when it says no, the stamp
   *   is forgotten, so the file is looked at again later.
   * Resolves to whether it adopted; undefined, at once, when there is nothing to verify (the caller takes no turn of
   * the event loop for nothing).
   */
  load(graphCursor: () => SyncCursor, mayAdopt: () => boolean, adopt: (adoptable: AdoptableGraph) => void): Promise<boolean> | undefined {
    const startedAt = performance.now();
    const plan = this.plan(graphCursor());
    return plan && this.verifyAndLoad(plan, startedAt, graphCursor, mayAdopt, adopt);
  }

  private async verifyAndLoad(
    plan: SavedGraphPlan, startedAt: number, graphCursor: () => SyncCursor, mayAdopt: () => boolean, adopt: (adoptable: AdoptableGraph) => void,
  ): Promise<boolean> {
    const verdict = await this.verifier(plan.check);
    if (!mayAdopt()) {
      this.seen = undefined;
      return false;
    }
    const adoptable = this.finish(plan, verdict, graphCursor(), startedAt);
    if (adoptable) adopt(adoptable);
    else if (savedGraphStamp(this.options.base) !== this.seen) this.lookSoon();
    return adoptable !== undefined;
  }

  /** The load of the saved graph when its manifest is new and says it is worth adopting; undefined otherwise. */
  private plan(graphCursor: SyncCursor): SavedGraphPlan | undefined {
    const { base, collection, store, choice } = this.options;
    const stamp = savedGraphStamp(base);
    if (stamp === undefined || stamp === this.seen) return undefined;
    this.seen = stamp;
    const saved = savedGraphSummary(base);
    if (saved === undefined) return undefined;
    const { cursor } = saved;
    // Passage ids never come back: the ids between the two cursors bound what the file would spare inserting.
    if (cursor.passageId - graphCursor.passageId < Math.max(1, saved.elements * ADOPTION_MIN_SHARE)) return undefined;
    if (!this.withinDatabase(cursor)) return undefined;
    const plan = planGraphLoad(choice, { base, dim: collection.dim, params: collection.config.hnsw, collectionId: collection.id });
    if ('reason' in plan) {
      this.options.logger.info({ collection: collection.name, reason: plan.reason }, 'not adopting the vector index saved by another process');
      return undefined;
    }
    return plan;
  }

  private finish(plan: SavedGraphPlan, verdict: GraphFileVerdict, graphCursor: SyncCursor, startedAt: number): AdoptableGraph | undefined {
    const loadStartedAt = performance.now();
    const loaded = plan.load(verdict);
    if (!loaded.store) {
      this.options.logger.info({ collection: this.options.collection.name, reason: loaded.reason }, 'not adopting the vector index saved by another process');
      return undefined;
    }
    const through = loaded.store.cursor;
    if (through.passageId <= graphCursor.passageId || !this.withinDatabase(through)) return undefined;
    return { graph: loaded.store, startedAt, loadStartedAt };
  }

  logAdopted(adoptable: AdoptableGraph, droppedPending: number, pending: number): void {
    const now = performance.now();
    const { graph } = adoptable;
    this.options.logger.info(
      {
        collection: this.options.collection.name, vectors: graph.size, cursor: graph.cursor.passageId, droppedPending, pending,
        ms: Math.round(now - adoptable.startedAt), blockedMs: Math.round(now - adoptable.loadStartedAt),
      },
      'adopted the vector index saved by another process',
    );
  }

  /** Not ahead of the change log's head: a file ahead is of another database (or of this one before a restore). */
  private withinDatabase(cursor: SyncCursor): boolean {
    const head = this.options.store.syncHead(this.options.collection.id);
    return cursor.passageId <= head.passageId && cursor.tombstoneSeq <= head.tombstoneSeq;
  }
}

/**
 * Fits an index's state to a saved graph it adopts: pending passages up to the graph's cursor are dropped (it holds
 * them, or they were deleted), and so are those deleted in the file that the index has not read; the deletions the
 * index has read that the file lacks are applied to the graph. Returns the index's new read cursor, whether the graph
 * now differs from its file, and how many pending passages it spared inserting.
 */
export function fitToSavedGraph(
  graph: GraphStore, pending: PendingPassages, read: SyncCursor, store: DocumentStore, collectionId: number,
): { read: SyncCursor; graphChanged: boolean; droppedPending: number } {
  const through = graph.cursor;
  const droppedPending = pending.dropThrough(through.passageId);
  for (const { passageId } of store.tombstonesBetween(collectionId, read.tombstoneSeq, through.tombstoneSeq)) pending.delete(passageId);
  let graphChanged = false;
  for (const { passageId } of store.tombstonesBetween(collectionId, through.tombstoneSeq, read.tombstoneSeq)) {
    graph.remove(passageId);
    graphChanged = true;
  }
  return {
    read: { passageId: Math.max(read.passageId, through.passageId), tombstoneSeq: Math.max(read.tombstoneSeq, through.tombstoneSeq) },
    graphChanged,
    droppedPending,
  };
}
