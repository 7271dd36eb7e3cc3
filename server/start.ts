/** Start/stop the HTTP server; port 0 picks a free port (tests run the real server in-process). */
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import type { Engine } from '../indexer/engine.js';
import type { Logger } from '../indexer/logger.js';
import { createApp } from './app.js';

export interface ServerOptions {
  engine: Engine;
  logger: Logger;
  version: string;
  host: string;
  port: number;
  bodyLimit: string;
}

export interface RunningServer {
  url: string;
  server: Server;
  /** Stops accepting connections, waits for in-flight requests, then persists indexes. */
  stop(): Promise<void>;
}

export async function startWebServer(options: ServerOptions): Promise<RunningServer> {
  const app = createApp(options);
  const server = await new Promise<Server>((resolve, reject) => {
    const s = app.listen(options.port, options.host, (error?: Error) => (error ? reject(error) : resolve(s)));
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
      stopping ??= new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeIdleConnections();
      }).then(() => options.engine.saveIndexes());
      return stopping;
    },
  };
}
