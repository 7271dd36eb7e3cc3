/**
 * The orchestrator: collections of documents, each with an encoder, over a Storage (store-contracts.ts: a document
 * store, text search and vector indexes, built by a factory and injected). The HTTP server and the CLI call these
 * verbs; nothing here knows about HTTP, SQL or HNSW.
 */
import type { LanguageIdentifier } from '../models/langid/identifier.js';
import type { EncoderRegistry } from '../models/registry.js';
import { createUntranslatedQueries, type QueryTranslator } from '../models/translate/translator.js';
import { collectionConfigSchema, collectionNameSchema } from './config.js';
import type { DocumentStore, Storage, StorageInfo } from './store-contracts.js';
import { decodeCursor, encodeCursor } from './cursor.js';
import { patchedFields, type DocumentPatch } from './document-patch.js';
import { filterRestricts } from './filters.js';
import { TafutaError } from '../core/errors.js';
import type { Logger } from '../core/logger.js';
import { createPassagePreparer, type PassagePreparer } from './passage-preparation.js';
import { hasOwnVectors, WHOLE_DOCUMENT } from './own-vectors.js';
import { searchCollection, type SearchRequest, type SearchResponse } from './search.js';
import { ENCODER_NONE, type CollectionRecord, type DocumentInput, type SearchFilter, type StoredDocument } from './types.js';
import { formatIssues } from '../core/issues.js';
import type { BulkUpsertOptions, CollectionInfo, DocumentPage, EngineOptions, ReindexResult, UpsertOptions, UpsertResult } from './engine-types.js';
import { encoderChange, encoderFor, loadedEncoderOf, newCollectionEncoder } from './collection-encoders.js';
import { assertUniqueIds, documentInputOf, prepareBatch, type PreparedBatch } from './document-batch.js';
import { WriteQueues } from './write-queues.js';

/** Temporary collections of reindexCollection; user names must start with a letter or digit, so none can clash. */
export const REINDEX_PREFIX = '_reindex_';

/**
 * Batches a bulk import prepares ahead of the one it stores: enough that the encoder workers always have a batch
 * queued while the main thread commits one (docs/benchmarks.md §2.7).
 */
export const DEFAULT_IMPORT_LOOKAHEAD = 3;

type PreparedUpsert = PreparedBatch & { collection: CollectionRecord; documents: number };

export class Engine {
  readonly storage: Storage;
  readonly store: DocumentStore;
  readonly encoders: EncoderRegistry;
  readonly languageIdentifier: LanguageIdentifier;
  readonly translator: QueryTranslator;
  private readonly logger: Logger;
  private readonly ownsEncoders: boolean;
  private readonly passagePreparer: PassagePreparer;
  private readonly writes = new WriteQueues();
  private closed = false;

  constructor(options: EngineOptions) {
    this.storage = options.storage;
    this.store = options.storage.documents;
    this.encoders = options.encoders;
    this.languageIdentifier = options.languageIdentifier;
    this.translator = options.translator ?? createUntranslatedQueries();
    this.logger = options.logger;
    this.ownsEncoders = options.ownsEncoders ?? false;
    this.passagePreparer = createPassagePreparer({ inlineMaxChars: options.inlinePreparationMaxChars });
  }

  /** The SQLite data directory (undefined: in memory, or another store). */
  get dataDir(): string | undefined {
    return this.storage.dataDir;
  }

  get storageInfo(): StorageInfo {
    return this.storage.info;
  }

  /** Keeps up with other processes' writes even when no request comes (stopped by close()). */
  followExternalWritesEvery(intervalMs: number): void {
    this.storage.followExternalWritesEvery(intervalMs);
  }

  private requireCollection(name: string): Promise<CollectionRecord> {
    return this.storage.liveCollection(name);
  }

  /** Persists what the storage holds in memory only (SQLite: the HNSW files). */
  saveIndexes(): void {
    this.storage.save();
  }

