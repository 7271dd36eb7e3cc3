/**
 * Graceful shutdown of the real CLI server (`tafuta serve --port 0` in a child process): on SIGTERM it stops
 * accepting connections at once, lets the in-flight request finish (a write whose body is still arriving),
 * closes idle keep-alive connections, persists the index (manifest written, in step with SQLite) and exits 0.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import path from 'node:path';
import Database from 'better-sqlite3';
import { createHashedNgramEncoder } from '../../models/hashed-ngram-encoder.js';
import { startCliServer } from '../helpers/cli-server.js';
import { tempDir, testEngine } from '../helpers/engine.js';


const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function connects(url: string): Promise<boolean> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const socket = net.connect(Number(port), hostname);
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

test('SIGTERM: stop accepting, finish the in-flight write, save the index, exit 0', { timeout: 60_000 }, async () => {
  const dataDir = tempDir('tafuta-shutdown-');
  const server = await startCliServer(dataDir);
  try {
    const created = await fetch(`${server.url}/v1/collections`, { method: 'POST', body: JSON.stringify({ name: 'c' }) });
    assert.equal(created.status, 201);
    const manifest = path.join(dataDir, 'indexes', 'c.manifest.json');
    assert.equal(fs.existsSync(manifest), false, 'nothing saved yet');

    // An idle keep-alive connection (must not hold the shutdown up).
    const agent = new http.Agent({ keepAlive: true });
    await new Promise<void>((resolve, reject) =>
      http.get(`${server.url}/healthz`, { agent }, (res) => res.resume().on('end', resolve)).on('error', reject),
    );

    // The in-flight request: a 400-document write whose body is only half sent when the signal arrives.
    const documents = Array.from({ length: 400 }, (_, i) => ({ id: `d${i}`, text: `Hati ya majaribio namba ${i}: maji safi, kilimo na elimu ${i % 17}.`, lang: 'sw' }));
    const body = Buffer.from(JSON.stringify({ documents }));
    const { hostname, port } = new URL(server.url);
    let responseHeaders: http.IncomingHttpHeaders = {};
    const req = http.request({ host: hostname, port, method: 'POST', path: '/v1/collections/c/documents', headers: { 'content-type': 'application/json', 'content-length': body.length } });
    const response = new Promise<{ status: number; text: string }>((resolve, reject) => {
      req.on('response', (res) => {
        responseHeaders = res.headers;
        let text = '';
        res.on('data', (c: Buffer) => (text += c.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
      });
      req.on('error', reject);
    });
    const half = Math.floor(body.length / 2);
    req.write(body.subarray(0, half));
    await sleep(300); // the server has the request's headers and is reading its body

    server.child.kill('SIGTERM');
    await sleep(300);
    assert.equal(await connects(server.url), false, 'no new connections once shutting down');
    assert.equal(server.child.exitCode, null, 'still running: a request is in flight');

    req.end(body.subarray(half));
    const { status, text } = await response;
    assert.equal(status, 200, text);
    assert.deepEqual(JSON.parse(text), { upserted: 400, unchanged: 0, passages: 400 });
    assert.equal(responseHeaders.connection, 'close', 'the last response closes its connection');

    const exit = await server.exited;
    assert.deepEqual(exit, { code: 0, signal: null }, server.stderr());
    agent.destroy();

    // The index was persisted at shutdown (the periodic save is seconds away) and agrees with SQLite.
    assert.ok(fs.existsSync(manifest), 'index manifest written at shutdown');
    const saved = JSON.parse(fs.readFileSync(manifest, 'utf8')) as { elements: number; deleted: number; cursor: { passageId: number } };
    const db = new Database(path.join(dataDir, 'tafuta.db'), { readonly: true });
    const { passages, head } = db.prepare('SELECT COUNT(*) AS passages, MAX(id) AS head FROM passages').get() as { passages: number; head: number };
    db.close();
    assert.equal(passages, 400);
    assert.equal(saved.elements - saved.deleted, passages);
    assert.equal(saved.cursor.passageId, head);

    const engine = testEngine(dataDir, [createHashedNgramEncoder()]);
    try {
      const c = await engine.getCollection('c');
      assert.equal(c.documents, 400);
      assert.equal(c.indexedVectors, c.passages);
      const hit = await engine.search('c', { query: documents[123]!.text, k: 1, mode: 'dense' });
      assert.equal(hit.results[0]?.id, 'd123');
    } finally {
      engine.close();
    }
  } finally {
    if (server.child.exitCode === null && server.child.signalCode === null) server.child.kill('SIGKILL');
  }
});

test('SIGINT on an idle server exits 0 promptly', { timeout: 30_000 }, async () => {
  const server = await startCliServer(tempDir('tafuta-shutdown-'));
  try {
    const started = Date.now();
    server.child.kill('SIGINT');
    assert.deepEqual(await server.exited, { code: 0, signal: null }, server.stderr());
    assert.ok(Date.now() - started < 5000, 'no waiting on an idle server');
  } finally {
    if (server.child.exitCode === null && server.child.signalCode === null) server.child.kill('SIGKILL');
  }
});
