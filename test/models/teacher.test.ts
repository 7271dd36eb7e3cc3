import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CACHE_FILES, openTeacherCache, textKey } from '../../models/teacher/cache.js';
import { buildTeacherCache, collectEnglish } from '../../models/teacher/build.js';
import { createUseLiteTeacher, l2normalize, planBatches, type Teacher } from '../../models/teacher/teacher.js';

const tmpRoot = fs.mkdtempSync(path.join(os.tmpdir(), 'tafuta-teacher-'));
after(() => fs.rmSync(tmpRoot, { recursive: true, force: true }));
let dirs = 0;
const freshDir = (): string => path.join(tmpRoot, `c${dirs++}`);

/** Deterministic hash-based teacher that records what it was asked to embed. */
function fakeTeacher(name = 'fake-v1', dim = 8): Teacher & { calls: string[][] } {
  const calls: string[][] = [];
  return {
    name,
    dim,
    calls,
    async embed(texts) {
      calls.push([...texts]);
      return texts.map((t) => {
        const bytes = createHash('sha256').update(t).digest();
        return l2normalize(Array.from({ length: dim }, (_, i) => bytes[i % 32]! - 127.5));
      });
    },
  };
}

const expected = async (text: string, dim = 8): Promise<Float32Array> => (await fakeTeacher('x', dim).embed([text]))[0]!;

test('round trip: vectors persist and a reopened cache embeds nothing', async () => {
  const dir = freshDir();
  const t1 = fakeTeacher();
  const c1 = await openTeacherCache(dir, t1);
  const got = await c1.getMany(['a', 'b', 'a', 'ü 🙂']);
  assert.deepEqual(t1.calls, [['a', 'b', 'ü 🙂']], 'duplicates within a call are embedded once');
  assert.deepEqual(got[0], await expected('a'));
  assert.deepEqual(got[2], got[0]);
  assert.deepEqual(got[3], await expected('ü 🙂'));
  await c1.getMany(['b', 'a']);
  assert.equal(t1.calls.length, 1);
  await c1.close();

  const t2 = fakeTeacher();
  const c2 = await openTeacherCache(dir, t2);
  assert.equal(c2.size, 3);
  assert.deepEqual(c2.recovered, { vectorBytes: 0, indexBytes: 0 });
  assert.deepEqual(c2.lookup('ü 🙂'), await expected('ü 🙂'));
  assert.equal(c2.lookup('nope'), undefined);
  assert.equal(c2.rowOf('b'), 1);
  assert.deepEqual(await c2.getMany(['b', 'a']), [await expected('b'), await expected('a')]);
  assert.equal(t2.calls.length, 0);
  await c2.close();

  const meta = JSON.parse(fs.readFileSync(path.join(dir, CACHE_FILES.meta), 'utf8'));
  assert.equal(meta.count, 3);
  assert.equal(meta.teacher, 'fake-v1');
  assert.equal(fs.statSync(path.join(dir, CACHE_FILES.vectors)).size, 3 * 8 * 4);
  assert.equal(fs.readFileSync(path.join(dir, CACHE_FILES.index)).subarray(20, 40).toString('hex'), textKey('b'));
});

test('embeds missing texts in batches and reports progress', async () => {
  const teacher = fakeTeacher();
  const cache = await openTeacherCache(freshDir(), teacher, { batchSize: 2 });
  await cache.getMany(['x']);
  const progress: Array<[number, number]> = [];
  await cache.getMany(['x', 'p', 'q', 'r', 's', 't'], { onBatch: (done, total) => progress.push([done, total]) });
  assert.deepEqual(teacher.calls, [['x'], ['p', 'q'], ['r', 's'], ['t']]);
  assert.deepEqual(progress, [[2, 5], [4, 5], [5, 5]]);
  assert.equal(cache.countMissing(['x', 'new', 'new']), 1);
  await cache.close();
});

