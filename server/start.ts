/** Start/stop the HTTP server; port 0 picks a free port (tests run the real server in-process). */
import http, { type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Engine } from '../indexer/engine.js';
import type { Logger } from '../core/logger.js';
import { createApp } from './app.js';
import { assertSafeBinding, OPEN_SECURITY, type SecurityConfig } from './config.js';
import type { RequestLogger } from './request-log.js';

export interface ServerOptions {
  engine: Engine;
  logger: Logger;
  version: string;
  host: string;
  port: number;
  bodyLimit: string;
  /** Validated security settings; default open (no keys, no CORS, no rate limit). */
  security?: SecurityConfig;
  /** Allow a non-loopback host without an admin key. */
  insecure?: boolean;
  requestLogger?: RequestLogger;
  /** How long `stop()` waits for in-flight requests before closing their connections (default 10 s). */
  shutdownGraceMs?: number;
}

export interface RunningServer {
  url: string;
  server: Server;
  /**
   * Graceful stop: stops accepting connections, lets in-flight requests finish (their responses carry
   * `Connection: close`; after the grace period the remaining connections are closed), waits for queued engine
   * writes, then persists the indexes. Idempotent. The caller closes the engine.
   */
  stop(): Promise<void>;
}

export async function startWebServer(options: ServerOptions): Promise<RunningServer> {
  const security = options.security ?? OPEN_SECURITY;
  assertSafeBinding(options.host, security, options.insecure ?? false);
  const app = createApp({ ...options, security });
  let closing = false;
  const inFlight = new Set<http.ServerResponse>();
  const server = http.createServer((req, res) => {
    // Keep-alive connections must not outlive a shutdown: responses sent after it began close their sockets.
    if (closing) res.setHeader('Connection', 'close');
    inFlight.add(res);
    res.once('close', () => inFlight.delete(res));
    app(req, res);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { address, port } = server.address() as AddressInfo;
  const host = address.includes(':') ? `[${address}]` : address;
  const url = `http://${host}:${port}`;
  options.logger.info({ url }, 'tafuta listening');
  let stopping: Promise<void> | undefined;
  return {
    url,
    server,
    stop() {
      stopping ??= (async () => {
        closing = true;
        for (const res of inFlight) if (!res.headersSent) res.setHeader('Connection', 'close');
        const closed = new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve())));
        server.closeIdleConnections();
        const grace = setTimeout(() => {
          options.logger.warn({ graceMs: options.shutdownGraceMs ?? 10_000 }, 'closing connections still open after the grace period');
          server.closeAllConnections();
        }, options.shutdownGraceMs ?? 10_000);
        grace.unref();
        try {
          await closed;
        } finally {
          clearTimeout(grace);
        }
        // A client may have gone away while its write is still running: let every queued write finish.
        await options.engine.whenIdle();
        options.engine.saveIndexes();
      })();
      return stopping;
    },
  };
}
