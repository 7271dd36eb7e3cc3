/**
 * What an upsert batch becomes before it is stored: each document's content hash, and for those whose content
 * changed, their passages (split, fitted to the encoder's token limit), identified language and vectors. And the
 * way back: a stored document as an upsert's input.
 */
import crypto from 'node:crypto';
import { identifyDocumentLanguage, type LanguageIdentifier } from '../models/langid/identifier.js';
import type { Encoder } from '../models/encoder.js';
import { TafutaError } from '../core/errors.js';
import { fitPassagesToTokens, type PassagePreparer } from './passage-preparation.js';
import { ownVectorOf } from './own-vectors.js';
import { LIMITS } from './schemas.js';
import type { DocumentStore, DocumentToStore } from './store-contracts.js';
import { passageEmbeddingText } from './titles.js';
import type { CollectionConfig, CollectionRecord, DocumentInput, StoredDocument } from './types.js';

export function contentHashOf(document: DocumentInput, config: CollectionConfig, ownVector?: Float32Array): string {
  // Everything the stored passages and vectors depend on: text, the splitting config, lang (it routes adapters),
  // the title (encoded with each passage) and a document's own (unit) vector. Untitled documents hash as they did
  // before titles were encoded.
  const hashed = [document.text, document.lang ?? null, config.passages, ...(document.title !== undefined ? [document.title] : [])];
  const hash = crypto.createHash('sha256').update(JSON.stringify(hashed));
  if (ownVector) hash.update(new Uint8Array(ownVector.buffer, ownVector.byteOffset, ownVector.byteLength));
  return hash.digest('hex');
}

/**
 * A stored document as it was given to an upsert (what export writes and re-indexing re-encodes): an identified
 * language was not given, so it is left out and identified afresh.
 */
export function documentInputOf(document: StoredDocument): DocumentInput {
  return {
    id: document.id,
    text: document.text,
    ...(document.lang !== null && !document.lang_detected ? { lang: document.lang } : {}),
    ...(document.title !== null ? { title: document.title } : {}),
    ...(document.metadata !== null ? { metadata: document.metadata } : {}),
    ...(document.vector !== undefined ? { vector: document.vector } : {}),
  };
}

export interface BatchContext {
  collection: CollectionRecord;
  /** Undefined for a collection of your own vectors: each document is one passage with its given vector. */
  encoder: Encoder | undefined;
  store: DocumentStore;
  passagePreparer: PassagePreparer;
  languageIdentifier: LanguageIdentifier;
}

export interface PreparedBatch {
  batch: DocumentToStore[];
  /** Ids of the documents whose content hash is the stored one: not re-encoded, only their title and metadata are written. */
  unchanged: Set<string>;
}

/** INVALID_ARGUMENT when an id appears twice in a batch (checked before anything is looked up). */
export function assertUniqueIds(documents: readonly DocumentInput[]): void {
  const seen = new Set<string>();
  for (const d of documents) {
    if (seen.has(d.id)) throw new TafutaError('INVALID_ARGUMENT', `document id "${d.id}" appears twice in one batch`);
    seen.add(d.id);
  }
}

/** Prepares a batch of distinct ids for DocumentStore.upsertDocuments (INVALID_ARGUMENT for a document of too many passages). */
export async function prepareBatch(context: BatchContext, documents: readonly DocumentInput[]): Promise<PreparedBatch> {
  const { collection, encoder } = context;
  const hashed = documents.map((document) => {
    const ownVector = ownVectorOf(collection, document);
    return { document, ownVector, contentHash: contentHashOf(document, collection.config, ownVector) };
  });
  const unchanged = await context.store.unchangedDocuments(collection.id, hashed.map((h) => ({ id: h.document.id, contentHash: h.contentHash })));

  const toEncode = hashed.filter((h) => !unchanged.has(h.document.id));
  const split = await context.passagePreparer.prepare(toEncode.map((h) => h.document.text), collection.config.passages);
  const prepared = encoder?.tokenLimit ? fitPassagesToTokens(split, collection.config.passages, encoder.tokenLimit) : split;
  toEncode.forEach((h, i) => {
    const count = prepared[i]!.length;
    if (count > LIMITS.maxPassagesPerDocument) {
      throw new TafutaError('INVALID_ARGUMENT', `document "${h.document.id}" makes ${count} passages, more than ${LIMITS.maxPassagesPerDocument}: split it, or use a collection with larger passages.maxChars`);
    }
  });
  // Once per document, on a bounded sample: the language routes the encoder's adapter and is stored for filters.
  const detectedLangs = toEncode.map((h) => (h.document.lang === undefined ? identifyDocumentLanguage(context.languageIdentifier, h.document.text)?.lang : undefined));
  const texts = toEncode.flatMap((h, i) => prepared[i]!.map((p) => passageEmbeddingText(h.document.title, p.text)));
  const langs = toEncode.flatMap((h, i) => prepared[i]!.map(() => h.document.lang ?? detectedLangs[i]));
  const vectors = encoder
    ? texts.length ? await encoder.embed(texts, { kind: 'passage', lang: langs }) : []
    : toEncode.flatMap((h, i) => prepared[i]!.map(() => h.ownVector!)); // a whole document: one passage

  let next = 0;
  const preparedOf = new Map(toEncode.map((h, i) => [h.document.id, { passages: prepared[i]!, detectedLang: detectedLangs[i] }]));
  const batch: DocumentToStore[] = hashed.map(({ document, contentHash }) => {
    const written = preparedOf.get(document.id);
    if (!written) return { document, contentHash, passages: [] };
    const passages = written.passages.map((p) => ({ text: p.text, searchText: p.searchText, start: p.start, end: p.end, embedding: vectors[next++]! }));
    return { document, contentHash, detectedLang: written.detectedLang, passages };
  });
  return { batch, unchanged };
}
