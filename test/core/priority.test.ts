import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { lowerCpuPriority, MAX_NICENESS } from '../../core/priority.js';

/** A stand-in for node:os that records what was set. */
function fakeSystem(niceness: number, refuse = false) {
  const set: number[] = [];
  return {
    set,
    getPriority: () => niceness,
    setPriority: (value: number) => {
      if (refuse) throw new Error('EACCES');
      set.push(value);
    },
  };
}

test('lowerCpuPriority raises the niceness by the steps asked, at most to the maximum, and never raises the priority', () => {
  const plain = fakeSystem(0);
  assert.equal(lowerCpuPriority(10, plain as never), 10);
  assert.deepEqual(plain.set, [10]);
  const nearMax = fakeSystem(15);
  assert.equal(lowerCpuPriority(10, nearMax as never), MAX_NICENESS);
  assert.deepEqual(nearMax.set, [MAX_NICENESS]);
  const none = fakeSystem(5);
  assert.equal(lowerCpuPriority(0, none as never), 5);
  assert.deepEqual(none.set, []);
  assert.equal(lowerCpuPriority(3, fakeSystem(0, true) as never), undefined);
});

test('lowerCpuPriority lowers the real process priority (in a child process)', () => {
  const module = pathToFileURL(path.join(path.dirname(fileURLToPath(import.meta.url)), '../../core/priority.js')).href;
  const script = `import os from 'node:os'; import { lowerCpuPriority } from ${JSON.stringify(module)}; const before = os.getPriority(); const now = lowerCpuPriority(2); console.log(JSON.stringify({ before, now, after: os.getPriority() }));`;
  const run = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' });
  assert.equal(run.status, 0, run.stderr);
  const { before, now, after } = JSON.parse(run.stdout) as { before: number; now: number; after: number };
  assert.equal(now, Math.min(MAX_NICENESS, before + 2));
  assert.equal(after, now);
});
