import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_CLEAN_OPTIONS, buildGuard, createMonoCleaner, createPairCleaner, samplePairs, tidy } from '../../corpora/clean.js';
import type { Pair, RawPair } from '../../corpora/types.js';

const raw = (en: string, text: string): RawPair => ({ en, text, lang: 'sw', source: 'gettext', pkg: 'demo' });
const cleaner = (guardStrings: string[] = []) => createPairCleaner({ guard: buildGuard(guardStrings), ...DEFAULT_CLEAN_OPTIONS });

test('tidy strips markup through the shared normaliser but keeps case', () => {
  assert.equal(tidy('_Open %s in <b>New</b> window'), 'Open in New window');
  assert.equal(tidy('{{PLURAL:$1|one page|$1 pages}} deleted'), 'one page deleted');
});

test('pair cleaner drops empty, untranslated, length-ratio and duplicate pairs', () => {
  const clean = cleaner();
  assert.deepEqual(clean(raw('%s', 'Faili')), { keep: false, reason: 'empty' });
  assert.deepEqual(clean(raw('Bluetooth', 'bluetooth')), { keep: false, reason: 'untranslated' });
  assert.deepEqual(clean(raw('OK', 'Sawa kabisa, hii ni sentensi ndefu sana isiyolingana na Kiingereza')), { keep: false, reason: 'length-ratio' });
  assert.equal(clean(raw('Open file', 'Fungua faili')).keep, true);
  assert.deepEqual(clean(raw('_Open file', 'Fungua  faili')), { keep: false, reason: 'duplicate' });
});

test('several translations of one English string are all kept', () => {
  const clean = cleaner();
  assert.equal(clean(raw('Delete', 'Futa')).keep, true);
  assert.equal(clean(raw('Delete', 'Ondoa')).keep, true);
});

test('pairs with fewer than two English words are kept and flagged short', () => {
  const clean = cleaner();
  const one = clean(raw('Cancel', 'Ghairi'));
  assert.ok(one.keep && one.record.short === true);
  const two = clean(raw('Save file', 'Hifadhi faili'));
  assert.ok(two.keep && two.record.short === undefined);
});

test('leakage guard drops a pair whose English or LRL side is a benchmark string (after normalisation)', () => {
  const clean = cleaner(['Cancel the upload of this file now', 'Ukurasa huu umefutwa na msimamizi']);
  assert.deepEqual(clean(raw('Cancel the <b>upload</b> of this file now', 'Ghairi upakiaji')), { keep: false, reason: 'leak' });
  assert.deepEqual(clean(raw('This page was deleted', 'ukurasa huu umefutwa na MSIMAMIZI')), { keep: false, reason: 'leak' });
  assert.equal(clean(raw('Cancel the upload', 'Ghairi upakiaji')).keep, true);
});

test('mono cleaner drops empty, leaked and duplicate lines', () => {
  const clean = createMonoCleaner(buildGuard(['Habari ya dunia']));
  const rec = (text: string) => ({ text, lang: 'sw', source: 'dasher' });
  assert.deepEqual(clean(rec('  ')), { keep: false, reason: 'empty' });
  assert.deepEqual(clean(rec('habari ya Dunia')), { keep: false, reason: 'leak' });
  assert.equal(clean(rec('Watoto wanacheza.')).keep, true);
  assert.deepEqual(clean(rec('watoto wanacheza.')), { keep: false, reason: 'duplicate' });
});

test('samplePairs keeps a fixed subset whatever the input order, in input order', () => {
  const pairs: Pair[] = Array.from({ length: 50 }, (_, i) => ({ en: `Open file ${i}`, text: `Abrir archivo ${i}`, lang: 'es', source: 'gettext', pkg: 'demo' }));
  const a = samplePairs(pairs, 10);
  const b = samplePairs([...pairs].reverse(), 10);
  assert.equal(a.kept.length, 10);
  assert.equal(a.left.length, 40);
  assert.deepEqual(new Set(a.kept), new Set(b.kept));
  assert.deepEqual(a.kept, pairs.filter((p) => a.kept.includes(p)), 'input order');
  assert.deepEqual(new Set([...a.kept, ...a.left]), new Set(pairs));
  assert.equal(samplePairs(pairs, 60).kept.length, 50);
});
