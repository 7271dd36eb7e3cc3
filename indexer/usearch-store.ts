/**
 * VectorStore on usearch, persisted as `<base>.usearch` + `<base>.manifest.json` (the manifest says which library
 * wrote the index: graph-store.ts reads either). Same crash-safety as hnsw-store.ts: temp file, fsync, rename,
 * manifest last with the index file's sha256; a file that fails the checksum or the structural check
 * (usearch-file.ts) is rebuilt from SQLite.
 *
 * Why usearch: its `add` inserts a batch on several threads (hnswlib-node's addPoint runs on one), it takes
 * Float32Array queries without copying them into JS arrays, and it can store vectors as f16 or i8.
 * What it lacks, and how this file makes up for it: no search-time ef (searching for max(ef, k) neighbours with a
 * construction-time expansion of 1 gives a beam of ef), and no filter callback (filtered searches ask for a wider
 * beam and drop what the filter refuses, widening until k pass or the whole graph was asked). Its `remove` is not
 * used: in usearch 2.25 removals interleaved with inserts start failing (returns 0, the key stays) and can hang
 * the process. A removed label is a tombstone here, as hnswlib's markDelete is: kept in the graph, skipped by
 * searches, listed in the manifest, and dropped by compaction. Passage ids are never reused (AUTOINCREMENT), so a
 * tombstoned label never comes back.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Index, MetricKind, ScalarKind } from 'usearch';
import { sha256FileSync } from '../core/hash.js';
import type { SyncCursor } from './document-store.js';
import { commitInBackground, fileIdentityOf, fsyncDir, writeDurably } from './durable-fs.js';
import type { HnswParams } from './types.js';
import type { GraphFileCheck, GraphFileVerdict } from './graph-file-check.js';
import { efCalibrationOf, searchEfOf, type EfCalibration } from './config.js';
import type { UsearchScalar } from './usearch-file.js';
import { deadSlotsNeedCompaction, type VectorHit } from './vector-store.js';
import type { GraphStore } from './graph-store.js';

export const USEARCH_MANIFEST_FORMAT = 'tafuta-usearch';
const MANIFEST_VERSION = 1;

/**
 * The construction expansion (expansion_add) of a graph built in bulk from nothing (`addMany` with `bulk` on an
 * empty graph: the end of `tafuta index`, a catch-up on close): the collection's efConstruction, capped here. The
 * bulk build is where 1M passages wait for the graph (issue 23); a graph grown insert by insert keeps efConstruction.
 * docs/benchmarks.md §2.3, f16, 100k encoder vectors: 64 instead of 200 takes 0.45× the build CPU for about one point
 * of recall@10. 32 (§2.6, i8 graphs) takes 0.57× the CPU of 64 and loses 3–5 points at the same ef, none at twice the
 * ef up to 300k passages, but at 1M its recall stops rising (0.941 at ef 2048; f16 at 64: 0.991 at ef 1024): not used.
 */
export const BULK_EF_CONSTRUCTION = 64;

export function bulkEfConstructionOf(params: Pick<HnswParams, 'efConstruction'>): number {
  return Math.min(params.efConstruction, BULK_EF_CONSTRUCTION);
}

export interface UsearchManifest {
  format: typeof USEARCH_MANIFEST_FORMAT;
  version: number;
  dim: number;
  space: 'cosine';
  scalar: UsearchScalar;
  /**
   * `bulkEfConstruction`: present when part of the graph was built in bulk with that expansion (the rest with
   * efConstruction). A reload checks both against what this code makes of the collection's settings.
   */
  params: Pick<HnswParams, 'M' | 'efConstruction'> & { bulkEfConstruction?: number };
  elements: number;
  deleted: number;
  /** The tombstoned labels (`deleted` of them). */
  removed: number[];
  cursor: SyncCursor;
  collectionId?: number;
  /** The ef measured on this graph (config.ts, EfCalibration); absent in manifests written before calibrations. */
  efCalibration?: EfCalibration;
  sha256: string;
  savedAt: string;
}

