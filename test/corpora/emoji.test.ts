import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildEmojiBench, emojiDoc, emojiDocId, readAnnotations } from '../../corpora/bench/emoji.js';

const annotations = (table: Record<string, { default: string[]; tts: string[] }>, derived = false) =>
  derived ? { annotationsDerived: { identity: {}, annotations: table } } : { annotations: { identity: {}, annotations: table } };

test('emoji bench: one query per LRL keyword, graded 2 for the tts name and 1 for a keyword', () => {
  const english = readAnnotations(annotations({
    '🐶': { default: ['dog', 'face', 'pet'], tts: ['dog face'] },
    '🐕': { default: ['dog', 'pet'], tts: ['dog'] },
  }));
  readAnnotations(annotations({ '🐕‍🦺': { default: ['service dog', 'assistance'], tts: ['service dog'] } }, true), english);
  const sw = readAnnotations(annotations({
    '🐶': { default: ['mbwa', 'uso', 'DVD'], tts: ['uso wa mbwa'] },
    '🐕': { default: ['mbwa', 'kipenzi'], tts: ['mbwa'] },
  }));
  const bench = buildEmojiBench(english, new Map([['sw', sw]]));

  assert.equal(bench.corpus.length, 3);
  assert.equal(bench.corpus.find((d) => d._id === emojiDocId('🐶'))!.text, 'dog face: dog, face, pet');
  const byText = new Map(bench.queries.map((q) => [q.text, q._id]));
  const qrelsOf = (text: string) => bench.qrels.filter((r) => r.queryId === byText.get(text)).map((r) => [r.docId, r.score]);
  assert.deepEqual(qrelsOf('mbwa').sort(), [[emojiDocId('🐕'), 2], [emojiDocId('🐶'), 1]].sort());
  assert.deepEqual(qrelsOf('uso wa mbwa'), [[emojiDocId('🐶'), 2]]);
  assert.ok(bench.queries.every((q) => q.lang === 'sw'));
});

test('emoji keywords identical to an English keyword of a relevant emoji are not queries', () => {
  const english = readAnnotations(annotations({ '📀': { default: ['dvd', 'disk'], tts: ['dvd'] } }));
  const sw = readAnnotations(annotations({ '📀': { default: ['DVD', 'diski'], tts: ['DVD'] } }));
  const bench = buildEmojiBench(english, new Map([['sw', sw]]));
  assert.deepEqual(bench.queries.map((q) => q.text), ['diski']);
});

test('emojiDoc is "name: other keywords"', () => {
  assert.equal(emojiDoc({ tts: ['cat'], keywords: ['cat', 'pet'] }), 'cat: pet');
  assert.equal(emojiDoc({ tts: ['cat'], keywords: ['cat'] }), 'cat');
});
