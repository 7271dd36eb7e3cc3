import assert from 'node:assert/strict';
import { test } from 'node:test';
import { NULL_SOURCE, trainIbm1, type ParallelCorpus } from '../../../models/translate/ibm1.js';

/** Words → ids in order of first appearance, and the corpus as id arrays. */
function corpusOf(pairs: Array<[string, string]>): { corpus: ParallelCorpus; source: Map<string, number>; target: Map<string, number> } {
  const source = new Map<string, number>();
  const target = new Map<string, number>();
  const ids = (text: string, vocab: Map<string, number>) =>
    Uint32Array.from(text.split(' ').map((w) => vocab.get(w) ?? (vocab.set(w, vocab.size), vocab.size - 1)));
  return {
    corpus: { source: pairs.map(([s]) => ids(s, source)), target: pairs.map(([, t]) => ids(t, target)) },
    source,
    target,
  };
}

// Koehn, Statistical Machine Translation (2010), §4.2.1: the worked EM example, no NULL word.
const KOEHN: Array<[string, string]> = [
  ['das Haus', 'the house'],
  ['das Buch', 'the book'],
  ['ein Buch', 'a book'],
];

function probability(table: ReturnType<typeof trainIbm1>, v: ReturnType<typeof corpusOf>, source: string, target: string): number {
  return table.get(v.source.get(source)!)?.get(v.target.get(target)!) ?? 0;
}

test('one EM iteration spreads each target word evenly over its sentence: t(e|f) = co-occurrence share', () => {
  const v = corpusOf(KOEHN);
  const table = trainIbm1(v.corpus, { iterations: 1, nullWord: false });
  assert.equal(probability(table, v, 'das', 'the'), 0.5);
  assert.equal(probability(table, v, 'das', 'house'), 0.25);
  assert.equal(probability(table, v, 'das', 'book'), 0.25);
  assert.equal(probability(table, v, 'Buch', 'book'), 0.5);
  assert.equal(probability(table, v, 'ein', 'a'), 0.5);
  assert.equal(probability(table, v, 'Haus', 'a'), 0, 'never co-occur');
});

test('the second EM iteration gives the textbook values (7/11, 2/11, 3/7, 4/7)', () => {
  const v = corpusOf(KOEHN);
  const table = trainIbm1(v.corpus, { iterations: 2, nullWord: false });
  const close = (actual: number, expected: number) => assert.ok(Math.abs(actual - expected) < 1e-12, `${actual} ≠ ${expected}`);
  close(probability(table, v, 'das', 'the'), 7 / 11);
  close(probability(table, v, 'das', 'house'), 2 / 11);
  close(probability(table, v, 'Buch', 'book'), 7 / 11);
  close(probability(table, v, 'Buch', 'a'), 2 / 11);
  close(probability(table, v, 'Haus', 'house'), 4 / 7);
  close(probability(table, v, 'Haus', 'the'), 3 / 7);
  close(probability(table, v, 'ein', 'a'), 4 / 7);
  close(probability(table, v, 'ein', 'book'), 3 / 7);
});

test('every source word’s translations sum to 1, and more iterations sharpen them towards the right word', () => {
  const v = corpusOf(KOEHN);
  const table = trainIbm1(v.corpus, { iterations: 50, nullWord: true });
  for (const row of table.values()) {
    const total = [...row.values()].reduce((a, b) => a + b, 0);
    assert.ok(Math.abs(total - 1) < 1e-9, `row sums to ${total}`);
  }
  assert.ok(probability(table, v, 'das', 'the') > 0.9);
  assert.ok(probability(table, v, 'Buch', 'book') > 0.9);
  assert.ok(probability(table, v, 'Haus', 'house') > 0.9);
});

test('the NULL word takes the target function word that no source word translates', () => {
  // "the" comes with every English side, while the source language has no article.
  const pairs: Array<[string, string]> = [
    ['nyumba', 'the house'],
    ['kitabu', 'the book'],
    ['nyumba kubwa', 'the big house'],
    ['kitabu kubwa', 'the big book'],
  ];
  const v = corpusOf(pairs);
  const withNull = trainIbm1(v.corpus, { iterations: 20, nullWord: true });
  const withoutNull = trainIbm1(v.corpus, { iterations: 20, nullWord: false });
  const nullRow = withNull.get(NULL_SOURCE)!;
  const best = [...nullRow.entries()].sort((a, b) => b[1] - a[1])[0]![0];
  assert.equal(best, v.target.get('the'));
  assert.ok(probability(withNull, v, 'nyumba', 'the') < probability(withoutNull, v, 'nyumba', 'the'));
  assert.ok(probability(withNull, v, 'nyumba', 'house') > probability(withNull, v, 'nyumba', 'the'));
});

test('rejects zero iterations and mismatched sides', () => {
  const v = corpusOf(KOEHN);
  assert.throws(() => trainIbm1(v.corpus, { iterations: 0 }), /at least one/);
  assert.throws(() => trainIbm1({ source: v.corpus.source, target: v.corpus.target.slice(1) }, { iterations: 1 }), /as many/);
});