export interface UsearchStoreOptions {
  base?: string | undefined;
  dim: number;
  params: HnswParams;
  /** How vectors are stored in the graph (default f32). */
  scalar?: UsearchScalar;
  /** Threads for batch inserts (`addMany`); single `add`s use one. */
  threads?: number;
  collectionId?: number;
}

export type UsearchLoadResult = { store: UsearchVectorStore; reason?: undefined } | { store?: undefined; reason: string };

export class UsearchVectorStore implements GraphStore {
  readonly library = 'usearch';
  readonly dim: number;
  readonly scalar: UsearchScalar;
  cursor: SyncCursor = { passageId: 0, tombstoneSeq: 0 };
  efCalibration: EfCalibration | undefined;
  private index: Index;
  private readonly params: HnswParams;
  private readonly base: string | undefined;
  private readonly collectionId: number | undefined;
  private readonly threads: number;
  /** Tombstoned labels: still in the graph, never returned. */
  private readonly removed = new Set<number>();
  /** The expansion of bulk inserts when some were made with it (recorded in the manifest). */
  private bulkEfConstruction: number | undefined;

  private constructor(options: UsearchStoreOptions, index: Index) {
    this.dim = options.dim;
    this.scalar = options.scalar ?? 'f32';
    this.params = options.params;
    this.base = options.base;
    this.collectionId = options.collectionId;
    // Not more than the machine has: a loaded index is sized for hardware_concurrency threads (see addMany).
    this.threads = Math.max(1, Math.min(options.threads ?? 2, os.cpus().length));
    this.index = index;
  }

  /** usearch fixes expansion_add when the index object is made (its JS binding cannot change it later). */
  private static newIndex(options: UsearchStoreOptions, expansionAdd = options.params.efConstruction): Index {
    return new Index({
      dimensions: options.dim,
      metric: MetricKind.Cos,
      quantization: (options.scalar ?? 'f32') as ScalarKind,
      connectivity: options.params.M,
      expansion_add: expansionAdd,
      expansion_search: 1, // the beam is the number of neighbours asked for: see search()
      multi: false,
    });
  }

  static create(options: UsearchStoreOptions): UsearchVectorStore {
    return new UsearchVectorStore(options, UsearchVectorStore.newIndex(options));
  }

  static indexFileOf(base: string): string {
    return `${base}.usearch`;
  }

  /**
   * What the index file must be for `manifest` (read by graph-store.ts) to be loaded (graph-file-check.ts verifies
   * it), or why it cannot be.
   */
  static fileCheckOf(options: UsearchStoreOptions & { base: string }, manifest: UsearchManifest): GraphFileCheck | { reason: string } {
    const file = UsearchVectorStore.indexFileOf(options.base);
    if (manifest.version !== MANIFEST_VERSION) return { reason: 'unknown manifest format' };
    if (!fs.existsSync(file)) return { reason: 'index file missing' };
    if (manifest.dim !== options.dim) return { reason: `dimension changed (${manifest.dim} → ${options.dim})` };
    const bulk = manifest.params?.bulkEfConstruction;
    if (manifest.params?.M !== options.params.M || manifest.params?.efConstruction !== options.params.efConstruction || (bulk !== undefined && bulk !== bulkEfConstructionOf(options.params))) {
      return { reason: 'HNSW build parameters changed' };
    }
    return { library: 'usearch', file, sha256: manifest.sha256, dim: options.dim, M: options.params.M, scalar: manifest.scalar };
  }

