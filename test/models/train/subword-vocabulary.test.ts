import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createRng } from '../../../core/rng.js';
import { languageWordCounts, learnTrainingSubwords, weightedWordCounts } from '../../../models/train/subword-vocabulary.js';

test('word counts are per normalised word; languages are weighted by (share of the text)^T', () => {
  const big = languageWordCounts(['Habari ya asubuhi', 'habari njema', 'njema sana', 'asubuhi njema', 'habari']);
  assert.deepEqual(Object.fromEntries(big), { habari: 3, ya: 1, asubuhi: 2, njema: 3, sana: 1 });
  const small = languageWordCounts(['sannu']);
  // T = 1: counts as they are (at the resolution of 10).
  assert.deepEqual(Object.fromEntries(weightedWordCounts([big, small], 1)), { '<habari>': 30, '<ya>': 10, '<asubuhi>': 20, '<njema>': 30, '<sana>': 10, '<sannu>': 10 });
  // T = 0: every language gets the same mass (11 words in all, 5.5 each): "sannu" carries the small language's.
  const flat = weightedWordCounts([big, small], 0);
  assert.equal(flat.get('<sannu>'), 55);
  assert.equal(flat.get('<habari>'), Math.round(3 * (5.5 / 10) * 10));
});

test('a small language up-weighted gets merges of its own before the big one’s rare words', () => {
  // The big language: 2,000 words over the letters a–m (many distinct pairs, none of them with q or h).
  const rng = createRng(5);
  const letters = 'abcdefgjklm';
  const word = () => Array.from({ length: 3 + rng.int(5) }, () => letters[rng.int(letters.length)]).join('');
  const big = Array.from({ length: 400 }, () => Array.from({ length: 5 }, word).join(' '));
  const small = ['qhichwa simi', 'qhichwa runa'];
  const units = (T: number) => learnTrainingSubwords({ byLanguage: [big, small] }, 40, T).map(([l, r]) => l + r);
  assert.ok(units(0.3).some((u) => u.includes('q')), 'T 0.3: the small language is merged');
  assert.ok(!units(1).some((u) => u.includes('q')), 'T 1: its pairs are too rare');
});
