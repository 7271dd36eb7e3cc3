/**
 * `createApp(deps)`: the Express application with thin routes over the engine. Layers, in order: metrics,
 * request log, security headers + CORS, /healthz and the search page (open), authentication + rate limit, JSON body, routes (writes
 * also require the admin key), then 405/404 and the one error handler.
 */
import { isUtf8 } from 'node:buffer';
import express, { type Request, type RequestHandler } from 'express';
import type { Engine } from '../indexer/engine.js';
import { TafutaError } from '../core/errors.js';
import type { Logger } from '../core/logger.js';
import { OPEN_SECURITY, type SecurityConfig } from './config.js';
import { errorHandler, methodNotAllowedHandler, notFoundHandler, validationError } from './errors.js';
import { createMetrics } from './metrics.js';
import { openApiDocument } from './openapi.js';
import { requestLogging, type RequestLogger } from './request-log.js';
import { API_PATHS } from './routes.js';
import { securityLayers } from './security.js';
import { webPage } from './web.js';
import { REQUEST_SCHEMAS } from './api-schemas.js';
import type { z } from 'zod';

export interface AppDeps {
  engine: Engine;
  logger: Logger;
  version: string;
  /** Largest accepted JSON body, e.g. "10mb". */
  bodyLimit: string;
  /** Keys, CORS, rate limit (validated by `resolveSecurityConfig`). Default: open, no CORS, no rate limit. */
  security?: SecurityConfig;
  /** Where request lines go; none = no request log. */
  requestLogger?: RequestLogger;
}

/** A lone UTF-16 surrogate (JSON allows "\ud800"): it cannot be stored as UTF-8 without being changed. */
const LONE_SURROGATE = /\p{Surrogate}/u;

/** Rejects parsed bodies holding strings (values or keys) that are not well-formed Unicode. Iterative: bodies may nest deeply. */
const wellFormedStrings: RequestHandler = (req, _res, next) => {
  const stack: unknown[] = [req.body];
  while (stack.length) {
    const value = stack.pop();
    if (typeof value === 'string') {
      if (LONE_SURROGATE.test(value)) {
        next(new TafutaError('INVALID_ENCODING', 'request body contains a lone UTF-16 surrogate (e.g. "\\ud800"); strings must be well-formed Unicode'));
        return;
      }
    } else if (value !== null && typeof value === 'object') {
      for (const [k, v] of Object.entries(value)) stack.push(k, v);
    }
  }
  next();
};

function parse<T extends z.ZodType>(schema: T, value: unknown): z.output<T> {
  const result = schema.safeParse(value);
  if (!result.success) throw validationError(result.error);
  return result.data;
}

function param(req: Request, name: string): string {
  return String(req.params[name]);
}