  /**
   * `encoder: "none"` with `dim` makes a collection of your own vectors (indexer/own-vectors.ts): its documents
   * are kept whole, one passage each, so `config.passages` does not apply to it.
   */
  async createCollection(name: string, options: { encoder?: string | undefined; dim?: number | undefined; config?: unknown } = {}): Promise<CollectionInfo> {
    // Names become file names under indexes/: validated here, not only at the HTTP edge.
    const validName = collectionNameSchema.safeParse(name);
    if (!validName.success) throw new TafutaError('INVALID_ARGUMENT', validName.error.issues[0]!.message);
    const encoder = newCollectionEncoder(this.encoders, options);
    const ownVectors = encoder.name === ENCODER_NONE;
    if (ownVectors && (options.config as { passages?: unknown } | null | undefined)?.passages !== undefined) {
      throw new TafutaError('INVALID_ARGUMENT', `invalid collection config: passages: a collection of your own vectors (encoder "${ENCODER_NONE}") keeps each document whole, one passage with its vector`);
    }
    const parsed = collectionConfigSchema.safeParse(options.config);
    if (!parsed.success) throw new TafutaError('INVALID_ARGUMENT', `invalid collection config: ${formatIssues(parsed.error)}`);
    const config = ownVectors ? { ...parsed.data, passages: { ...WHOLE_DOCUMENT } } : parsed.data;
    await this.storage.liveCollections(); // notices a namesake dropped by another process
    const collection = await this.store.createCollection(name, encoder, config);
    this.storage.vectors.created(collection);
    this.logger.info({ collection: name, encoder: encoder.name }, 'collection created');
    return this.describe(collection);
  }

  private async describe(collection: CollectionRecord): Promise<CollectionInfo> {
    const encoder = this.encoders.get(collection.encoder);
    const changed = encoder ? encoderChange(collection, encoder.info) : undefined;
    const [counts, indexedVectors, search, languages] = await Promise.all([
      this.store.counts(collection.id),
      this.storage.vectors.size(collection),
      this.storage.vectors.searchBreadth(collection),
      this.store.languages(collection.id),
    ]);
    return {
      name: collection.name,
      encoder: collection.encoder,
      dim: collection.dim,
      encoderVersion: collection.encoderVersion,
      ...(changed ? { encoderChanged: changed } : {}),
      config: collection.config,
      createdAt: collection.createdAt,
      ...counts,
      indexedVectors,
      search,
      languages,
    };
  }

  async getCollection(name: string): Promise<CollectionInfo> {
    return this.describe(await this.requireCollection(name));
  }

  async listCollections(): Promise<CollectionInfo[]> {
    const collections = await this.storage.liveCollections();
    return Promise.all(collections.filter((c) => !c.name.startsWith(REINDEX_PREFIX)).map((c) => this.describe(c)));
  }

  /** Rejects with COLLECTION_NOT_FOUND, cheaply (no counting). */
  async assertCollectionExists(name: string): Promise<void> {
    await this.requireCollection(name);
  }

  /**
   * Drops a collection with its documents. Without `force` a collection that still holds documents is refused
   * (COLLECTION_NOT_EMPTY): the request that drops a collection is one path segment away from one that deletes a
   * document, and a client or proxy that rewrites a path can turn the second into the first.
   */
  deleteCollection(name: string, options: { force: boolean } = { force: false }): Promise<void> {
    return this.writes.run(name, async () => {
      const collection = await this.requireCollection(name);
      const { documents } = await this.store.counts(collection.id);
      if (!options.force && documents > 0) {
        throw new TafutaError('COLLECTION_NOT_EMPTY', `collection "${name}" holds ${documents} documents; delete it with force (HTTP: ?force=true)`, {
          collection: name,
          documents,
        });
      }
      await this.deleteCollectionNow(name);
    });
  }

  private async deleteCollectionNow(name: string): Promise<void> {
    const collection = await this.requireCollection(name);
    await this.store.deleteCollection(collection);
    this.storage.vectors.forget(name);
    this.logger.info({ collection: name }, 'collection deleted');
  }

  /**
   * Encodes every document of a collection again with the loaded version of its encoder: the way out of
   * ENCODER_CHANGED after a model update. The documents are copied, batch by batch, into a new collection under a
   * reserved temporary name (`_reindex_<name>`, which no user can create), and one transaction then puts it in the
   * old one's place. Until that commit the old collection is untouched; an interrupted run leaves only the
   * temporary collection, which the next run discards. Other writes to the collection wait until it is done.
   */
  reindexCollection(name: string, options: { batchSize?: number; onProgress?: (done: number, total: number) => void } = {}): Promise<ReindexResult> {
    return this.writes.run(name, () => this.reindexCollectionNow(name, options));
  }

