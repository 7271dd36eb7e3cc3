/**
 * File → batches → engine upserts, each batch committed in its own transaction while the next ones are encoded
 * (Engine.upsertBatches). Re-running on the same file is cheap and safe: documents already stored with the same
 * content are recognised by hash and skipped, so a run killed half-way resumes where it stopped.
 */
import fs from 'node:fs';
import { batches, readCorpus, type CorpusFormat } from './corpus.js';
import type { Engine } from './engine.js';
import { TafutaError } from '../core/errors.js';
import { fileLines } from '../core/jsonl.js';
import type { DocumentInput } from './types.js';

export interface IndexFileOptions {
  engine: Engine;
  collection: string;
  file: string;
  format: CorpusFormat;
  batchSize: number;
  /** Language of the records that carry none (TSV and BEIR files never do); canonical code. */
  defaultLang?: string | undefined;
  /**
   * Bulk import: batches are committed without waiting for the ANN graph, which is built once at the end from
   * SQLite and saved (the CLI, whose process serves no searches meanwhile).
   */
  deferIndex?: boolean;
  /** Called after each committed batch. */
  onProgress?: (progress: { documents: number; total: number | undefined }) => void;
  /** Called once every batch is committed, before the graph build of `deferIndex` (a caller that encodes nothing more may release the encoders). */
  onImported?: () => Promise<void>;
}

export interface IndexFileSummary {
  documents: number;
  upserted: number;
  unchanged: number;
  passages: number;
  seconds: number;
  passagesPerSecond: number;
}

/** Non-empty lines in a file: the progress total (a cheap pass compared to encoding). */
export async function countRecords(file: string): Promise<number> {
  let n = 0;
  for await (const line of fileLines(file)) if (line.trim() !== '') n++;
  return n;
}

/** Within one batch a repeated id means "the later line wins", as it would across batches. */
function lastOccurrences(documents: DocumentInput[]): DocumentInput[] {
  const byId = new Map<string, DocumentInput>();
  for (const d of documents) {
    byId.delete(d.id);
    byId.set(d.id, d);
  }
  return [...byId.values()];
}

export async function indexFile(options: IndexFileOptions): Promise<IndexFileSummary> {
  const { engine, collection, file, format, batchSize } = options;
  if (!fs.existsSync(file)) throw new TafutaError('INPUT_FILE', `input file not found: ${file}`);
  const started = performance.now();
  const total = options.onProgress ? await countRecords(file) : undefined;
  const summary = { documents: 0, upserted: 0, unchanged: 0, passages: 0 };
  const linesOfBatches: number[] = []; // records per batch read, in order, until it is committed
  async function* documentBatches(): AsyncGenerator<DocumentInput[]> {
    for await (const batch of batches(readCorpus(file, format), batchSize)) {
      linesOfBatches.push(batch.length);
      const documents = batch.map((r) => (r.document.lang === undefined && options.defaultLang !== undefined ? { ...r.document, lang: options.defaultLang } : r.document));
      yield lastOccurrences(documents);
    }
  }
  await engine.upsertBatches(collection, documentBatches(), {
    deferIndex: options.deferIndex ?? false,
    onBatch: (result) => {
      summary.documents += linesOfBatches.shift()!;
      summary.upserted += result.upserted;
      summary.unchanged += result.unchanged;
      summary.passages += result.passages;
      options.onProgress?.({ documents: summary.documents, total });
    },
  });
  await options.onImported?.();
  if (options.deferIndex) await engine.catchUpIndex(collection);
  const seconds = (performance.now() - started) / 1000;
  return { ...summary, seconds, passagesPerSecond: seconds > 0 ? summary.passages / seconds : 0 };
}