test('concurrent getMany calls do not embed the same text twice', async () => {
  const teacher = fakeTeacher();
  const cache = await openTeacherCache(freshDir(), teacher);
  await Promise.all([cache.getMany(['a', 'b']), cache.getMany(['b', 'c'])]);
  assert.deepEqual(teacher.calls, [['a', 'b'], ['c']]);
  await cache.close();
});

async function cacheWith(texts: string[]): Promise<string> {
  const dir = freshDir();
  const cache = await openTeacherCache(dir, fakeTeacher(), { batchSize: 1 });
  await cache.getMany(texts);
  await cache.close();
  return dir;
}

function truncateBy(file: string, bytes: number): void {
  fs.truncateSync(file, fs.statSync(file).size - bytes);
}

test('a torn vector row is dropped on open and re-embedded', async () => {
  const dir = await cacheWith(['one', 'two', 'three']);
  truncateBy(path.join(dir, CACHE_FILES.vectors), 5);
  const teacher = fakeTeacher();
  const cache = await openTeacherCache(dir, teacher);
  assert.equal(cache.size, 2);
  assert.deepEqual(cache.recovered, { vectorBytes: 32 - 5, indexBytes: 20 });
  assert.equal(cache.lookup('three'), undefined);
  assert.deepEqual(cache.lookup('two'), await expected('two'));
  await cache.getMany(['one', 'three']);
  assert.deepEqual(teacher.calls, [['three']]);
  await cache.close();
  assert.equal(fs.statSync(path.join(dir, CACHE_FILES.vectors)).size, 3 * 32);
  assert.equal(fs.statSync(path.join(dir, CACHE_FILES.index)).size, 3 * 20);
  const reopened = await openTeacherCache(dir, fakeTeacher());
  assert.deepEqual(reopened.lookup('three'), await expected('three'));
  assert.equal(reopened.rowOf('three'), 2);
  await reopened.close();
});

test('a torn index record, or vectors written without their index, are dropped on open', async () => {
  const dir = await cacheWith(['one', 'two', 'three']);
  truncateBy(path.join(dir, CACHE_FILES.index), 7);
  let cache = await openTeacherCache(dir, fakeTeacher());
  assert.equal(cache.size, 2);
  assert.deepEqual(cache.recovered, { vectorBytes: 32, indexBytes: 13 });
  await cache.close();

  // Crash between the vector append and the index append: a whole extra vector row.
  fs.appendFileSync(path.join(dir, CACHE_FILES.vectors), Buffer.alloc(32 + 32 + 3));
  cache = await openTeacherCache(dir, fakeTeacher());
  assert.equal(cache.size, 2);
  assert.equal(cache.recovered.vectorBytes, 67);
  assert.deepEqual(cache.lookup('one'), await expected('one'));
  await cache.close();
});

test('a different teacher name or dim is refused with a clear error', async () => {
  const dir = await cacheWith(['one']);
  await assert.rejects(openTeacherCache(dir, fakeTeacher('other-v2')), /teacher "fake-v1" \(dim 8\), not "other-v2" \(dim 8\)/);
  await assert.rejects(openTeacherCache(dir, fakeTeacher('fake-v1', 16)), /not "fake-v1" \(dim 16\)/);
  fs.rmSync(path.join(dir, CACHE_FILES.meta));
  await assert.rejects(openTeacherCache(dir, fakeTeacher()), /without meta\.json/);
});

test('a teacher returning the wrong shape is refused before anything is written', async () => {
  const dir = freshDir();
  const bad: Teacher = { name: 'bad', dim: 4, embed: async (texts) => texts.map(() => new Float32Array(3)) };
  const cache = await openTeacherCache(dir, bad);
  await assert.rejects(cache.getMany(['a']), /3-d vector, expected 4/);
  assert.equal(fs.statSync(path.join(dir, CACHE_FILES.vectors), { throwIfNoEntry: false })?.size ?? 0, 0);
});

