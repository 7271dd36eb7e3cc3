/**
 * VectorStore on hnswlib-node, persisted as `<base>.hnsw` + `<base>.manifest.json`.
 *
 * The manifest records dimension, parameters, counts, the change-log cursor and the index file's sha256. Both
 * files are written to a temp file, fsynced and renamed, manifest last: after a crash at any point either the
 * manifest matches its index file, or the checksum does not match and the index is rebuilt from SQLite.
 * Deleted slots are reused by later inserts (allowReplaceDeleted), so updates do not grow the index.
 */
import fs from 'node:fs';
import path from 'node:path';
import hnswlib from 'hnswlib-node';
import { sha256FileSync } from '../core/hash.js';
import type { SyncCursor } from './document-store.js';
import { commitInBackground, fileIdentityOf, fsyncDir, writeDurably } from './durable-fs.js';
import { verifyGraphFileNow, type GraphFileCheck, type GraphFileVerdict } from './graph-file-check.js';
import type { HnswParams } from './types.js';
import { efCalibrationOf, searchEfOf, type EfCalibration } from './config.js';
import { deadSlotsNeedCompaction, type VectorHit } from './vector-store.js';
import type { GraphStore } from './graph-store.js';

const MANIFEST_FORMAT = 'tafuta-hnsw';
const MANIFEST_VERSION = 1;
const INITIAL_CAPACITY = 1024;

export interface HnswManifest {
  format: typeof MANIFEST_FORMAT;
  version: number;
  dim: number;
  space: 'cosine';
  params: Pick<HnswParams, 'M' | 'efConstruction'>;
  /** Elements in the file including deleted slots, and how many of them are deleted. */
  elements: number;
  deleted: number;
  cursor: SyncCursor;
  /** The SQLite id of the collection the index belongs to (absent in files written before it was recorded). */
  collectionId?: number;
  /** The ef measured on this graph (config.ts, EfCalibration); absent in manifests written before calibrations. */
  efCalibration?: EfCalibration;
  sha256: string;
  savedAt: string;
}

export interface HnswStoreOptions {
  /** Path without extension; files are `<base>.hnsw` and `<base>.manifest.json`. Omit for in-memory only. */
  base?: string | undefined;
  dim: number;
  params: HnswParams;
  seed?: number;
  /** Recorded in the manifest; a file recorded for another collection (a dropped namesake) is not loaded. */
  collectionId?: number;
}

export type HnswLoadResult =
  | { store: HnswVectorStore; reason?: undefined }
  | { store?: undefined; reason: string };

export class HnswVectorStore implements GraphStore {
  readonly library = 'hnswlib';
  readonly scalar = 'f32';
  readonly dim: number;
  cursor: SyncCursor = { passageId: 0, tombstoneSeq: 0 };
  efCalibration: EfCalibration | undefined;
  private readonly index: hnswlib.HierarchicalNSW;
  private readonly params: HnswParams;
  private readonly base: string | undefined;
  private readonly collectionId: number | undefined;
  private deleted = 0;

  private constructor(options: HnswStoreOptions, index: hnswlib.HierarchicalNSW) {
    this.dim = options.dim;
    this.params = options.params;
    this.base = options.base;
    this.collectionId = options.collectionId;
    this.index = index;
  }

  /** A new, empty index. */
  static create(options: HnswStoreOptions): HnswVectorStore {
    const index = new hnswlib.HierarchicalNSW('cosine', options.dim);
    index.initIndex({
      maxElements: INITIAL_CAPACITY,
      m: options.params.M,
      efConstruction: options.params.efConstruction,
      randomSeed: options.seed ?? 100,
      allowReplaceDeleted: true,
    });
    return new HnswVectorStore(options, index);
  }

  /** Loads a persisted index, or says why it cannot be trusted (missing, corrupt, other dim/params). */
  static load(options: HnswStoreOptions & { base: string }): HnswLoadResult {
    const manifest = HnswVectorStore.readManifest(options.base);
    if ('reason' in manifest) return manifest;
    const check = HnswVectorStore.fileCheckOf(options, manifest);
    if ('reason' in check) return check;
    return HnswVectorStore.loadVerified(options, manifest, verifyGraphFileNow(check));
  }

  private static readManifest(base: string): HnswManifest | { reason: string } {
    const manifestFile = `${base}.manifest.json`;
    if (!fs.existsSync(manifestFile) || !fs.existsSync(`${base}.hnsw`)) return { reason: 'index file or manifest missing' };
    try {
      return JSON.parse(fs.readFileSync(manifestFile, 'utf8')) as HnswManifest;
    } catch {
      return { reason: 'manifest is not valid JSON' };
    }
  }

  /** What the index file must be for `manifest` to be loaded (graph-file-check.ts verifies it), or why it cannot be. */
  static fileCheckOf(options: HnswStoreOptions & { base: string }, manifest: HnswManifest): GraphFileCheck | { reason: string } {
    if (manifest.format !== MANIFEST_FORMAT || manifest.version !== MANIFEST_VERSION) return { reason: 'unknown manifest format' };
    if (manifest.collectionId !== undefined && options.collectionId !== undefined && manifest.collectionId !== options.collectionId) {
      return { reason: `index file belongs to another collection (id ${manifest.collectionId}, a dropped namesake)` };
    }
    if (manifest.dim !== options.dim) return { reason: `dimension changed (${manifest.dim} → ${options.dim})` };
    if (manifest.params?.M !== options.params.M || manifest.params?.efConstruction !== options.params.efConstruction) {
      return { reason: 'HNSW build parameters changed' };
    }
    return { library: 'hnswlib', file: `${options.base}.hnsw`, sha256: manifest.sha256, dim: options.dim, M: options.params.M };
  }

