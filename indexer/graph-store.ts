/**
 * The persistent ANN graphs a collection index can hold, and the one place that chooses between them: usearch
 * (the default: f16 vectors, batch inserts on 2 threads; docs/benchmarks.md §2.2–2.3) or hnswlib-node. f16 halves
 * the graph's memory and costs ~0.8× the CPU per insert of f32 at the same recall; its own scores are ~1e-3 off
 * the exact cosine, so CollectionIndex rescores its candidates with the f32 vectors SQLite holds (the scores a
 * search returns are exact). i8 (measured in §2.6) is available, not the default: with the same rescoring it matches
 * f16's recall up to 300k passages for 0.6–0.7× the build CPU, but at 1M it needs twice the ef for recall@10 ≥ 0.98.
 * A saved index is read by the library (and scalar) its manifest names, so data
 * directories written before keep working; a graph built anew (new collection, rebuild, compaction) uses the
 * configured choice.
 */
import fs from 'node:fs';
import type { SyncCursor } from './document-store.js';
import { fileIdentityOf } from './durable-fs.js';
import type { EfCalibration } from './config.js';
import type { HnswParams } from './types.js';
import type { VectorStore } from './vector-store.js';
import { HnswVectorStore, type HnswManifest } from './hnsw-store.js';
import { USEARCH_MANIFEST_FORMAT, UsearchVectorStore, type UsearchManifest } from './usearch-store.js';
import type { UsearchScalar } from './usearch-file.js';
import { verifyGraphFileNow, type GraphFileCheck, type GraphFileVerdict } from './graph-file-check.js';

/** A VectorStore with files, background saves and batch inserts: what CollectionIndex keeps in step with SQLite. */
export interface GraphStore extends VectorStore {
  /** Slots in the graph, including deleted ones. */
  readonly elements: number;
  /**
   * Whether search scores are the exact cosine of the f32 vectors SQLite holds. False when the graph stores
   * rounded vectors (usearch f16, i8): CollectionIndex then rescores an over-fetched candidate list from SQLite.
   */
  readonly exactScores: boolean;
  /**
   * Inserts `labels.length` vectors laid end to end in `vectors` (on several threads where the library can).
   * `bulk`: part of a bulk build from SQLite, which a library may build with a smaller construction expansion
   * (usearch-store.ts, bulkEfConstructionOf).
   */
  addMany(labels: ArrayLike<number>, vectors: Float32Array, options?: { bulk?: boolean }): void;
  /** save() without blocking the event loop longer than the library must; false when `shouldCommit` said no. */
  saveInBackground(shouldCommit: () => boolean): Promise<boolean>;
  /**
   * The ef this graph was measured to need (ef-calibration.ts), saved in its manifest and loaded with it (a manifest
   * without one, written before calibrations, loads with none); undefined when not calibrated.
   */
  efCalibration: EfCalibration | undefined;
  /** The library that holds the graph, and how it stores vectors (hnswlib: always f32). */
  readonly library: AnnLibrary;
  readonly scalar: UsearchScalar;
}

export type AnnLibrary = 'usearch' | 'hnswlib';
export const ANN_LIBRARIES: readonly AnnLibrary[] = ['usearch', 'hnswlib'];

export interface GraphChoice {
  library: AnnLibrary;
  /** usearch only: how vectors are stored in the graph. */
  scalar?: UsearchScalar;
  /** usearch only: threads for batch inserts. */
  threads?: number;
}

export const DEFAULT_GRAPH: GraphChoice = { library: 'usearch', scalar: 'f16', threads: 2 };

export interface GraphOptions {
  /** Path without extension. Omit for in-memory only. */
  base?: string | undefined;
  dim: number;
  params: HnswParams;
  collectionId?: number;
}

export function createGraphStore(choice: GraphChoice, options: GraphOptions): GraphStore {
  if (choice.library === 'hnswlib') return HnswVectorStore.create(options);
  return UsearchVectorStore.create({ ...options, scalar: choice.scalar, threads: choice.threads });
}