  private async reindexCollectionNow(name: string, options: { batchSize?: number; onProgress?: (done: number, total: number) => void }): Promise<ReindexResult> {
    const batchSize = options.batchSize ?? 256;
    if (!Number.isInteger(batchSize) || batchSize < 1) throw new TafutaError('INVALID_ARGUMENT', `batchSize must be a positive integer, got ${batchSize}`);
    const old = await this.requireCollection(name);
    if (hasOwnVectors(old)) throw new TafutaError('INVALID_ARGUMENT', `collection "${name}" holds your own vectors (encoder "${ENCODER_NONE}"): there is nothing to re-encode`);
    const encoder = loadedEncoderOf(this.encoders, old); // not encoderFor: re-indexing is the way out of ENCODER_CHANGED
    const tempName = `${REINDEX_PREFIX}${name}`;
    if (await this.store.findCollection(tempName)) await this.deleteCollectionNow(tempName); // left by an interrupted run
    const started = performance.now();
    const total = (await this.store.counts(old.id)).documents;
    const temp = await this.store.createCollection(tempName, encoder.info, old.config);
    let documents = 0;
    let passages = 0;
    try {
      for (let after = 0; ; ) {
        const page = await this.store.documentsAfter(old.id, after, batchSize);
        if (page.length === 0) break;
        passages += (await this.upsertDocumentsNow(tempName, page.map((p) => documentInputOf(p.document)))).passages;
        documents += page.length;
        after = page.at(-1)!.rowId;
        options.onProgress?.(documents, total);
      }
      if ((await this.requireCollection(name)).id !== old.id) throw new TafutaError('CONFLICT', `collection "${name}" was replaced during the re-index; run it again`);
    } catch (err) {
      await this.deleteCollectionNow(tempName);
      throw err;
    }
    const replaced = await this.store.replaceCollection(old, temp);
    for (const stale of [name, tempName]) this.storage.vectors.forget(stale);
    // The index under the real name is built from the store in bulk, calibrated and saved, as after `tafuta index`.
    await this.storage.vectors.catchUp(replaced);
    const seconds = (performance.now() - started) / 1000;
    this.logger.info({ collection: name, documents, passages, seconds, encoder: encoder.info.name, version: encoder.info.version }, 'collection re-indexed');
    return { documents, passages, seconds };
  }

  /**
   * Batch upsert: split, encode (skipping documents whose content is unchanged), then write the whole batch in
   * one SQLite transaction and bring the ANN index up to date. A failure before the commit writes nothing.
   */
  upsertDocuments(name: string, documents: readonly DocumentInput[], options: UpsertOptions = {}): Promise<UpsertResult> {
    return this.writes.run(name, () => this.upsertDocumentsNow(name, documents, options));
  }

  /**
   * After upserts with `deferIndex`: brings the collection's vector index up to date now and persists it (SQLite:
   * one synchronous pass streamed from the database into the graph, then the index file).
   */
  catchUpIndex(name: string): Promise<void> {
    return this.writes.run(name, async () => this.storage.vectors.catchUp(await this.requireCollection(name)));
  }

  /**
   * Bulk import: upserts each batch as upsertDocuments does (one transaction each, committed in order), but
   * prepares (splits, encodes) up to `lookahead` batches while the one before them is being stored, so the
   * worker threads encode while the main thread writes SQLite. A batch that shares an id with one not stored yet
   * waits for it: its unchanged check must see that write. `onBatch` follows each commit; after a failure the
   * batches before it stay committed, as with one upsertDocuments call per batch. Other writes to the collection
   * wait until it is done.
   */
  upsertBatches(name: string, batches: AsyncIterable<readonly DocumentInput[]>, options: BulkUpsertOptions = {}): Promise<void> {
    return this.writes.run(name, () => this.upsertBatchesNow(name, batches, options));
  }

  private async upsertBatchesNow(name: string, batches: AsyncIterable<readonly DocumentInput[]>, options: BulkUpsertOptions): Promise<void> {
    const lookahead = options.lookahead ?? DEFAULT_IMPORT_LOOKAHEAD;
    const preparing: Array<{ ids: ReadonlySet<string>; documents: number; prepared: Promise<PreparedUpsert> }> = [];
    const storeOldest = async () => {
      const oldest = preparing.shift()!;
      const result = await this.storePrepared(name, await oldest.prepared, options);
      options.onBatch?.(result, oldest.documents);
    };
    const iterator = batches[Symbol.asyncIterator]();
    try {
      for (;;) {
        let documents: readonly DocumentInput[];
        try {
          const next = await iterator.next();
          if (next.done) break;
          documents = next.value;
          assertUniqueIds(documents);
        } catch (error) {
          // A batch that cannot be read (a bad record) fails after the ones before it are stored, as one upsert per batch would.
          while (preparing.length > 0) await storeOldest();
          throw error;
        }
        while (preparing.some((batch) => documents.some((d) => batch.ids.has(d.id)))) await storeOldest();
        while (preparing.length >= lookahead) await storeOldest();
        const prepared = this.prepareUpsert(name, documents);
        prepared.catch(() => undefined); // awaited in order by storeOldest, which rethrows
        preparing.push({ ids: new Set(documents.map((d) => d.id)), documents: documents.length, prepared });
      }
      while (preparing.length > 0) await storeOldest();
    } finally {
      // After a failure: batches still being encoded settle before the caller may close the encoders.
      await Promise.allSettled(preparing.map((batch) => batch.prepared));
      await iterator.return?.();
    }
  }

