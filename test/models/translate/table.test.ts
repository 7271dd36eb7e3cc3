import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { openQueryTranslator } from '../../../bin/runtime.js';
import { silentLogger } from '../../../core/logger.js';
import { trainIbm1 } from '../../../models/translate/ibm1.js';
import { learnTranslationTable, parseTable, serializeTable } from '../../../models/translate/table.js';
import { createQueryTranslator, loadQueryTranslator, TRANSLATOR_FORMAT, TRANSLATOR_FORMAT_VERSION, TRANSLATOR_MANIFEST } from '../../../models/translate/translator.js';

const PAIRS = [
  { en: 'the house', text: 'Nyumba' },
  { en: 'the big house', text: 'nyumba kubwa' },
  { en: 'the book', text: 'kitabu' },
  { en: 'the big book', text: 'kitabu kubwa' },
  { en: 'open the book', text: 'fungua kitabu' },
];
const OPTIONS = { iterations: 20, nullWord: true, maxWords: 40, maxTranslations: 2, minProbability: 0.05 };

test('tables are learnt on normalised words, pruned to the best translations and renormalised', () => {
  const table = learnTranslationTable(PAIRS, OPTIONS);
  assert.equal(table.get('nyumba')![0]!.term, 'house', 'case-folded like the BM25 text');
  assert.equal(table.get('kitabu')![0]!.term, 'book');
  assert.equal(table.get('kubwa')![0]!.term, 'big');
  for (const terms of table.values()) {
    assert.ok(terms.length <= 2);
    assert.ok(Math.abs(terms.reduce((s, t) => s + t.weight, 0) - 1) < 1e-9);
  }
  const long = learnTranslationTable([...PAIRS, { en: 'a b c', text: 'x y z w' }], { ...OPTIONS, maxWords: 3 });
  assert.equal(long.has('x'), false, 'pairs longer than maxWords are skipped');
});

test('symmetric tables weigh each translation by t(e | f) · t(f | e), renormalised per word', () => {
  // Both directions by hand over the same words (already lower-case, one word per token) with 1-based ids.
  const lrl = ['nyumba', 'kubwa', 'kitabu', 'fungua'];
  const en = ['the', 'house', 'big', 'book', 'open'];
  const ids = (words: string[], vocabulary: string[]) => Uint32Array.from(words, (w) => vocabulary.indexOf(w));
  const source = PAIRS.map((p) => ids(p.text.toLowerCase().split(' '), lrl));
  const target = PAIRS.map((p) => ids(p.en.split(' '), en));
  const forward = trainIbm1({ source, target }, { iterations: 20 });
  const reverse = trainIbm1({ source: target, target: source }, { iterations: 20 });
  const table = learnTranslationTable(PAIRS, { ...OPTIONS, maxTranslations: 10, minProbability: 0, symmetric: true });
  for (const [f, word] of lrl.entries()) {
    const products = [...forward.get(f)!].map(([e, p]) => [en[e]!, p * (reverse.get(e)?.get(f) ?? 0)] as const).filter(([, p]) => p > 0);
    const total = products.reduce((sum, [, p]) => sum + p, 0);
    const expected = new Map(products.map(([term, p]) => [term, p / total]));
    const got = table.get(word)!;
    assert.equal(got.length, expected.size, word);
    for (const { term, weight } of got) assert.ok(Math.abs(weight - expected.get(term)!) < 1e-9, `${word} → ${term}`);
  }
  // "the" is in every English side: forward, "kitabu" gives it real mass; backward, "the" spreads over every word.
  const plain = learnTranslationTable(PAIRS, { ...OPTIONS, maxTranslations: 10, minProbability: 0 });
  const weightOf = (t: typeof table, word: string, term: string) => t.get(word)!.find((x) => x.term === term)?.weight ?? 0;
  assert.ok(weightOf(table, 'kitabu', 'the') < weightOf(plain, 'kitabu', 'the'));
  assert.ok(weightOf(table, 'kitabu', 'book') > weightOf(plain, 'kitabu', 'book'));
});

test('a serialised table reads back with weights rounded to percents', () => {
  const table = new Map([
    ['nyumba', [{ term: 'house', weight: 0.666 }, { term: 'home', weight: 0.334 }]],
    ['kitabu', [{ term: 'book', weight: 0.999 }, { term: 'b:c', weight: 0.001 }]],
  ]);
  const read = parseTable(serializeTable(table));
  assert.deepEqual(read.get('nyumba'), [{ term: 'house', weight: 67 / 100 }, { term: 'home', weight: 33 / 100 }]);
  // 0.001 rounds to 0 and is kept at 1 %; a colon inside a term survives.
  assert.deepEqual(read.get('kitabu')!.map((t) => t.term), ['book', 'b:c']);
  assert.ok(Math.abs(read.get('kitabu')![1]!.weight - 1 / 101) < 1e-12);
});

