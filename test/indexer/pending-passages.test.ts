import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { PendingPassages } from '../../indexer/pending-passages.js';
import { TopHits } from '../../indexer/top-hits.js';
import { dot, type VectorHit } from '../../indexer/vector-store.js';

const DIM = 8;

/** A small vector from integers, so that equal scores (ties) are common and exact. */
const vectorOf = (values: number[]) => Float32Array.from({ length: DIM }, (_, i) => values[i % values.length]!);

/** What CollectionIndex.search did before PendingPassages: every pending hit scored, sorted, the first k. */
function bruteBest(model: Map<number, Float32Array>, query: Float32Array, k: number, allowed?: (label: number) => boolean): VectorHit[] {
  return [...model]
    .filter(([label]) => allowed?.(label) ?? true)
    .map(([label, vector]) => ({ label, score: dot(query, vector) }))
    .sort((a, b) => b.score - a.score || a.label - b.label)
    .slice(0, k);
}

/** The native scan picks its candidates by usearch's sums: among equal scores it may keep other ids than ours. */
function assertNativeBest(native: PendingPassages, model: Map<number, Float32Array>, query: Float32Array, k: number): void {
  const top = new TopHits(k);
  native.offerBest(top, query);
  const hits = top.hits();
  assert.deepEqual(hits.map((hit) => hit.score), bruteBest(model, query, k).map((hit) => hit.score));
  for (const hit of hits) assert.equal(hit.score, dot(query, model.get(hit.label)!));
  assert.equal(new Set(hits.map((hit) => hit.label)).size, hits.length);
}

type Op = { kind: 'add'; values: number[] } | { kind: 'delete'; pick: number } | { kind: 'shift' } | { kind: 'dropThrough'; pick: number } | { kind: 'clear' };

const opArb: fc.Arbitrary<Op> = fc.oneof(
  { weight: 6, arbitrary: fc.record({ kind: fc.constant('add' as const), values: fc.array(fc.integer({ min: -3, max: 3 }), { minLength: 1, maxLength: 3 }) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('delete' as const), pick: fc.nat() }) },
  { weight: 2, arbitrary: fc.constant({ kind: 'shift' as const }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('dropThrough' as const), pick: fc.nat() }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'clear' as const }) },
);

describe('PendingPassages', () => {
  test('after any adds, deletes, shifts, drops up to an id and clears it holds what a map would, in id order, and its k best are the brute-force k best', () => {
    fc.assert(
      fc.property(fc.array(opArb, { minLength: 100, maxLength: 3000 }), fc.array(fc.integer({ min: -3, max: 3 }), { minLength: 1, maxLength: 4 }), fc.integer({ min: 1, max: 12 }), (ops, queryValues, k) => {
        const pending = new PendingPassages(DIM, { nativeFrom: Infinity });
        // The same operations with the native scan (usearch's exact search) from the first passage on.
        const native = new PendingPassages(DIM, { nativeFrom: 1 });
        const model = new Map<number, Float32Array>();
        const query = vectorOf(queryValues);
        let nextLabel = 1;
        for (const [i, op] of ops.entries()) {
          if (op.kind === 'add') {
            const vector = vectorOf(op.values);
            pending.add(nextLabel, vector);
            native.add(nextLabel, vector);
            model.set(nextLabel++, vector);
          } else if (op.kind === 'delete') {
            const labels = [...model.keys()];
            const label = labels.length === 0 ? nextLabel + 5 : labels[op.pick % labels.length]!;
            assert.equal(native.delete(label), model.has(label));
            assert.equal(pending.delete(label), model.delete(label));
          } else if (op.kind === 'shift') {
            const first = model.entries().next();
            const shifted = pending.shift();
            assert.deepEqual(native.shift(), shifted);
            if (first.done) assert.equal(shifted, undefined);
            else {
              assert.deepEqual(shifted, { label: first.value[0], vector: first.value[1] });
              model.delete(first.value[0]);
            }
          } else if (op.kind === 'dropThrough') {
            // Up to a pending id, or up to an id between or past them (deleted, or never added).
            const through = op.pick % (nextLabel + 1);
            const dropped = [...model.keys()].filter((label) => label <= through);
            assert.equal(pending.dropThrough(through), dropped.length);
            assert.equal(native.dropThrough(through), dropped.length);
            for (const label of dropped) model.delete(label);
          } else {
            pending.clear();
            native.clear();
            model.clear();
          }
          if (i % 97 === 0) assertNativeBest(native, model, query, k);
        }
        assertNativeBest(native, model, query, k);
        assert.equal(pending.size, model.size);
        assert.equal(pending.firstLabel(), model.keys().next().value);
        const odd = (label: number) => label % 2 === 1;
        for (const allowed of [undefined, odd]) {
          const top = new TopHits(k);
          pending.offerBest(top, query, allowed);
          assert.deepEqual(top.hits(), bruteBest(model, query, k, allowed));
        }
      }),
      { numRuns: 60, seed: 20261207 },
    );
  });

  test('keeps what it had while growing past its first buffer and compacting the consumed rows', () => {
    const pending = new PendingPassages(DIM);
    const model = new Map<number, Float32Array>();
    for (let label = 1; label <= 5000; label++) {
      const vector = vectorOf([label % 7, -(label % 5), label % 3]);
      pending.add(label, vector);
      model.set(label, vector);
      if (label % 3 === 0) {
        const shifted = pending.shift()!;
        assert.ok(model.delete(shifted.label));
      }
    }
    const drained: number[] = [];
    for (let next = pending.shift(); next; next = pending.shift()) {
      assert.deepEqual(next.vector, model.get(next.label));
      drained.push(next.label);
    }
    assert.deepEqual(drained, [...model.keys()]);
    assert.equal(pending.size, 0);
    assert.equal(pending.firstLabel(), undefined);
  });

  test('refuses ids out of order and vectors of another length', () => {
    const pending = new PendingPassages(DIM);
    pending.add(5, vectorOf([1]));
    assert.throws(() => pending.add(5, vectorOf([1])), /id order/);
    assert.throws(() => pending.add(6, new Float32Array(DIM + 1)), /dim/);
    pending.clear();
    pending.add(1, vectorOf([1])); // a start-over reads from the beginning again
    assert.equal(pending.size, 1);
  });
});