  private async upsertDocumentsNow(name: string, documents: readonly DocumentInput[], options: UpsertOptions = {}): Promise<UpsertResult> {
    assertUniqueIds(documents);
    return this.storePrepared(name, await this.prepareUpsert(name, documents), options);
  }

  /** Splits and encodes a batch of distinct ids (skipping unchanged documents); writes nothing. */
  private async prepareUpsert(name: string, documents: readonly DocumentInput[]): Promise<PreparedUpsert> {
    const collection = await this.requireCollection(name);
    const encoder = encoderFor(this.encoders, collection);
    const context = { collection, encoder, store: this.store, passagePreparer: this.passagePreparer, languageIdentifier: this.languageIdentifier };
    return { collection, documents: documents.length, ...(await prepareBatch(context, documents)) };
  }

  /** Writes a prepared batch in one transaction and brings the ANN index up to date (or marks it behind). */
  private async storePrepared(name: string, prepared: PreparedUpsert, options: UpsertOptions): Promise<UpsertResult> {
    const { collection, batch, unchanged } = prepared;
    // Another process may have dropped (or dropped and recreated) the collection while we were encoding.
    const current = await this.requireCollection(name);
    if (current.id !== collection.id) throw new TafutaError('CONFLICT', `collection "${name}" was replaced during the write; retry`);
    const passages = await this.store.upsertDocuments(collection.id, batch, unchanged);
    await this.storage.vectors.written(collection, { deferred: options.deferIndex === true });
    return { upserted: prepared.documents - unchanged.size, unchanged: unchanged.size, passages };
  }

  /**
   * Ends the threads and sessions that encode ahead of close(): the encoders (when this engine owns them) and the
   * passage worker. For a process that encodes nothing more, e.g. `tafuta index` before its graph build, which would
   * otherwise hold their memory beside the graph (docs/benchmarks/notes/2.9-memory.md). Passages are split on this
   * thread afterwards; whatever encodes (a write, a search) then fails with the encoder's "closed" error.
   */
  async releaseEncoders(): Promise<void> {
    await this.passagePreparer.close();
    if (this.ownsEncoders) await this.encoders.closeAll();
  }

  /** A document; in a collection of your own vectors, with its (stored, unit-length) vector. */
  async getDocument(name: string, id: string): Promise<StoredDocument> {
    const collection = await this.requireCollection(name);
    const document = await this.store.getDocument(collection.id, id);
    if (!document) throw new TafutaError('DOCUMENT_NOT_FOUND', `document "${id}" is not in collection "${name}"`);
    return (await this.withOwnVectors(collection, [document]))[0]!;
  }

  private async withOwnVectors(collection: CollectionRecord, documents: StoredDocument[]): Promise<StoredDocument[]> {
    if (!hasOwnVectors(collection) || documents.length === 0) return documents;
    const vectors = await this.store.documentVectors(collection.id, documents.map((d) => d.id));
    return documents.map((d) => {
      const vector = vectors.get(d.id);
      return vector ? { ...d, vector: Array.from(vector) } : d;
    });
  }

  /**
   * A page of a collection's documents in a stable order (insertion), restricted by a filter; `next_cursor`
   * (opaque) continues after the last one, null when there is nothing more. Documents written after a listing
   * started appear on later pages; none is returned twice. `withVectors`: documents of a collection of your own
   * vectors carry them (export); a page of them can be large, so listings leave them out by default.
   */
  async listDocuments(name: string, options: { limit: number; cursor?: string | undefined; filter?: SearchFilter | undefined; withVectors?: boolean }): Promise<DocumentPage> {
    const collection = await this.requireCollection(name);
    const after = options.cursor === undefined ? 0 : decodeCursor(options.cursor);
    const rows = await this.store.documentsAfter(collection.id, after, options.limit + 1, options.filter);
    const page = rows.slice(0, options.limit);
    const documents = page.map((r) => r.document);
    return {
      documents: options.withVectors ? await this.withOwnVectors(collection, documents) : documents,
      next_cursor: rows.length > options.limit ? encodeCursor(page.at(-1)!.rowId) : null,
    };
  }

