/**
 * Filling a graph with SQLite's passages: in large batches, synchronously (catching up after a bulk import), or in
 * time-bounded slices with a turn of the event loop between them (compaction, while the old graph keeps serving).
 */
import type { SqliteDocumentStore as DocumentStore } from './document-store.js';
import type { GraphStore } from './graph-store.js';

/**
 * Background work takes at most this long per event-loop turn: an HNSW insert costs from ~0.1 ms (small graph) to
 * several ms (large graph, high efConstruction, busy machine), so a time budget bounds the stall a request can see
 * where a fixed count did not.
 */
export const SLICE_MS = 4;
/** Rows read from SQLite per page while filling in slices; rows read but not inserted in a slice are read again. */
const SLICE_PAGE = 64;
/** Vectors read from SQLite per batch insert when filling in bulk (each batch is inserted on several threads). */
const BULK_BATCH = 16384;

export const yieldToEventLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * The collection's passages with `after` < id <= `through` into the graph, BULK_BATCH at a time: each batch is
 * one `addMany`, which usearch spreads over its threads. Holds one batch of vectors besides the graph. Returns how
 * many were added.
 */
export function addInBulk(graph: GraphStore, store: DocumentStore, collection: { id: number; dim: number }, after: number, through: number): number {
  const { dim } = collection;
  const labels: number[] = [];
  const vectors = new Float32Array(BULK_BATCH * dim); // the graph copies what it is given: one buffer serves every batch
  let added = 0;
  const flush = () => {
    if (labels.length === 0) return;
    graph.addMany(labels, vectors.subarray(0, labels.length * dim), { bulk: true });
    added += labels.length;
    labels.length = 0;
  };
  for (const { label, vector } of store.vectorsBetween(collection.id, after, through, BULK_BATCH)) {
    vectors.set(vector, labels.length * dim);
    labels.push(label);
    if (labels.length === BULK_BATCH) flush();
  }
  flush();
  return added;
}

/**
 * The collection's passages with id <= `through` into `graph`, in slices of SLICE_MS. Between slices, stops
 * (false) as soon as `stillWanted()` is false; true once every passage is in.
 */
export async function fillInSlices(graph: GraphStore, store: DocumentStore, collectionId: number, through: number, stillWanted: () => boolean): Promise<boolean> {
  let after = 0;
  for (;;) {
    const sliceStarted = performance.now();
    let finished = true;
    for (const { label, vector } of store.vectorsBetween(collectionId, after, through, SLICE_PAGE)) {
      graph.add(label, vector);
      after = label;
      if (performance.now() - sliceStarted >= SLICE_MS) {
        finished = false;
        break;
      }
    }
    if (finished) return true;
    await yieldToEventLoop();
    if (!stillWanted()) return false;
  }
}
