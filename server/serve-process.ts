/** A serving process: one server until a signal (serveUntilSignal), or a primary with N workers (serveWithWorkers). */
import { CliError } from '../core/cli.js';
import type { Logger } from '../core/logger.js';
import type { Engine } from '../indexer/engine.js';
import type { EngineFactory } from '../indexer/cli.js';
import type { SecurityConfig } from './config.js';

export interface ServeConfig {
  host: string;
  port: number;
  bodyLimit: string;
  security: SecurityConfig;
  insecure: boolean;
  shutdownGraceMs: number;
  workers: number;
}

/** The HTTP server over `engine`, with its request log. */
async function startServer(engine: Engine, logger: Logger, version: string, config: ServeConfig) {
  // Loaded here, not at the top: the HTTP stack (express, helmet, pino-http, prom-client…) costs every other verb start-up time.
  const [{ startWebServer }, { createRequestLogger }] = await Promise.all([import('./start.js'), import('./request-log.js')]);
  const requestLogger = createRequestLogger({ level: process.env.TAFUTA_LOG_LEVEL ?? 'info' });
  return startWebServer({ engine, logger, version, requestLogger, ...config });
}

/**
 * Serves until SIGTERM or SIGINT, then shuts down gracefully: stop accepting, finish in-flight requests and
 * queued writes, persist the indexes (the caller then closes the database). A second signal exits at once
 * (SQLite has every acknowledged write; the indexes catch up at the next start).
 */
export async function serveUntilSignal(engine: Engine, logger: Logger, version: string, config: ServeConfig): Promise<void> {
  const running = await startServer(engine, logger, version, config);
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

/** How often each worker of a multi-process server looks for the other workers' writes when it gets no requests. */
const FOLLOW_INTERVAL_MS = 1000;

/**
 * `--workers N` (N > 1): a primary process forks N servers on one port over the same data directory (see
 * cluster.ts). Each worker opens its own engine; worker 0 alone writes index files. Returns once all
 * workers have stopped; a primary that gave up on crashing workers sets exit code 1.
 */
export async function serveWithWorkers(openEngine: EngineFactory, dataDir: string, logger: Logger, version: string, config: ServeConfig): Promise<void> {
  const { runCluster } = await import('./cluster.js');
  const code = await runCluster({
    workers: config.workers,
    logger,
    async startWorker(context) {
      const engine = await openEngine(dataDir, { indexFiles: context.ownsIndexFiles ? 'read-write' : 'read-only' });
      try {
        engine.followExternalWritesEvery(FOLLOW_INTERVAL_MS);
        const running = await startServer(engine, logger, version, config);
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
