/**
 * The request-side security layers: helmet headers, CORS, API-key authentication (admin / read-only), per-key
 * or per-address rate limiting, and the admin check that write routes add. Built from a validated
 * `SecurityConfig`; no state outside the returned middleware.
 */
import crypto from 'node:crypto';
import type { Request, RequestHandler, Response } from 'express';
import cors from 'cors';
import helmet from 'helmet';
import { ipKeyGenerator, rateLimit } from 'express-rate-limit';
import { TafutaError } from '../core/errors.js';
import { authEnabled, type SecurityConfig } from './config.js';

export type Role = 'admin' | 'read';

interface AuthState {
  role?: Role;
  error?: TafutaError;
}

function authState(res: Response): AuthState {
  return ((res.locals as Record<string, unknown> | undefined)?.auth ?? {}) as AuthState;
}

/** The role a request authenticated as (`admin` on an open server), for logs and rate-limit keys. */
export function roleOf(res: Response): Role | undefined {
  return authState(res).role;
}

const digest = (key: string) => crypto.createHash('sha256').update(key, 'utf8').digest();

const MISSING = Symbol('missing');
const MALFORMED = Symbol('malformed');

/** `Authorization: Bearer <key>` wins over `x-api-key: <key>`. */
function presentedKey(req: Request): string | typeof MISSING | typeof MALFORMED {
  const authorization = req.headers.authorization;
  if (authorization !== undefined) {
    const match = /^Bearer +([^\s]+) *$/i.exec(authorization);
    return match ? match[1]! : MALFORMED;
  }
  const apiKey = req.headers['x-api-key'];
  if (apiKey === undefined) return MISSING;
  if (typeof apiKey !== 'string' || apiKey === '') return MALFORMED;
  return apiKey;
}

export interface SecurityLayers {
  /** helmet + CORS: for every response, before anything else can answer. */
  headers: RequestHandler[];
  /** Authentication, rate limiting, then rejection of failed authentication (so failures are rate limited too). */
  guard: RequestHandler[];
  /** Route-level: only the admin key may continue. */
  requireAdmin: RequestHandler;
}

export function securityLayers(config: SecurityConfig): SecurityLayers {
  const headers: RequestHandler[] = [
    helmet({
      // A JSON API serves no documents: forbid everything a browser could do with a response.
      contentSecurityPolicy: { useDefaults: false, directives: { defaultSrc: ["'none'"], frameAncestors: ["'none'"] } },
      crossOriginResourcePolicy: { policy: config.corsOrigins.length ? 'cross-origin' : 'same-origin' },
    }),
    cors({
      origin: config.corsOrigins.length === 0 ? false : config.corsOrigins.includes('*') ? '*' : [...config.corsOrigins],
      methods: ['GET', 'HEAD', 'POST', 'DELETE'],
      allowedHeaders: ['Authorization', 'Content-Type', 'X-API-Key'],
      exposedHeaders: ['Retry-After', 'RateLimit', 'RateLimit-Policy'],
      maxAge: 600,
    }),
  ];

  // Constant time: every configured key is compared (timingSafeEqual on equal-length SHA-256 digests), always.
  const credentials: Array<{ digest: Buffer; role: Role }> = [];
  if (config.adminKey !== undefined) credentials.push({ digest: digest(config.adminKey), role: 'admin' });
  if (config.readKey !== undefined) credentials.push({ digest: digest(config.readKey), role: 'read' });
  const enabled = authEnabled(config);

  const identify: RequestHandler = (req, res, next) => {
    if (!enabled) {
      res.locals.auth = { role: 'admin' } satisfies AuthState;
      next();
      return;
    }
    const key = presentedKey(req);
    if (key === MISSING) {
      res.locals.auth = { error: new TafutaError('UNAUTHORIZED', 'an API key is required: send "Authorization: Bearer <key>" or "x-api-key: <key>"') };
    } else if (key === MALFORMED) {
      res.locals.auth = { error: new TafutaError('UNAUTHORIZED', 'malformed credentials: use "Authorization: Bearer <key>" or "x-api-key: <key>"') };
    } else {
      const presented = digest(key);
      let role: Role | undefined;
      for (const c of credentials) if (crypto.timingSafeEqual(presented, c.digest) && role === undefined) role = c.role;
      res.locals.auth = role ? { role } : { error: new TafutaError('UNAUTHORIZED', 'the API key is not valid') };
    }
    next();
  };

  const enforce: RequestHandler = (_req, res, next) => {
    const { error } = authState(res);
    next(error);
  };

  const guard: RequestHandler[] = [identify];
  if (config.rateLimit.limit > 0) {
    guard.push(
      rateLimit({
        windowMs: config.rateLimit.windowMs,
        limit: config.rateLimit.limit,
        standardHeaders: 'draft-7',
        legacyHeaders: false,
        // One bucket per key (the role: one key each) when authenticated, else per client address (/56 for IPv6).
        keyGenerator: (req, res) => {
          const role = roleOf(res);
          return enabled && role ? `key:${role}` : `ip:${ipKeyGenerator(req.ip ?? req.socket.remoteAddress ?? 'unknown')}`;
        },
        handler: (req, _res, next) => {
          const resetTime = (req as Request & { rateLimit?: { resetTime?: Date } }).rateLimit?.resetTime;
          const retryAfter = Math.max(1, Math.ceil(((resetTime?.getTime() ?? Date.now() + config.rateLimit.windowMs) - Date.now()) / 1000));
          next(new TafutaError('RATE_LIMITED', `too many requests; retry in ${retryAfter} s`, { retry_after_seconds: retryAfter }));
        },
      }),
    );
  }
  guard.push(enforce);

  const requireAdmin: RequestHandler = (_req, res, next) => {
    if (roleOf(res) === 'admin') next();
    else next(new TafutaError('FORBIDDEN', 'this operation needs the admin key; the read key allows searches and GETs only'));
  };

  return { headers, guard, requireAdmin };
}
