import assert from 'node:assert/strict';
import { test } from 'node:test';
import { chooseThreshold, lengthBucket, macro, score, topConfusions } from '../../../models/langid/metrics.js';

test('length buckets: ≤ 1, 2–3, 4+ words', () => {
  assert.deepEqual([0, 1, 2, 3, 4, 9].map(lengthBucket), ['1', '1', '2-3', '2-3', '4+', '4+']);
});

test('score: forced top-1, coverage, precision and answered-and-right', () => {
  const s = score([
    { gold: 'sw', words: 1, top: 'sw', answer: 'sw' },
    { gold: 'sw', words: 1, top: 'sw', answer: undefined },
    { gold: 'sw', words: 1, top: 'yo', answer: 'yo' },
    { gold: 'sw', words: 1, top: undefined, answer: undefined },
  ]);
  assert.deepEqual(s, { n: 4, top1: 0.5, coverage: 0.5, precision: 0.5, correct: 0.25 });
  assert.ok(Number.isNaN(score([{ gold: 'sw', words: 1 }]).precision));
});

test('macro averages languages equally; confusions are ranked', () => {
  const outcomes = [
    ...Array.from({ length: 9 }, () => ({ gold: 'a', words: 1, top: 'a', answer: 'a' })),
    { gold: 'b', words: 1, top: 'c', answer: undefined },
  ];
  assert.equal(macro(outcomes).top1, 0.5);
  assert.equal(score(outcomes).top1, 0.9);
  assert.deepEqual(topConfusions(outcomes.filter((o) => o.gold === 'b')), [{ lang: 'c', share: 1 }]);
});

test('threshold: the smallest one reaching the language-balanced precision target', () => {
  const items = [
    { gold: 'a', top: 'a', probability: 0.9 },
    { gold: 'a', top: 'b', probability: 0.4 },
    { gold: 'b', top: 'b', probability: 0.8 },
    { gold: 'b', top: 'b', probability: 0.6 },
  ];
  const choice = chooseThreshold(items, 0.99);
  assert.equal(choice.threshold, 0.41);
  assert.equal(choice.reached, true);
  assert.equal(choice.coverage, 0.75);
  assert.equal(chooseThreshold(items, 0.5).threshold, 0);
  // Unreachable target: keep the most precise threshold and say so.
  const never = chooseThreshold([{ gold: 'a', top: 'b', probability: 0.99 }], 0.9);
  assert.equal(never.reached, false);
});
