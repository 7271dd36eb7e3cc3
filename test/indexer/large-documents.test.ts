import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Engine } from '../../indexer/engine.js';
import { createSqliteStorage } from '../../indexer/sqlite/storage.js';
import { sqliteStoreOf } from '../helpers/engine.js';
import { silentLogger } from '../../core/logger.js';
import { LIMITS } from '../../indexer/schemas.js';
import { createHashedNgramEncoder } from '../../models/hashed-ngram-encoder.js';
import { createHeuristicLanguageIdentifier, DOCUMENT_LANGUAGE_SAMPLE_CHARS, type LanguageIdentifier } from '../../models/langid/identifier.js';
import { createEncoderRegistry } from '../../models/registry.js';

const SWAHILI = 'Maji safi ni muhimu kwa afya ya watoto na familia nzima. Wakulima wanapanda mahindi wakati wa mvua za masika. ';
const ENGLISH = 'Clean water is important for the health of children and the whole family. ';

/** The heuristic identifier, recording the length of every text it is asked about. */
function recordingIdentifier(): { identifier: LanguageIdentifier; asked: number[] } {
  const inner = createHeuristicLanguageIdentifier();
  const asked: number[] = [];
  return { identifier: { name: inner.name, identify: (text) => (asked.push(text.length), inner.identify(text)) }, asked };
}

function engineWith(options: { languageIdentifier?: LanguageIdentifier; inlinePreparationMaxChars?: number } = {}): Engine {
  return new Engine({
    storage: createSqliteStorage({ dataDir: undefined, logger: silentLogger, saveDelayMs: 60_000 }),
    encoders: createEncoderRegistry([createHashedNgramEncoder({ dim: 64 })]),
    languageIdentifier: options.languageIdentifier ?? createHeuristicLanguageIdentifier(),
    logger: silentLogger,
    ...(options.inlinePreparationMaxChars !== undefined ? { inlinePreparationMaxChars: options.inlinePreparationMaxChars } : {}),
  });
}

test('a document without lang is identified once, from a bounded sample, whatever its length', async () => {
  const { identifier, asked } = recordingIdentifier();
  const engine = engineWith({ languageIdentifier: identifier });
  await engine.createCollection('c');
  const long = SWAHILI.repeat(600); // ~66,000 characters, ~70 passages
  const result = await engine.upsertDocuments('c', [
    { id: 'long', text: long },
    { id: 'short', text: ENGLISH },
    { id: 'given', text: SWAHILI.repeat(20), lang: 'sw' },
  ]);
  assert.ok(result.passages > 70);
  assert.equal(asked.length, 2, 'once per document without lang, never for one with it');
  assert.ok(Math.max(...asked) <= DOCUMENT_LANGUAGE_SAMPLE_CHARS, `asked about ${Math.max(...asked)} characters`);
  assert.equal((await engine.getDocument('c', 'long')).lang, 'sw', 'the sample still tells the language');
  await engine.close();
});

test('an identified language is stored and flagged, filter.lang finds it, an unsure one stays null', async () => {
  const engine = engineWith();
  await engine.createCollection('c');
  await engine.upsertDocuments('c', [
    { id: 'detected', text: SWAHILI },
    { id: 'given', text: SWAHILI.replace('Maji', 'Mvua'), lang: 'sw' },
    { id: 'unsure', text: 'qwz brrk tlp' },
  ]);
  assert.deepEqual({ ...(await engine.getDocument('c', 'detected')), updatedAt: '' }, { id: 'detected', text: SWAHILI, lang: 'sw', lang_detected: true, title: null, metadata: null, passages: 1, updatedAt: '' });
  assert.equal((await engine.getDocument('c', 'given')).lang_detected, undefined);
  assert.equal((await engine.getDocument('c', 'unsure')).lang, null);
  assert.equal((await engine.getDocument('c', 'unsure')).lang_detected, undefined);

  for (const mode of ['dense', 'bm25', 'hybrid'] as const) {
    const { results } = await engine.search('c', { query: 'maji safi afya', k: 10, mode, filter: { lang: 'sw' } });
    assert.deepEqual(results.map((r) => [r.id, r.lang, r.lang_detected]).sort(), [['detected', 'sw', true], ['given', 'sw', undefined]], mode);
  }
  assert.deepEqual((await engine.getCollection('c')).languages, [{ lang: 'sw', documents: 2 }, { lang: null, documents: 1 }]);

  // Sent again without lang: the same content, so unchanged, and its identified language stays.
  assert.deepEqual(await engine.upsertDocuments('c', [{ id: 'detected', text: SWAHILI, metadata: { source: 'x' } }]), { upserted: 0, unchanged: 1, passages: 0 });
  assert.equal((await engine.getDocument('c', 'detected')).lang_detected, true);
  assert.deepEqual((await engine.getDocument('c', 'detected')).metadata, { source: 'x' });
  // A re-index identifies it afresh rather than taking the guess for a given language.
  await engine.reindexCollection('c');
  assert.equal((await engine.getDocument('c', 'detected')).lang_detected, true);
  assert.equal((await engine.getDocument('c', 'given')).lang_detected, undefined);
  // Given explicitly, it is the client's language from then on.
  assert.equal((await engine.upsertDocuments('c', [{ id: 'detected', text: SWAHILI, lang: 'sw' }])).upserted, 1);
  assert.equal((await engine.getDocument('c', 'detected')).lang_detected, undefined);
  await engine.close();
});

test('a document making more passages than the limit is refused with INVALID_ARGUMENT, and nothing is written', async () => {
  const engine = engineWith();
  // A collection configured before overlaps were bounded (the API refuses this config now).
  sqliteStoreOf(engine).createCollection('old', engine.encoders.get('hashed-ngram-v1')!.info, { hnsw: { M: 16, efConstruction: 200, ef: 64 }, passages: { maxChars: 50, overlapChars: 49 } });
  await assert.rejects(
    engine.upsertDocuments('old', [{ id: 'big', text: 'Ndiyo. '.repeat(25_000), lang: 'sw' }]), // a passage every 7 characters
    (err: Error & { code?: string }) => err.code === 'INVALID_ARGUMENT' && err.message.includes(`more than ${LIMITS.maxPassagesPerDocument}`),
  );
  assert.equal((await engine.getCollection('old')).documents, 0);
  await engine.close();
});

test('passages prepared on the worker thread are those prepared inline', async () => {
  const documents = [
    { id: 'a', text: SWAHILI.repeat(300) + ENGLISH.repeat(200) },
    { id: 'b', text: 'ውሃ ሕይወት ነው። '.repeat(2000) },
    { id: 'c', text: 'x'.repeat(30_000) },
  ];
  const passagesOf = async (engine: Engine) => {
    await engine.createCollection('c');
    await engine.upsertDocuments('c', documents);
    const rows = sqliteStoreOf(engine).db.prepare('SELECT text, search_text, start_offset, end_offset FROM passages ORDER BY id').all();
    await engine.close();
    return rows;
  };
  const onWorker = await passagesOf(engineWith({ inlinePreparationMaxChars: 0 }));
  assert.ok(onWorker.length > 100);
  assert.deepEqual(onWorker, await passagesOf(engineWith({ inlinePreparationMaxChars: Number.POSITIVE_INFINITY })));
});
