/**
 * The storage seams the engine is built on, as interfaces: the document store (collections, documents,
 * passages with their vectors), text search (BM25 or its stand-in), and the collection-level vector index that
 * answers dense searches. A Storage bundles one implementation of each: SQLite + per-process HNSW
 * (indexer/sqlite/storage.ts) or PostgreSQL + pgvector (indexer/postgres/storage.ts). Everything is
 * Promise-returning, because a shared database answers over the network.
 */
import type { EfCalibration, EfSource } from './config.js';
import type { TranslatedQuery } from './translated-bm25.js';
import type { CollectionConfig, CollectionRecord, DocumentInput, Metadata, PassageView, SearchFilter, StoredDocument } from './types.js';
import type { VectorHit } from './vector-store.js';

export type { VectorHit, VectorStore } from './vector-store.js';

export interface PassageToStore {
  text: string;
  searchText: string;
  start: number;
  end: number;
  embedding: Float32Array;
}

export interface DocumentToStore {
  document: DocumentInput;
  contentHash: string;
  /** The identified language of a document given without one (undefined: given, or the identifier was unsure). */
  detectedLang?: string | undefined;
  passages: PassageToStore[];
}

export interface EncoderRecord {
  name: string;
  dim: number;
  version?: string | undefined;
}

/**
 * Everything a store holds of one document, as `tafuta migrate-store` copies it to another store: the document
 * (without its vector field: own vectors are the passage's), its content hash, and its passages with their search
 * text and vectors, in ordinal order.
 */
export interface DocumentCopy {
  rowId: number;
  document: StoredDocument;
  contentHash: string;
  passages: PassageToStore[];
}

/** A stored document with the position listings continue after (its internal row id). */
export interface DocumentRow {
  rowId: number;
  document: StoredDocument;
}

export interface DocumentStore {
  /** COLLECTION_EXISTS when the name is taken. */
  createCollection(name: string, encoder: EncoderRecord, config: CollectionConfig): Promise<CollectionRecord>;
  findCollection(name: string): Promise<CollectionRecord | undefined>;
  /** COLLECTION_NOT_FOUND when there is none. */
  requireCollection(name: string): Promise<CollectionRecord>;
  listCollections(): Promise<CollectionRecord[]>;
  /** Removes a collection with its documents and passages, atomically. */
  deleteCollection(collection: CollectionRecord): Promise<void>;
  /** Puts `replacement` in `collection`'s place atomically: the old rows go, the replacement takes its name. */
  replaceCollection(collection: CollectionRecord, replacement: CollectionRecord): Promise<CollectionRecord>;
  /** A page in internal-id order after `afterRowId`, restricted by a filter (INVALID_ARGUMENT for a bad one). */
  documentsAfter(collectionId: number, afterRowId: number, limit: number, filter?: SearchFilter): Promise<DocumentRow[]>;
  /** Complete documents (DocumentCopy) in internal-id order after `afterRowId`: a page of what a copy reads. */
  documentCopiesAfter(collectionId: number, afterRowId: number, limit: number): Promise<DocumentCopy[]>;
  /** The complete documents with these ids that the collection holds (what a copy finds already there). */
  documentCopiesOf(collectionId: number, externalIds: readonly string[]): Promise<DocumentCopy[]>;
  /** Which candidates would be unchanged by an upsert (same content hash). */
  unchangedDocuments(collectionId: number, candidates: ReadonlyArray<{ id: string; contentHash: string }>): Promise<Set<string>>;
  /** Writes a batch atomically (see the SQLite store for the unchanged rule); returns the passages written. */
  upsertDocuments(collectionId: number, batch: DocumentToStore[], unchanged: ReadonlySet<string>): Promise<number>;
  getDocument(collectionId: number, externalId: string): Promise<StoredDocument | undefined>;
  /** Sets title and metadata from what `change` makes of the stored document, atomically; undefined: no such document. */
  patchDocument(
    collectionId: number,
    externalId: string,
    change: (document: StoredDocument) => { title: string | null; metadata: Metadata | null },
  ): Promise<StoredDocument | undefined>;
  deleteDocumentsMatching(collectionId: number, filter: SearchFilter): Promise<number>;
  deleteDocumentsById(collectionId: number, ids: readonly string[]): Promise<number>;
  deleteDocument(collectionId: number, externalId: string): Promise<boolean>;
  counts(collectionId: number): Promise<{ documents: number; passages: number }>;
  languages(collectionId: number): Promise<Array<{ lang: string | null; documents: number }>>;
  /** The vector of each document's first passage, by document id (own-vector collections). */
  documentVectors(collectionId: number, externalIds: readonly string[]): Promise<Map<string, Float32Array>>;
  /** Result rows for passage labels, in the order given (labels that no longer exist are skipped). */
  passageViews(labels: readonly number[]): Promise<PassageView[]>;
  /** The document (row id) of each passage label that still exists. */
  documentsOfPassages(labels: readonly number[]): Promise<Map<number, number>>;
}

