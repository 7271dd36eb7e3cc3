/**
 * Copies collections from one store to another (a SQLite data directory, PostgreSQL) as they are stored: documents
 * with their content hashes, passages with their search text and vectors — nothing is encoded again, so no encoder
 * needs to be loaded. Pages are read in the source's internal order, and a document the target already holds
 * identically is skipped, so a copy that was interrupted (even killed) is finished by running it again. The target's
 * vector index is built as after a bulk import (SQLite: the graph catches up once at the end and is saved).
 *
 * Then both sides are checked: document and passage counts, and a checksum computed the same way on each (sha256
 * over the documents in id order, each one's digest covering its id, content hash, text, title, language, metadata
 * and every passage's text, offsets and vector bytes).
 */
import crypto from 'node:crypto';
import { TafutaError } from '../core/errors.js';
import { documentInputOf } from './document-batch.js';
import { REINDEX_PREFIX } from './engine.js';
import type { DocumentCopy, DocumentToStore, Storage } from './store-contracts.js';
import type { CollectionRecord } from './types.js';

export interface MigrateStoreOptions {
  from: Storage;
  to: Storage;
  /** The source's collections to copy (selectCollections). */
  collections: readonly CollectionRecord[];
  /** Documents per page read and per transaction written. */
  batchSize: number;
  /** Called after each page of a collection. */
  onProgress?: (progress: { collection: string; documents: number; total: number }) => void;
}

/** What one side holds of a collection, as the check compares it. */
export interface CollectionContents {
  documents: number;
  passages: number;
  /** Hex sha256 (collectionChecksum). */
  checksum: string;
}

export interface CollectionMigration {
  collection: string;
  source: CollectionContents;
  target: CollectionContents;
  /** Passages the target's vector index answers for, once built (equal to the target's passages when all is well). */
  indexedVectors: number;
  /** Documents written to the target; the rest were there already, identical. */
  copied: number;
  alreadyThere: number;
  seconds: number;
}

/** Both sides hold the same documents and passages, and the target's vector index has every passage. */
export function migrationMatches(m: CollectionMigration): boolean {
  return (
    m.source.documents === m.target.documents && m.source.passages === m.target.passages && m.source.checksum === m.target.checksum &&
    m.indexedVectors === m.target.passages
  );
}

/** JSON with object keys sorted at every depth: PostgreSQL's JSONB reorders keys, SQLite's JSON text keeps them. */
function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v !== null && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) : v,
  );
}

/** A digest of everything the stores hold of a document (updated_at aside: a copy is written anew). */
export function documentDigest(copy: DocumentCopy): Buffer {
  const d = copy.document;
  const hash = crypto.createHash('sha256');
  hash.update(canonicalJson([d.id, copy.contentHash, d.text, d.title, d.lang, d.lang_detected === true, d.metadata, copy.passages.length]));
  for (const p of copy.passages) {
    hash.update(JSON.stringify([p.text, p.searchText, p.start, p.end, p.embedding.length]));
    hash.update(new Uint8Array(p.embedding.buffer, p.embedding.byteOffset, p.embedding.byteLength));
  }
  return hash.digest();
}

/** sha256 over (id, digest) of every document in id order, whatever order they were read in. */
class CollectionChecksum {
  private readonly entries: Array<[string, Buffer]> = [];

  add(id: string, digest: Buffer): void {
    this.entries.push([id, digest]);
  }

  get documents(): number {
    return this.entries.length;
  }

  hex(): string {
    const hash = crypto.createHash('sha256');
    for (const [id, digest] of this.entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) hash.update(`${JSON.stringify(id)}\n`).update(digest);
    return hash.digest('hex');
  }
}

/** The checksum of a collection as it is stored now (read page by page). */
export async function collectionChecksum(storage: Storage, collection: CollectionRecord, pageSize = 256): Promise<string> {
  const checksum = new CollectionChecksum();
  for (let after = 0; ; ) {
    const page = await storage.documents.documentCopiesAfter(collection.id, after, pageSize);
    if (page.length === 0) return checksum.hex();
    for (const copy of page) checksum.add(copy.document.id, documentDigest(copy));
    after = page.at(-1)!.rowId;
  }
}

/** An upsert writing the stored document back as it is: the identified language stays identified. */
function documentToStore(copy: DocumentCopy): DocumentToStore {
  const { document } = copy;
  return {
    document: documentInputOf(document),
    contentHash: copy.contentHash,
    ...(document.lang_detected && document.lang !== null ? { detectedLang: document.lang } : {}),
    passages: copy.passages,
  };
}

/**
 * The source's collections to copy: the named ones (COLLECTION_NOT_FOUND naming those the source has), or, for
 * none named, all but leftovers of an interrupted re-index.
 */
