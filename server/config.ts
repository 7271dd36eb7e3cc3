/**
 * Security configuration of the HTTP server: API keys, CORS origins, rate limiting, proxy trust. Resolved and
 * validated once at start-up (`resolveSecurityConfig`) and passed down; nothing here reads the environment.
 */
import net from 'node:net';
import { TafutaError } from '../core/errors.js';

export interface RateLimitConfig {
  /** Requests allowed per window per API key (or per client address without one); 0 disables limiting. */
  limit: number;
  windowMs: number;
}

export interface SecurityConfig {
  /** Key for everything: writes, collection management and reads. */
  adminKey: string | undefined;
  /** Key for reads only: searches and GETs. */
  readKey: string | undefined;
  /** Origins allowed by CORS; empty = no CORS headers (browsers on other origins are refused). */
  corsOrigins: readonly string[];
  rateLimit: RateLimitConfig;
  /** Reverse proxies in front of the server whose X-Forwarded-For is trusted (0 = none: the socket address). */
  trustProxy: number;
}

/** What `createApp` uses when given nothing: open API, no CORS, no rate limit (tests, benchmarks, embedding). */
export const OPEN_SECURITY: SecurityConfig = Object.freeze({
  adminKey: undefined,
  readKey: undefined,
  corsOrigins: Object.freeze([]) as readonly string[],
  rateLimit: Object.freeze({ limit: 0, windowMs: 60_000 }),
  trustProxy: 0,
});

/** The CLI default: generous enough for any interactive or application use, a ceiling for runaway clients. */
export const DEFAULT_RATE_LIMIT: RateLimitConfig = Object.freeze({ limit: 6000, windowMs: 60_000 });

/** Printable ASCII without spaces (safe in a header), long enough not to be guessed. */
const KEY_PATTERN = /^[\x21-\x7e]{16,512}$/;

export interface SecurityInput {
  adminKey?: string | undefined;
  readKey?: string | undefined;
  /** Comma-separated or a list; "*" allows any origin. */
  corsOrigins?: string | readonly string[] | undefined;
  rateLimit?: number | undefined;
  rateLimitWindowSeconds?: number | undefined;
  trustProxy?: number | undefined;
}

function checkKey(name: string, key: string | undefined): string | undefined {
  if (key === undefined || key === '') return undefined;
  if (!KEY_PATTERN.test(key)) {
    // Never echo the key itself: it may be a real secret with a typo.
    throw new TafutaError('INVALID_ARGUMENT', `${name} must be 16-512 printable ASCII characters without spaces (got ${key.length} characters)`);
  }
  return key;
}

function checkOrigin(origin: string): string {
  if (origin === '*') return origin;
  let url: URL;
  try {
    url = new URL(origin);
  } catch {
    throw new TafutaError('INVALID_ARGUMENT', `CORS origin "${origin}" is not a URL such as https://app.example.org`);
  }
  if ((url.protocol !== 'http:' && url.protocol !== 'https:') || url.origin !== origin) {
    throw new TafutaError('INVALID_ARGUMENT', `CORS origin "${origin}" must be scheme://host[:port] with no path, e.g. https://app.example.org`);
  }
  return origin;
}

function checkInt(name: string, value: number, min: number, max: number): number {
  if (!Number.isInteger(value) || value < min || value > max) throw new TafutaError('INVALID_ARGUMENT', `${name} must be an integer from ${min} to ${max}`);
  return value;
}

export function resolveSecurityConfig(input: SecurityInput): SecurityConfig {
  const adminKey = checkKey('the admin key', input.adminKey);
  const readKey = checkKey('the read key', input.readKey);
  if (adminKey !== undefined && adminKey === readKey) throw new TafutaError('INVALID_ARGUMENT', 'the admin key and the read key must differ');
  const origins = typeof input.corsOrigins === 'string' ? input.corsOrigins.split(',') : (input.corsOrigins ?? []);
  const corsOrigins = [...new Set(origins.map((o) => o.trim()).filter(Boolean).map(checkOrigin))];
  if (corsOrigins.includes('*') && corsOrigins.length > 1) throw new TafutaError('INVALID_ARGUMENT', 'CORS origin "*" cannot be combined with other origins');
  return {
    adminKey,
    readKey,
    corsOrigins,
    rateLimit: {
      limit: checkInt('the rate limit', input.rateLimit ?? DEFAULT_RATE_LIMIT.limit, 0, 10_000_000),
      windowMs: checkInt('the rate-limit window (seconds)', input.rateLimitWindowSeconds ?? DEFAULT_RATE_LIMIT.windowMs / 1000, 1, 86_400) * 1000,
    },
    trustProxy: checkInt('the number of trusted proxies', input.trustProxy ?? 0, 0, 10),
  };
}

export function authEnabled(security: SecurityConfig): boolean {
  return security.adminKey !== undefined || security.readKey !== undefined;
}

/** True for addresses only this machine can reach: localhost, 127.0.0.0/8, ::1 (also IPv4-mapped). */
export function isLoopbackHost(host: string): boolean {
  const h = host.trim().toLowerCase().replace(/^\[(.*)\]$/, '$1');
  if (h === 'localhost' || h.endsWith('.localhost')) return true;
  const v4 = h.startsWith('::ffff:') ? h.slice(7) : h;
  if (net.isIPv4(v4)) return v4.startsWith('127.');
  if (net.isIPv6(h)) return h === '::1' || /^(0{1,4}:){7}0{0,3}1$/.test(h);
  return false;
}

/**
 * An open API on an address other machines can reach is a mistake unless said on purpose: refuse to start
 * without an admin key there, unless `insecure`.
 */
export function assertSafeBinding(host: string, security: SecurityConfig, insecure: boolean): void {
  if (insecure || isLoopbackHost(host) || security.adminKey !== undefined) return;
  throw new TafutaError(
    'INVALID_ARGUMENT',
    `refusing to serve on non-loopback host "${host}" without an admin key: set TAFUTA_ADMIN_KEY (or --admin-key), ` +
      'or pass --insecure to serve an open API on purpose',
  );
}
