/** The stores a contract suite runs against: SQLite + HNSW (temp data directory), and PostgreSQL + pgvector (PGlite). */
import { Engine } from '../../indexer/engine.js';
import { openPostgresStorage } from '../../indexer/postgres/storage.js';
import { createSqliteStorage } from '../../indexer/sqlite/storage.js';
import type { Storage } from '../../indexer/store-contracts.js';
import { silentLogger } from '../../core/logger.js';
import { createHashedNgramEncoder } from '../../models/hashed-ngram-encoder.js';
import { createHeuristicLanguageIdentifier } from '../../models/langid/identifier.js';
import { createEncoderRegistry } from '../../models/registry.js';
import type { Encoder } from '../../models/encoder.js';
import type { QueryTranslator } from '../../models/translate/translator.js';
import { tempDir } from './engine.js';
import { emptyDatabase, sharedPgliteServer, stopSharedPgliteServer } from './postgres.js';

export interface TestEngineOptions {
  /** Default: the 64-d baseline encoder. */
  encoders?: Encoder[];
  translator?: QueryTranslator;
}

export interface TestStore {
  name: 'sqlite' | 'postgres';
  /** An engine over an empty store. */
  freshEngine(options?: TestEngineOptions): Promise<Engine>;
  /** Another engine over the same store as the last fresh one (a restart, or a second server). */
  sameStoreEngine(options?: TestEngineOptions): Promise<Engine>;
  /** Stops what the store started (the PGlite server). */
  stop(): Promise<void>;
}

function engineOver(storage: Storage, options: TestEngineOptions): Engine {
  return new Engine({
    storage,
    encoders: createEncoderRegistry(options.encoders ?? [createHashedNgramEncoder({ dim: 64 })]),
    languageIdentifier: createHeuristicLanguageIdentifier(),
    ...(options.translator ? { translator: options.translator } : {}),
    logger: silentLogger,
  });
}

/**
 * One connection: pglite-socket interleaves extended-protocol messages of concurrent connections (electric-sql/pglite
 * issue 1046), which a real PostgreSQL never does; a test engine's queries then run one at a time, as PGlite runs them.
 */
export async function postgresEngine(url: string, options: TestEngineOptions = {}): Promise<Engine> {
  return engineOver(await openPostgresStorage({ url, logger: silentLogger, maxConnections: 1 }), options);
}

let sqliteDir: string | undefined;
const sqliteEngine = (dataDir: string, options: TestEngineOptions) => engineOver(createSqliteStorage({ dataDir, logger: silentLogger, saveDelayMs: 60_000 }), options);

/** SQLite on a temp data directory (so that a second engine can open the same one). */
export const sqliteStore: TestStore = {
  name: 'sqlite',
  freshEngine: async (options = {}) => sqliteEngine((sqliteDir = tempDir()), options),
  sameStoreEngine: async (options = {}) => {
    if (sqliteDir === undefined) throw new Error('no fresh SQLite engine was opened');
    return sqliteEngine(sqliteDir, options);
  },
  stop: async () => undefined,
};

export const postgresStore: TestStore = {
  name: 'postgres',
  async freshEngine(options) {
    const server = await sharedPgliteServer();
    await emptyDatabase(server.url);
    return postgresEngine(server.url, options);
  },
  async sameStoreEngine(options) {
    return postgresEngine((await sharedPgliteServer()).url, options);
  },
  stop: stopSharedPgliteServer,
};

/** Both stores; TAFUTA_TEST_STORES=sqlite (or postgres) narrows a run to one. */
export function testStores(): TestStore[] {
  const only = process.env.TAFUTA_TEST_STORES?.split(',');
  return [sqliteStore, postgresStore].filter((s) => !only || only.includes(s.name));
}
