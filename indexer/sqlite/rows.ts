/** SQLite's rows as the records the rest of tafuta speaks: collections, documents, their copies and vectors. */
import type { DocumentCopy } from '../store-contracts.js';
import type { CollectionConfig, CollectionRecord, Metadata, StoredDocument } from '../types.js';

export interface CollectionRow {
  id: number;
  name: string;
  encoder: string;
  dim: number;
  encoder_version: string | null;
  config: string;
  created_at: string;
}

export interface PassageViewRow {
  id: number;
  text: string;
  ordinal: number;
  external_id: string;
  title: string | null;
  lang: string | null;
  lang_detected: 0 | 1;
  metadata: string | null;
}

export function toCollection(row: CollectionRow): CollectionRecord {
  return {
    id: row.id,
    name: row.name,
    encoder: row.encoder,
    dim: row.dim,
    encoderVersion: row.encoder_version,
    config: JSON.parse(row.config) as CollectionConfig,
    createdAt: row.created_at,
  };
}

export function vectorToBlob(v: Float32Array): Buffer {
  return Buffer.from(v.buffer, v.byteOffset, v.byteLength);
}

/**
 * The blob's floats. better-sqlite3 returns each blob in a Buffer that owns its whole memory: that memory is viewed as
 * it is, not copied (a search reads 2 × k candidate vectors; the copy was a fifth of that read's CPU). A Buffer that
 * is part of a larger allocation (Node's pool: other data around it, any alignment) is copied.
 */
export function blobToVector(blob: Buffer): Float32Array {
  if (blob.byteOffset === 0 && blob.byteLength === blob.buffer.byteLength) return new Float32Array(blob.buffer, 0, blob.byteLength / 4);
  const out = new Float32Array(blob.byteLength / 4);
  new Uint8Array(out.buffer).set(blob);
  return out;
}

export const DOCUMENT_SELECT = `SELECT d.id, d.external_id, d.text, d.lang, d.lang_detected, d.title, d.metadata, d.updated_at,
    (SELECT COUNT(*) FROM passages p WHERE p.document_id = d.id) AS passages
  FROM documents d`;

/** DOCUMENT_SELECT with the content hash: what a copy to another store reads. */
export const COPY_SELECT = DOCUMENT_SELECT.replace('d.updated_at,', 'd.updated_at, d.content_hash,');

export type CopyRow = DocumentRow & { content_hash: string };

export interface DocumentRow {
  id: number;
  external_id: string;
  text: string;
  lang: string | null;
  lang_detected: 0 | 1;
  title: string | null;
  metadata: string | null;
  passages: number;
  updated_at: string;
}

export function toStoredDocument(row: DocumentRow): StoredDocument {
  return {
    id: row.external_id,
    text: row.text,
    lang: row.lang,
    ...(row.lang_detected === 1 ? { lang_detected: true as const } : {}),
    title: row.title,
    metadata: parseMetadata(row.metadata),
    passages: row.passages,
    updatedAt: row.updated_at,
  };
}

export interface CopiedPassageRow {
  document_id: number;
  text: string;
  search_text: string;
  start_offset: number;
  end_offset: number;
  embedding: Buffer;
}

/** Documents with their content hash and passages (vectors included), in the order of `rows`. */
export function documentCopies(rows: CopyRow[], passageRows: CopiedPassageRow[]): DocumentCopy[] {
  const passagesOf = new Map<number, DocumentCopy['passages']>();
  for (const p of passageRows) {
    let list = passagesOf.get(p.document_id);
    if (!list) passagesOf.set(p.document_id, (list = []));
    list.push({ text: p.text, searchText: p.search_text, start: p.start_offset, end: p.end_offset, embedding: blobToVector(p.embedding) });
  }
  return rows.map((row) => ({ rowId: row.id, document: toStoredDocument(row), contentHash: row.content_hash, passages: passagesOf.get(row.id) ?? [] }));
}

export function parseMetadata(json: string | null): Metadata | null {
  return json === null ? null : (JSON.parse(json) as Metadata);
}