  /**
   * hnswlib's load of a file `verdict` says is the one `manifest` describes and sound; rejected when the file was
   * replaced since it was verified (another save).
   */
  static loadVerified(options: HnswStoreOptions & { base: string }, manifest: HnswManifest, verdict: GraphFileVerdict): HnswLoadResult {
    if (verdict.problem !== undefined) return { reason: verdict.problem };
    if (verdict.elements !== manifest.elements || verdict.deleted !== manifest.deleted) return { reason: 'element counts do not match the manifest' };
    const indexFile = `${options.base}.hnsw`;
    const index = new hnswlib.HierarchicalNSW('cosine', options.dim);
    try {
      index.readIndexSync(indexFile, true);
    } catch (error) {
      return { reason: `hnswlib could not read the index: ${(error as Error).message}` };
    }
    if (fileIdentityOf(indexFile) !== verdict.identity) return { reason: 'index file replaced while it was read (another save)' };
    if (index.getCurrentCount() !== manifest.elements) return { reason: 'element count does not match manifest' };
    const store = new HnswVectorStore(options, index);
    store.deleted = manifest.deleted;
    store.cursor = { ...manifest.cursor };
    store.efCalibration = efCalibrationOf(manifest.efCalibration);
    return { store };
  }

  readonly exactScores = true;

  get size(): number {
    return this.index.getCurrentCount() - this.deleted;
  }

  /** Slots in the graph, including deleted ones. */
  get elements(): number {
    return this.index.getCurrentCount();
  }

  add(label: number, vector: Float32Array): void {
    const point = Array.from(vector);
    if (this.deleted > 0) {
      this.index.addPoint(point, label, true);
      this.deleted--;
      return;
    }
    const capacity = this.index.getMaxElements();
    if (this.index.getCurrentCount() >= capacity) this.index.resizeIndex(capacity * 2);
    this.index.addPoint(point, label, false);
  }

  /** hnswlib-node inserts one point at a time, on this thread, with efConstruction (a bulk build too). */
  addMany(labels: ArrayLike<number>, vectors: Float32Array): void {
    for (let i = 0; i < labels.length; i++) this.add(labels[i]!, vectors.subarray(i * this.dim, (i + 1) * this.dim));
  }

  remove(label: number): void {
    try {
      this.index.markDelete(label);
      this.deleted++;
    } catch {
      // Unknown or already deleted label: nothing to remove.
    }
  }

  search(query: Float32Array, k: number, filter?: (label: number) => boolean, ef = searchEfOf(undefined, this.params, this.size, this.efCalibration)): VectorHit[] {
    const n = Math.min(k, this.size, this.index.getMaxElements());
    if (n <= 0) return [];
    this.index.setEf(Math.max(ef, n));
    const result = this.index.searchKnn(Array.from(query), n, filter);
    return result.neighbors.map((label, i) => ({ label, score: 1 - result.distances[i]! }));
  }

  needsCompaction(): boolean {
    return deadSlotsNeedCompaction(this.deleted, this.elements);
  }

  private manifestOf(sha256: string, snapshot: { elements: number; deleted: number; cursor: SyncCursor; efCalibration: EfCalibration | undefined }): HnswManifest {
    return {
      format: MANIFEST_FORMAT,
      version: MANIFEST_VERSION,
      dim: this.dim,
      space: 'cosine',
      params: { M: this.params.M, efConstruction: this.params.efConstruction },
      elements: snapshot.elements,
      deleted: snapshot.deleted,
      cursor: { ...snapshot.cursor },
      ...(this.collectionId !== undefined ? { collectionId: this.collectionId } : {}),
      ...(snapshot.efCalibration !== undefined ? { efCalibration: { ...snapshot.efCalibration } } : {}),
      sha256,
      savedAt: new Date().toISOString(),
    };
  }

  private snapshot(): { elements: number; deleted: number; cursor: SyncCursor; efCalibration: EfCalibration | undefined } {
    return { elements: this.index.getCurrentCount(), deleted: this.deleted, cursor: { ...this.cursor }, efCalibration: this.efCalibration };
  }

  save(): void {
    if (!this.base) return;
    const indexFile = `${this.base}.hnsw`;
    fs.mkdirSync(path.dirname(indexFile), { recursive: true });
    writeDurably(indexFile, (tmp) => this.index.writeIndexSync(tmp));
    const manifest = this.manifestOf(sha256FileSync(indexFile), this.snapshot());
    writeDurably(`${this.base}.manifest.json`, (tmp) => fs.writeFileSync(tmp, `${JSON.stringify(manifest, null, 2)}\n`));
    fsyncDir(path.dirname(indexFile));
  }

  /**
   * `save()` without blocking the event loop: hnswlib writes the graph on a worker thread, fsync and the checksum
   * run asynchronously, and only the rename and the small manifest happen on this thread. The caller must not
   * change the index until the promise settles. `shouldCommit` is asked once the file is ready; when it says no
   * (the collection was dropped, the engine is closing) the temporary file is removed and the old files stay.
   * Resolves true when the new files are in place.
   */
  async saveInBackground(shouldCommit: () => boolean): Promise<boolean> {
    if (!this.base) return false;
    const snapshot = this.snapshot();
    return commitInBackground({
      file: `${this.base}.hnsw`,
      manifestFile: `${this.base}.manifest.json`,
      write: (tmp) => this.index.writeIndex(tmp).then(() => undefined),
      manifest: (sha256) => this.manifestOf(sha256, snapshot),
      shouldCommit,
    });
  }

  /** Deletes the files of a persisted index (when its collection is dropped). */
  static removeFiles(base: string): void {
    for (const file of [`${base}.hnsw`, `${base}.manifest.json`]) fs.rmSync(file, { force: true });
  }
}
