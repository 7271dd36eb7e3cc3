/** The store URL setting (`--store`, TAFUTA_STORE_URL): validated once, with the rest of a command's config. */
import { TafutaError } from '../../core/errors.js';

export const STORE_URL_ENV = 'TAFUTA_STORE_URL';

/** A postgres:// or postgresql:// URL, or INVALID_ARGUMENT saying which setting is wrong (never echoing a password). */
export function parseStoreUrl(value: string, source: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new TafutaError('INVALID_ARGUMENT', `${source} must be a PostgreSQL URL such as postgres://user@host:5432/tafuta`);
  }
  if (url.protocol !== 'postgres:' && url.protocol !== 'postgresql:') {
    throw new TafutaError('INVALID_ARGUMENT', `${source} must start with postgres:// or postgresql:// (got ${url.protocol}//…); SQLite is the default and needs no URL`);
  }
  if (url.hostname === '' && !url.searchParams.has('host')) throw new TafutaError('INVALID_ARGUMENT', `${source} names no host`);
  return value;
}

/**
 * The store URL of a command: its option, else TAFUTA_STORE_URL; undefined = the SQLite data directory. Written
 * back to the environment, so that cluster workers and every engine of the process open the same store.
 */
export function resolveStoreUrl(option: string | undefined): string | undefined {
  const raw = option ?? (process.env[STORE_URL_ENV] || undefined);
  if (raw === undefined) return undefined;
  const url = parseStoreUrl(raw, option !== undefined ? '--store' : STORE_URL_ENV);
  process.env[STORE_URL_ENV] = url;
  return url;
}
