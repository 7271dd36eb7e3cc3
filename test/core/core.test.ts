import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { z } from 'zod';
import { CliError, exitFor } from '../../core/cli.js';
import { TafutaError, isTafutaError } from '../../core/errors.js';
import { sha256File, sha256FileSync, sha256Hex } from '../../core/hash.js';
import { integerInRange, intFromEnv } from '../../core/integers.js';
import { jsonLines, readJsonl } from '../../core/jsonl.js';
import { formatIssues } from '../../core/issues.js';

test('sha256File and sha256FileSync agree with the known digest', async () => {
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'tafuta-core-')), 'abc.txt');
  fs.writeFileSync(file, 'abc');
  const expected = 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad';
  assert.equal(sha256FileSync(file), expected);
  assert.equal(await sha256File(file), expected);
});

test('sha256FileSync reads a file of several chunks (and a partial one) as one: the digest of its bytes', () => {
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'tafuta-core-')), 'large.bin');
  const bytes = Buffer.alloc(2.5 * 2 ** 20 + 3);
  for (let i = 0; i < bytes.length; i++) bytes[i] = (i * 2654435761) >>> 24;
  fs.writeFileSync(file, bytes);
  assert.equal(sha256FileSync(file), sha256Hex(bytes));
  fs.writeFileSync(file, '');
  assert.equal(sha256FileSync(file), sha256Hex(''));
});

test('formatIssues: path: message; …, with a name for the root and an optional prefix', () => {
  const parsed = z.object({ a: z.number(), b: z.object({ c: z.string() }) }).safeParse({ a: 'x', b: { c: 1 } });
  assert.ok(!parsed.success);
  assert.match(formatIssues(parsed.error), /^a: .+; b\.c: .+$/);
  assert.match(formatIssues(parsed.error, { prefix: 'metadata' }), /^metadata\.a: .+; metadata\.b\.c: .+$/);
  const root = z.object({}).safeParse(3);
  assert.ok(!root.success);
  assert.match(formatIssues(root.error), /^: /);
  assert.match(formatIssues(root.error, { root: 'record' }), /^record: /);
});

test('integerInRange and intFromEnv', () => {
  assert.equal(integerInRange('7', 1, 10), 7);
  for (const bad of ['0', '11', '1.5', 'abc', 'NaN']) assert.equal(integerInRange(bad, 1, 10), undefined, bad);
  const name = 'TAFUTA_CORE_TEST_INT';
  try {
    delete process.env[name];
    assert.equal(intFromEnv(name, 5, 1, 10), 5);
    assert.equal(intFromEnv(name, undefined), undefined);
    process.env[name] = ' ';
    assert.equal(intFromEnv(name, 5, 1, 10), 5);
    process.env[name] = '9';
    assert.equal(intFromEnv(name, 5, 1, 10), 9);
    process.env[name] = '-3';
    assert.equal(intFromEnv(name, undefined), -3);
    process.env[name] = '12';
    assert.throws(() => intFromEnv(name, 5, 1, 10), (e) => isTafutaError(e) && e.code === 'INVALID_ARGUMENT' && e.message === `${name} must be an integer from 1 to 10 (got "12")`);
    process.env[name] = 'x';
    assert.throws(() => intFromEnv(name, undefined), (e) => isTafutaError(e) && e.message === `${name} must be an integer (got "x")`);
  } finally {
    delete process.env[name];
  }
});

test('readJsonl and jsonLines: the same records, blank lines skipped, a bad line named by its number', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tafuta-core-'));
  const good = path.join(dir, 'good.jsonl');
  fs.writeFileSync(good, '{"a":1}\n\n  \n{"a":2}\r\n');
  const streamed: unknown[] = [];
  for await (const r of jsonLines(good)) streamed.push(r);
  assert.deepEqual(readJsonl(good), [{ a: 1 }, { a: 2 }]);
  assert.deepEqual(streamed, [{ a: 1 }, { a: 2 }]);
  const bad = path.join(dir, 'bad.jsonl');
  fs.writeFileSync(bad, '{"a":1}\n\n{"a":\n');
  const named = (e: unknown) => isTafutaError(e) && e.code === 'INPUT_FILE' && e.message === `${bad}:3: not valid JSON`;
  assert.throws(() => readJsonl(bad), named);
  await assert.rejects(async () => {
    for await (const _ of jsonLines(bad)) void _;
  }, named);
});

test('exitFor: 2 for bad input (CliError, TafutaError of an input code), 1 for our failures and bugs, one line each', () => {
  assert.deepEqual(exitFor(new TafutaError('INPUT_FILE', 'pairs file not found: x.tsv')), { code: 2, message: 'tafuta: pairs file not found: x.tsv [INPUT_FILE]', expected: true });
  assert.equal(exitFor(new TafutaError('INVALID_ARGUMENT', 'bad')).code, 2);
  assert.equal(exitFor(new TafutaError('UNKNOWN_ENCODER', 'no such encoder')).code, 2);
  assert.equal(exitFor(new TafutaError('INTERNAL', 'oops')).code, 1);
  assert.equal(exitFor(new TafutaError('DATABASE_CORRUPT', 'damaged')).code, 1);
  assert.deepEqual(exitFor(new CliError('give --out DIR')), { code: 2, message: 'tafuta: give --out DIR', expected: true });
  assert.equal(exitFor(new CliError('workers failed', 1)).code, 1);
  assert.deepEqual(exitFor(new TypeError('x is undefined')), { code: 1, message: 'tafuta: x is undefined', expected: false });
  assert.deepEqual(exitFor('thrown string'), { code: 1, message: 'tafuta: thrown string', expected: false });
});
