/** The bodies of `tafuta index | reindex | export | migrate-store` (registered in cli.ts). */
import fs from 'node:fs';
import { once } from 'node:events';
import { CliError, type ProgressBar } from '../core/cli.js';
import { formatIssues } from '../core/issues.js';
import type { Logger } from '../core/logger.js';
import { documentInputOf } from './document-batch.js';
import type { Engine } from './engine.js';
import { migrateStore, migrationMatches, selectCollections, type CollectionContents, type CollectionMigration } from './migrate-store.js';
import { indexFile } from './pipeline.js';
import { searchFilterSchema } from './schemas.js';
import { openStoreAt, sameStore, storeLocation } from './store-location.js';
import type { Storage } from './store-contracts.js';
import { ENCODER_NONE, type SearchFilter } from './types.js';

/** Where a verb reports progress: the log, and a progress bar when there is one. */
export interface VerbOutput {
  logger: Logger;
  progressBar: ProgressBar;
}

export interface IndexOptions {
  collection: string;
  input: string;
  format: 'jsonl' | 'tsv' | 'beir';
  batch: number;
  encoder?: string;
  /** The vectors' length for a new collection with encoder "none". */
  dim?: number;
  /** Canonical code for records without one. */
  lang?: string;
  dataDir: string;
  /**
   * The process ends once this verb is done (`tafuta index`): the encoders are closed after the last batch is
   * committed, before the graph build, which encodes nothing, so their memory is not held through it. `tafuta demo`
   * serves the same engine afterwards and keeps them.
   */
  releaseEncodersAfterImport?: boolean;
}

export async function runIndex(engine: Engine, options: IndexOptions, { logger, progressBar }: VerbOutput): Promise<void> {
  if (!(await engine.listCollections()).some((c) => c.name === options.collection)) {
    await engine.createCollection(options.collection, { encoder: options.encoder, dim: options.dim });
    logger.info({ collection: options.collection }, 'created collection');
  }
  const bar = progressBar('indexing |{bar}| {value}/{total} docs | {rate} docs/s | ETA {eta_formatted}', { rate: 0 });
  const started = performance.now();
  const summary = await indexFile({
    engine,
    collection: options.collection,
    file: options.input,
    format: options.format,
    batchSize: options.batch,
    defaultLang: options.lang,
    deferIndex: true,
    onProgress: ({ documents, total }) => {
      const rate = Math.round(documents / ((performance.now() - started) / 1000));
      if (bar) {
        bar.update(documents, total ?? documents, { rate });
      } else {
        logger.info({ documents, total, docsPerSecond: rate }, 'indexing');
      }
    },
    onImported: options.releaseEncodersAfterImport ? () => engine.releaseEncoders() : undefined,
  });
  bar?.stop();
  engine.saveIndexes();
  process.stdout.write(
    `indexed ${summary.documents} documents into "${options.collection}": ${summary.upserted} written, ` +
      `${summary.unchanged} unchanged, ${summary.passages} passages in ${summary.seconds.toFixed(1)} s ` +
      `(${summary.passagesPerSecond.toFixed(0)} passages/s)\n`,
  );
  await writeSearchBreadth(engine, options.collection);
}

/** The ef searches of the collection will use, and the calibration measured on its graph (ef-calibration.ts). */
async function writeSearchBreadth(engine: Engine, collection: string): Promise<void> {
  const { ef, efSource, calibration } = (await engine.getCollection(collection)).search;
  const measured = calibration
    ? `; calibrated at ${calibration.passages} passages: recall@10 ${calibration.recall} at ef ${calibration.ef} (target ${calibration.target}, ${calibration.queries} queries, ${calibration.seconds} s)`
    : '';
  process.stdout.write(`searches use ef ${ef} (${efSource})${measured}\n`);
}

export interface ReindexOptions {
  collection: string;
  batch: number;
  force?: boolean;
  dataDir: string;
}

export async function runReindex(engine: Engine, options: ReindexOptions, { logger, progressBar }: VerbOutput): Promise<void> {
  const before = await engine.getCollection(options.collection);
  if (before.encoder === ENCODER_NONE) {
    process.stdout.write(`"${options.collection}" holds your own vectors (encoder "${ENCODER_NONE}"): there is nothing to re-encode\n`);
    return;
  }
  if (!before.encoderChanged && !options.force) {
    process.stdout.write(
      `"${options.collection}" is already indexed with the loaded ${before.encoder} (version ${before.encoderVersion ?? 'unversioned'}): nothing to do (--force re-encodes anyway)\n`,
    );
    return;
  }
  const bar = progressBar('re-indexing |{bar}| {value}/{total} docs | ETA {eta_formatted}');
  const result = await engine.reindexCollection(options.collection, {
    batchSize: options.batch,
    onProgress: (done, total) => {
      if (!bar) return logger.info({ documents: done, total }, 're-indexing');
      bar.update(done, total);
    },
  });
  bar?.stop();
  engine.saveIndexes();
  const info = await engine.getCollection(options.collection);
  process.stdout.write(
    `re-indexed "${options.collection}" with ${info.encoder} (version ${info.encoderVersion ?? 'unversioned'}): ` +
      `${result.documents} documents, ${result.passages} passages in ${result.seconds.toFixed(1)} s\n`,
  );
  await writeSearchBreadth(engine, options.collection);
}