test('buildTeacherCache embeds each distinct English side once, and nothing on a second run', async () => {
  const trainDir = freshDir();
  fs.mkdirSync(trainDir);
  const row = (en: string, lang: string, extra = {}): string => JSON.stringify({ en, text: `${lang}:${en}`, lang, source: 's', pkg: 'p', ...extra });
  fs.writeFileSync(path.join(trainDir, 'sw.jsonl'), [row('Open file', 'sw'), row('Save', 'sw', { short: true }), row('open file', 'sw')].join('\n') + '\n');
  fs.writeFileSync(path.join(trainDir, 'ha.jsonl'), [row('Open file', 'ha'), row('Save', 'ha', { short: true }), row('', 'ha')].join('\n'));
  fs.writeFileSync(path.join(trainDir, 'notes.txt'), 'ignored');

  assert.deepEqual((await collectEnglish(trainDir)).texts, ['Open file', 'Save', 'open file']);
  assert.deepEqual((await collectEnglish(trainDir, true)).texts, ['Open file', 'open file']);

  const cacheDir = freshDir();
  const teacher = fakeTeacher();
  const progress: number[] = [];
  const first = await buildTeacherCache({ trainDir, cacheDir, teacher, batchSize: 2, onProgress: (p) => progress.push(p.done) });
  assert.equal(first.files, 2);
  assert.equal(first.records, 6);
  assert.equal(first.unique, 3);
  assert.equal(first.embedded, 3);
  assert.equal(first.cacheBytes, 3 * (32 + 20) + fs.statSync(path.join(cacheDir, CACHE_FILES.meta)).size);
  assert.deepEqual(progress, [0, 2, 3]);
  assert.deepEqual(teacher.calls.flat().sort(), ['Open file', 'Save', 'open file']);

  const second = await buildTeacherCache({ trainDir, cacheDir, teacher });
  assert.equal(second.embedded, 0);
  assert.equal(second.alreadyCached, 3);
  assert.equal(teacher.calls.length, 2);
});

test('planBatches groups by length under the padded-token budget', () => {
  assert.deepEqual(planBatches([5, 1, 100, 2, 1], 3, 10), [[1, 4, 3], [0], [2]]);
  assert.deepEqual(planBatches([0, 0], 8, 1), [[0], [1]]);
  assert.deepEqual(planBatches([], 8, 10), []);
  const lengths = Array.from({ length: 300 }, (_, i) => (i * 37) % 50);
  const batches = planBatches(lengths, 64, 512);
  assert.deepEqual(batches.flat().sort((a, b) => a - b), lengths.map((_, i) => i));
  for (const b of batches) assert.ok(b.length <= 64 && b.length * Math.max(1, ...b.map((i) => lengths[i]!)) <= 512);
});

test('creating the USE-Lite teacher loads nothing', () => {
  const teacher = createUseLiteTeacher();
  assert.equal(teacher.name, 'use-lite-en-v1');
  assert.equal(teacher.dim, 512);
});

// Loading TF.js + USE-Lite takes ~0.3-0.8 s and a first batch ~0.1 s on an idle box, more on a busy one.
test('USE-Lite embeds unit vectors independent of batch company', { skip: !process.env.TAFUTA_TEST_TEACHER }, async () => {
  const teacher = createUseLiteTeacher();
  const [alone] = await teacher.embed(['Move Down']);
  const [withLong, other] = await teacher.embed(['Move Down', 'Restore the default menu layout '.repeat(8)]);
  assert.equal(alone!.length, 512);
  const dot = (a: Float32Array, b: Float32Array): number => a.reduce((s, x, i) => s + x * b[i]!, 0);
  assert.ok(Math.abs(dot(alone!, alone!) - 1) < 1e-5);
  assert.ok(dot(alone!, withLong!) > 0.9999);
  assert.ok(dot(alone!, other!) < 0.9);
});
