/**
 * A real PostgreSQL for tests: PGlite (PostgreSQL in WASM) with pgvector and pg_textsearch, served over the wire
 * protocol by pglite-server as a child process on a free port. One server per test process, started on first use
 * and stopped when the process's tests end; each suite starts from an empty schema.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';

/** The package's `pglite-server` bin (its exports name no subpath for it): dist/scripts/server.js beside dist/index.js. */
const SERVER_SCRIPT = path.join(path.dirname(fileURLToPath(import.meta.resolve('@electric-sql/pglite-socket'))), 'scripts/server.js');
const EXTENSIONS = '@electric-sql/pglite-pgvector:vector,@electric-sql/pglite-pg_textsearch:pg_textsearch';
/** PGlite answers one query at a time; more connections let several clients (pools, servers) hold one each. */
const MAX_CONNECTIONS = 24;

export interface PgliteServer {
  url: string;
  process: ChildProcess;
  stop(): Promise<void>;
}

export interface PgliteServerOptions {
  extensions?: string;
  /** Default 0: a free port, which the server picks. */
  port?: number;
  /** A directory holding the database, so that a server started again on it finds the data (default: in memory). */
  dataDir?: string;
}

/** Starts pglite-server and resolves with its URL once it listens. */
export function startPgliteServer(options: PgliteServerOptions = {}): Promise<PgliteServer> {
  const args = ['-p', String(options.port ?? 0), '-m', String(MAX_CONNECTIONS), '-e', options.extensions ?? EXTENSIONS, ...(options.dataDir ? ['-d', options.dataDir] : [])];
  const child = spawn(process.execPath, [SERVER_SCRIPT, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  return new Promise((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const listening = /listening on (\{.*\})/.exec(output);
      if (!listening) return;
      child.stdout!.off('data', onData);
      child.stdout!.resume(); // keep draining: it logs every connection
      const { port } = JSON.parse(listening[1]!) as { port: number };
      resolve({
        url: `postgresql://postgres:postgres@127.0.0.1:${port}/postgres`,
        process: child,
        stop: () => stopChild(child),
      });
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.once('exit', (code) => reject(new Error(`pglite-server exited (${code}) before listening:\n${output}`)));
  });
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
}

let shared: Promise<PgliteServer> | undefined;

/** The test process's server (started on first use, stopped at exit). */
export function sharedPgliteServer(): Promise<PgliteServer> {
  if (!shared) {
    shared = startPgliteServer();
    void shared.then((server) => {
      process.once('exit', () => server.process.kill('SIGKILL'));
    }, () => undefined);
  }
  return shared;
}

export async function stopSharedPgliteServer(): Promise<void> {
  if (!shared) return;
  const server = await shared.catch(() => undefined);
  shared = undefined;
  await server?.stop();
}

/** Drops everything tafuta made (the store re-creates its schema and extensions when it opens). */
export async function emptyDatabase(url: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query('DROP SCHEMA public CASCADE; CREATE SCHEMA public;');
  } finally {
    await client.end();
  }
}
