/**
 * Every process ends by itself. Each CLI verb runs as a child process with the shipped ONNX encoder (whose worker
 * pool starts on the first batch of more than 32 texts) and with `TAFUTA_ENCODER_WORKERS=0`; a verb that does not
 * exit within the limit is killed and the test fails. Servers are SIGTERMed right after a write large enough to
 * start the pool and must exit 0 within their grace period.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { CLI, startCliServer } from '../helpers/cli-server.js';
import { writeSyntheticBertDir } from '../../scripts/synthetic-bert.js';
import { tempDir } from '../helpers/engine.js';

/** Far above what any verb here needs (about a second); only a hang reaches it. */
const EXIT_LIMIT_MS = 30_000;
const POOLS = [{ name: 'default pool', env: {} }, { name: 'no pool', env: { TAFUTA_ENCODER_WORKERS: '0' } }] as const;

interface Finished {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Runs `tafuta ...args`; rejects (after killing it) when it has not exited within EXIT_LIMIT_MS. */
function tafuta(env: Record<string, string>, ...args: string[]): Promise<Finished> {
  const child = spawn(process.execPath, [CLI, ...args], {
    env: { ...process.env, TAFUTA_LOG_LEVEL: 'warn', TAFUTA_DEFAULT_ENCODER: 'cmtp-base', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`tafuta ${args.join(' ')} did not exit within ${EXIT_LIMIT_MS} ms; stdout: ${stdout}`));
    }, EXIT_LIMIT_MS);
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
  });
}

/** Resolves to what `exited` resolves to, or to 'still running' after `ms`. */
async function exitWithin<T>(exited: Promise<T>, ms: number): Promise<T | 'still running'> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<'still running'>((resolve) => (timer = setTimeout(() => resolve('still running'), ms)));
  try {
    return await Promise.race([exited, late]);
  } finally {
    clearTimeout(timer);
  }
}

/** A document large enough to have its passages prepared on the passage worker thread. */
const LARGE_TEXT = 'Maji safi ni muhimu kwa afya ya watoto na familia nzima. '.repeat(1100);

/** 48 short documents in 4 languages and a large one without lang: one batch of more than 32 passages. */
function writeFixture(dir: string): string {
  const langs = ['sw', 'ha', 'yo', 'en'];
  const lines = Array.from({ length: 48 }, (_, i) =>
    JSON.stringify({ id: `doc-${i}`, lang: langs[i % 4], text: `Hati namba ${i}: maji safi, kilimo, elimu na afya ya jamii ${i % 7}.` }),
  );
  lines.push(JSON.stringify({ id: 'large', text: LARGE_TEXT }));
  const file = path.join(dir, 'docs.jsonl');
  fs.writeFileSync(file, `${lines.join('\n')}\n`);
  return file;
}