  /**
   * The library's load of a file `verdict` says is the one `manifest` describes and sound; rejected when the file
   * was replaced since it was verified (another save).
   */
  static loadVerified(options: UsearchStoreOptions & { base: string }, manifest: UsearchManifest, verdict: GraphFileVerdict): UsearchLoadResult {
    if (verdict.problem !== undefined) return { reason: verdict.problem };
    if (verdict.elements !== manifest.elements || verdict.deleted !== 0) return { reason: 'element counts do not match the manifest' };
    const indexFile = UsearchVectorStore.indexFileOf(options.base);
    const withScalar = { ...options, scalar: manifest.scalar };
    const index = UsearchVectorStore.newIndex(withScalar);
    try {
      index.load(indexFile);
    } catch (error) {
      return { reason: `usearch could not read the index: ${(error as Error).message}` };
    }
    if (fileIdentityOf(indexFile) !== verdict.identity) return { reason: 'index file replaced while it was read (another save)' };
    if (index.size() !== manifest.elements || !Array.isArray(manifest.removed) || manifest.removed.length !== manifest.deleted) {
      return { reason: 'element count does not match manifest' };
    }
    const store = new UsearchVectorStore(withScalar, index);
    store.bulkEfConstruction = manifest.params.bulkEfConstruction;
    for (const label of manifest.removed) store.removed.add(label);
    store.cursor = { ...manifest.cursor };
    store.efCalibration = efCalibrationOf(manifest.efCalibration);
    return { store };
  }

  get exactScores(): boolean {
    return this.scalar === 'f32';
  }

  get size(): number {
    return this.index.size() - this.removed.size;
  }

  get elements(): number {
    return this.index.size();
  }

  add(label: number, vector: Float32Array): void {
    this.addMany([label], vector);
  }

  /**
   * Inserts `labels.length` vectors laid end to end in `vectors`, on this store's threads. Always the same number
   * of threads, even for one vector: usearch sizes its per-thread state when it grows, and a later add on more
   * threads than the last growth saw fails ("Reserve capacity ahead of insertions!").
   */
  addMany(labels: ArrayLike<number>, vectors: Float32Array, options: { bulk?: boolean } = {}): void {
    const threads = this.threads;
    if (labels.length === 0) return;
    if (options.bulk) this.startBulkBuild();
    if (vectors.length !== labels.length * this.dim) throw new Error(`addMany: ${labels.length} labels, ${vectors.length / this.dim} vectors`);
    const keys = new BigUint64Array(labels.length);
    for (let i = 0; i < labels.length; i++) keys[i] = BigInt(labels[i]!);
    // A label already in the graph is the same passage with the same vector (ids are never reused): hnswlib's
    // addPoint overwrites it in place, usearch refuses the whole batch, so it is kept as it is (and is live again).
    const present = this.index.contains(keys) as boolean[];
    if (present.includes(true)) {
      const fresh = present.flatMap((p, i) => (p ? [] : [i]));
      for (let i = 0; i < labels.length; i++) if (present[i]) this.removed.delete(labels[i]!);
      const freshVectors = new Float32Array(fresh.length * this.dim);
      fresh.forEach((from, to) => freshVectors.set(vectors.subarray(from * this.dim, (from + 1) * this.dim), to * this.dim));
      if (fresh.length > 0) this.index.add(BigUint64Array.from(fresh, (i) => keys[i]!), freshVectors, threads);
      return;
    }
    this.index.add(keys, vectors, threads);
  }

  /**
   * A bulk build on an empty graph makes it anew with the bulk expansion, which then stays for this object's
   * life (a loaded graph uses efConstruction again). A graph that has vectors keeps its expansion: remaking it
   * would mean holding it twice (a save and a load).
   */
  private startBulkBuild(): void {
    const expansion = bulkEfConstructionOf(this.params);
    if (this.index.size() > 0 || this.bulkEfConstruction === expansion || expansion === this.params.efConstruction) return;
    this.index = UsearchVectorStore.newIndex({ dim: this.dim, params: this.params, scalar: this.scalar }, expansion);
    this.bulkEfConstruction = expansion;
  }

  remove(label: number): void {
    if (!this.removed.has(label) && this.index.contains(BigInt(label))) this.removed.add(label);
  }