  deleteDocument(name: string, id: string): Promise<void> {
    return this.writes.run(name, () => this.deleteDocumentNow(name, id));
  }

  private async deleteDocumentNow(name: string, id: string): Promise<void> {
    const collection = await this.requireCollection(name);
    if (!(await this.store.deleteDocument(collection.id, id))) {
      throw new TafutaError('DOCUMENT_NOT_FOUND', `document "${id}" is not in collection "${name}"`);
    }
    await this.storage.vectors.written(collection);
  }

  /**
   * Changes a document's title and/or metadata (JSON Merge Patch, see document-patch.ts). Metadata alone is set
   * without re-encoding: passages, vectors and the content hash stay, so re-indexing the same text later still finds
   * it unchanged. A new title is encoded with every passage (titles.ts), so the document is written again as an
   * upsert of its stored text with the patched fields.
   */
  patchDocument(name: string, id: string, patch: DocumentPatch): Promise<StoredDocument> {
    return this.writes.run(name, async () => {
      const collection = await this.requireCollection(name);
      const stored = await this.getDocument(name, id);
      if (patch.title !== undefined && patch.title !== stored.title) {
        await this.upsertDocumentsNow(name, [documentInputOf({ ...stored, ...patchedFields(stored, patch) })]);
        return this.getDocument(name, id);
      }
      const patched = await this.store.patchDocument(collection.id, id, (document) => patchedFields(document, patch));
      if (!patched) throw new TafutaError('DOCUMENT_NOT_FOUND', `document "${id}" is not in collection "${name}"`);
      return (await this.withOwnVectors(collection, [patched]))[0]!;
    });
  }

  /** Deletes documents by id or by a filter, which must restrict something (INVALID_ARGUMENT otherwise). */
  deleteDocuments(name: string, target: { ids: readonly string[] } | { filter: SearchFilter }): Promise<{ deleted: number }> {
    return this.writes.run(name, async () => {
      const collection = await this.requireCollection(name);
      let deleted: number;
      if ('ids' in target) {
        deleted = await this.store.deleteDocumentsById(collection.id, target.ids);
      } else {
        if (!filterRestricts(target.filter)) throw new TafutaError('INVALID_ARGUMENT', 'filter must restrict something: an empty filter would delete every document');
        deleted = await this.store.deleteDocumentsMatching(collection.id, target.filter);
      }
      if (deleted > 0) await this.storage.vectors.written(collection);
      return { deleted };
    });
  }

  async search(name: string, request: SearchRequest): Promise<SearchResponse> {
    const collection = await this.requireCollection(name);
    return searchCollection(
      { collection, storage: this.storage, encoder: encoderFor(this.encoders, collection), languageIdentifier: this.languageIdentifier, translator: this.translator },
      request,
    );
  }

  /** Resolves once no write is queued or running (graceful shutdown waits for writes whose client went away). */
  async whenIdle(): Promise<void> {
    await this.writes.whenIdle();
  }

  /** A consistent copy of the database at `file`, while other connections keep reading and writing. */
  async backupDatabase(file: string): Promise<void> {
    await this.storage.backup(file);
  }

  /**
   * Closes the storage (SQLite: persists every index and closes the database, synchronously, before the first
   * await), then stops the passage worker thread, and the encoders' worker threads when the engine owns them.
   * Idempotent.
   */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.storage.close();
    await this.passagePreparer.close();
    if (this.ownsEncoders) await this.encoders.closeAll();
  }
}

/**
 * Runs `work` on an engine over a throw-away data directory with these model directories (and query translator)
 * loaded, and removes the directory afterwards. bin/ (the composition root) makes one and hands it to the commands
 * that need an engine of their own (eval, auto-modes, translate train), so that they do not import bin/.
 */
export type TempEngineRunner = <T>(work: (engine: Engine) => Promise<T>, modelDirs?: string[], translatorDir?: string) => Promise<T>;

export function openEngine(options: EngineOptions): Engine {
  return new Engine(options);
}