export interface ExportOptions {
  collection: string;
  out?: string;
  filter?: string;
  dataDir: string;
}

/** The JSON value of a `--filter` option (undefined when not given); not JSON is bad input. */
export function filterJson(json: string | undefined): unknown {
  if (json === undefined) return undefined;
  try {
    return JSON.parse(json);
  } catch {
    throw new CliError(`--filter is not valid JSON: ${json} (e.g. '{"lang":"sw","metadata":{"year":{"$gte":2020}}}')`);
  }
}

function exportFilter(json: string | undefined): SearchFilter | undefined {
  const value = filterJson(json);
  if (value === undefined) return undefined;
  const parsed = searchFilterSchema.safeParse(value);
  if (!parsed.success) throw new CliError(`--filter: ${formatIssues(parsed.error, { root: '(filter)' })}`);
  return parsed.data;
}

/** Writes the collection's documents as JSONL, one `{id, text, lang?, title?, metadata?, vector?}` per line, in insertion order. */
export async function runExport(engine: Engine, options: ExportOptions): Promise<void> {
  const filter = exportFilter(options.filter);
  await engine.assertCollectionExists(options.collection);
  let out: NodeJS.WritableStream = process.stdout;
  if (options.out !== undefined) {
    let fd: number;
    try {
      fd = fs.openSync(options.out, 'w');
    } catch (error) {
      throw new CliError(`cannot write ${options.out}: ${(error as Error).message}`);
    }
    out = fs.createWriteStream('', { fd });
  }
  let documents = 0;
  let cursor: string | undefined;
  do {
    const page = await engine.listDocuments(options.collection, { limit: 1000, cursor, filter, withVectors: true });
    const lines = page.documents.map((d) => `${JSON.stringify(documentInputOf(d))}\n`).join('');
    if (lines && !out.write(lines)) await once(out, 'drain');
    documents += page.documents.length;
    cursor = page.next_cursor ?? undefined;
  } while (cursor !== undefined);
  if (out !== process.stdout) {
    out.end();
    await once(out, 'finish');
    process.stderr.write(`exported ${documents} documents of "${options.collection}" to ${options.out}\n`);
  }
}

export interface MigrateStoreCliOptions {
  from: string;
  to: string;
  /** Undefined: every collection. */
  collection?: string[];
  batch: number;
}

const contentsOf = (c: CollectionContents) => `${c.documents} documents, ${c.passages} passages, sha256 ${c.checksum}`;

function migrationLine(m: CollectionMigration, target: string): string {
  if (!migrationMatches(m)) {
    return `"${m.collection}": MISMATCH after copying to ${target}: source ${contentsOf(m.source)}; target ${contentsOf(m.target)}, ${m.indexedVectors} in its vector index\n`;
  }
  return (
    `"${m.collection}": ${m.target.documents} documents, ${m.target.passages} passages in ${target} ` +
    `(${m.copied} copied, ${m.alreadyThere} already there) in ${m.seconds.toFixed(1)} s; counts and checksum match (sha256 ${m.target.checksum.slice(0, 16)}…)\n`
  );
}

/** Copies collections between two stores, then checks them (indexer/migrate-store.ts); a failed check exits 1. */
export async function runMigrateStore(options: MigrateStoreCliOptions, { logger, progressBar }: VerbOutput): Promise<void> {
  const from = storeLocation(options.from, '--from');
  const to = storeLocation(options.to, '--to');
  if (sameStore(from, to)) throw new CliError(`--from and --to are the same store (${from.name}): copy into another data directory or database`);
  const stores: Storage[] = [];
  try {
    const source = await openStoreAt(from, '--from', 'source', logger);
    stores.push(source);
    const collections = await selectCollections(source, options.collection);
    if (collections.length === 0) throw new CliError(`--from: ${from.name} holds no collections`);
    const target = await openStoreAt(to, '--to', 'target', logger);
    stores.push(target);
    let bar: ReturnType<ProgressBar>;
    let barCollection: string | undefined;
    const results = await migrateStore({
      from: source,
      to: target,
      collections,
      batchSize: options.batch,
      onProgress: ({ collection, documents, total }) => {
        if (barCollection !== collection) {
          bar?.stop();
          bar = progressBar(`copying ${collection} |{bar}| {value}/{total} docs | ETA {eta_formatted}`);
          barCollection = collection;
        }
        if (bar) bar.update(documents, total);
        else logger.info({ collection, documents, total }, 'copying');
      },
    });
    bar?.stop();
    for (const m of results) process.stdout.write(migrationLine(m, to.name));
    const failed = results.filter((m) => !migrationMatches(m)).map((m) => `"${m.collection}"`);
    if (failed.length > 0) {
      throw new CliError(`the copy of ${failed.join(', ')} does not match its source (was either store written meanwhile?); run migrate-store again to finish it`, 1);
    }
  } finally {
    for (const store of stores.reverse()) await store.close();
  }
}