/** How a store ranks words: what /v1/info reports, so a client knows whether `bm25` is BM25. */
export interface TextRanking {
  /** 'bm25' when the ranking is Okapi BM25; 'ts_rank' for PostgreSQL's full-text ranking (not BM25). */
  kind: 'bm25' | 'ts_rank';
  /** Which engine ranks, in words. */
  engine: string;
}

export interface TextSearch {
  readonly ranking: TextRanking;
  /** Passages matching any of the query's words, best first (higher score is better). */
  bm25(collection: CollectionRecord, query: string, limit: number, filter?: SearchFilter): Promise<VectorHit[]>;
  /** BM25 of a query translated into weighted terms (translated-bm25.ts). */
  translated(collection: CollectionRecord, query: TranslatedQuery, limit: number, filter?: SearchFilter): Promise<VectorHit[]>;
}

/** The ef a dense search without one uses on a collection, where it comes from, and the graph's calibration if any. */
export interface SearchBreadth {
  ef: number;
  /** 'store-default': PostgreSQL's fixed ef_search default (pgvector), which no size or calibration changes. */
  efSource: Exclude<EfSource, 'request'> | 'store-default';
  /** The ef measured on the graph after its last bulk build; `holds`: the collection is still within `holdsUpTo` passages of it. */
  calibration?: EfCalibration & { holdsUpTo: number; holds: boolean };
  /** The last calibration another process saved with the graph that this graph did not keep, and why (saved-calibration.ts). */
  droppedCalibration?: EfCalibration & { reason: string };
}

/** The dense side of every collection: nearest passages to a unit vector, kept in step with the document store. */
export interface VectorIndexes {
  /** Nearest passages by cosine among those a filter allows; `ef` overrides the collection's search breadth. */
  search(collection: CollectionRecord, query: Float32Array, k: number, filter: SearchFilter | undefined, ef: number | undefined): Promise<VectorHit[]>;
  /** Vectors searchable now. */
  size(collection: CollectionRecord): Promise<number>;
  /** The ef a search without one uses, and why (SQLite: config.ts, searchBreadthOf). */
  searchBreadth(collection: CollectionRecord): Promise<SearchBreadth>;
  /** A collection was created (leftovers of a dropped namesake go). */
  created(collection: CollectionRecord): void;
  /** A write committed; resolves once searches find it. `deferred`: a bulk import that calls `catchUp` at its end. */
  written(collection: CollectionRecord, options?: { deferred?: boolean }): Promise<void>;
  /** After deferred writes: brings the index up to date now and persists it. */
  catchUp(collection: CollectionRecord): Promise<void>;
  /** A collection name no longer holds the collection the index was built for (dropped, or replaced by re-indexing). */
  forget(name: string): void;
}

export interface StorageInfo {
  /** 'sqlite': SQLite with an HNSW graph per process; 'postgres': PostgreSQL with pgvector, shared by every process. */
  kind: 'sqlite' | 'postgres';
  textRanking: TextRanking;
}

export interface Storage {
  readonly info: StorageInfo;
  /** The SQLite data directory (undefined: in memory, or not SQLite). */
  readonly dataDir: string | undefined;
  readonly documents: DocumentStore;
  readonly text: TextSearch;
  readonly vectors: VectorIndexes;
  /** The live record of a collection, after noticing other processes' writes (COLLECTION_NOT_FOUND when none). */
  liveCollection(name: string): Promise<CollectionRecord>;
  /** Every collection, after noticing other processes' writes. */
  liveCollections(): Promise<CollectionRecord[]>;
  /** Keeps up with other processes' writes every `intervalMs` even when no request comes (stopped by close). */
  followExternalWritesEvery(intervalMs: number): void;
  /** Persists what this process holds in memory only (index files); a no-op where nothing is. */
  save(): void;
  /** A consistent copy of the database at `file` (INVALID_ARGUMENT where the store cannot). */
  backup(file: string): Promise<void>;
  close(): Promise<void>;
}
