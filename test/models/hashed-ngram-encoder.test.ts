import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createHashedNgramEncoder } from '../../models/hashed-ngram-encoder.js';
import { createHeuristicLanguageIdentifier } from '../../models/langid/identifier.js';

const cosine = (a: Float32Array, b: Float32Array) => a.reduce((s, x, i) => s + x * b[i]!, 0);

test('baseline vectors are deterministic, unit-norm and of the declared dimension', async () => {
  const encoder = createHashedNgramEncoder({ dim: 128 });
  const [a, b] = await encoder.embed(['Maji safi ni muhimu', 'Maji safi ni muhimu'], { kind: 'passage' });
  assert.equal(a!.length, 128);
  assert.deepEqual(a, b);
  assert.ok(Math.abs(cosine(a!, a!) - 1) < 1e-5);
  const [again] = await createHashedNgramEncoder({ dim: 128 }).embed(['Maji safi ni muhimu'], { kind: 'query' });
  assert.deepEqual(again, a);
});

test('baseline similarity follows surface overlap', async () => {
  const encoder = createHashedNgramEncoder();
  const [q, near, far] = await encoder.embed(['ninapenda kusoma vitabu', 'alipenda kusoma kitabu', 'ruwa mai tsabta'], { kind: 'passage' });
  assert.ok(cosine(q!, near!) > cosine(q!, far!) + 0.2);
});

test('text without words embeds to the zero vector', async () => {
  const [v] = await createHashedNgramEncoder({ dim: 32 }).embed(['%s ...'], { kind: 'query' });
  assert.ok(v!.every((x) => x === 0));
});

test('dim must be a positive multiple of 32', () => {
  assert.throws(() => createHashedNgramEncoder({ dim: 100 }), /multiple of 32/);
});

test('heuristic language identifier: script, stop words, and abstention', () => {
  const id = createHeuristicLanguageIdentifier();
  assert.equal(id.identify('ንጹህ ውሃ ለልጆች ጤና አስፈላጊ ነው')?.lang, 'am');
  assert.equal(id.identify('Watoto wanasoma kwa sababu ya mvua na baada ya shule')?.lang, 'sw');
  assert.equal(id.identify('the water is clean and it is important for the children')?.lang, 'en');
  assert.equal(id.identify('xyzzy'), undefined);
  assert.equal(id.identify(''), undefined);
});
