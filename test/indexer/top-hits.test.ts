import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createRng } from '../../core/rng.js';
import { byScoreThenLabel, TopHits } from '../../indexer/top-hits.js';
import type { VectorHit } from '../../indexer/vector-store.js';

/** A seeded stream, so every run checks the same cases. */
function seeded(seed: number): () => number {
  const rng = createRng(seed);
  return () => rng.next();
}

test('TopHits keeps what sorting every hit and slicing k keeps, ties broken by the smaller label', () => {
  const random = seeded(23);
  for (let round = 0; round < 300; round++) {
    const count = Math.floor(random() * 60);
    const k = Math.floor(random() * 15);
    // Few distinct scores, so that ties (and -0 against 0) are common; labels distinct, offered in random order.
    const scores = [0.5, -0.25, 0, -0, 0.75, 1, -1, 0.125];
    const labels = Array.from({ length: count }, (_, i) => i * 3 + 1).sort(() => random() - 0.5);
    const hits: VectorHit[] = labels.map((label) => ({ label, score: random() < 0.5 ? scores[Math.floor(random() * scores.length)]! : random() * 2 - 1 }));
    const top = new TopHits(k);
    for (const hit of hits) top.offer(hit.label, hit.score);
    assert.deepEqual(top.hits(), [...hits].sort(byScoreThenLabel).slice(0, k), `round ${round}: ${count} hits, k ${k}`);
  }
});

test('TopHits of nothing, and of k 0, is empty', () => {
  assert.deepEqual(new TopHits(5).hits(), []);
  const none = new TopHits(0);
  none.offer(1, 0.9);
  assert.deepEqual(none.hits(), []);
});