export function createApp({ engine, logger, version, bodyLimit, security = OPEN_SECURITY, requestLogger }: AppDeps): express.Express {
  const app = express();
  const metrics = createMetrics(engine);
  const { headers, guard, requireAdmin } = securityLayers(security);
  app.disable('x-powered-by');
  // Search responses are fresh computations; hashing every body for an ETag costs time and buys nothing.
  app.set('etag', false);
  app.set('query parser', 'simple');
  if (security.trustProxy > 0) app.set('trust proxy', security.trustProxy);
  app.use(metrics.middleware);
  if (requestLogger) app.use(requestLogging(requestLogger));
  app.use(headers);

  // Liveness stays open (load balancers, orchestrators) and is not rate limited.
  app.get(API_PATHS.healthz, (_req, res) => {
    res.json({ status: 'ok' });
  });

  // The search page loads without a key (it asks for one when the API answers 401).
  app.use(webPage());

  // Everything below needs a key when keys are configured; bodies are parsed only for authenticated requests.
  app.use(guard);
  app.use(
    express.json({
      limit: bodyLimit,
      strict: true,
      type: () => true,
      verify: (_req, _res, buf) => {
        if (!isUtf8(buf)) throw Object.assign(new Error('body is not UTF-8'), { type: 'entity.verify.failed', status: 400 });
      },
    }),
    wellFormedStrings,
  );

  app.get(API_PATHS.info, async (_req, res) => {
    res.json({
      name: 'tafuta',
      version,
      encoders: engine.encoders.list(),
      default_encoder: engine.encoders.defaultName,
      language_identifier: engine.languageIdentifier.name,
      // Which store answers, and whether mode "bm25" is BM25 there (PostgreSQL without pg_textsearch ranks by ts_rank).
      store: { kind: engine.storageInfo.kind, text_ranking: engine.storageInfo.textRanking.kind, text_ranking_engine: engine.storageInfo.textRanking.engine },
      collections: (await engine.listCollections()).map((c) => ({ name: c.name, encoder: c.encoder, documents: c.documents, passages: c.passages })),
    });
  });

  app.get(API_PATHS.openapi, (_req, res) => {
    res.json(openApiDocument(version));
  });

  app.get(API_PATHS.metrics, async (_req, res) => {
    res.set('Content-Type', metrics.registry.contentType).send(await metrics.registry.metrics());
  });

  app.post(API_PATHS.collections, requireAdmin, async (req, res) => {
    const body = parse(REQUEST_SCHEMAS.createCollection.body, req.body);
    res.status(201).json(await engine.createCollection(body.name, { encoder: body.encoder, dim: body.dim, config: body.config }));
  });

  app.get(API_PATHS.collections, async (_req, res) => {
    res.json({ collections: await engine.listCollections() });
  });

  app.get(API_PATHS.collection, async (req, res) => {
    res.json(await engine.getCollection(param(req, 'name')));
  });

  app.delete(API_PATHS.collection, requireAdmin, async (req, res) => {
    const { force } = parse(REQUEST_SCHEMAS.deleteCollection.query, req.query);
    await engine.deleteCollection(param(req, 'name'), { force: force === 'true' });
    res.json({ deleted: param(req, 'name') });
  });

  app.post(API_PATHS.documents, requireAdmin, async (req, res) => {
    const name = param(req, 'name');
    await engine.assertCollectionExists(name); // 404 before 400: a missing collection is the first thing to fix
    const body = parse(REQUEST_SCHEMAS.upsertDocuments.body, req.body);
    res.json(await engine.upsertDocuments(name, body.documents));
  });

  app.get(API_PATHS.documents, async (req, res) => {
    const name = param(req, 'name');
    await engine.assertCollectionExists(name);
    res.json(await engine.listDocuments(name, parse(REQUEST_SCHEMAS.listDocuments.query, req.query)));
  });

  app.get(API_PATHS.document, async (req, res) => {
    res.json(await engine.getDocument(param(req, 'name'), param(req, 'id')));
  });

  app.post(API_PATHS.deleteDocuments, requireAdmin, async (req, res) => {
    const name = param(req, 'name');
    await engine.assertCollectionExists(name);
    const body = parse(REQUEST_SCHEMAS.deleteDocuments.body, req.body);
    res.json(await engine.deleteDocuments(name, body.ids !== undefined ? { ids: body.ids } : { filter: body.filter! }));
  });

  app.patch(API_PATHS.document, requireAdmin, async (req, res) => {
    const name = param(req, 'name');
    await engine.assertCollectionExists(name);
    res.json(await engine.patchDocument(name, param(req, 'id'), parse(REQUEST_SCHEMAS.patchDocument.body, req.body)));
  });

  app.delete(API_PATHS.document, requireAdmin, async (req, res) => {
    await engine.deleteDocument(param(req, 'name'), param(req, 'id'));
    res.json({ deleted: param(req, 'id') });
  });

  app.post(API_PATHS.search, async (req, res) => {
    const name = param(req, 'name');
    await engine.assertCollectionExists(name);
    const body = parse(REQUEST_SCHEMAS.search.body, req.body);
    res.json(await engine.search(name, body));
  });

  app.use(methodNotAllowedHandler);
  app.use(notFoundHandler);
  app.use(errorHandler(logger));
  return app;
}