  search(query: Float32Array, k: number, filter?: (label: number) => boolean, ef = searchEfOf(undefined, this.params, this.size, this.efCalibration)): VectorHit[] {
    const elements = this.elements;
    if (k <= 0 || this.size === 0) return [];
    const removed = this.removed;
    const filtered = filter !== undefined || removed.size > 0;
    for (let wanted = Math.min(elements, Math.max(ef, k + removed.size)); ; wanted = Math.min(elements, wanted * 4)) {
      const found = this.index.search(query, wanted, 1);
      const hits: VectorHit[] = [];
      for (let i = 0; i < found.keys.length && hits.length < k; i++) {
        const label = Number(found.keys[i]!);
        if (!removed.has(label) && (!filter || filter(label))) hits.push({ label, score: 1 - found.distances[i]! });
      }
      if (hits.length >= k || !filtered || wanted >= elements) return hits;
    }
  }

  needsCompaction(): boolean {
    return deadSlotsNeedCompaction(this.removed.size, this.elements);
  }

  private manifestOf(sha256: string, snapshot: { elements: number; removed: number[]; cursor: SyncCursor; efCalibration: EfCalibration | undefined }): UsearchManifest {
    return {
      format: USEARCH_MANIFEST_FORMAT,
      version: MANIFEST_VERSION,
      dim: this.dim,
      space: 'cosine',
      scalar: this.scalar,
      params: { M: this.params.M, efConstruction: this.params.efConstruction, ...(this.bulkEfConstruction !== undefined ? { bulkEfConstruction: this.bulkEfConstruction } : {}) },
      elements: snapshot.elements,
      deleted: snapshot.removed.length,
      removed: snapshot.removed,
      cursor: { ...snapshot.cursor },
      ...(this.collectionId !== undefined ? { collectionId: this.collectionId } : {}),
      ...(snapshot.efCalibration !== undefined ? { efCalibration: { ...snapshot.efCalibration } } : {}),
      sha256,
      savedAt: new Date().toISOString(),
    };
  }

  private snapshot(): { elements: number; removed: number[]; cursor: SyncCursor; efCalibration: EfCalibration | undefined } {
    return { elements: this.elements, removed: [...this.removed], cursor: { ...this.cursor }, efCalibration: this.efCalibration };
  }

  save(): void {
    if (!this.base) return;
    const indexFile = UsearchVectorStore.indexFileOf(this.base);
    fs.mkdirSync(path.dirname(indexFile), { recursive: true });
    writeDurably(indexFile, (tmp) => this.index.save(tmp));
    const manifest = this.manifestOf(sha256FileSync(indexFile), this.snapshot());
    writeDurably(`${this.base}.manifest.json`, (tmp) => fs.writeFileSync(tmp, `${JSON.stringify(manifest, null, 2)}\n`));
    fsyncDir(path.dirname(indexFile));
    this.removeReplacedFile();
  }

  /** The hnswlib file this index replaced (a data directory from before usearch), once the manifest no longer names it. */
  private removeReplacedFile(): void {
    if (this.base) fs.rmSync(`${this.base}.hnsw`, { force: true });
  }

  /**
   * usearch has no asynchronous save: the file is written on this thread (a copy into the page cache, ~0.1 s per
   * 100k vectors of 256 f32), then fsync and the checksum run asynchronously, as in HnswVectorStore.
   */
  async saveInBackground(shouldCommit: () => boolean): Promise<boolean> {
    if (!this.base) return false;
    const snapshot = this.snapshot();
    const committed = await commitInBackground({
      file: UsearchVectorStore.indexFileOf(this.base),
      manifestFile: `${this.base}.manifest.json`,
      write: (tmp) => this.index.save(tmp),
      manifest: (sha256) => this.manifestOf(sha256, snapshot),
      shouldCommit,
    });
    if (committed) this.removeReplacedFile();
    return committed;
  }
}
