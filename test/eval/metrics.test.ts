import assert from 'node:assert/strict';
import { test } from 'node:test';
import { averagePrecision, evaluateRun, ndcgAt, precisionAt, queryMetrics, recallAt, reciprocalRank } from '../../eval/metrics.js';

const judged = (entries: Record<string, number>) => new Map(Object.entries(entries));
const close = (actual: number, expected: number) => assert.ok(Math.abs(actual - expected) < 1e-9, `${actual} ≠ ${expected}`);

test('binary relevance, several relevant documents, one never retrieved', () => {
  const ranking = ['d1', 'd2', 'd3', 'd4', 'd5'];
  const rels = judged({ d2: 1, d4: 1, d9: 1, d1: 0 });
  const m = queryMetrics(ranking, rels);
  close(m['MRR@10'], 1 / 2);
  close(m.MAP, (1 / 2 + 2 / 4) / 3); // d9 unretrieved contributes 0 but counts in the denominator
  close(m['R@1'], 0);
  close(m['R@10'], 2 / 3);
  close(m['R@100'], 2 / 3);
  close(m['P@5'], 2 / 5);
  // DCG = 1/log2(3) + 1/log2(5); ideal = 1 + 1/log2(3) + 1/log2(4)
  close(m['nDCG@10'], (1 / Math.log2(3) + 1 / Math.log2(5)) / (1 + 1 / Math.log2(3) + 0.5));
  assert.equal(m['nDCG@10'].toFixed(6), '0.498189');
});

test('graded relevance: gain = grade, ideal from the qrels; grade 0 is not relevant', () => {
  const ranking = ['a', 'b', 'c'];
  const rels = judged({ a: 1, b: 0, c: 2, d: 2 });
  // DCG = 1/1 + 0/log2(3) + 2/log2(4) = 2; ideal [2, 2, 1] = 2 + 2/log2(3) + 1/2
  close(ndcgAt(ranking, rels), 2 / (2.5 + 2 / Math.log2(3)));
  assert.equal(ndcgAt(ranking, rels).toFixed(6), '0.531652');
  close(reciprocalRank(ranking, rels), 1);
  close(averagePrecision(ranking, rels), (1 + 2 / 3) / 3);
  close(recallAt(ranking, rels, 1), 1 / 3);
  close(precisionAt(ranking, rels, 5), 2 / 5); // divided by 5 even though only 3 were retrieved
});

test('cut-offs: a relevant document at rank 11 counts for MAP and R@100 only', () => {
  const ranking = Array.from({ length: 12 }, (_, i) => `d${i + 1}`);
  const m = queryMetrics(ranking, judged({ d11: 1 }));
  assert.deepEqual(m, { 'MRR@10': 0, 'nDCG@10': 0, MAP: 1 / 11, 'R@1': 0, 'R@10': 0, 'R@100': 1, 'P@5': 0 });
});

test('a perfect ranking scores 1 everywhere except P@5 (one relevant document)', () => {
  const m = queryMetrics(['x', 'y'], judged({ x: 3 }));
  assert.deepEqual(m, { 'MRR@10': 1, 'nDCG@10': 1, MAP: 1, 'R@1': 1, 'R@10': 1, 'R@100': 1, 'P@5': 0.2 });
  assert.deepEqual(queryMetrics([], judged({ x: 1 })), { 'MRR@10': 0, 'nDCG@10': 0, MAP: 0, 'R@1': 0, 'R@10': 0, 'R@100': 0, 'P@5': 0 });
});

test('evaluateRun skips and lists queries without a relevant document, and averages the rest', () => {
  const qrels = new Map([
    ['q1', judged({ a: 1 })],
    ['q2', judged({ a: 0 })],
    ['q4', judged({ b: 1 })],
  ]);
  const run = new Map([
    ['q1', ['a']],
    ['q2', ['a']],
    ['q3', ['a']],
    ['q4', ['a', 'b']],
  ]);
  const summary = evaluateRun(run, qrels);
  assert.deepEqual(summary.skipped, ['q2', 'q3']);
  assert.deepEqual(summary.queries.map((q) => q.id), ['q1', 'q4']);
  close(summary.mean['MRR@10'], (1 + 1 / 2) / 2);
  close(summary.mean['R@1'], 1 / 2);
});
