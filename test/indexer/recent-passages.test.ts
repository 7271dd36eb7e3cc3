import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createRng } from '../../core/rng.js';
import { RECENT_EXACT_PASSAGES, RecentPassages } from '../../indexer/recent-passages.js';
import { byScoreThenLabel, TopHits } from '../../indexer/top-hits.js';
import { dot, type VectorHit } from '../../indexer/vector-store.js';

/** A seeded stream, so every run checks the same cases. */
function seeded(seed: number): () => number {
  const rng = createRng(seed);
  return () => rng.next();
}

const DIM = 13; // not a multiple of anything the scoring loop unrolls
const random = seeded(1024);
const vectorOf = new Map<number, Float32Array>();
function vector(label: number): Float32Array {
  let v = vectorOf.get(label);
  if (!v) vectorOf.set(label, (v = Float32Array.from({ length: DIM }, () => random() * 2 - 1)));
  return v;
}

/** The store's passages: labels 1 … n alive unless deleted. */
function fakeStore(deleted: Set<number>) {
  return {
    latestVectors(_collectionId: number, through: number, limit: number) {
      const out: Array<{ label: number; vector: Float32Array }> = [];
      for (let label = through; label >= 1 && out.length < limit; label--) if (!deleted.has(label)) out.push({ label, vector: vector(label) });
      return out.reverse();
    },
  };
}

/** The straightforward version: every live recent passage pushed with dot(), sorted, sliced. */
function expected(live: readonly number[], query: Float32Array, k: number, visible?: (label: number) => boolean, skip: readonly number[] = []): VectorHit[] {
  return live
    .filter((label) => !skip.includes(label) && (visible?.(label) ?? true))
    .map((label) => ({ label, score: dot(query, vector(label)) }))
    .sort(byScoreThenLabel)
    .slice(0, k);
}

function scored(recent: RecentPassages, query: Float32Array, k: number, visible?: (label: number) => boolean, skip?: readonly number[]): VectorHit[] {
  const top = new TopHits(k);
  recent.scoreInto(top, query, visible, skip);
  return top.hits();
}

const range = (from: number, through: number) => Array.from({ length: through - from + 1 }, (_, i) => from + i);

test('the recent passages score each live passage as dot() does, to the last bit, with a filter and skipped labels', () => {
  const recent = new RecentPassages(fakeStore(new Set()), 1, DIM);
  for (const through of [0, 5, 8, 9, 300, RECENT_EXACT_PASSAGES + 77]) {
    recent.read(through);
    const live = range(Math.max(1, through - RECENT_EXACT_PASSAGES + 1), through);
    assert.equal(recent.size, live.length);
    const query = Float32Array.from({ length: DIM }, () => random() * 2 - 1);
    const even = (label: number) => label % 2 === 0;
    const skip = live.filter((label) => label % 7 === 0);
    assert.deepEqual(scored(recent, query, live.length + 1), expected(live, query, live.length + 1), `all of ${through}`);
    assert.deepEqual(scored(recent, query, 10, even, skip), expected(live, query, 10, even, skip), `filtered, skipping, ${through}`);
    assert.deepEqual(scored(recent, query, 10), expected(live, query, 10), `skip marks are cleared after a search, ${through}`);
  }
});

test('passages added past RECENT_EXACT_PASSAGES push out the oldest; a deletion reads the latest again', () => {
  const deleted = new Set<number>();
  const recent = new RecentPassages(fakeStore(deleted), 1, DIM);
  recent.read(100);
  for (let label = 101; label <= RECENT_EXACT_PASSAGES + 250; label++) recent.add(label, vector(label));
  const query = Float32Array.from({ length: DIM }, () => random() * 2 - 1);
  let live = range(251, RECENT_EXACT_PASSAGES + 250);
  assert.equal(recent.size, RECENT_EXACT_PASSAGES);
  assert.ok(!recent.has(250) && recent.has(251));
  assert.deepEqual(scored(recent, query, RECENT_EXACT_PASSAGES), expected(live, query, RECENT_EXACT_PASSAGES));

  deleted.add(600);
  recent.remove(600);
  recent.remove(5); // not among them: nothing to do
  assert.equal(recent.size, RECENT_EXACT_PASSAGES - 1);
  assert.deepEqual(scored(recent, query, 20), expected(live.filter((label) => label !== 600), query, 20), 'the deleted one is gone at once');
  recent.refillIfShort(RECENT_EXACT_PASSAGES + 250);
  live = range(250, RECENT_EXACT_PASSAGES + 250).filter((label) => label !== 600);
  assert.equal(recent.size, RECENT_EXACT_PASSAGES);
  assert.deepEqual(scored(recent, query, RECENT_EXACT_PASSAGES), expected(live, query, RECENT_EXACT_PASSAGES), 'read again: the next older one is back');

  recent.clear();
  assert.equal(recent.size, 0);
  assert.deepEqual(scored(recent, query, 5), []);
});

test('an unfiltered search through the native scan: the same hits, with skipped labels, free rows and equal vectors at its edge', () => {
  const deleted = new Set<number>();
  const recent = new RecentPassages(fakeStore(deleted), 1, DIM);
  const query = Float32Array.from({ length: DIM }, () => random() * 2 - 1);
  recent.read(700);
  let live = range(1, 700);
  const best = expected(live, query, 40).map((hit) => hit.label);
  for (const k of [1, 10, 40]) {
    assert.deepEqual(scored(recent, query, k), expected(live, query, k), `k ${k}`);
    assert.deepEqual(scored(recent, query, k, undefined, best.slice(0, 7)), expected(live, query, k, undefined, best.slice(0, 7)), `k ${k}, the graph scored the best 7`);
  }
  deleted.add(best[0]!);
  recent.remove(best[0]!);
  live = live.filter((label) => label !== best[0]);
  assert.deepEqual(scored(recent, query, 10), expected(live, query, 10), 'a free row holding the best vector is not offered');

  // 60 passages with the query's own direction: equal scores far past k + margin, ordered by label.
  const twins = new RecentPassages(fakeStore(new Set()), 1, DIM);
  twins.read(0);
  for (let label = 1; label <= 600; label++) twins.add(label, label % 10 === 3 ? query : vector(label));
  const twinLabels = range(1, 600).filter((label) => label % 10 === 3);
  const top = new TopHits(10);
  twins.scoreInto(top, query, undefined);
  assert.deepEqual(top.hits().map((hit) => hit.label), twinLabels.slice(0, 10));
});
