/**
 * Storage on SQLite (the source of truth, one file) with an HNSW graph per collection held by each process and
 * kept in step with SQLite's change log (collection-index.ts). Other processes' writes are noticed through
 * `PRAGMA data_version`, so the common case costs one pragma.
 */
import type { Statement } from 'better-sqlite3';
import type { Logger } from '../../core/logger.js';
import { TafutaError } from '../../core/errors.js';
import { CollectionIndex } from '../collection-index.js';
import { databasePathOf, indexDirOf } from '../data-dir.js';
import { openDatabase, withoutMemoryMap, type Db } from '../database.js';
import { createDocumentStore, type SqliteDocumentStore } from '../document-store.js';
import { filterRestricts } from '../filters.js';
import type { GraphChoice } from '../graph-store.js';
import { LIMITS } from '../schemas.js';
import { ftsQueryOf } from '../search-text.js';
import { createTermIndex, type TermIndex } from '../term-index.js';
import { translatedBm25Hits } from '../translated-bm25.js';
import type { CollectionRecord, SearchFilter } from '../types.js';
import { calibrationHolds, CALIBRATION_HOLDS_GROWTH } from '../config.js';
import { dot, type VectorHit } from '../vector-store.js';
import type { DocumentStore, SearchBreadth, Storage, StorageInfo, TextSearch, VectorIndexes } from '../store-contracts.js';

export interface SqliteStorageOptions {
  /** Directory holding the database and the index files (data-dir.ts). Undefined = in memory (tests). */
  dataDir: string | undefined;
  logger: Logger;
  /** How long after a write the ANN index is persisted (ms); writes within the window are saved together. */
  saveDelayMs?: number;
  /**
   * 'read-only': load index files but never write or remove them. For all but one of several server processes
   * sharing a data directory (one writer of index files); each keeps its own in-memory index in step with SQLite.
   */
  indexFiles?: 'read-write' | 'read-only';
  /** The ANN library of graphs built anew (default: usearch, f32, 2 threads; see graph-store.ts). */
  graph?: GraphChoice;
  /**
   * 'at-start' (default): every collection's graph is loaded and caught up when the store opens, so the first
   * search does not wait. 'on-use': when a collection is first searched or written (a copy reads no graph).
   */
  openIndexes?: 'at-start' | 'on-use';
}

/**
 * Below this many allowed passages a filtered dense search scores them exactly instead of asking HNSW to skip
 * everything else (which degrades to a walk over most of the graph when the filter is selective).
 */
const EXACT_SEARCH_MAX_CANDIDATES = 4096;

export const SQLITE_STORAGE_INFO: StorageInfo = { kind: 'sqlite', textRanking: { kind: 'bm25', engine: 'SQLite FTS5 bm25()' } };

/** The async DocumentStore over the synchronous SQLite one (each call runs at once; errors become rejections). */
function asyncDocumentStore(store: SqliteDocumentStore): DocumentStore {
  return {
    createCollection: async (name, encoder, config) => store.createCollection(name, encoder, config),
    findCollection: async (name) => store.findCollection(name),
    requireCollection: async (name) => store.requireCollection(name),
    listCollections: async () => store.listCollections(),
    deleteCollection: async (collection) => store.deleteCollection(collection),
    replaceCollection: async (collection, replacement) => store.replaceCollection(collection, replacement),
    documentsAfter: async (collectionId, afterRowId, limit, filter) => store.documentsAfter(collectionId, afterRowId, limit, filter),
    documentCopiesAfter: async (collectionId, afterRowId, limit) => store.documentCopiesAfter(collectionId, afterRowId, limit),
    documentCopiesOf: async (collectionId, externalIds) => store.documentCopiesOf(collectionId, externalIds),
    unchangedDocuments: async (collectionId, candidates) => store.unchangedDocuments(collectionId, candidates),
    upsertDocuments: async (collectionId, batch, unchanged) => store.upsertDocuments(collectionId, batch, unchanged),
    getDocument: async (collectionId, externalId) => store.getDocument(collectionId, externalId),
    patchDocument: async (collectionId, externalId, change) => store.patchDocument(collectionId, externalId, change),
    deleteDocumentsMatching: async (collectionId, filter) => store.deleteDocumentsMatching(collectionId, filter),
    deleteDocumentsById: async (collectionId, ids) => store.deleteDocumentsById(collectionId, ids),
    deleteDocument: async (collectionId, externalId) => store.deleteDocument(collectionId, externalId),
    counts: async (collectionId) => store.counts(collectionId),
    languages: async (collectionId) => store.languages(collectionId),
    documentVectors: async (collectionId, externalIds) => store.documentVectors(collectionId, externalIds),
    passageViews: async (labels) => store.passageViews(labels),
    documentsOfPassages: async (labels) => store.documentsOfPassages(labels),
  };
}

