/**
 * `tafuta migrate-store` as a child process: bad input exits 2 with a message naming what is wrong (and the
 * process ends by itself); a copy killed (SIGKILL) half-way is finished by running the same command again, with
 * the source's counts and checksum and no document twice; a target holding more than the source fails the check (exit 1).
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { silentLogger } from '../../core/logger.js';
import { collectionChecksum } from '../../indexer/migrate-store.js';
import { openPostgresStorage } from '../../indexer/postgres/storage.js';
import { indexFile } from '../../indexer/pipeline.js';
import { createSqliteStorage } from '../../indexer/sqlite/storage.js';
import { CLI } from '../helpers/cli-server.js';
import { tempDir, testEngine } from '../helpers/engine.js';
import { emptyDatabase, sharedPgliteServer, stopSharedPgliteServer } from '../helpers/postgres.js';

const DEMO_CORPUS = fileURLToPath(new URL('../../../demo/corpus.jsonl', import.meta.url));
const env = (level = 'warn') => ({ ...process.env, TAFUTA_LOG_LEVEL: level, TAFUTA_STORE_URL: '' });

function migrate(...args: string[]) {
  const r = spawnSync(process.execPath, [CLI, 'migrate-store', ...args], { encoding: 'utf8', env: env(), timeout: 120_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

let pgUrl: string;
let sourceDir: string;
before(async () => {
  pgUrl = (await sharedPgliteServer()).url;
  sourceDir = tempDir();
  const engine = testEngine(sourceDir);
  await engine.createCollection('demo');
  await indexFile({ engine, collection: 'demo', file: DEMO_CORPUS, format: 'jsonl', batchSize: 128, deferIndex: true });
  await engine.close();
});

after(stopSharedPgliteServer);

test('bad input: a clear message and exit code 2', async () => {
  const target = path.join(tempDir(), 'copy');
  const cases: Array<[string[], RegExp]> = [
    [['--from', sourceDir, '--to', target, '-c', 'nope'], /collection "nope" is not in the source \(it has: demo\)/],
    [['--from', sourceDir, '--to', `${sourceDir}/.`], /--from and --to are the same store/],
    [['--from', pgUrl, '--to', pgUrl.replace('postgres:postgres@', 'other@')], /--from and --to are the same store \(127\.0\.0\.1:\d+\/postgres\)/],
    [['--from', sourceDir, '--to', 'postgres://tafuta:secret@127.0.0.1:1/tafuta'], /--to: cannot reach PostgreSQL at 127\.0\.0\.1:1\/tafuta/],
    [['--from', path.join(target, 'missing'), '--to', target], /--from: no tafuta data in .*missing/],
    [['--from', sourceDir, '--to', 'postgres://'], /--to must be a PostgreSQL URL|--to names no host/],
    [['--from', sourceDir], /required option '--to <store>'/],
  ];
  for (const [args, message] of cases) {
    const r = migrate(...args);
    assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, message);
    assert.doesNotMatch(r.stderr, /secret/);
  }
  assert.equal(fs.existsSync(target), false, 'nothing created for a failed run');

  const clashing = testEngine(target);
  await clashing.createCollection('demo', { encoder: 'none', dim: 3 });
  await clashing.close();
  const r = migrate('--from', sourceDir, '--to', target);
  assert.equal(r.code, 2, r.stderr);
  assert.match(r.stderr, /collection "demo" exists in the target with encoder "none" .* 3-d, and the source's has encoder "hashed-ngram-v1" .* 64-d.*\[ENCODER_CHANGED\]/);
});

test('killed half-way (SIGKILL), then run again: completes with the source counts and checksum, nothing twice', async () => {
  await emptyDatabase(pgUrl);
  const args = [CLI, 'migrate-store', '--from', sourceDir, '--to', pgUrl, '--batch', '5'];
  const child = spawn(process.execPath, args, { env: env('info'), stdio: ['ignore', 'pipe', 'pipe'] });
  const exited = new Promise<NodeJS.Signals | null>((resolve) => child.on('exit', (_code, signal) => resolve(signal)));
  let log = '';
  child.stdout!.resume();
  child.stderr!.on('data', (chunk: Buffer) => {
    log += chunk.toString();
    // The first committed page: 335 documents are still to come.
    if (/"msg":"copying"/.test(log)) child.kill('SIGKILL');
  });
  assert.equal(await exited, 'SIGKILL', log);

  const postgres = await openPostgresStorage({ url: pgUrl, logger: silentLogger, maxConnections: 2 });
  const source = createSqliteStorage({ dataDir: sourceDir, logger: silentLogger, openIndexes: 'on-use', indexFiles: 'read-only' });
  try {
    const demo = await postgres.documents.requireCollection('demo');
    const partial = (await postgres.documents.counts(demo.id)).documents;
    assert.ok(partial > 0 && partial < 340, `interrupted with ${partial} documents copied`);

    const r = migrate('--from', sourceDir, '--to', pgUrl, '--batch', '64');
    assert.equal(r.code, 0, r.stderr);
    const summary = /"demo": 340 documents, (\d+) passages in 127\.0\.0\.1:\d+\/postgres \((\d+) copied, (\d+) already there\).*counts and checksum match/.exec(r.stdout);
    assert.ok(summary, r.stdout);
    assert.equal(Number(summary[2]) + Number(summary[3]), 340);
    assert.ok(Number(summary[3]) >= partial);

    const original = await source.documents.requireCollection('demo');
    assert.deepEqual(await postgres.documents.counts(demo.id), await source.documents.counts(original.id));
    assert.equal(await collectionChecksum(postgres, demo), await collectionChecksum(source, original));

    // A document only the target has: the check fails, naming the collection, exit 1.
    const [copy] = await postgres.documents.documentCopiesAfter(demo.id, 0, 1);
    await postgres.documents.upsertDocuments(demo.id, [{ ...copy!, document: { ...copy!.document, id: 'extra', lang: copy!.document.lang ?? undefined, title: undefined, metadata: undefined } }], new Set());
    const mismatch = migrate('--from', sourceDir, '--to', pgUrl);
    assert.equal(mismatch.code, 1, mismatch.stderr);
    assert.match(mismatch.stdout, /"demo": MISMATCH after copying .*source 340 documents.*target 341 documents/);
    assert.match(mismatch.stderr, /the copy of "demo" does not match its source/);
  } finally {
    await Promise.all([postgres.close(), source.close()]);
  }
});
