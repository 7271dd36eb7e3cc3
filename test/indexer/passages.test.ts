import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DEFAULT_SEGMENTATION, splitPassages, type Segmentation } from '../../indexer/passages.js';
import { fitPassagesToTokens, preparePassages } from '../../indexer/passage-preparation.js';
import { searchTextOf } from '../../indexer/search-text.js';

const sentence = (i: number) => `Sentensi namba ${i} inaeleza jambo moja muhimu kuhusu maji na afya.`;

test('short text is one passage, trimmed, with true offsets', () => {
  const text = '  Habari ya asubuhi. Karibu sana!  ';
  const [p, ...rest] = splitPassages(text);
  assert.equal(rest.length, 0);
  assert.equal(p!.text, 'Habari ya asubuhi. Karibu sana!');
  assert.equal(text.slice(p!.start, p!.end), p!.text);
});

test('long text splits at sentence boundaries, within bounds, with overlap, covering everything', () => {
  const text = Array.from({ length: 40 }, (_, i) => sentence(i)).join(' ');
  const passages = splitPassages(text, { maxChars: 300, overlapChars: 80 });
  assert.ok(passages.length > 5);
  for (const p of passages) {
    assert.ok(p.text.length <= 300, `passage of ${p.text.length} chars`);
    assert.equal(text.slice(p.start, p.end), p.text);
    assert.match(p.text, /^Sentensi/, 'starts at a sentence');
    assert.match(p.text, /\.$/, 'ends at a sentence');
  }
  for (let i = 1; i < passages.length; i++) {
    assert.ok(passages[i]!.start < passages[i - 1]!.end, 'consecutive passages overlap');
    assert.ok(passages[i]!.start > passages[i - 1]!.start, 'and make progress');
  }
  assert.equal(passages[0]!.start, 0);
  assert.equal(passages.at(-1)!.end, text.length);
});

test('a single over-long sentence is cut at word boundaries; a giant token is cut hard', () => {
  const words = Array.from({ length: 200 }, (_, i) => `neno${i}`).join(' ');
  const passages = splitPassages(words, { maxChars: 100, overlapChars: 0 });
  assert.ok(passages.every((p) => p.text.length <= 100));
  assert.equal(passages.map((p) => p.text).join(' ').split(/\s+/).length, 200, 'no word lost or split');
  const token = 'x'.repeat(250);
  assert.deepEqual(splitPassages(token, { maxChars: 100, overlapChars: 0 }).map((p) => p.text.length), [100, 100, 50]);
});

test('empty or blank text has no passages; invalid configs are refused', () => {
  assert.deepEqual(splitPassages('   '), []);
  assert.throws(() => splitPassages('x', { maxChars: 10, overlapChars: 10 }));
});

/** The default segmenters, handed `window` characters at a time; every call is recorded. */
function recordingSegmentation(window: number): { segmentation: Segmentation; calls: number[] } {
  const calls: number[] = [];
  const spy = (segmenter: Intl.Segmenter) => ({
    segment(input: string) {
      calls.push(input.length);
      return segmenter.segment(input);
    },
  });
  return { segmentation: { sentences: spy(DEFAULT_SEGMENTATION.sentences as Intl.Segmenter), words: spy(DEFAULT_SEGMENTATION.words as Intl.Segmenter), window }, calls };
}

const WHOLE_TEXT: Segmentation = { ...DEFAULT_SEGMENTATION, window: Number.POSITIVE_INFINITY };
const lowercaseWords = (n: number) => Array.from({ length: n }, (_, i) => `neno${i % 97}x`).join(' ');