export async function selectCollections(from: Storage, names: readonly string[] | undefined): Promise<CollectionRecord[]> {
  const all = await from.documents.listCollections();
  if (names === undefined || names.length === 0) return all.filter((c) => !c.name.startsWith(REINDEX_PREFIX));
  const byName = new Map(all.map((c) => [c.name, c]));
  return [...new Set(names)].map((name) => {
    const collection = byName.get(name);
    if (!collection) {
      const held = all.map((c) => c.name).join(', ') || 'none';
      throw new TafutaError('COLLECTION_NOT_FOUND', `collection "${name}" is not in the source (it has: ${held})`);
    }
    return collection;
  });
}

const encoderOf = (c: CollectionRecord) => `encoder "${c.encoder}" version ${c.encoderVersion ?? 'unversioned'}, ${c.dim}-d`;

/** The target may hold a collection of the source's name only with the same encoder, dim and config (ENCODER_CHANGED, INVALID_ARGUMENT). */
function assertTargetMatches(existing: CollectionRecord, source: CollectionRecord): void {
  if (existing.encoder !== source.encoder || existing.dim !== source.dim || existing.encoderVersion !== source.encoderVersion) {
    throw new TafutaError(
      'ENCODER_CHANGED',
      `collection "${source.name}" exists in the target with ${encoderOf(existing)}, and the source's has ${encoderOf(source)}: ` +
        `their vectors cannot be mixed; drop it from the target, or copy another collection`,
      { collection: source.name },
    );
  }
  if (canonicalJson(existing.config) !== canonicalJson(source.config)) {
    throw new TafutaError(
      'INVALID_ARGUMENT',
      `collection "${source.name}" exists in the target with another config (${canonicalJson(existing.config)}; the source's: ${canonicalJson(source.config)}): drop it from the target first`,
    );
  }
}

/** The target's collection of the source's name: an existing one (checked), or created like the source's. */
async function targetCollection(to: Storage, source: CollectionRecord): Promise<CollectionRecord> {
  const existing = await to.documents.findCollection(source.name);
  if (existing) {
    assertTargetMatches(existing, source);
    return existing;
  }
  const created = await to.documents.createCollection(source.name, { name: source.encoder, dim: source.dim, version: source.encoderVersion ?? undefined }, source.config);
  to.vectors.created(created);
  return created;
}

async function migrateCollection(options: MigrateStoreOptions, source: CollectionRecord): Promise<CollectionMigration> {
  const { from, to, batchSize } = options;
  const started = performance.now();
  const target = await targetCollection(to, source);
  const total = (await from.documents.counts(source.id)).documents;
  const sourceChecksum = new CollectionChecksum();
  let copied = 0;
  for (let after = 0; ; ) {
    const page = await from.documents.documentCopiesAfter(source.id, after, batchSize);
    if (page.length === 0) break;
    after = page.at(-1)!.rowId;
    const digests = page.map(documentDigest);
    page.forEach((copy, i) => sourceChecksum.add(copy.document.id, digests[i]!));
    const there = await to.documents.documentCopiesOf(target.id, page.map((c) => c.document.id));
    const digestThere = new Map(there.map((c) => [c.document.id, documentDigest(c)]));
    const missing = page.filter((copy, i) => !digestThere.get(copy.document.id)?.equals(digests[i]!));
    if (missing.length > 0) {
      // Nothing counts as unchanged: a document that differs is replaced whole, passages and vectors included.
      await to.documents.upsertDocuments(target.id, missing.map(documentToStore), new Set());
      await to.vectors.written(target, { deferred: true });
      copied += missing.length;
    }
    options.onProgress?.({ collection: source.name, documents: sourceChecksum.documents, total });
  }
  await to.vectors.catchUp(target);

  const [sourceCounts, targetCounts, targetChecksum, indexedVectors] = await Promise.all([
    from.documents.counts(source.id),
    to.documents.counts(target.id),
    collectionChecksum(to, target, batchSize),
    to.vectors.size(target),
  ]);
  return {
    collection: source.name,
    // Counted after the copy: documents written to the source meanwhile make its counts differ from the target's.
    source: { ...sourceCounts, checksum: sourceChecksum.hex() },
    target: { ...targetCounts, checksum: targetChecksum },
    indexedVectors,
    copied,
    alreadyThere: sourceChecksum.documents - copied,
    seconds: (performance.now() - started) / 1000,
  };
}

/** Copies the collections one after another and checks each; a collection's check failing does not stop the next. */
export async function migrateStore(options: MigrateStoreOptions): Promise<CollectionMigration[]> {
  const { collections } = options;
  // Every clash is refused before anything is copied.
  for (const source of collections) {
    const existing = await options.to.documents.findCollection(source.name);
    if (existing) assertTargetMatches(existing, source);
  }
  const results: CollectionMigration[] = [];
  for (const collection of collections) results.push(await migrateCollection(options, collection));
  return results;
}
