/** The one place where errors become HTTP responses: `{error: {code, message}}` with a status from the code. */
import type { ErrorRequestHandler, RequestHandler } from 'express';
import { z } from 'zod';
import { TafutaError, isTafutaError, type ErrorCode } from '../core/errors.js';
import { formatIssues } from '../core/issues.js';
import { isCorruptionError } from '../indexer/database.js';
import type { Logger } from '../core/logger.js';
import { API_PATHS, pathPattern } from './routes.js';

/** How long a client waits before retrying when the store's database cannot be reached. */
const STORE_RETRY_AFTER_SECONDS = 5;

export const HTTP_STATUS: Record<ErrorCode, number> = {
  INVALID_ARGUMENT: 400,
  INVALID_JSON: 400,
  INVALID_ENCODING: 400,
  PAYLOAD_TOO_LARGE: 413,
  UNSUPPORTED_MEDIA_TYPE: 415,
  COLLECTION_NOT_FOUND: 404,
  COLLECTION_EXISTS: 409,
  COLLECTION_NOT_EMPTY: 409,
  DOCUMENT_NOT_FOUND: 404,
  UNKNOWN_ENCODER: 400,
  ENCODER_CHANGED: 409,
  CONFLICT: 409,
  ROUTE_NOT_FOUND: 404,
  METHOD_NOT_ALLOWED: 405,
  UNAUTHORIZED: 401,
  FORBIDDEN: 403,
  RATE_LIMITED: 429,
  INPUT_FILE: 400,
  DATABASE_CORRUPT: 503,
  STORE_UNAVAILABLE: 503,
  INTERNAL: 500,
};

export function validationError(error: z.ZodError): TafutaError {
  const message = formatIssues(error, { root: '(body)', limit: 10 });
  return new TafutaError('INVALID_ARGUMENT', message, { issues: error.issues.slice(0, 50).map((i) => ({ path: i.path, message: i.message })) });
}

/** body-parser reports its failures with a `type`; map them to our codes. */
function fromBodyParser(error: { type?: string; status?: number; message?: string }): TafutaError | undefined {
  switch (error.type) {
    case 'entity.too.large':
      return new TafutaError('PAYLOAD_TOO_LARGE', `request body is larger than the limit`);
    case 'entity.parse.failed':
      return new TafutaError('INVALID_JSON', 'request body is not valid JSON');
    case 'encoding.unsupported':
    case 'charset.unsupported':
      return new TafutaError('UNSUPPORTED_MEDIA_TYPE', error.message ?? 'unsupported body encoding');
    case 'entity.verify.failed':
      return new TafutaError('INVALID_ENCODING', 'request body is not valid UTF-8');
    default:
      if (typeof error.status === 'number' && error.status >= 400 && error.status < 500) {
        return new TafutaError('INVALID_ARGUMENT', error.message ?? 'bad request');
      }
      return undefined;
  }
}

/** Paths the API serves (with some method); a request that reaches here on one of them used the wrong method. */
const KNOWN_PATHS = Object.values(API_PATHS).map(pathPattern);

export const methodNotAllowedHandler: RequestHandler = (req, _res, next) => {
  if (KNOWN_PATHS.some((pattern) => pattern.test(req.path))) {
    next(new TafutaError('METHOD_NOT_ALLOWED', `${req.method} is not allowed on ${req.path}`));
    return;
  }
  next();
};

export const notFoundHandler: RequestHandler = (req, _res, next) => {
  next(new TafutaError('ROUTE_NOT_FOUND', `no endpoint ${req.method} ${req.path}`));
};

export function errorHandler(logger: Logger): ErrorRequestHandler {
  return (error: unknown, req, res, _next) => {
    let known: TafutaError | undefined = isTafutaError(error) ? error : undefined;
    if (!known && error instanceof z.ZodError) known = validationError(error);
    if (!known && error && typeof error === 'object') known = fromBodyParser(error as { type?: string });
    if (!known && isCorruptionError(error)) {
      logger.error({ err: error, method: req.method, path: req.path }, 'the database file is damaged: restore it from a snapshot (README, Durability)');
      known = new TafutaError('DATABASE_CORRUPT');
    }
    if (!known) {
      logger.error({ err: error, method: req.method, path: req.path }, 'unhandled error');
      known = new TafutaError('INTERNAL', 'internal error');
    }
    const status = HTTP_STATUS[known.code];
    if (known.code === 'UNAUTHORIZED') res.set('WWW-Authenticate', 'Bearer realm="tafuta"');
    if (known.code === 'RATE_LIMITED' || known.code === 'STORE_UNAVAILABLE') {
      const retryAfter = (known.details as { retry_after_seconds?: unknown } | undefined)?.retry_after_seconds;
      res.set('Retry-After', String(typeof retryAfter === 'number' ? retryAfter : known.code === 'RATE_LIMITED' ? 60 : STORE_RETRY_AFTER_SECONDS));
    }
    const body: { error: { code: ErrorCode; message: string; details?: unknown } } = { error: { code: known.code, message: known.message } };
    if (known.details !== undefined && status < 500) body.error.details = known.details;
    res.status(status).json(body);
  };
}
