/**
 * Several server processes on one port (node:cluster). Node answers HTTP on one thread, so one process uses one
 * core however many requests are in flight; workers use the others. The primary forks the workers, restarts one
 * that crashes, and relays shutdown; it serves nothing itself.
 *
 * Every worker opens its own engine over the same data directory: SQLite (WAL) is the shared truth, and each
 * worker's ANN index follows SQLite's change log, as it already does for the CLI writing while a server runs.
 * Exactly one worker (index 0) writes the index files, the others only read them at start.
 */
import cluster, { type Worker } from 'node:cluster';
import { exitFor } from '../core/cli.js';
import type { Logger } from '../core/logger.js';

export interface WorkerContext {
  /** 0 … workers-1; a restarted worker keeps the index of the one it replaces. */
  index: number;
  workers: number;
  /** True for exactly one worker: it alone writes index files. */
  ownsIndexFiles: boolean;
}

export interface ServingWorker {
  url: string;
  /** Graceful stop (stop accepting, finish in-flight requests and writes, persist); then the engine is closed. */
  stop(): Promise<void>;
}

export interface ClusterOptions {
  workers: number;
  logger: Logger;
  /** Runs in each worker process: open the engine, start the HTTP server. */
  startWorker(context: WorkerContext): Promise<ServingWorker>;
  /** Runs in the primary once every worker listens. */
  onListening(url: string): void;
  /** When the primary gives up on crashing workers (default: more than 5 crashes within a minute). */
  restartPolicy?: RestartPolicy;
  /** Primary: aborting it shuts the workers down like a signal (for embedding the cluster in a program). */
  signal?: AbortSignal;
}

export interface RestartPolicy {
  /** Crashes tolerated within the window; one more stops the server. */
  maxCrashes: number;
  windowMs: number;
}

export const DEFAULT_RESTART_POLICY: RestartPolicy = { maxCrashes: 5, windowMs: 60_000 };
const RESTART_DELAY_MS = 500;

/**
 * Adds a crash at `now` to the crash times seen so far: returns the ones still inside the sliding window and
 * whether they are more than the policy tolerates. A crash counts the same whether the worker was serving or still
 * starting (a replacement catching up with SQLite), so killing replacements quickly cannot stop the server sooner.
 */
export function recordCrash(crashes: readonly number[], now: number, policy: RestartPolicy): { crashes: number[]; giveUp: boolean } {
  const recent = [...crashes.filter((time) => time > now - policy.windowMs), now];
  return { crashes: recent, giveUp: recent.length > policy.maxCrashes };
}

/** `exitCode` of a failed start: 2 when the worker was refused its settings (bad input), else 1 (core/cli.ts exitFor). */
type WorkerMessage = { type: 'listening'; url: string } | { type: 'failed'; message: string; exitCode: number };

/**
 * Runs the cluster: in the primary, resolves with the exit code once every worker has exited after a shutdown
 * (0), after the primary gave up (1), or after the workers could not start (1, or 2 for bad settings); in a worker, resolves once the worker has stopped.
 */
export async function runCluster(options: ClusterOptions): Promise<number> {
  return cluster.isPrimary ? runPrimary(options) : runWorker(options);
}

function contextOf(index: number, workers: number): WorkerContext {
  return { index, workers, ownsIndexFiles: index === 0 };
}

async function runWorker(options: ClusterOptions): Promise<number> {
  const index = Number(process.env.TAFUTA_WORKER_INDEX);
  const context = contextOf(index, options.workers);
  // Listening from the first moment: a shutdown sent while this worker is still starting (a replacement opening
  // its engine) must not be lost, or the primary would wait for it forever.
  let requestStop: () => void = () => undefined;
  const stopRequested = new Promise<void>((resolve) => (requestStop = resolve));
  // The primary relays Ctrl-C (the terminal sends SIGINT to the whole process group: acting on it here too
  // would count as a second signal). SIGTERM sent to this worker alone stops it.
  process.on('SIGINT', () => undefined);
  process.once('SIGTERM', () => requestStop());
  process.on('message', (message) => {
    if (message === 'shutdown') requestStop();
  });
  // The primary is gone (killed): nobody routes connections here any more.
  process.once('disconnect', () => requestStop());

  let serving: ServingWorker;
  try {
    serving = await options.startWorker(context);
  } catch (error) {
    // Sent, not left to the exit code: a cluster worker whose IPC channel closes exits 0 (Node's cluster/child.js).
    process.send?.({ type: 'failed', message: error instanceof Error ? error.message : String(error), exitCode: exitFor(error).code } satisfies WorkerMessage);
    process.disconnect(); // an open IPC channel would keep this process alive
    throw error;
  }
  if (process.connected) process.send?.({ type: 'listening', url: serving.url } satisfies WorkerMessage);
  await stopRequested;
  options.logger.info({ worker: index }, 'worker shutting down');
  try {
    await serving.stop();
  } finally {
    if (process.connected) process.disconnect();
  }
  return 0;
}