/** `missing`: there is no saved index at all (a new or re-indexed collection, removed files), not one that failed a check. */
export type GraphLoadResult = { store: GraphStore; reason?: undefined; missing?: undefined } | { store?: undefined; reason: string; missing?: boolean };

/**
 * A saved graph whose manifest passed its checks (collection, dimension, build parameters): what is left is verifying
 * its file (`check`, graph-file-check.ts: checksum and structure) and `load`ing it with the library its manifest names.
 */
export interface SavedGraphPlan {
  check: GraphFileCheck;
  load(verdict: GraphFileVerdict): GraphLoadResult;
}

/** Reads `<base>.manifest.json` and plans the load of the graph it describes, or says why it cannot be trusted. */
export function planGraphLoad(choice: GraphChoice, options: GraphOptions & { base: string }): SavedGraphPlan | { reason: string; missing?: boolean } {
  const manifestFile = `${options.base}.manifest.json`;
  if (!fs.existsSync(manifestFile)) return { reason: 'index manifest missing', missing: true };
  let manifest: HnswManifest | UsearchManifest;
  try {
    manifest = JSON.parse(fs.readFileSync(manifestFile, 'utf8')) as HnswManifest | UsearchManifest;
  } catch {
    return { reason: 'manifest is not valid JSON' };
  }
  if (manifest.collectionId !== undefined && options.collectionId !== undefined && manifest.collectionId !== options.collectionId) {
    return { reason: `index file belongs to another collection (id ${manifest.collectionId}, a dropped namesake)` };
  }
  if (manifest.format === USEARCH_MANIFEST_FORMAT) {
    const usearchOptions = { ...options, threads: choice.threads };
    const check = UsearchVectorStore.fileCheckOf(usearchOptions, manifest);
    return 'reason' in check ? check : { check, load: (verdict) => UsearchVectorStore.loadVerified(usearchOptions, manifest, verdict) };
  }
  const check = HnswVectorStore.fileCheckOf(options, manifest);
  return 'reason' in check ? check : { check, load: (verdict) => HnswVectorStore.loadVerified(options, manifest, verdict) };
}

/** Loads `<base>.*` with the library its manifest names, or says why it cannot be trusted. Blocks for the whole check. */
export function loadGraphStore(choice: GraphChoice, options: GraphOptions & { base: string }): GraphLoadResult {
  const plan = planGraphLoad(choice, options);
  if ('reason' in plan) return plan;
  return plan.load(verifyGraphFileNow(plan.check));
}

/**
 * The saved graph's manifest as it is on disk now (inode, size, mtime), undefined when there is none: a save
 * replaces the manifest by rename, so a new stamp means a new save, noticed with one stat.
 */
export function savedGraphStamp(base: string): string | undefined {
  return fileIdentityOf(`${base}.manifest.json`);
}

/** The change-log cursor and the slots a saved graph's manifest records; undefined when there is none or it cannot be read. */
export function savedGraphSummary(base: string): { cursor: SyncCursor; elements: number } | undefined {
  try {
    const { cursor, elements } = JSON.parse(fs.readFileSync(`${base}.manifest.json`, 'utf8')) as { cursor?: Partial<SyncCursor>; elements?: number };
    if (!Number.isSafeInteger(cursor?.passageId) || !Number.isSafeInteger(cursor?.tombstoneSeq) || !Number.isSafeInteger(elements)) return undefined;
    return { cursor: { passageId: cursor!.passageId!, tombstoneSeq: cursor!.tombstoneSeq! }, elements: elements! };
  } catch {
    return undefined;
  }
}

/** The extension of the index file a manifest describes (`<base>.<extension>`). */
export function graphFileExtensionOf(manifest: { format?: unknown }): 'usearch' | 'hnsw' {
  return manifest.format === USEARCH_MANIFEST_FORMAT ? 'usearch' : 'hnsw';
}

/** Deletes the files of a persisted index, whichever library wrote them. */
export function removeGraphFiles(base: string): void {
  for (const file of [`${base}.usearch`, `${base}.hnsw`, `${base}.manifest.json`]) fs.rmSync(file, { force: true });
}