for (const pool of POOLS) {
  test(`every CLI verb exits by itself (${pool.name})`, { timeout: 8 * EXIT_LIMIT_MS }, async () => {
    const dir = tempDir('tafuta-lifecycle-');
    const input = writeFixture(dir);
    const data = path.join(dir, 'data');
    const ok = (r: Finished, what: string) => assert.deepEqual({ code: r.code, signal: r.signal }, { code: 0, signal: null }, `${what}: ${r.stderr}`);

    const indexed = await tafuta(pool.env, 'index', '-c', 'lc', '-i', input, '-d', data);
    ok(indexed, 'index');
    assert.match(indexed.stdout, /indexed 49 documents into "lc": 49 written/);

    ok(await tafuta(pool.env, 'index', '-c', 'lc', '-i', input, '-d', data), 'index again (unchanged)');
    ok(await tafuta(pool.env, 'reindex', '-c', 'lc', '-d', data), 'reindex (nothing to do)');
    const reindexed = await tafuta(pool.env, 'reindex', '-c', 'lc', '-d', data, '--force');
    ok(reindexed, 'reindex');
    assert.match(reindexed.stdout, /49 documents/);

    const found = await tafuta(pool.env, 'search', '-c', 'lc', '-d', data, '--json', 'maji safi');
    ok(found, 'search');
    assert.ok((JSON.parse(found.stdout) as { results: unknown[] }).results.length > 0);

    ok(await tafuta(pool.env, 'collections', '-d', data), 'collections');
    const exported = await tafuta(pool.env, 'export', '-c', 'lc', '-d', data, '-o', path.join(dir, 'export.jsonl'));
    ok(exported, 'export');
    assert.equal(fs.readFileSync(path.join(dir, 'export.jsonl'), 'utf8').trimEnd().split('\n').length, 49);

    const snapshot = path.join(dir, 'snapshot');
    ok(await tafuta(pool.env, 'snapshot', 'create', '-d', data, '--out', snapshot), 'snapshot create');
    ok(await tafuta(pool.env, 'snapshot', 'restore', '--from', snapshot, '-d', path.join(dir, 'restored')), 'snapshot restore');

    const failed = await tafuta(pool.env, 'index', '-c', 'lc', '-i', path.join(dir, 'missing.jsonl'), '-d', data);
    assert.equal(failed.code, 2, 'a failing verb exits too, with its code');
  });

  test(`a server SIGTERMed right after a write of 40 documents and a large one exits 0 (${pool.name})`, { timeout: 60_000 }, async () => {
    const server = await startCliServer(tempDir('tafuta-lifecycle-'), { env: { TAFUTA_DEFAULT_ENCODER: 'cmtp-base', ...pool.env } });
    try {
      const headers = { 'content-type': 'application/json' };
      assert.equal((await fetch(`${server.url}/v1/collections`, { method: 'POST', headers, body: JSON.stringify({ name: 'c' }) })).status, 201);
      const documents = [
        ...Array.from({ length: 40 }, (_, i) => ({ id: `d${i}`, text: `Maji safi ni muhimu kwa afya ya watoto ${i}.`, lang: 'sw' })),
        { id: 'large', text: LARGE_TEXT },
      ];
      const written = await fetch(`${server.url}/v1/collections/c/documents`, { method: 'POST', headers, body: JSON.stringify({ documents }) });
      assert.equal(written.status, 200, await written.text());
      server.child.kill('SIGTERM');
      assert.deepEqual(await exitWithin(server.exited, EXIT_LIMIT_MS), { code: 0, signal: null }, server.stderr());
    } finally {
      if (server.child.exitCode === null && server.child.signalCode === null) server.child.kill('SIGKILL');
    }
  });
}

test('a Hugging Face model from --models-dir / TAFUTA_MODELS_DIR: CLI verbs and a server use it and exit by themselves', { timeout: 4 * EXIT_LIMIT_MS }, async () => {
  const dir = tempDir('tafuta-lifecycle-');
  const modelsDir = path.join(dir, 'models');
  writeSyntheticBertDir(path.join(modelsDir, 'tiny-bert'), {
    shape: { hidden: 16, layers: 1, heads: 2, intermediate: 32, maxPositions: 64 },
    words: ['maji', 'safi', 'kilimo', 'elimu', 'afya'],
    seed: 3,
  });
  const input = writeFixture(dir);
  const data = path.join(dir, 'data');
  const env = { TAFUTA_DEFAULT_ENCODER: 'tiny-bert' };
  const indexed = await tafuta(env, '--models-dir', modelsDir, 'index', '-c', 'hf', '-i', input, '-d', data);
  assert.equal(indexed.code, 0, indexed.stderr);
  const found = await tafuta(env, 'search', '--models-dir', modelsDir, '-c', 'hf', '-d', data, '--json', 'maji safi');
  assert.equal(found.code, 0, found.stderr);
  assert.ok((JSON.parse(found.stdout) as { results: unknown[] }).results.length > 0);

  const server = await startCliServer(data, { env: { ...env, TAFUTA_MODELS_DIR: modelsDir } });
  try {
    const info = (await (await fetch(`${server.url}/v1/info`)).json()) as {
      encoders: { name: string; kind: string; dim: number; version: string; source: string }[];
      collections: { name: string; encoder: string }[];
    };
    assert.deepEqual(info.collections.map((c) => [c.name, c.encoder]), [['hf', 'tiny-bert']]);
    const tiny = info.encoders.find((e) => e.name === 'tiny-bert');
    assert.deepEqual({ ...tiny, version: typeof tiny?.version }, { ...tiny, name: 'tiny-bert', kind: 'transformers', dim: 16, version: 'string', source: path.join(modelsDir, 'tiny-bert') });
    assert.equal(info.encoders.find((e) => e.name === 'hashed-ngram-v1')?.kind, 'hashed');
    const searched = await fetch(`${server.url}/v1/collections/hf/search`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: 'kilimo', k: 3 }) });
    assert.equal(searched.status, 200, await searched.text());
    server.child.kill('SIGTERM');
    assert.deepEqual(await exitWithin(server.exited, EXIT_LIMIT_MS), { code: 0, signal: null }, server.stderr());
  } finally {
    if (server.child.exitCode === null && server.child.signalCode === null) server.child.kill('SIGKILL');
  }
});