function runPrimary(options: ClusterOptions): Promise<number> {
  const { logger, workers } = options;
  const policy = options.restartPolicy ?? DEFAULT_RESTART_POLICY;
  const live = new Map<Worker, number>(); // worker → index
  const ready = new Set<number>();
  let crashes: number[] = [];
  let shuttingDown = false;
  let exitCode = 0;
  let announced = false;
  /** The exit code a worker that could not start asked for (2: bad settings, which every worker would meet). */
  let startFailure = 1;

  return new Promise<number>((resolve) => {
    const finishIfDone = () => {
      if (shuttingDown && live.size === 0) {
        process.off('SIGINT', onSignal);
        process.off('SIGTERM', onSignal);
        resolve(exitCode);
      }
    };

    const shutdown = (code: number) => {
      exitCode = Math.max(exitCode, code);
      if (shuttingDown) return;
      shuttingDown = true;
      for (const [worker, index] of live) {
        // A worker still starting may not listen for messages yet (a message would be lost): SIGTERM reaches it
        // either way, and it has nothing in flight.
        if (ready.has(index) && worker.isConnected()) worker.send('shutdown');
        else worker.process.kill('SIGTERM');
      }
      finishIfDone();
    };

    const onSignal = (signal: NodeJS.Signals) => {
      if (shuttingDown) {
        logger.warn({ signal }, 'second signal: killing workers without waiting for in-flight requests');
        for (const worker of live.keys()) worker.process.kill('SIGKILL');
        return;
      }
      logger.info({ signal, workers: live.size }, 'shutting down: workers finish in-flight requests');
      shutdown(0);
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
    options.signal?.addEventListener('abort', () => shutdown(0), { once: true });

    const fork = (index: number) => {
      const worker = cluster.fork({ TAFUTA_WORKER_INDEX: String(index) });
      live.set(worker, index);
      worker.on('message', (message: WorkerMessage) => {
        if (message.type === 'listening') {
          ready.add(index);
          if (announced) logger.info({ worker: index, pid: worker.process.pid }, 'replacement worker listening');
          if (!announced && ready.size === workers) {
            announced = true;
            logger.info({ url: message.url, workers }, 'all workers listening');
            options.onListening(message.url);
          }
        } else if (message.type === 'failed') {
          logger.error({ worker: index, message: message.message }, 'worker could not start');
          if (message.exitCode === 2) startFailure = 2;
        }
      });
      worker.on('exit', (code, signal) => {
        live.delete(worker);
        ready.delete(index);
        if (shuttingDown) {
          if (code !== 0) logger.warn({ worker: index, code, signal }, 'worker exited uncleanly during shutdown');
          finishIfDone();
          return;
        }
        logger.error({ worker: index, code, signal }, 'worker died');
        if (!announced) {
          // The server never came up (bad port, unreadable data, bad settings): restarting would fail the same way.
          shutdown(startFailure);
          return;
        }
        const verdict = recordCrash(crashes, Date.now(), policy);
        crashes = verdict.crashes;
        if (verdict.giveUp) {
          logger.error({ crashes: crashes.length, windowMs: policy.windowMs }, 'workers keep crashing; stopping');
          shutdown(1);
          return;
        }
        setTimeout(() => {
          if (!shuttingDown) fork(index);
        }, RESTART_DELAY_MS);
      });
    };
    for (let i = 0; i < workers; i++) fork(i);
  });
}
