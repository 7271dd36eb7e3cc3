/** Prometheus metrics (prom-client), in a registry owned by one app so tests can build many apps. */
import type { RequestHandler } from 'express';
import client from 'prom-client';
import type { Engine } from '../indexer/engine.js';
import type { CollectionInfo } from '../indexer/engine-types.js';

export interface Metrics {
  registry: client.Registry;
  middleware: RequestHandler;
}

export function createMetrics(engine: Engine): Metrics {
  const registry = new client.Registry();
  client.collectDefaultMetrics({ register: registry, prefix: 'tafuta_' });

  const requests = new client.Counter({
    name: 'tafuta_http_requests_total',
    help: 'HTTP requests by method, route and status code',
    labelNames: ['method', 'route', 'status'] as const,
    registers: [registry],
  });
  const latency = new client.Histogram({
    name: 'tafuta_http_request_duration_seconds',
    help: 'HTTP request latency by method and route',
    labelNames: ['method', 'route'] as const,
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });
  const sizes = (name: string, help: string, pick: (c: CollectionInfo) => number) =>
    new client.Gauge({
      name,
      help,
      labelNames: ['collection'] as const,
      registers: [registry],
      async collect() {
        this.reset();
        for (const c of await engine.listCollections()) this.set({ collection: c.name }, pick(c));
      },
    });
  sizes('tafuta_collection_documents', 'Documents per collection', (c) => c.documents);
  sizes('tafuta_collection_passages', 'Passages per collection (SQLite)', (c) => c.passages);
  sizes('tafuta_index_vectors', 'Live vectors in the ANN index per collection', (c) => c.indexedVectors);
  sizes('tafuta_search_ef', 'The ef a dense search without one uses per collection (GET /v1/collections/:name: search.efSource)', (c) => c.search.ef);

  const middleware: RequestHandler = (req, res, next) => {
    const end = latency.startTimer();
    res.on('finish', () => {
      // The matched route pattern, not the raw path, keeps label cardinality bounded.
      const route = (req.route?.path as string | undefined) ?? 'unmatched';
      end({ method: req.method, route });
      requests.inc({ method: req.method, route, status: String(res.statusCode) });
    });
    next();
  };
  return { registry, middleware };
}
