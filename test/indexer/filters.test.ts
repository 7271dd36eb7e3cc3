/**
 * Metadata filters (Chroma `where` operators): semantics in every mode and type checks on every store (SQLite, and
 * PostgreSQL on PGlite), and recall under selective filters.
 */
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import type { Engine } from '../../indexer/engine.js';
import { isTafutaError } from '../../core/errors.js';
import { FILTER_LIMITS, parseWhere } from '../../indexer/filters.js';
import type { SearchFilter } from '../../indexer/types.js';
import { SAMPLE_DOCUMENTS, sqliteStoreOf, testEngine } from '../helpers/engine.js';
import { postgresStore, sqliteStore, testStores, type TestStore } from '../helpers/stores.js';

after(() => postgresStore.stop());

const MODES = ['dense', 'bm25', 'hybrid'] as const;

/** SAMPLE_DOCUMENTS plus documents with the shapes filters must tell apart (missing key, string year, null). */
const DOCUMENTS = [
  ...SAMPLE_DOCUMENTS,
  { id: 'no-meta', lang: 'sw', text: 'Maji ya mvua yanakusanywa kwenye tangi.' },
  { id: 'str-year', lang: 'en', text: 'Water harvesting in the year of the drought.', metadata: { topic: 'health', year: 'unknown', score: 0.5 } },
  { id: 'null-topic', lang: 'en', text: 'Water and farming notes without a topic.', metadata: { topic: null, year: 2021 } },
];

async function seeded(store: TestStore = sqliteStore): Promise<Engine> {
  const engine = await store.freshEngine();
  await engine.createCollection('c');
  await engine.upsertDocuments('c', DOCUMENTS);
  return engine;
}

/** Ids found by a filtered search deep enough to return every match, per mode (BM25 only sees query words). */
async function idsMatching(engine: Engine, metadata: Record<string, unknown>, mode: (typeof MODES)[number] = 'dense', extra: SearchFilter = {}): Promise<string[]> {
  const query = mode === 'bm25' ? 'maji water ruwa ውሃ mahindi maize farming' : 'water';
  const { results } = await engine.search('c', { query, k: 100, mode, filter: { ...extra, metadata } });
  return [...new Set(results.map((r) => r.id))].sort();
}

async function rejects(promise: Promise<unknown>, pattern: RegExp): Promise<void> {
  await assert.rejects(promise, (error: unknown) => isTafutaError(error) && error.code === 'INVALID_ARGUMENT' && pattern.test(error.message));
}

for (const store of testStores()) test(`every operator selects what the README says, in dense, BM25 and hybrid alike (${store.name} store)`, async () => {
  const engine = await seeded(store);
  const cases: Array<[Record<string, unknown>, string[]]> = [
    [{ topic: 'health' }, ['am-1', 'en-1', 'ha-1', 'str-year', 'sw-1']],
    [{ topic: { $eq: 'health' } }, ['am-1', 'en-1', 'ha-1', 'str-year', 'sw-1']],
    [{ topic: { $ne: 'health' } }, ['en-2', 'sw-2']], // only documents holding a string topic
    [{ year: { $gt: 2022 } }, ['en-1', 'sw-1', 'sw-2']],
    [{ year: { $gte: 2022 } }, ['en-1', 'en-2', 'sw-1', 'sw-2']],
    [{ year: { $lt: 2023 } }, ['en-2', 'null-topic']],
    [{ year: { $lte: 2023, $gt: 2021 } }, ['en-2', 'sw-2']],
    [{ year: { $in: [2021, 2022] } }, ['en-2', 'null-topic']],
    [{ year: { $nin: [2024, 2023] } }, ['en-2', 'null-topic']], // numbers only: "unknown" is not a number
    [{ reviewed: true }, ['ha-1']],
    [{ reviewed: { $ne: true } }, []],
    [{ topic: null }, ['null-topic']],
    [{ topic: { $exists: false } }, ['no-meta']],
    [{ year: { $exists: true } }, ['en-1', 'en-2', 'null-topic', 'str-year', 'sw-1', 'sw-2']],
    [{ $or: [{ reviewed: true }, { year: 2022 }] }, ['en-2', 'ha-1']],
    [{ $and: [{ topic: 'health' }, { year: { $gte: 2024 } }] }, ['en-1', 'sw-1']],
    [{ $not: { topic: 'health' } }, ['en-2', 'no-meta', 'null-topic', 'sw-2']], // the complement keeps missing keys
    [{ $not: { $or: [{ topic: 'health' }, { topic: 'farming' }] } }, ['no-meta', 'null-topic']],
    [{ score: { $gt: 0.25, $lt: 1 } }, ['str-year']],
    [{ 'no.such.key': 'x' }, []],
    [{}, DOCUMENTS.map((d) => d.id).sort()],
  ];
  for (const mode of MODES) {
    for (const [where, expected] of cases) {
      assert.deepEqual(await idsMatching(engine, where, mode), expected, `${mode} ${JSON.stringify(where)}`);
    }
  }
  assert.deepEqual(await idsMatching(engine, { topic: 'health' }, 'dense', { lang: ['sw', 'am'] }), ['am-1', 'sw-1'], 'lang and metadata together');
  await engine.close();
});

