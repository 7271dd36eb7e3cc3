/**
 * A store as a command names one: a postgres:// URL, or else a SQLite data directory. Used where a command names
 * two stores (`tafuta migrate-store --from … --to …`), so it opens a Storage directly: no engine, no encoder.
 */
import fs from 'node:fs';
import path from 'node:path';
import { CliError } from '../core/cli.js';
import { isTafutaError, TafutaError } from '../core/errors.js';
import type { Logger } from '../core/logger.js';
import { DATABASE_FILE, databasePathOf } from './data-dir.js';
import { parseStoreUrl } from './postgres/config.js';
import { createSqliteStorage } from './sqlite/storage.js';
import type { Storage } from './store-contracts.js';

export type StoreLocation =
  | { kind: 'postgres'; url: string; /** host:port/database, without credentials: for messages and comparisons. */ name: string }
  | { kind: 'sqlite'; dataDir: string; name: string };

const POSTGRES_URL = /^postgres(ql)?:\/\//i;

/** INVALID_ARGUMENT for a malformed URL, naming `option`. */
export function storeLocation(value: string, option: string): StoreLocation {
  if (POSTGRES_URL.test(value)) {
    const url = parseStoreUrl(value, option);
    const parsed = new URL(url);
    const host = parsed.hostname || parsed.searchParams.get('host') || 'localhost';
    // libpq's defaults: port 5432, the database named as the user.
    const database = decodeURIComponent(parsed.pathname.slice(1)) || decodeURIComponent(parsed.username) || 'postgres';
    return { kind: 'postgres', url, name: `${host}:${parsed.port || '5432'}/${database}` };
  }
  const dataDir = path.resolve(value);
  return { kind: 'sqlite', dataDir, name: dataDir };
}

/** The same database (a data directory reached through a symlink is the same one). */
export function sameStore(a: StoreLocation, b: StoreLocation): boolean {
  const real = (l: StoreLocation) => (l.kind === 'sqlite' && fs.existsSync(l.dataDir) ? fs.realpathSync(l.dataDir) : l.name);
  return a.kind === b.kind && real(a) === real(b);
}

/** PostgreSQL refusing the connection itself: a wrong password or user (28xxx), no such database (3D000). */
const isRefusedLogin = (error: unknown) => /^(28|3D000)/.test(String((error as { code?: unknown }).code ?? ''));

/**
 * Opens a store for copying: a source must exist and its index files are left alone; a target data directory is
 * created when missing. Graphs are opened when first used (a copy reads none of the source's). Bad locations and
 * unreachable servers are bad input (exit 2), naming the option and the host.
 */
export async function openStoreAt(location: StoreLocation, option: string, role: 'source' | 'target', logger: Logger): Promise<Storage> {
  if (location.kind === 'sqlite') {
    const { dataDir } = location;
    if (role === 'source' && !fs.existsSync(databasePathOf(dataDir))) throw new CliError(`${option}: no tafuta data in ${dataDir} (no ${DATABASE_FILE} there)`);
    if (fs.existsSync(dataDir) && !fs.statSync(dataDir).isDirectory()) throw new CliError(`${option}: ${dataDir} is not a directory`);
    return createSqliteStorage({ dataDir, logger, openIndexes: 'on-use', indexFiles: role === 'source' ? 'read-only' : 'read-write' });
  }
  const { openPostgresStorage } = await import('./postgres/storage.js');
  try {
    return await openPostgresStorage({ url: location.url, logger, maxConnections: 2 });
  } catch (error) {
    if (isTafutaError(error) && error.code === 'STORE_UNAVAILABLE') {
      throw new TafutaError('STORE_UNAVAILABLE', `${option}: cannot reach PostgreSQL at ${location.name}: ${error.message}`);
    }
    if (isRefusedLogin(error)) throw new CliError(`${option}: PostgreSQL at ${location.name} refused the connection: ${(error as Error).message}`);
    throw error;
  }
}
