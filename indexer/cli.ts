/**
 * The indexer's verbs: `tafuta index | reindex | export | migrate-store` (registerIndexingCommands) and `tafuta search |
 * collections | snapshot` (registerCollectionCommands). Two calls so that `tafuta --help` keeps its order, with
 * serve and demo between them. The verb bodies are in cli-verbs.ts.
 */
import fs from 'node:fs';
import { Command, InvalidArgumentError, Option } from 'commander';
import { CliError, type ProgressBar } from '../core/cli.js';
import { positiveInt, nonNegativeInt } from '../core/integers.js';
import { lowerCpuPriority, MAX_NICENESS } from '../core/priority.js';
import { formatIssues } from '../core/issues.js';
import type { Logger } from '../core/logger.js';
import { formatCollections, formatSearchResponse } from './cli-format.js';
import { DATABASE_FILE, databasePathOf } from './data-dir.js';
import {
  filterJson, runExport, runIndex, runMigrateStore, runReindex, type ExportOptions, type IndexOptions, type MigrateStoreCliOptions, type ReindexOptions,
} from './cli-verbs.js';
import type { Engine } from './engine.js';
import { LIMITS, langSchema, searchSchema } from './schemas.js';
import { createSnapshot, restoreSnapshot } from './snapshot.js';
import { SEARCH_MODES } from './types.js';

/** Opens an engine over `dataDir` as the process wires it (encoders, language identifier, translator); the caller closes it. */
export type EngineFactory = (dataDir: string, options?: { indexFiles?: 'read-write' | 'read-only' }) => Promise<Engine>;

/** What the composition root (bin/) hands the indexer's verbs. */
export interface IndexerCliRuntime {
  logger: Logger;
  openEngine: EngineFactory;
  progressBar: ProgressBar;
  /** `--data-dir`'s default. */
  defaultDataDir: string;
}

export async function withEngine<T>(openEngine: EngineFactory, dataDir: string, run: (engine: Engine) => Promise<T>): Promise<T> {
  const engine = await openEngine(dataDir);
  try {
    return await run(engine);
  } finally {
    await engine.close();
  }
}

/**
 * Verbs that read a data directory refuse one without a database instead of creating an empty one (a mistyped
 * `-d` would otherwise answer "no such collection" from a fresh, empty store).
 */
function requireDatabase(dataDir: string): void {
  if (!fs.existsSync(databasePathOf(dataDir))) {
    throw new CliError(`no tafuta data in ${dataDir} (no ${DATABASE_FILE} there): check --data-dir, or index something first`);
  }
}

function languageCode(value: string): string {
  const parsed = langSchema.safeParse(value);
  if (!parsed.success) throw new InvalidArgumentError(parsed.error.issues[0]!.message);
  return parsed.data;
}

/** `tafuta index --nice` by default: a bulk import yields the cores to a server's searches (core/priority.ts). */
export const DEFAULT_IMPORT_NICENESS = 10;

