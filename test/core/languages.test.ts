import assert from 'node:assert/strict';
import { test } from 'node:test';
import request from 'supertest';
import { canonicalLanguage } from '../../core/languages.js';
import { silentLogger } from '../../core/logger.js';
import { documentSchema, searchSchema } from '../../indexer/schemas.js';
import { createApp } from '../../server/app.js';
import { testEngine } from '../helpers/engine.js';

test('language tags reduce to the ISO 639-1 code when there is one, else the 639-3 code', () => {
  const cases: Array<[string, string | undefined]> = [
    ['sw', 'sw'], ['swa', 'sw'], ['SW', 'sw'], ['Swa', 'sw'], ['sw-KE', 'sw'], ['sw_KE', 'sw'],
    ['hau', 'ha'], ['yor', 'yo'], ['amh', 'am'], ['som', 'so'], ['ibo', 'ig'], ['zul', 'zu'], ['xho', 'xh'], ['kin', 'rw'],
    ['que', 'qu'], ['quz', 'quz'], ['wol', 'wo'], ['tir', 'ti'], ['bod', 'bo'], ['tib', 'bo'], // 639-2/B
    ['eng', 'en'], ['fre', 'fr'], ['fra', 'fr'], ['zh_Hant', 'zh'], ['swh', 'swh'],
    ['xx', undefined], ['und', undefined], ['zxx', undefined], ['english', undefined], ['s', undefined], ['', undefined], ['sw-', undefined],
  ];
  for (const [tag, expected] of cases) assert.equal(canonicalLanguage(tag), expected, tag);
});

test('documents and queries carry the canonical code; unknown codes are refused with a message that says what is accepted', () => {
  assert.equal(documentSchema.parse({ id: 'a', text: 'maji', lang: 'swa' }).lang, 'sw');
  assert.equal(searchSchema.parse({ query: 'maji', lang: 'hau', filter: { lang: ['swa', 'eng'] } }).lang, 'ha');
  assert.deepEqual(searchSchema.parse({ query: 'maji', filter: { lang: ['swa', 'eng'] } }).filter?.lang, ['sw', 'en']);
  const refused = searchSchema.safeParse({ query: 'maji', lang: 'xx' });
  assert.equal(refused.success, false);
  assert.match(refused.error!.issues[0]!.message, /"xx" is not an ISO 639-1, 639-2 or 639-3 language code.*GET \/v1\/info lists the languages/);
});

test('over HTTP: "swa" is stored and searched as "sw"; "xx" answers 400 and writes nothing', async () => {
  const engine = testEngine(undefined);
  const api = createApp({ engine, logger: silentLogger, version: 'test', bodyLimit: '1mb' });
  try {
    await request(api).post('/v1/collections').send({ name: 'c' }).expect(201);
    await request(api).post('/v1/collections/c/documents').send({ documents: [{ id: 'a', text: 'Maji safi ni muhimu', lang: 'swa' }] }).expect(200);
    assert.equal((await request(api).get('/v1/collections/c/documents/a')).body.lang, 'sw');
    const found = await request(api).post('/v1/collections/c/search').send({ query: 'maji', lang: 'swa', filter: { lang: 'sw-TZ' } });
    assert.equal(found.status, 200);
    assert.equal(found.body.query_lang, 'sw');
    assert.deepEqual(found.body.results.map((r: { id: string }) => r.id), ['a']);
    const bad = await request(api).post('/v1/collections/c/documents').send({ documents: [{ id: 'b', text: 'x', lang: 'xx' }] });
    assert.equal(bad.status, 400);
    assert.equal(bad.body.error.code, 'INVALID_ARGUMENT');
    assert.equal((await request(api).post('/v1/collections/c/search').send({ query: 'maji', lang: 'xx' })).status, 400);
    assert.equal((await engine.getCollection('c')).documents, 1);
  } finally {
    await engine.close();
  }
});
