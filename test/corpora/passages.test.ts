import { test } from 'node:test';
import assert from 'node:assert/strict';
import { synthesizePassages } from '../../corpora/passages.js';
import { buildGuard, createPairCleaner, DEFAULT_CLEAN_OPTIONS } from '../../corpora/clean.js';
import type { Pair } from '../../corpora/types.js';

const pair = (en: string, text: string, pkg = 'gedit', lang = 'sw'): Pair => ({ en, text, lang, source: 'gettext', pkg });

const catalog: Pair[] = [
  pair('Open a new window', 'Fungua dirisha jipya'),
  pair('Save the current file', 'Hifadhi faili la sasa'),
  pair('Cancel', 'Ghairi'),
  pair('Print the current document.', 'Chapisha hati ya sasa.'),
  pair('Close all open files', 'Funga faili zote zilizo wazi'),
  pair('Quit the program now', 'Acha programu sasa'),
  pair('Undo the last action', 'Tendua kitendo cha mwisho', 'other'),
];

test('synthesizePassages joins runs of sentence-like messages of one package into passages, both sides in the same order', () => {
  const passages = synthesizePassages(catalog, { size: 2, minEnglishWords: 3 });
  // gedit has five eligible messages ("Cancel" is too short): two runs of two; "other" has one, too few for a run.
  assert.equal(passages.length, 2);
  for (const p of passages) {
    assert.equal(p.source, 'passages');
    assert.equal(p.pkg, 'gedit');
    assert.equal(p.lang, 'sw');
    const enPieces = p.en.split(/(?<=\.) /u);
    const textPieces = p.text.split(/(?<=\.) /u);
    assert.equal(enPieces.length, 2);
    for (const [i, en] of enPieces.entries()) {
      const source = catalog.find((c) => `${c.en.replace(/\.$/u, '')}.` === en);
      assert.ok(source, `piece ${en} comes from the catalog`);
      assert.equal(textPieces[i], `${source.text.replace(/\.$/u, '')}.`);
    }
  }
  const used = passages.flatMap((p) => p.en.split(/(?<=\.) /u));
  assert.equal(new Set(used).size, 4);
  assert.ok(!used.includes('Cancel.'));
});

test('synthesizePassages is deterministic and does not depend on the input order within a package', () => {
  const a = synthesizePassages(catalog, { size: 2, minEnglishWords: 3 });
  const b = synthesizePassages([...catalog].reverse(), { size: 2, minEnglishWords: 3 });
  assert.deepEqual(a, b);
  assert.deepEqual(synthesizePassages(catalog, { size: 2, minEnglishWords: 3 }), a);
  assert.deepEqual(synthesizePassages(catalog, { size: 6, minEnglishWords: 3 }), []);
});

test('passages go through the leakage guard like any other pair', () => {
  const [first] = synthesizePassages(catalog, { size: 2, minEnglishWords: 3 });
  const clean = createPairCleaner({ guard: buildGuard([first!.en]), ...DEFAULT_CLEAN_OPTIONS });
  const verdict = clean(first!);
  assert.equal(verdict.keep ? 'keep' : verdict.reason, 'leak');
});