test('the translator looks words up in the query language, then the languages it borrows from, else keeps them', () => {
  const translator = createQueryTranslator(
    { name: 't', borrowFrom: { qu: ['es'] }, fusion: { weights: { qu: 0.3 }, defaultWeight: 0.6 } },
    new Map([
      ['qu', new Map([['wasi', [{ term: 'house', weight: 1 }]]])],
      ['es', new Map([['casa', [{ term: 'house', weight: 0.9 }, { term: 'home', weight: 0.1 }]], ['wasi', [{ term: 'wrong', weight: 1 }]]])],
    ]),
  );
  assert.deepEqual(translator.translate('Wasi casa wasi 2024', 'qu'), [
    [{ term: 'house', weight: 1 }],
    [{ term: 'house', weight: 0.9 }, { term: 'home', weight: 0.1 }],
    [{ term: '2024', weight: 1 }],
  ]);
  assert.deepEqual(translator.translate('casa', undefined), [[{ term: 'casa', weight: 1 }]]);
  assert.equal(translator.fusionWeight('qu'), 0.3);
  assert.equal(translator.fusionWeight('sw'), 0.6);
  assert.deepEqual(translator.languages, ['es', 'qu']);
});

test('a translator directory loads through the runtime; a broken one falls back to untranslated queries', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tafuta-translator-'));
  try {
    fs.mkdirSync(path.join(dir, 'tables'));
    const bytes = serializeTable(new Map([['nyumba', [{ term: 'house', weight: 1 }]]]));
    fs.writeFileSync(path.join(dir, 'tables', 'sw.tsv.gz'), bytes);
    const sha256 = crypto.createHash('sha256').update(bytes).digest('hex');
    const manifest = {
      format: TRANSLATOR_FORMAT, formatVersion: TRANSLATOR_FORMAT_VERSION, name: 'tiny', description: '', borrowFrom: {},
      tables: { sw: { file: 'tables/sw.tsv.gz', words: 1, entries: 1, bytes: bytes.length, sha256 } }, fusion: { weights: {}, defaultWeight: 0.4 },
    };
    const writeManifest = (m: object) => fs.writeFileSync(path.join(dir, TRANSLATOR_MANIFEST), JSON.stringify(m));
    writeManifest(manifest);
    const loaded = openQueryTranslator(dir, silentLogger);
    assert.equal(loaded.name, 'tiny');
    assert.deepEqual(loaded.languages, ['sw']);
    assert.deepEqual(loaded.translate('nyumba', 'sw'), [[{ term: 'house', weight: 1 }]]);
    writeManifest({ ...manifest, formatVersion: 99 });
    assert.equal(openQueryTranslator(dir, silentLogger).name, 'none');
    assert.equal(openQueryTranslator(path.join(dir, 'missing'), silentLogger).name, 'none');
    // A table missing or not the one the manifest records fails at start, not at its first query.
    writeManifest({ ...manifest, tables: { ...manifest.tables, yo: { ...manifest.tables.sw, file: 'tables/yo.tsv.gz' } } });
    assert.throws(() => loadQueryTranslator(dir), /yo table tables\/yo.tsv.gz is missing/);
    writeManifest({ ...manifest, tables: { sw: { ...manifest.tables.sw, sha256: '0'.repeat(64) } } });
    assert.throws(() => loadQueryTranslator(dir), /does not match its manifest/);
    assert.equal(openQueryTranslator(dir, silentLogger).name, 'none');
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('a table is parsed on its language’s first query, not at load', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tafuta-translator-'));
  try {
    fs.mkdirSync(path.join(dir, 'tables'));
    // Bytes the manifest vouches for but that are no gzipped table: only parsing can tell.
    const bytes = Buffer.from('not gzip');
    const sha256 = crypto.createHash('sha256').update(bytes).digest('hex');
    fs.writeFileSync(path.join(dir, 'tables', 'sw.tsv.gz'), bytes);
    fs.writeFileSync(path.join(dir, TRANSLATOR_MANIFEST), JSON.stringify({
      format: TRANSLATOR_FORMAT, formatVersion: TRANSLATOR_FORMAT_VERSION, name: 'lazy', description: '', borrowFrom: {},
      tables: { sw: { file: 'tables/sw.tsv.gz', words: 1, entries: 1, bytes: bytes.length, sha256 } }, fusion: { weights: {}, defaultWeight: 0.4 },
    }));
    const translator = loadQueryTranslator(dir);
    assert.deepEqual(translator.translate('nyumba', 'yo'), [[{ term: 'nyumba', weight: 1 }]], 'another language never reads the sw table');
    assert.throws(() => translator.translate('nyumba', 'sw'));
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
