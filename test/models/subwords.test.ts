import assert from 'node:assert/strict';
import fs from 'node:fs';
import { test } from 'node:test';
import { createRng } from '../../core/rng.js';
import { formatSubwordMerges, learnSubwords, parseSubwordMerges, SubwordSegmenter, type SubwordMerge } from '../../models/subwords.js';

// corpus.tsv: 400 made-up words (Bantu-like syllables, Ge'ez, Hausa and Yoruba letters) with counts. hf-merges.txt
// and hf-segments.tsv are what Hugging Face tokenizers 0.23.2 (npm `tokenizers`) made of them: BPE.empty() with
// the whitespace-split pre-tokenizer, trained with its default trainer on each word repeated `count` times, then
// every corpus word (and a few unseen ones) encoded.
const fixture = (name: string) => fs.readFileSync(new URL(`../../../test/fixtures/subwords/${name}`, import.meta.url), 'utf8');
const corpus = new Map(
  fixture('corpus.tsv')
    .split('\n')
    .filter(Boolean)
    .map((line) => {
      const [word, count] = line.split('\t');
      return [word!, Number(count)] as const;
    }),
);

test('the merges are those Hugging Face tokenizers learns from the same counts, in the same order', () => {
  const expected = parseSubwordMerges(fixture('hf-merges.txt'), 'hf-merges.txt');
  assert.equal(expected.length, 739);
  assert.deepEqual(learnSubwords(corpus, { maxMerges: 100_000 }), expected);
});

test('segmenting with the merges gives Hugging Face tokenizers’ tokens, for seen and unseen words', () => {
  const segmenter = new SubwordSegmenter(parseSubwordMerges(fixture('hf-merges.txt'), 'hf-merges.txt'));
  const rows = fixture('hf-segments.tsv').split('\n').filter(Boolean);
  assert.ok(rows.length > 400);
  for (const row of rows) {
    const [word, tokens] = row.split('\t');
    assert.deepEqual(segmenter.segment(word!), tokens!.split(' '), word);
  }
});

test('the classic example: highest count first, ties to the smaller ids (characters by code point)', () => {
  const counts = new Map([
    ['low', 5],
    ['lower', 2],
    ['newest', 6],
    ['widest', 3],
  ]);
  // What Hugging Face tokenizers gives for this corpus (checked by hand against its trainer's rules too).
  assert.deepEqual(learnSubwords(counts, { maxMerges: 6 }), [
    ['e', 's'],
    ['es', 't'],
    ['l', 'o'],
    ['lo', 'w'],
    ['e', 'w'],
    ['n', 'ew'],
  ]);
  // Pairs counted 6 or more: es, est, lo, low, ew, new, newest.
  assert.equal(learnSubwords(counts, { maxMerges: 100, minCount: 6 }).length, 7);
});

/** Recounts every pair after each merge: the definition, without the incremental bookkeeping. */
function naiveLearn(wordCounts: Map<string, number>, maxMerges: number): SubwordMerge[] {
  const words = [...wordCounts].map(([w, c]) => ({ symbols: Array.from(w), count: c }));
  const order = new Map<string, number>();
  for (const cp of [...new Set(words.flatMap((w) => w.symbols))].sort((a, b) => a.codePointAt(0)! - b.codePointAt(0)!)) order.set(cp, order.size);
  const merges: SubwordMerge[] = [];
  while (merges.length < maxMerges) {
    const counts = new Map<string, { left: string; right: string; count: number }>();
    for (const { symbols, count } of words) {
      for (let i = 0; i + 1 < symbols.length; i++) {
        const key = `${symbols[i]}\u0000${symbols[i + 1]}`;
        const entry = counts.get(key) ?? { left: symbols[i]!, right: symbols[i + 1]!, count: 0 };
        entry.count += count;
        counts.set(key, entry);
      }
    }
    let best: { left: string; right: string; count: number } | undefined;
    for (const c of counts.values()) {
      if (!best || c.count > best.count) best = c;
      else if (c.count === best.count) {
        const [a, b] = [order.get(c.left)!, order.get(best.left)!];
        if (a < b || (a === b && order.get(c.right)! < order.get(best.right)!)) best = c;
      }
    }
    if (!best) break;
    merges.push([best.left, best.right]);
    const merged = best.left + best.right;
    if (!order.has(merged)) order.set(merged, order.size);
    for (const w of words) {
      for (let i = 0; i + 1 < w.symbols.length; i++) {
        if (w.symbols[i] === best.left && w.symbols[i + 1] === best.right) w.symbols.splice(i, 2, merged);
      }
    }
  }
  return merges;
}

test('the incremental learner agrees with recounting every pair after each merge (random corpora, repeats like "aaaa")', () => {
  const rng = createRng(20261207);
  for (let round = 0; round < 30; round++) {
    const letters = ['a', 'b', 'c', 'ab', 'ñ', 'ሰ'].slice(0, 2 + rng.int(5));
    const counts = new Map<string, number>();
    const n = 1 + rng.int(40);
    while (counts.size < n) {
      let w = '';
      const len = 1 + rng.int(8);
      for (let i = 0; i < len; i++) w += letters[rng.int(letters.length)];
      counts.set(w, 1 + rng.int(20));
    }
    const maxMerges = rng.int(60);
    assert.deepEqual(learnSubwords(counts, { maxMerges }), naiveLearn(counts, maxMerges), `round ${round}: ${JSON.stringify([...counts])}`);
  }
});

test('merges round-trip through the merges.txt layout; a malformed line names its place', () => {
  const merges = learnSubwords(corpus, { maxMerges: 50 });
  assert.deepEqual(parseSubwordMerges(formatSubwordMerges(merges), 'x'), merges);
  assert.throws(() => parseSubwordMerges('a b\nabc\n', 'm.txt'), /m\.txt:2/);
});