for (const store of testStores()) test(`a comparison that cannot match the stored type is a 400-class error, not an empty answer (${store.name} store)`, async () => {
  const engine = await seeded(store);
  const search = (metadata: Record<string, unknown>) => engine.search('c', { query: 'water', k: 5, mode: 'dense', filter: { metadata } });
  await rejects(search({ reviewed: 'true' }), /"reviewed" holds only boolean values/);
  await rejects(search({ reviewed: { $in: [1] } }), /compares a number/);
  await rejects(search({ topic: { $gt: 5 } }), /"topic" holds only null, string values/);
  await rejects(search({ $or: [{ topic: 'health' }, { $not: { reviewed: { $ne: 'yes' } } }] }), /"reviewed"/);
  // "year" holds numbers and (in one document) a string: both operand types can match.
  assert.deepEqual((await search({ year: '2024' })).results, []);
  assert.equal((await search({ year: 'unknown' })).results[0]?.id, 'str-year');
  // Keys no document has are not mistakes; null is comparable with everything.
  assert.deepEqual((await search({ absent: 5 })).results, []);
  assert.deepEqual((await search({ reviewed: { $ne: null } })).results.map((r) => r.id), ['ha-1']);
  // Types follow writes: once no document holds a boolean "reviewed", nothing is known about the key.
  await engine.deleteDocument('c', 'ha-1');
  assert.deepEqual((await search({ reviewed: 'true' })).results, []);
  await engine.close();
});

test('the numeric-year mistake of issue 17 is refused with the stored type named', async () => {
  const engine = testEngine(undefined);
  await engine.createCollection('c');
  await engine.upsertDocuments('c', SAMPLE_DOCUMENTS);
  await rejects(engine.search('c', { query: 'water', k: 5, mode: 'bm25', filter: { metadata: { year: '2024' } } }), /"year" holds only number values/);
  engine.close();
});

test('malformed where documents are refused by the parser with a path to the mistake', () => {
  const cases: Array<[unknown, RegExp]> = [
    [{ year: { $regex: 'x' } }, /unknown operator \$regex/],
    [{ $xor: [] }, /unknown operator \$xor/],
    [{ year: { $gt: true } }, /\$gt takes a number or a string/],
    [{ year: { $gt: null } }, /\$gt takes/],
    [{ year: { $in: [] } }, /\$in takes an array of 1/],
    [{ year: { $in: [1, '2'] } }, /all of one type/],
    [{ year: { $in: [[1]] } }, /all of one type/],
    [{ year: {} }, /at least one operator/],
    [{ year: [2024] }, /\$eq takes a string, number, boolean or null, got an array/],
    [{ $and: [] }, /non-empty array/],
    [{ $or: {} }, /non-empty array/],
    [{ $not: [] }, /must be an object/],
    [{ 'bad key': 1 }, /metadata keys are/],
    [{ year: { $exists: 1 } }, /\$exists takes true or false/],
  ];
  for (const [where, message] of cases) assert.throws(() => parseWhere(where), message, JSON.stringify(where));
  let nested: Record<string, unknown> = { a: 1 };
  for (let i = 0; i <= FILTER_LIMITS.maxDepth; i++) nested = { $not: nested };
  assert.throws(() => parseWhere(nested), /nest at most/);
  const many = { $and: Array.from({ length: FILTER_LIMITS.maxConditions + 1 }, (_, i) => ({ [`k${i}`]: i })) };
  assert.throws(() => parseWhere(many), /at most 100 conditions/);
  assert.throws(() => parseWhere({ $and: [{ a: 1 }, 'x'] }), (e: { path?: unknown }) => JSON.stringify(e.path) === '["$and",1]');
});