function sqliteTextSearch(store: SqliteDocumentStore, termIndexOf: (collection: CollectionRecord) => TermIndex): TextSearch {
  return {
    ranking: SQLITE_STORAGE_INFO.textRanking,
    async bm25(collection, query, limit, filter) {
      const match = ftsQueryOf(query);
      return match === undefined ? [] : store.bm25(collection.id, match, limit, filter);
    },
    async translated(collection, query, limit, filter) {
      const allowed = filterRestricts(filter) ? store.filteredLabels(collection.id, filter) : undefined;
      return translatedBm25Hits(termIndexOf(collection), query, limit, allowed);
    },
  };
}

export class SqliteStorage implements Storage {
  readonly info = SQLITE_STORAGE_INFO;
  readonly dataDir: string | undefined;
  /** The synchronous SQLite store (snapshots, tests and the HNSW catch-up read it directly). */
  readonly sqlite: SqliteDocumentStore;
  readonly documents: DocumentStore;
  readonly text: TextSearch;
  readonly vectors: VectorIndexes;
  private readonly db: Db;
  private readonly indexDir: string | undefined;
  private readonly logger: Logger;
  private readonly indexes = new Map<string, CollectionIndex>();
  /** Term indexes of the translate modes, built on a collection's first translated search; they go with its index. */
  private readonly termIndexes = new WeakMap<CollectionIndex, TermIndex>();
  private readonly graph: GraphChoice | undefined;
  private readonly saveDelayMs: number;
  private readonly writesIndexFiles: boolean;
  private readonly dataVersionStatement: Statement;
  private dataVersion: number;
  private saveTimer: NodeJS.Timeout | undefined;
  private followTimer: NodeJS.Timeout | undefined;
  private closed = false;

  constructor(options: SqliteStorageOptions) {
    this.dataDir = options.dataDir;
    this.db = openDatabase(options.dataDir === undefined ? ':memory:' : databasePathOf(options.dataDir));
    this.indexDir = options.dataDir === undefined ? undefined : indexDirOf(options.dataDir);
    this.sqlite = createDocumentStore(this.db);
    this.documents = asyncDocumentStore(this.sqlite);
    this.text = sqliteTextSearch(this.sqlite, (collection) => this.termIndexOf(collection));
    this.graph = options.graph;
    this.logger = options.logger;
    this.saveDelayMs = options.saveDelayMs ?? 2000;
    this.writesIndexFiles = options.indexFiles !== 'read-only';
    this.dataVersionStatement = this.db.prepare('PRAGMA data_version').pluck();
    this.dataVersion = this.readDataVersion();
    this.vectors = this.hnswIndexes();
    if (options.openIndexes !== 'on-use') for (const collection of this.sqlite.listCollections()) this.indexFor(collection);
  }

  private readDataVersion(): number {
    return this.dataVersionStatement.get() as number;
  }

  /** The open HNSW index of a collection (tests and benchmarks look at its graph). */
  indexOf(collection: CollectionRecord, options: { syncOnOpen?: boolean } = {}): CollectionIndex {
    return this.indexFor(collection, options);
  }

  /** The collection's term index for translated BM25 (term-index.ts), following the change log as its graph does. */
  private termIndexOf(collection: CollectionRecord): TermIndex {
    const index = this.indexFor(collection);
    let terms = this.termIndexes.get(index);
    if (!terms) this.termIndexes.set(index, (terms = createTermIndex(this.sqlite, collection.id)));
    return terms;
  }

