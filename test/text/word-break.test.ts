import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { fastWordSegments } from '../../text/word-break.js';
import { segmentWords } from '../../text/normalize.js';

const icu = new Intl.Segmenter('und', { granularity: 'word' });
const icuWords = (text: string) => [...icu.segment(text)].filter((s) => s.isWordLike).map((s) => s.segment);

/** Characters from every class the fast path knows, weighted towards the joiners where the rules live. */
const ALPHABET = [
  'a', 'b', 'Z', 'é', 'ẹ', 'ŋ', 'ɗ', 'ʻ', 'ʼ', 'ж', 'ї', 'ሰ', 'ላ', '1', '9', '_', ':', '·', '.', "'", '’', '‘', ',', ';',
  ' ', '-', '!', '?', '(', ')', '"', '/', '&', '%', '@', '#', '‐', '–', '—', '“', '”', '„', '«', '»', '¿', '¡', '…', '§', '°', '×',
];

test('the fast path agrees with Intl.Segmenter on fuzzed strings of the characters it knows', () => {
  fc.assert(
    fc.property(fc.array(fc.constantFrom(...ALPHABET), { maxLength: 16 }), (chars) => {
      const text = chars.join('');
      assert.deepEqual(fastWordSegments(text), icuWords(text), JSON.stringify(text));
    }),
    { numRuns: 20_000, seed: 42 },
  );
});

test('every punctuation mark the fast path calls a separator is one for ICU, in every joining context', () => {
  const marks = [];
  for (let cp = 0xa1; cp <= 0x205e; cp++) {
    const c = String.fromCodePoint(cp);
    if (cp > 0xbf && cp < 0x2000 && cp !== 0xd7 && cp !== 0xf7) continue;
    if (fastWordSegments(`a${c}b`) !== undefined) marks.push(c);
  }
  assert.ok(marks.length > 50, `expected the dash, quote and symbol blocks, got ${marks.length}`);
  for (const c of marks) {
    for (const text of [`ab${c}cd`, `12${c}34`, `a${c}1`, `${c}ab`, `ab${c}`, `a${c}${c}b`, `a'${c}b`, `a:${c}b`, `1.${c}2`, `a_${c}_b`, c]) {
      assert.deepEqual(fastWordSegments(text), icuWords(text), JSON.stringify(text));
    }
  }
});

test('every letter the fast path knows is a letter for ICU, in every joining context', () => {
  const letters = [];
  for (let cp = 0x80; cp <= 0x1fff; cp++) {
    const c = String.fromCodePoint(cp);
    if (/\p{L}/u.test(c) && fastWordSegments(c) !== undefined) letters.push(c);
  }
  assert.ok(letters.length > 1000, `expected the Latin, modifier, Cyrillic and Ethiopic letters, got ${letters.length}`);
  for (const c of letters) {
    for (const text of [c, `a${c}b`, `${c}${c}`, `1${c}2`, `a'${c}`, `${c}'a`, `${c}:${c}`, `${c}.1`, `_${c}_`, `${c} ${c}`, `${c}’${c}`]) {
      assert.deepEqual(fastWordSegments(text), icuWords(text), JSON.stringify(text));
    }
  }
});

test('the fast path agrees with Intl.Segmenter on hand-picked UAX #29 cases', () => {
  const cases = [
    "k:a e.g. don't it’s snake_case _foo __ _ 1,000.5 a1b x-y a.b.c 3. a..b a''b a.1 1.a 1'2 a:1 1:2 1;2 a;b",
    'ninapenda alipenda ሰላም ዓለም привет мир',
    "oʻzbek gʻalaba kʼabilan taʼaddi ʻokina a'ʻb",
    "'quoted' ‘single’ ...dots... __init__ 1_000 a_.b a._b",
  ];
  for (const text of cases) assert.deepEqual(fastWordSegments(text), icuWords(text), text);
});

test('texts with characters the fast path does not classify go to ICU', () => {
  for (const text of ['ສະບາຍດີ', 'བོད་ཡིག', '日本語', 'a\u0301', 'e\u200db', 'tab\there', '😀 smile', 'ᠮᠣᠩᠭᠣᠯ']) {
    assert.equal(fastWordSegments(text), undefined, text);
    assert.deepEqual(segmentWords(text), icuWords(text), text);
  }
});
