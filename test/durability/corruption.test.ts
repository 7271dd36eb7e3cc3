/**
 * A damaged database (one page of garbage in the middle of the file): `serve` refuses to start, with exit 1 and a
 * message naming the file; started anyway (the start-up check turned off), requests that touch the damaged page
 * answer 503 DATABASE_CORRUPT with a log line, never 500.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { startCliServer } from '../helpers/cli-server.js';
import { tempDir } from '../helpers/engine.js';

const DOCUMENTS = 300;

async function call(url: string, method: string, route: string, body?: unknown): Promise<{ status: number; json: any }> {
  const response = await fetch(`${url}${route}`, { method, headers: { 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
  return { status: response.status, json: await response.json() };
}

/** A data directory written by a real server and shut down cleanly (the WAL checkpointed into the file). */
async function writtenDataDir(): Promise<string> {
  const dataDir = tempDir('tafuta-corrupt-');
  const server = await startCliServer(dataDir);
  try {
    assert.equal((await call(server.url, 'POST', '/v1/collections', { name: 'c' })).status, 201);
    const documents = Array.from({ length: DOCUMENTS }, (_, i) => ({ id: `d${i}`, text: `Hati ya majaribio ${i}: maji safi, kilimo na elimu kijiji${i}. `.repeat(8), lang: 'sw' }));
    assert.equal((await call(server.url, 'POST', '/v1/collections/c/documents', { documents })).status, 200);
  } finally {
    server.child.kill('SIGTERM');
  }
  assert.deepEqual(await server.exited, { code: 0, signal: null });
  return dataDir;
}

/** Overwrites the middle leaf page of the documents table with garbage; returns its page number. */
function damageDocumentsPage(file: string): number {
  const db = new Database(file, { readonly: true });
  const pageSize = db.pragma('page_size', { simple: true }) as number;
  const leaves = db.prepare("SELECT pageno FROM dbstat WHERE name = 'documents' AND pagetype = 'leaf' ORDER BY pageno").pluck().all() as number[];
  db.close();
  assert.ok(leaves.length >= 3, `documents span ${leaves.length} leaf pages`);
  const page = leaves[Math.floor(leaves.length / 2)]!;
  const garbage = Buffer.from(Array.from({ length: pageSize }, (_, i) => (i * 7919 + 13) & 255));
  const fd = fs.openSync(file, 'r+');
  fs.writeSync(fd, garbage, 0, pageSize, (page - 1) * pageSize);
  fs.closeSync(fd);
  return page;
}

test('a damaged database: serve refuses to start (exit 1); started anyway, requests on the damaged page answer 503 and are logged', { timeout: 90_000 }, async () => {
  const dataDir = await writtenDataDir();
  const file = path.join(dataDir, 'tafuta.db');
  damageDocumentsPage(file);

  for (const args of [[], ['--workers', '2']]) {
    const refusal = await startCliServer(dataDir, { args }).then(
      (server) => void server.child.kill('SIGKILL'),
      (error: Error) => error.message,
    );
    assert.ok(refusal !== undefined, `serve ${args.join(' ')} started on a damaged database`);
    assert.match(refusal, /server exited \(1\) before serving/);
    assert.ok(refusal.includes(`${file} is damaged (PRAGMA quick_check:`), refusal);
    assert.match(refusal, /restore it from a snapshot/);
  }

  const server = await startCliServer(dataDir, { env: { TAFUTA_QUICK_CHECK_MAX_MB: '0' } });
  try {
    assert.match(server.stderr(), /database not checked at start: TAFUTA_QUICK_CHECK_MAX_MB=0/);
    const statuses = new Map<number, number>();
    for (let i = 0; i < DOCUMENTS; i++) {
      const { status, json } = await call(server.url, 'POST', '/v1/collections/c/search', { query: `kijiji${i}`, mode: 'bm25', k: 1 });
      statuses.set(status, (statuses.get(status) ?? 0) + 1);
      if (status === 503) assert.deepEqual(json, { error: { code: 'DATABASE_CORRUPT', message: 'the database file is damaged; the operator must restore it from a snapshot' } });
    }
    assert.ok((statuses.get(503) ?? 0) > 0, `no search touched the damaged page: ${JSON.stringify([...statuses])}`);
    assert.deepEqual([...statuses.keys()].sort(), [200, 503], 'every search answers 200 or 503, never 500');
    assert.match(server.stderr(), /"code":"SQLITE_CORRUPT".*the database file is damaged: restore it from a snapshot/);
  } finally {
    server.child.kill('SIGTERM');
    await server.exited;
  }
});
