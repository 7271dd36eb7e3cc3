/**
 * Compaction: a collection's graph built again from SQLite without its deleted slots, in slices (graph-filling.ts)
 * while the old graph keeps serving; the collection index swaps the two when it is done.
 */
import type { Logger } from '../core/logger.js';
import type { SqliteDocumentStore as DocumentStore } from './document-store.js';
import { fillInSlices } from './graph-filling.js';
import type { GraphStore } from './graph-store.js';
import type { CollectionRecord } from './types.js';

export interface Compaction {
  store: DocumentStore;
  collection: CollectionRecord;
  logger: Logger;
  /** An empty graph of the collection's configured library. */
  fresh: GraphStore;
  /** False once `old` is no longer the index's graph (closing, started over, replaced): the compaction gives up. */
  stillWanted(): boolean;
  /** Puts the compacted graph in place of `old`, in the same synchronous section that read the last deletions. */
  install(compacted: GraphStore): void;
}

/**
 * Pending passages wait (the index scores them exactly meanwhile), so the old graph's contents stay fixed: every
 * live passage up to its cursor, less the deletions read since, which are applied to the new graph at the end.
 */
export async function compactInSlices(old: GraphStore, compaction: Compaction): Promise<void> {
  const { store, collection, logger, fresh } = compaction;
  const started = Date.now();
  const { passageId: through, tombstoneSeq: fromSeq } = old.cursor;
  logger.info({ collection: collection.name, elements: old.elements, live: old.size }, 'compacting vector index (too many deleted slots)');
  if (!(await fillInSlices(fresh, store, collection.id, through, () => compaction.stillWanted()))) return;
  for (const { passageId } of store.tombstonesBetween(collection.id, fromSeq, old.cursor.tombstoneSeq)) fresh.remove(passageId);
  fresh.cursor = { ...old.cursor };
  // Its passages less deleted ones, inserted one by one with efConstruction: at least as good a graph as the one measured.
  fresh.efCalibration = old.efCalibration;
  compaction.install(fresh);
  logger.info({ collection: collection.name, vectors: fresh.size, ms: Date.now() - started }, 'vector index compacted');
}