test('segmenting in windows cuts where segmenting the whole text cuts', () => {
  const { segmentation } = recordingSegmentation(64);
  const texts: Array<[string, string, { maxChars: number; overlapChars: number }]> = [
    ['sentences crossing window edges', Array.from({ length: 30 }, (_, i) => sentence(i)).join(' '), { maxChars: 200, overlapChars: 60 }],
    ['one long sentence without punctuation', lowercaseWords(300), { maxChars: 150, overlapChars: 0 }],
    ['text without spaces', 'x'.repeat(1000), { maxChars: 100, overlapChars: 0 }],
    [
      'mixed scripts',
      Array.from({ length: 12 }, (_, i) => `Maji ni uhai ${i}. ውሃ ሕይወት ነው። Вода — это жизнь, номер ${i}! «Ruwa rai ne» — ¿verdad?`).join(' '),
      { maxChars: 120, overlapChars: 40 },
    ],
    ['sentences and giant tokens', `${sentence(1)} ${'y'.repeat(300)} ${sentence(2)}${'z'.repeat(150)}. ${sentence(3)}`, { maxChars: 100, overlapChars: 20 }],
  ];
  for (const [what, text, config] of texts) {
    assert.deepEqual(splitPassages(text, config, segmentation), splitPassages(text, config, WHOLE_TEXT), what);
  }
});

test('a sentence crossing a window edge stays whole; text without spaces is cut hard at maxChars', () => {
  const { segmentation } = recordingSegmentation(32);
  const text = 'Mvua ilinyesha jana usiku. Watoto walicheza nje asubuhi yote.';
  assert.ok(text.indexOf('Watoto') < 32 && text.length > 32, 'the second sentence crosses the first window edge');
  assert.deepEqual(
    splitPassages(text, { maxChars: 40, overlapChars: 0 }, segmentation).map((p) => p.text),
    ['Mvua ilinyesha jana usiku.', 'Watoto walicheza nje asubuhi yote.'],
  );
  assert.deepEqual(splitPassages('ab'.repeat(100), { maxChars: 70, overlapChars: 0 }, segmentation).map((p) => [p.start, p.end]), [[0, 70], [70, 140], [140, 200]]);
});

test('the segmenters are handed bounded windows and about twice the text at most, whatever its shape', () => {
  const n = 60_000;
  const shapes: Array<[string, string]> = [
    ['lowercase words, no punctuation', lowercaseWords(n / 9).slice(0, n)],
    ['no spaces', 'a'.repeat(n)],
    ['short sentences', 'Ndiyo. '.repeat(n / 7)],
    ['one boundary at the start, then one long sentence', `A. ${lowercaseWords(n / 9)}`.slice(0, n)],
  ];
  for (const [what, text] of shapes) {
    const { segmentation, calls } = recordingSegmentation(DEFAULT_SEGMENTATION.window);
    splitPassages(text, { maxChars: 1000, overlapChars: 200 }, segmentation);
    assert.ok(Math.max(...calls) <= DEFAULT_SEGMENTATION.window, `${what}: a call of ${Math.max(...calls)} characters`);
    const segmented = calls.reduce((a, b) => a + b, 0);
    assert.ok(segmented <= 4 * text.length + 2 * DEFAULT_SEGMENTATION.window, `${what}: ${segmented} characters segmented for ${text.length}`);
  }
});

test('fitPassagesToTokens: passages over the token limit are split again until every piece fits; offsets stay document offsets', () => {
  const words = Array.from({ length: 60 }, (_, i) => `w${i}`);
  const text = `${words.slice(0, 30).join(' ')}. ${words.slice(30).join(' ')}.`;
  // One token per word plus two special ones, as a WordPiece tokenizer with [CLS] and [SEP] counts whole words.
  const countTokens = (texts: readonly string[]) => texts.map((t) => t.split(/\s+/).filter(Boolean).length + 2);
  const config = { maxChars: 1000, overlapChars: 200 };
  const [passages] = fitPassagesToTokens(preparePassages([text], config), config, { maxTokens: 12, countTokens });
  assert.ok(passages!.length >= 6, `${passages!.length} passages`);
  for (const p of passages!) {
    assert.ok(countTokens([p.text])[0]! <= 12, p.text);
    assert.equal(text.slice(p.start, p.end), p.text);
    assert.equal(p.searchText, searchTextOf(p.text));
  }
  const covered = new Set(passages!.flatMap((p) => p.text.split(/[\s.]+/).filter(Boolean)));
  assert.deepEqual(words.filter((w) => !covered.has(w)), [], 'every word is in some passage');
  // Passages that fit are left as they were.
  const short = preparePassages(['kifupi. sana.'], config);
  assert.deepEqual(fitPassagesToTokens(short, config, { maxTokens: 12, countTokens }), short);
});