  private indexFor(collection: CollectionRecord, options: { syncOnOpen?: boolean } = {}): CollectionIndex {
    let index = this.indexes.get(collection.name);
    if (!index || index.collection.id !== collection.id) {
      index?.abandonBackgroundSave();
      index = CollectionIndex.open({
        ...options,
        store: this.sqlite,
        collection,
        indexDir: this.indexDir,
        readOnlyFiles: !this.writesIndexFiles,
        logger: this.logger,
        ...(this.graph ? { graph: this.graph } : {}),
        // A large catch-up (after a crash, a CLI run, a compaction) is saved, so that a second crash does not repeat it.
        onCaughtUp: () => this.scheduleSave(),
      });
      this.indexes.set(collection.name, index);
    }
    return index;
  }

  /**
   * Another process (the CLI) may have written to the database; `data_version` changes only then, so
   * the common case costs one pragma.
   */
  private followExternalWrites(): void {
    const version = this.readDataVersion();
    if (version === this.dataVersion) return;
    this.dataVersion = version;
    const live = new Set(this.sqlite.listCollections().map((c) => `${c.id}:${c.name}`));
    for (const [name, index] of this.indexes) {
      if (!live.has(`${index.collection.id}:${name}`)) {
        // Dropped (or replaced) by another process. Its files are left alone: they may already be the
        // namesake's, and a file recorded for another collection id is never loaded.
        index.abandonBackgroundSave();
        this.indexes.delete(name);
      } else {
        index.markStale();
        index.sync();
        if (index.needsSave) this.scheduleSave();
      }
    }
  }

  followExternalWritesEvery(intervalMs: number): void {
    if (this.followTimer) clearInterval(this.followTimer);
    this.followTimer = setInterval(() => {
      try {
        // A save by another process moves no data_version: its calibration is looked for apart (one stat per index).
        for (const index of this.indexes.values()) index.followSavedCalibration();
        this.followExternalWrites();
      } catch (error) {
        this.logger.error({ err: error }, 'could not follow external writes');
      }
    }, intervalMs);
    this.followTimer.unref();
  }

  async liveCollection(name: string): Promise<CollectionRecord> {
    this.followExternalWrites();
    // Open indexes hold the live record of their collection (followExternalWrites drops replaced ones).
    return this.indexes.get(name)?.collection ?? this.sqlite.requireCollection(name);
  }

  async liveCollections(): Promise<CollectionRecord[]> {
    this.followExternalWrites();
    return this.sqlite.listCollections();
  }

  private scheduleSave(): void {
    if (this.indexDir === undefined || !this.writesIndexFiles || this.saveTimer || this.closed) return;
    this.saveTimer = setTimeout(() => {
      this.saveTimer = undefined;
      void this.saveInBackground();
    }, this.saveDelayMs);
    this.saveTimer.unref();
  }

  /** The periodic save: graph files are written off the main thread, so searches keep being answered. */
  async saveInBackground(): Promise<void> {
    for (const index of [...this.indexes.values()]) {
      try {
        await index.saveInBackground();
      } catch (error) {
        // SQLite still has everything; the next save retries, the next start rebuilds or catches up.
        this.logger.error({ err: error, collection: index.collection.name }, 'could not save vector index');
      }
    }
  }

  save(): void {
    for (const index of this.indexes.values()) {
      try {
        index.save();
      } catch (error) {
        // SQLite still has everything; the next start rebuilds or catches up.
        this.logger.error({ err: error, collection: index.collection.name }, 'could not save vector index');
      }
    }
  }

  /** SQLite's online backup API: other connections (this process or others) may keep reading and writing meanwhile. */
  async backup(file: string): Promise<void> {
    if (this.dataDir === undefined) throw new TafutaError('INVALID_ARGUMENT', 'an in-memory engine has no database to back up');
    await this.db.backup(file);
  }

  private forgetIndex(name: string): void {
    this.indexes.get(name)?.abandonBackgroundSave();
    this.indexes.delete(name);
    if (this.indexDir !== undefined && this.writesIndexFiles) CollectionIndex.removeFiles(this.indexDir, name);
  }