test('filter values travel as bound parameters: SQL in values and keys changes nothing', async () => {
  const engine = await seeded();
  assert.deepEqual(await idsMatching(engine, { topic: "health' OR 1=1 --" }), []);
  assert.deepEqual(await idsMatching(engine, { topic: { $in: ["') OR 1=1 --"] } }), []);
  assert.equal((await engine.getCollection('c')).documents, DOCUMENTS.length);
  engine.close();
});

/** Exact filtered top-k by brute force over every stored vector, independent of the engine's search path. */
async function exactTopK(engine: Engine, query: string, k: number, keep: (documentId: string) => boolean): Promise<string[]> {
  const store = sqliteStoreOf(engine);
  const collection = store.requireCollection('c');
  const [q] = await engine.encoders.get(collection.encoder)!.embed([query], { kind: 'query' });
  const all = [...store.vectorsBetween(collection.id, 0, Number.MAX_SAFE_INTEGER)];
  const views = new Map(store.passageViews(all.map((v) => v.label)).map((v) => [v.label, v]));
  return all
    .filter((v) => keep(views.get(v.label)!.documentId))
    .map((v) => ({ id: views.get(v.label)!.passageId, score: v.vector.reduce((s, x, i) => s + x * q![i]!, 0) }))
    .sort((a, b) => b.score - a.score)
    .slice(0, k)
    .map((h) => h.id);
}

test('filtered dense search keeps its recall: recall@10 = 1.0 under a 1% filter, ≥ 0.95 on the HNSW path', { timeout: 120_000 }, async () => {
  const engine = testEngine(undefined);
  await engine.createCollection('c');
  // Distinct texts (ties would make "the" exact top 10 ambiguous): words of a syllable vocabulary, seeded.
  const syllables = ['ma', 'ji', 'sa', 'fi', 'ki', 'li', 'mo', 'hi', 'ndi', 'a', 'fya', 'wa', 'to', 'shu', 'le', 'mvu', 'so', 'ko', 'ba', 'ra'];
  let seed = 17;
  const random = (n: number) => ((seed = (seed * 1103515245 + 12345) % 2 ** 31), seed % n);
  const word = () => Array.from({ length: 2 + random(2) }, () => syllables[random(syllables.length)]).join('');
  const documents = Array.from({ length: 5000 }, (_, i) => ({
    id: `d${i}`,
    lang: 'sw',
    text: Array.from({ length: 10 }, word).join(' '),
    metadata: { bucket: i % 100, rare: i % 100 === 7 },
  }));
  for (let i = 0; i < documents.length; i += 1000) await engine.upsertDocuments('c', documents.slice(i, i + 1000));
  const queries = Array.from({ length: 8 }, () => Array.from({ length: 4 }, word).join(' '));
  const bucketOf = (id: string) => Number(id.slice(1)) % 100;
  const recallUnder = async (metadata: Record<string, unknown>, keep: (bucket: number) => boolean) => {
    let found = 0;
    let wanted = 0;
    for (const query of queries) {
      const exact = await exactTopK(engine, query, 10, (id) => keep(bucketOf(id)));
      const { results } = await engine.search('c', { query, k: 10, mode: 'dense', filter: { metadata } });
      assert.ok(results.every((r) => keep(bucketOf(r.id))), 'every result passes the filter');
      const got = new Set(results.map((r) => r.passage_id));
      found += exact.filter((id) => got.has(id)).length;
      wanted += exact.length;
    }
    return found / wanted;
  };
  assert.equal(await recallUnder({ rare: true }, (b) => b === 7), 1, '1% filter (exact path)');
  assert.equal(await recallUnder({ bucket: { $in: [3, 50, 97] } }, (b) => b === 3 || b === 50 || b === 97), 1, '3% filter (exact path)');
  const hnswRecall = await recallUnder({ bucket: { $gte: 10 } }, (b) => b >= 10); // 4500 passages: above the exact-search limit
  assert.ok(hnswRecall >= 0.95, `HNSW path recall@10 ${hnswRecall}`);
  engine.close();
});
