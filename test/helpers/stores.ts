/** The stores a contract suite runs against: SQLite + HNSW in memory, and PostgreSQL + pgvector (PGlite). */
import { Engine } from '../../indexer/engine.js';
import { openPostgresStorage } from '../../indexer/postgres/storage.js';
import { silentLogger } from '../../core/logger.js';
import { createHashedNgramEncoder } from '../../models/hashed-ngram-encoder.js';
import { createHeuristicLanguageIdentifier } from '../../models/langid.js';
import { createEncoderRegistry } from '../../models/registry.js';
import type { Encoder } from '../../models/encoder.js';
import { tempDir, testEngine } from './engine.js';
import { emptyDatabase, sharedPgliteServer, stopSharedPgliteServer } from './postgres.js';

export interface TestStore {
  name: 'sqlite' | 'postgres';
  /** An engine over an empty store. */
  freshEngine(encoders?: Encoder[]): Promise<Engine>;
  /** Another engine over the same store as the last fresh one (a restart, or a second server). */
  sameStoreEngine(encoders?: Encoder[]): Promise<Engine>;
  /** Stops what the store started (the PGlite server). */
  stop(): Promise<void>;
}

const defaultEncoders = () => [createHashedNgramEncoder({ dim: 64 })];

export async function postgresEngine(url: string, encoders: Encoder[] = defaultEncoders()): Promise<Engine> {
  return new Engine({
    storage: await openPostgresStorage({ url, logger: silentLogger, maxConnections: 4 }),
    encoders: createEncoderRegistry(encoders),
    languageIdentifier: createHeuristicLanguageIdentifier(),
    logger: silentLogger,
  });
}

let sqliteDir: string | undefined;

/** SQLite on a temp data directory (so that a second engine can open the same one). */
export const sqliteStore: TestStore = {
  name: 'sqlite',
  freshEngine: async (encoders) => testEngine((sqliteDir = tempDir()), encoders),
  sameStoreEngine: async (encoders) => {
    if (sqliteDir === undefined) throw new Error('no fresh SQLite engine was opened');
    return testEngine(sqliteDir, encoders);
  },
  stop: async () => undefined,
};

export const postgresStore: TestStore = {
  name: 'postgres',
  async freshEngine(encoders) {
    const server = await sharedPgliteServer();
    await emptyDatabase(server.url);
    return postgresEngine(server.url, encoders);
  },
  async sameStoreEngine(encoders) {
    return postgresEngine((await sharedPgliteServer()).url, encoders);
  },
  stop: stopSharedPgliteServer,
};

/** Both stores; TAFUTA_TEST_STORES=sqlite (or postgres) narrows a run to one. */
export function testStores(): TestStore[] {
  const only = process.env.TAFUTA_TEST_STORES?.split(',');
  return [sqliteStore, postgresStore].filter((s) => !only || only.includes(s.name));
}
