/** Shapes that cross the indexer's seams (document store, vector store, engine). */
import type { PassageSplitConfig } from './passages.js';

export type Metadata = Record<string, unknown>;

export interface DocumentInput {
  id: string;
  text: string;
  lang?: string | undefined;
  title?: string | undefined;
  metadata?: Metadata | undefined;
  /** The document's own vector: required in a collection with encoder "none", refused in any other. */
  vector?: number[] | undefined;
}

export interface HnswParams {
  /** Graph degree. */
  M: number;
  efConstruction: number;
  /**
   * Search-time candidate list size (hnswlib's default of 10 is far too low, and it is not saved in the file). When
   * absent, searches use the ef measured on the graph after a bulk build, else defaultEfFor(size) (config.ts, searchBreadthOf).
   */
  ef?: number | undefined;
}

export interface CollectionConfig {
  hnsw: HnswParams;
  passages: PassageSplitConfig;
}

export interface CollectionRecord {
  id: number;
  name: string;
  encoder: string;
  dim: number;
  /** EncoderInfo.version at creation; null for collections made before versions were recorded. */
  encoderVersion: string | null;
  config: CollectionConfig;
  createdAt: string;
}

export interface StoredDocument {
  id: string;
  text: string;
  lang: string | null;
  /** Present when `lang` was identified by tafuta, not given. */
  lang_detected?: true;
  title: string | null;
  metadata: Metadata | null;
  passages: number;
  updatedAt: string;
  /** The stored (unit-length) vector of a document in a collection with encoder "none", where asked for. */
  vector?: number[];
}

/** A passage as results show it. `passageId` is "<document id>#<ordinal>", stable across index rebuilds. */
export interface PassageView {
  label: number;
  documentId: string;
  passageId: string;
  text: string;
  lang: string | null;
  /** `lang` was identified by tafuta, not given. */
  langDetected: boolean;
  title: string | null;
  metadata: Metadata | null;
}

export interface SearchFilter {
  lang?: string | string[] | undefined;
  /** A where document (indexer/filters.ts): `{key: value}` is equality, `{key: {$gte: 2020}}`, `$and`, `$or`, `$not`. */
  metadata?: Record<string, unknown> | undefined;
}

/**
 * 'translate': BM25 over the query translated word by word into weighted English terms (indexer/translated-bm25.ts);
 * 'translate-hybrid': that fused with dense, with the translator's per-language weight; 'translate-dense': dense with
 * the query's vector moved towards the vectors of its English translation (indexer/translated-query-vector.ts).
 */
export type SearchMode = 'dense' | 'bm25' | 'hybrid' | 'translate' | 'translate-hybrid' | 'translate-dense';
/**
 * What a request may ask for: a mode, or 'auto' — the mode the encoder's measurement chose for the query's language
 * (EncoderInfo.autoModes; resolveMode in search.ts), or, for an encoder without one, dense when it has an adapter for
 * the language and hybrid otherwise.
 */
export type RequestedSearchMode = SearchMode | 'auto';
export const SEARCH_MODES = ['dense', 'bm25', 'hybrid', 'translate', 'translate-hybrid', 'translate-dense', 'auto'] as const satisfies readonly RequestedSearchMode[];

/** The encoder of a collection whose documents and searches bring their own vectors (indexer/own-vectors.ts). */
export const ENCODER_NONE = 'none';