  private async denseHits(collection: CollectionRecord, query: Float32Array, depth: number, filter: SearchFilter | undefined, ef: number | undefined): Promise<VectorHit[]> {
    const index = this.indexFor(collection);
    if (!filterRestricts(filter)) return index.search(query, depth, undefined, ef);
    const allowed = this.sqlite.filteredLabels(collection.id, filter);
    if (allowed.size === 0) return [];
    if (allowed.size <= EXACT_SEARCH_MAX_CANDIDATES) {
      return this.sqlite
        .vectorsOf([...allowed])
        .map(({ label, vector }) => ({ label, score: dot(query, vector) }))
        .sort((a, b) => b.score - a.score || a.label - b.label)
        .slice(0, depth);
    }
    // HNSW skips filtered-out nodes but still walks them: widen the beam by the fraction the filter keeps, so that
    // about as many allowed candidates are weighed as an unfiltered search would weigh.
    const keeps = allowed.size / Math.max(1, index.size);
    const widened = Math.min(LIMITS.maxEf, Math.ceil(index.searchBreadth(ef).ef / Math.min(1, keeps)));
    return index.search(query, depth, (label) => allowed.has(label), widened);
  }

  private hnswIndexes(): VectorIndexes {
    return {
      search: (collection, query, k, filter, ef) => this.denseHits(collection, query, k, filter, ef),
      size: async (collection) => this.indexFor(collection).size,
      searchBreadth: async (collection) => {
        const index = this.indexFor(collection);
        const { ef, source } = index.searchBreadth();
        const calibration = index.efCalibration;
        const dropped = index.droppedCalibration;
        return {
          ef,
          efSource: source as SearchBreadth['efSource'], // no request: never 'request'
          ...(calibration ? { calibration: { ...calibration, holdsUpTo: Math.floor(CALIBRATION_HOLDS_GROWTH * calibration.passages), holds: calibrationHolds(calibration, index.size) } } : {}),
          ...(dropped ? { droppedCalibration: { ...dropped } } : {}),
        };
      },
      created: (collection) => {
        this.forgetIndex(collection.name); // leftovers of a dropped namesake
        this.indexFor(collection);
      },
      // The data_version mark is left alone: this connection's commits do not move it, and reading it here would
      // swallow another process's commit made meanwhile, which the next search would then not see.
      written: async (collection, options = {}) => {
        if (options.deferred) {
          this.indexes.get(collection.name)?.markStale(); // a search here still sees the write (pending)
          return;
        }
        const index = this.indexFor(collection);
        index.markStale();
        await index.catchUp();
        this.scheduleSave();
      },
      catchUp: async (collection) => {
        const started = performance.now();
        const index = this.indexFor(collection, { syncOnOpen: false });
        const before = index.vectorStore.size;
        withoutMemoryMap(this.db, () => index.catchUpNow());
        const inserted = performance.now();
        // The CLI's bulk build (`tafuta index`, `reindex`, `migrate-store`): measured here, never on a server's event loop.
        const calibration = withoutMemoryMap(this.db, () => index.calibrateEfIfDue());
        const calibrated = performance.now();
        index.save();
        const ms = (t: number) => Math.round(t - started);
        this.logger.info(
          {
            collection: collection.name, vectors: index.vectorStore.size, added: index.vectorStore.size - before, insertMs: ms(inserted),
            ...(calibration ? { calibratedEf: calibration.ef, recallAt10: calibration.recall, calibrationMs: ms(calibrated) - ms(inserted) } : {}),
            saveMs: ms(performance.now()) - ms(calibrated),
          },
          'vector index caught up and saved',
        );
      },
      forget: (name) => this.forgetIndex(name),
    };
  }

  /** Persists every index and closes the database (synchronously, before the first await). Idempotent. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.saveTimer) clearTimeout(this.saveTimer);
    if (this.followTimer) clearInterval(this.followTimer);
    this.saveTimer = undefined;
    this.followTimer = undefined;
    for (const index of this.indexes.values()) {
      index.abandonBackgroundSave();
      // Other processes' last writes, so that the saved file is as fresh as it can be (the next start catches up anyway).
      if (this.writesIndexFiles) index.catchUpNow();
    }
    this.save();
    this.db.close();
  }
}

export function createSqliteStorage(options: SqliteStorageOptions): SqliteStorage {
  return new SqliteStorage(options);
}
