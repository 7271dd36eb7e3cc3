/** Test wiring: an engine on a temp dir (or in memory) with the real baseline encoder and a silent logger. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createHashedNgramEncoder } from '../../models/hashed-ngram-encoder.js';
import { createHeuristicLanguageIdentifier } from '../../models/langid/identifier.js';
import { createEncoderRegistry } from '../../models/registry.js';
import type { Encoder } from '../../models/encoder.js';
import { Engine } from '../../indexer/engine.js';
import { createSqliteStorage, SqliteStorage } from '../../indexer/sqlite/storage.js';
import type { SqliteDocumentStore } from '../../indexer/document-store.js';
import { silentLogger } from '../../core/logger.js';
import type { GraphChoice } from '../../indexer/graph-store.js';

export function tempDir(prefix = 'tafuta-test-'): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

export function testEngine(dataDir: string | undefined, encoders: Encoder[] = [createHashedNgramEncoder({ dim: 64 })], graph?: GraphChoice): Engine {
  return new Engine({
    storage: createSqliteStorage({ dataDir, logger: silentLogger, saveDelayMs: 60_000, ...(graph ? { graph } : {}) }),
    encoders: createEncoderRegistry(encoders),
    languageIdentifier: createHeuristicLanguageIdentifier(),
    logger: silentLogger,
  });
}

/** The synchronous SQLite store under a test engine (tests that look at rows and the change log). */
export function sqliteStoreOf(engine: Engine): SqliteDocumentStore {
  return sqliteStorageOf(engine).sqlite;
}

export function sqliteStorageOf(engine: Engine): SqliteStorage {
  if (!(engine.storage instanceof SqliteStorage)) throw new Error('not a SQLite engine');
  return engine.storage;
}

export const SAMPLE_DOCUMENTS = [
  { id: 'sw-1', lang: 'sw', title: 'Maji', text: 'Maji safi ni muhimu kwa afya ya watoto na familia nzima.', metadata: { topic: 'health', year: 2024 } },
  { id: 'sw-2', lang: 'sw', title: 'Kilimo', text: 'Wakulima wanapanda mahindi wakati wa mvua za masika.', metadata: { topic: 'farming', year: 2023 } },
  { id: 'en-1', lang: 'en', title: 'Water', text: 'Clean water is important for the health of children and the whole family.', metadata: { topic: 'health', year: 2024 } },
  { id: 'en-2', lang: 'en', title: 'Farming', text: 'Farmers plant maize during the long rainy season.', metadata: { topic: 'farming', year: 2022 } },
  { id: 'ha-1', lang: 'ha', title: 'Ruwa', text: 'Ruwa mai tsabta yana da muhimmanci ga lafiyar yara.', metadata: { topic: 'health', reviewed: true } },
  { id: 'am-1', lang: 'am', title: 'ውሃ', text: 'ንጹህ ውሃ ለልጆች ጤና አስፈላጊ ነው።', metadata: { topic: 'health' } },
];
