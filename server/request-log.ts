/**
 * Structured request logs (pino-http): one line per response with method, URL, status, time and the role the
 * request authenticated as. Headers are whitelisted, and credentials are replaced by "[Redacted]": keys never
 * reach a log line, not even a key a client put in the query string.
 */
import type { RequestHandler } from 'express';
import { pino, type DestinationStream, type Logger as PinoLogger } from 'pino';
import { pinoHttp } from 'pino-http';
import { roleOf } from './security.js';

export type RequestLogger = PinoLogger;

/** Headers logged as sent; credentials are logged as present-or-not. */
const LOGGED_HEADERS = ['host', 'user-agent', 'content-type', 'content-length', 'origin', 'x-forwarded-for', 'x-request-id'];
const CREDENTIAL_HEADERS = ['authorization', 'x-api-key', 'cookie', 'proxy-authorization'];
export const REDACTED = '[Redacted]';

export function safeHeaders(headers: Record<string, unknown> | undefined): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (!headers) return out;
  for (const name of LOGGED_HEADERS) if (headers[name] !== undefined) out[name] = headers[name];
  for (const name of CREDENTIAL_HEADERS) if (headers[name] !== undefined) out[name] = REDACTED;
  return out;
}

/** Query parameters the API reads whose values are safe and useful in a log line; every other value is redacted. */
const LOGGED_QUERY_VALUES = new Set(['force', 'limit']);

/**
 * The URL with the values of its query parameters redacted, names kept: a client that sends its key as
 * `?api_key=…` gets a 401 and the key stays out of the log, and neither cursors nor filters (which quote stored
 * metadata) reach it; `force` and `limit` stay readable.
 */
export function safeUrl(url: string | undefined): string | undefined {
  const query = url?.indexOf('?') ?? -1;
  if (url === undefined || query === -1) return url;
  const params = url
    .slice(query + 1)
    .split('&')
    .filter((pair) => pair !== '')
    .map((pair) => {
      const at = pair.indexOf('=');
      const name = at === -1 ? pair : pair.slice(0, at);
      return LOGGED_QUERY_VALUES.has(name) ? pair : `${name.length > 64 ? REDACTED : name}=${REDACTED}`;
    });
  return `${url.slice(0, query)}?${params.join('&')}`;
}

/** A pino logger for request lines (to stderr in the CLI, to any stream in tests). */
export function createRequestLogger(options: { level: string; destination?: DestinationStream }): RequestLogger {
  return pino(
    {
      level: options.level,
      base: undefined,
      // Belt and braces: should anything log a raw request, its credentials are still censored.
      redact: { paths: ['req.headers.authorization', 'req.headers["x-api-key"]', 'req.headers.cookie', 'headers.authorization', 'headers["x-api-key"]'], censor: REDACTED },
    },
    options.destination ?? pino.destination(2),
  );
}

export function requestLogging(logger: RequestLogger): RequestHandler {
  return pinoHttp({
    logger,
    quietReqLogger: true,
    customLogLevel: (_req, res, error) => (error || res.statusCode >= 500 ? 'error' : res.statusCode >= 400 ? 'warn' : 'info'),
    // The role is known only once authentication ran, so it is added to the completion line (not the bindings).
    customSuccessObject: (_req, res, value: object) => ({ ...value, auth: roleOf(res as Parameters<typeof roleOf>[0]) ?? 'none' }),
    customErrorObject: (_req, res, _error, value: object) => ({ ...value, auth: roleOf(res as Parameters<typeof roleOf>[0]) ?? 'none' }),
    serializers: {
      req: (req: { id?: unknown; method?: string; url?: string; headers?: Record<string, unknown>; remoteAddress?: string }) => ({
        id: req.id,
        method: req.method,
        url: safeUrl(req.url),
        remoteAddress: req.remoteAddress,
        headers: safeHeaders(req.headers),
      }),
      res: (res: { statusCode?: number }) => ({ statusCode: res.statusCode }),
    },
  }) as unknown as RequestHandler;
}
