/** The server's verbs: `tafuta serve` and `tafuta demo`, each with `--workers N` for a multi-process server. */
import cluster from 'node:cluster';
import { Command, InvalidArgumentError, Option } from 'commander';
import { TafutaError } from '../core/errors.js';
import { integerInRange, intFromEnv, nonNegativeInt, positiveInt } from '../core/integers.js';
import { withEngine, type IndexerCliRuntime } from '../indexer/cli.js';
import { runIndex, type IndexOptions, type VerbOutput } from '../indexer/cli-verbs.js';
import type { Engine } from '../indexer/engine.js';
import { resolveStoreUrl } from '../indexer/postgres/config.js';
import { assertSafeBinding, resolveSecurityConfig } from './config.js';
import { serveUntilSignal, serveWithWorkers, type ServeConfig } from './serve-process.js';

const MAX_WORKERS = 64;
const DEFAULT_PORT = 8080;
const DEMO_COLLECTION = 'demo';

/** What the composition root (bin/) hands the server's verbs, besides what the indexer's take. */
export interface ServerCliRuntime extends IndexerCliRuntime {
  /** Refuses a damaged database before anything opens it. */
  checkDatabase(dataDir: string): void;
  version: string;
  /** The shipped corpus that `tafuta demo` indexes. */
  demoCorpus: string;
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

function port(value: string): number {
  const n = integerInRange(value, 0, 65535);
  if (n === undefined) throw new InvalidArgumentError('expected a port number from 0 to 65535');
  return n;
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

/**
 * The demo collection is rebuilt from the shipped corpus when the shipped model changed since it was indexed
 * (a newer tafuta with retrained weights): it holds nothing that cannot be indexed again.
 */
async function indexDemo(engine: Engine, options: IndexOptions, output: VerbOutput): Promise<void> {
  const existing = (await engine.listCollections()).find((c) => c.name === options.collection);
  if (existing?.encoderChanged) {
    output.logger.warn({ collection: options.collection, reason: existing.encoderChanged }, 'the demo collection was indexed with another model; re-indexing it');
    await engine.deleteCollection(options.collection, { force: true });
  }
  await runIndex(engine, options, output);
}

export function registerServerCommands(program: Command, runtime: ServerCliRuntime): void {
  const { logger, openEngine, version } = runtime;
  serveOptions(program.command('serve').description('serve the HTTP API'))
    .option('-d, --data-dir <dir>', 'data directory', runtime.defaultDataDir)
    .action(async (options: ServeCliOptions) => {
      const config = serveConfig(options); // before opening anything: bad settings exit 2 at once
      const storeUrl = resolveStoreUrl(options.store);
      if (cluster.isPrimary && storeUrl === undefined) runtime.checkDatabase(options.dataDir);
      if (config.workers > 1) await serveWithWorkers(openEngine, options.dataDir, logger, version, config);
      else await withEngine(openEngine, options.dataDir, (engine) => serveUntilSignal(engine, logger, version, config));
    });

  serveOptions(program.command('demo').description(`index the shipped demo corpus (if needed) and serve it`))
    .option('-d, --data-dir <dir>', 'data directory for the demo', '.tafuta/demo')
    .action(async (options: ServeCliOptions) => {
      const config = serveConfig(options);
      const storeUrl = resolveStoreUrl(options.store);
      if (cluster.isPrimary && storeUrl === undefined) runtime.checkDatabase(options.dataDir);
      const demo = { collection: DEMO_COLLECTION, input: runtime.demoCorpus, format: 'jsonl', batch: 256, dataDir: options.dataDir } as const;
      if (config.workers > 1) {
        // The primary indexes once, before forking; workers (which run this action again) only serve.
        if (cluster.isPrimary) await withEngine(openEngine, options.dataDir, (engine) => indexDemo(engine, demo, runtime));
        await serveWithWorkers(openEngine, options.dataDir, logger, version, config);
        return;
      }
      await withEngine(openEngine, options.dataDir, async (engine) => {
        await indexDemo(engine, demo, runtime);
        await serveUntilSignal(engine, logger, version, config);
      });
    });
}