export function registerIndexingCommands(program: Command, runtime: IndexerCliRuntime): void {
  const { openEngine, defaultDataDir } = runtime;
  program
    .command('index')
    .description('index a document file into a collection (created if missing); re-runs update and resume')
    .requiredOption('-c, --collection <name>', 'collection name')
    .requiredOption('-i, --input <file>', 'documents file')
    .addOption(new Option('-f, --format <format>', 'input format').choices(['jsonl', 'tsv', 'beir']).default('jsonl'))
    .option('-b, --batch <n>', 'documents per transaction', positiveInt(1000), 256)
    .option('-e, --encoder <name>', 'encoder for a new collection (default: the server default); "none": the records bring their vectors')
    .option('--dim <n>', 'with --encoder none: the length of the records\' vectors', positiveInt(LIMITS.maxVectorDim))
    .option('-l, --lang <code>', 'language of the records that carry none (TSV and BEIR never do): an ISO 639 code; default: detected per document', languageCode)
    .option('--nice <n>', `lower the import's CPU priority by n steps (0–${MAX_NICENESS}; 0 = unchanged), so that a server on the same machine keeps answering searches quickly`, nonNegativeInt(MAX_NICENESS), DEFAULT_IMPORT_NICENESS)
    .option('-d, --data-dir <dir>', 'data directory', defaultDataDir)
    .action(async (options: IndexOptions & { nice: number }) => {
      // Before the engine starts the encoder's and the graph's threads, which inherit the priority.
      if (lowerCpuPriority(options.nice) === undefined) runtime.logger.warn({ nice: options.nice }, 'could not lower the CPU priority of the import');
      await withEngine(openEngine, options.dataDir, (engine) => runIndex(engine, { ...options, releaseEncodersAfterImport: true }, runtime));
    });

  program
    .command('reindex')
    .description("encode a collection's documents again with the loaded version of its encoder (after a model update: ENCODER_CHANGED)")
    .requiredOption('-c, --collection <name>', 'collection name')
    .option('-b, --batch <n>', 'documents per transaction', positiveInt(1000), 256)
    .option('--force', 'encode again even when the collection is already indexed with the loaded encoder version')
    .option('-d, --data-dir <dir>', 'data directory', defaultDataDir)
    .action(async (options: ReindexOptions) => {
      requireDatabase(options.dataDir);
      await withEngine(openEngine, options.dataDir, (engine) => runReindex(engine, options, runtime));
    });

  program
    .command('export')
    .description("write a collection's documents as JSONL that `tafuta index` reads back identically")
    .requiredOption('-c, --collection <name>', 'collection name')
    .option('-o, --out <file>', 'output file (default: standard output)')
    .option('--filter <json>', 'only documents matching a search filter, e.g. \'{"metadata":{"year":{"$gte":2020}}}\'')
    .option('-d, --data-dir <dir>', 'data directory', defaultDataDir)
    .action(async (options: ExportOptions) => {
      await withEngine(openEngine, options.dataDir, (engine) => runExport(engine, options));
    });

  program
    .command('migrate-store')
    .description('copy collections between a data directory and PostgreSQL as stored (vectors included: nothing is encoded again), then check both sides match; re-runs resume')
    .requiredOption('--from <store>', 'the source: a data directory or a postgres:// URL')
    .requiredOption('--to <store>', 'the target: a data directory (created if missing) or a postgres:// URL')
    .option('-c, --collection <name>', 'a collection to copy (repeatable; default: every collection)', (name: string, names: string[] = []) => [...names, name])
    .option('-b, --batch <n>', 'documents per page read and per transaction written', positiveInt(10_000), 256)
    .addHelpText(
      'after',
      `
A collection the target already has must have the same encoder, version, dim and config; documents it already
holds identically are skipped, so an interrupted copy is finished by running the same command again. At the end,
per collection, the document and passage counts and a sha256 over every document (id, content hash, text, title,
language, metadata, passages and their vector bytes, in id order) are compared; a mismatch exits 1. Bad input
(unknown collection, same store twice, unreachable database, clashing target collection) exits 2.

  tafuta migrate-store --from .tafuta/data --to postgres://tafuta@db:5432/tafuta
  tafuta migrate-store --from postgres://tafuta@db:5432/tafuta --to ./copy -c docs`,
    )
    .action(async (options: MigrateStoreCliOptions) => {
      await runMigrateStore(options, runtime);
    });
}

interface SearchCliOptions {
  collection: string;
  k: number;
  lang?: string;
  mode: string;
  filter?: string;
  offset: number;
  groupBy?: string;
  highlight?: boolean;
  json?: boolean;
  dataDir: string;
}

