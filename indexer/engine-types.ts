/** What the engine's verbs (engine.ts) take and answer: its options, and the shapes the server and the CLI print. */
import type { LanguageIdentifier } from '../models/langid/identifier.js';
import type { EncoderRegistry } from '../models/registry.js';
import type { QueryTranslator } from '../models/translate/translator.js';
import type { Logger } from '../core/logger.js';
import type { SearchBreadth, Storage } from './store-contracts.js';
import type { CollectionConfig, StoredDocument } from './types.js';

export interface EngineOptions {
  /** Where collections live (indexer/sqlite/storage.ts, indexer/postgres/storage.ts); the engine closes it. */
  storage: Storage;
  encoders: EncoderRegistry;
  languageIdentifier: LanguageIdentifier;
  /** Query translation for the translate modes (default: none — every word stays itself, which is plain BM25). */
  translator?: QueryTranslator;
  logger: Logger;
  /**
   * The engine closes the registry's encoders (their worker threads) when it closes: true for the engine of a
   * process (bin/runtime.ts), false when tests share one registry between engines.
   */
  ownsEncoders?: boolean;
  /** Writes of fewer characters prepare their passages on the calling thread, larger ones on a worker thread. */
  inlinePreparationMaxChars?: number;
}

export interface CollectionInfo {
  name: string;
  encoder: string;
  dim: number;
  /** The encoder version the vectors came from (null: created before versions were recorded). */
  encoderVersion: string | null;
  /** Present when the loaded encoder no longer matches the vectors (searches and writes answer ENCODER_CHANGED). */
  encoderChanged?: string;
  config: CollectionConfig;
  createdAt: string;
  documents: number;
  passages: number;
  indexedVectors: number;
  /** The ef dense searches without one use, and where it comes from. */
  search: SearchBreadth;
  languages: Array<{ lang: string | null; documents: number }>;
}

export interface UpsertResult {
  /** Documents written (new or changed). */
  upserted: number;
  /** Documents whose content was identical and were not re-encoded. */
  unchanged: number;
  passages: number;
}

export interface UpsertOptions {
  /**
   * Bulk import (the CLI): commit to SQLite without waiting for the ANN graph, which catches up once at the end
   * (`catchUpIndex`). Searches in this process still see the writes (scored exactly until the graph has them).
   */
  deferIndex?: boolean;
}

export interface DocumentPage {
  documents: StoredDocument[];
  next_cursor: string | null;
}

export interface ReindexResult {
  documents: number;
  passages: number;
  seconds: number;
}

export interface BulkUpsertOptions extends UpsertOptions {
  /** Batches prepared (split, encoded) while the one before them is stored (default DEFAULT_IMPORT_LOOKAHEAD). */
  lookahead?: number;
  /** Called after each batch is committed, with its result and how many documents it held. */
  onBatch?: (result: UpsertResult, documents: number) => void;
}
