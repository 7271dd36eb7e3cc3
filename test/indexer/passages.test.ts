import assert from 'node:assert/strict';
import { test } from 'node:test';
import { splitPassages } from '../../indexer/passages.js';

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