export function registerCollectionCommands(program: Command, runtime: IndexerCliRuntime): void {
  const { openEngine, defaultDataDir } = runtime;
  program
    .command('search')
    .description('search a collection from the shell')
    .argument('<query>', 'query text')
    .requiredOption('-c, --collection <name>', 'collection name')
    .option('-k, --k <n>', 'number of results', positiveInt(1000), 10)
    .option('-l, --lang <code>', 'query language (default: detected)')
    .addOption(new Option('-m, --mode <mode>', 'retrieval mode').choices([...SEARCH_MODES]).default('dense'))
    .option('--filter <json>', 'the HTTP API\'s search filter as JSON, e.g. \'{"lang": ["sw", "en"]}\'')
    .option('--offset <n>', 'results to skip (paging: offset + k <= 1000)', nonNegativeInt(999), 0)
    .addOption(new Option('--group-by <unit>', 'one result per document: its best passage and how many matched').choices(['document']))
    .option('--highlight', 'mark the matched terms («») and show the best-matching sentence')
    .option('--json', 'print the raw JSON response')
    .option('-d, --data-dir <dir>', 'data directory', defaultDataDir)
    .action(async (query: string, options: SearchCliOptions) => {
      const filter = filterJson(options.filter);
      const request = searchSchema.safeParse({
        query, k: options.k, offset: options.offset, lang: options.lang, mode: options.mode, filter, group_by: options.groupBy, highlight: options.highlight ?? false,
      });
      if (!request.success) throw new CliError(formatIssues(request.error));
      requireDatabase(options.dataDir);
      await withEngine(openEngine, options.dataDir, async (engine) => {
        const response = await engine.search(options.collection, request.data);
        process.stdout.write(options.json ? `${JSON.stringify(response, null, 2)}\n` : formatSearchResponse(response));
      });
    });

  program
    .command('collections')
    .description('list the collections of a data directory with their encoder and counts')
    .option('--json', 'print the raw JSON')
    .option('-d, --data-dir <dir>', 'data directory', defaultDataDir)
    .action(async (options: { json?: boolean; dataDir: string }) => {
      requireDatabase(options.dataDir);
      await withEngine(openEngine, options.dataDir, async (engine) => {
        const collections = await engine.listCollections();
        process.stdout.write(options.json ? `${JSON.stringify({ collections }, null, 2)}\n` : formatCollections(collections));
      });
    });

  const snapshot = program.command('snapshot').description('consistent backups of a data directory (safe while a server runs)');
  snapshot
    .command('create')
    .description('write a snapshot (SQLite online backup + index files + snapshot.json with sha256 checksums) into a new or empty directory')
    .requiredOption('-o, --out <dir>', 'snapshot directory (created; must be empty if it exists)')
    .option('-d, --data-dir <dir>', 'data directory to snapshot', defaultDataDir)
    .action(async (options: { out: string; dataDir: string }) => {
      if (!fs.existsSync(databasePathOf(options.dataDir))) throw new CliError(`no tafuta database in ${options.dataDir}`);
      await withEngine(openEngine, options.dataDir, async (engine) => {
        const manifest = await createSnapshot(engine, options.out);
        const bytes = manifest.files.reduce((n, f) => n + f.bytes, 0);
        process.stdout.write(
          `snapshot of ${options.dataDir} written to ${options.out}: ${manifest.collections.length} collection(s), ` +
            `${manifest.files.length} files, ${(bytes / 1e6).toFixed(1)} MB\n`,
        );
      });
    });
  snapshot
    .command('restore')
    .description('restore a snapshot into an empty or new data directory, after verifying every checksum')
    .requiredOption('--from <dir>', 'snapshot directory')
    .requiredOption('-d, --data-dir <dir>', 'data directory to restore into (must be empty or missing)')
    .action(async (options: { from: string; dataDir: string }) => {
      const manifest = await restoreSnapshot(options.from, options.dataDir);
      process.stdout.write(
        `restored ${options.from} into ${options.dataDir}: ${manifest.collections.map((c) => `${c.name} (${c.documents} documents)`).join(', ') || 'no collections'}\n`,
      );
    });
}
