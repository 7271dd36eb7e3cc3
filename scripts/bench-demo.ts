/**
 * Benchmark: indexing throughput and search latency on the demo corpus, and on a 30× scaled copy of it.
 * Writes docs/benchmarks/demo.json and docs/benchmarks/demo.md. Run: `npm run bench`.
 *
 * Latencies are wall-clock on this machine, one query at a time (no concurrency): in-process
 * (`engine.search`) and over loopback HTTP (the real Express server, fetch from the same process).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createEngine, PACKAGE_ROOT, packageVersion } from '../bin/runtime.js';
import type { Engine } from '../indexer/engine.js';
import { silentLogger } from '../core/logger.js';
import { indexFile } from '../indexer/pipeline.js';
import type { SearchMode } from '../indexer/types.js';
import { startWebServer } from '../server/start.js';

const DEMO = path.join(PACKAGE_ROOT, 'demo', 'corpus.jsonl');
const OUT_DIR = path.join(PACKAGE_ROOT, 'docs', 'benchmarks');
const QUERIES = 300;
const SCALE = 30;

interface Latency {
  p50: number;
  p95: number;
  p99: number;
  mean: number;
  n: number;
}

function percentiles(ms: number[]): Latency {
  const s = [...ms].sort((a, b) => a - b);
  const at = (q: number) => s[Math.min(s.length - 1, Math.floor(q * s.length))]!;
  const round = (x: number) => Math.round(x * 1000) / 1000;
  return { p50: round(at(0.5)), p95: round(at(0.95)), p99: round(at(0.99)), mean: round(s.reduce((a, b) => a + b, 0) / s.length), n: s.length };
}

/** Queries: the first words of a deterministic sample of demo passages (a mix of all 11 languages). */
function demoQueries(): string[] {
  const docs = fs.readFileSync(DEMO, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { text: string });
  const out: string[] = [];
  for (let i = 0; out.length < QUERIES; i = (i + 37) % docs.length) out.push(docs[i]!.text.split(/\s+/).slice(0, 8).join(' '));
  return out;
}

function scaledCorpus(file: string): void {
  const lines = fs.readFileSync(DEMO, 'utf8').trim().split('\n');
  const out = fs.createWriteStream(file);
  for (let copy = 0; copy < SCALE; copy++) {
    for (const line of lines) {
      const doc = JSON.parse(line) as { id: string; text: string };
      // Vary each copy a little so no two documents are identical.
      out.write(`${JSON.stringify({ ...doc, id: `${doc.id}-copy${copy}`, text: `${doc.text} (${copy})` })}\n`);
    }
  }
  out.end();
}

async function timeIndexing(engine: Engine, collection: string, file: string) {
  await engine.createCollection(collection);
  const summary = await indexFile({ engine, collection, file, format: 'jsonl', batchSize: 256 });
  const saveStart = performance.now();
  engine.saveIndexes();
  return { ...summary, indexSaveSeconds: (performance.now() - saveStart) / 1000 };
}

async function timeSearches(engine: Engine, collection: string, queries: string[], mode: SearchMode): Promise<Latency> {
  for (const q of queries.slice(0, 20)) await engine.search(collection, { query: q, k: 10, mode }); // warm-up
  const ms: number[] = [];
  for (const q of queries) {
    const t = performance.now();
    await engine.search(collection, { query: q, k: 10, mode });
    ms.push(performance.now() - t);
  }
  return percentiles(ms);
}

async function timeHttp(engine: Engine, collection: string, queries: string[]): Promise<Latency> {
  const server = await startWebServer({ engine, logger: silentLogger, version: packageVersion(), host: '127.0.0.1', port: 0, bodyLimit: '1mb' });
  const ask = (query: string) =>
    fetch(`${server.url}/v1/collections/${collection}/search`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query, k: 10 }),
    }).then(async (r) => {
      if (r.status !== 200) throw new Error(`HTTP ${r.status}`);
      await r.json();
    });
  for (const q of queries.slice(0, 20)) await ask(q);
  const ms: number[] = [];
  for (const q of queries) {
    const t = performance.now();
    await ask(q);
    ms.push(performance.now() - t);
  }
  await server.stop();
  return percentiles(ms);
}

const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'tafuta-bench-'));
const engine = await createEngine({ dataDir, logger: silentLogger });
const queries = demoQueries();
const scaledFile = path.join(dataDir, 'scaled.jsonl');
scaledCorpus(scaledFile);
await new Promise((r) => setTimeout(r, 100));

const results: Record<string, unknown> = {};
for (const [collection, file] of [['demo', DEMO], ['demo_x30', scaledFile]] as const) {
  const indexing = await timeIndexing(engine, collection, file);
  const search: Record<string, Latency> = {};
  for (const mode of ['dense', 'bm25', 'hybrid'] as const) search[mode] = await timeSearches(engine, collection, queries, mode);
  search.http_dense = await timeHttp(engine, collection, queries);
  results[collection] = { indexing, search, passages: (await engine.getCollection(collection)).passages };
  process.stderr.write(`${collection}: ${JSON.stringify(results[collection])}\n`);
}
await engine.close();
fs.rmSync(dataDir, { recursive: true, force: true });

const report = {
  command: 'npm run bench',
  date: new Date().toISOString(),
  version: packageVersion(),
  encoder: engine.encoders.defaultName,
  machine: { cpu: os.cpus()[0]?.model, cores: os.cpus().length, memoryGiB: Math.round(os.totalmem() / 2 ** 30), node: process.version },
  queries: QUERIES,
  k: 10,
  results,
};
fs.mkdirSync(OUT_DIR, { recursive: true });
fs.writeFileSync(path.join(OUT_DIR, 'demo.json'), `${JSON.stringify(report, null, 2)}\n`);

const rows: string[] = [];
for (const [name, r] of Object.entries(results) as Array<[string, { indexing: { passages: number; seconds: number; passagesPerSecond: number }; search: Record<string, Latency>; passages: number }]>) {
  rows.push(`| ${name} | ${r.passages} | ${r.indexing.seconds.toFixed(2)} | ${r.indexing.passagesPerSecond.toFixed(0)} | ` +
    ['dense', 'bm25', 'hybrid', 'http_dense'].map((m) => `${r.search[m]!.p50} / ${r.search[m]!.p95} / ${r.search[m]!.p99}`).join(' | ') + ' |');
}
const md = `# Demo benchmark

Generated by \`${report.command}\` (scripts/bench-demo.ts) on ${report.date.slice(0, 10)}; encoder \`${report.encoder}\`;
${report.machine.cpu} × ${report.machine.cores}, Node ${report.machine.node}. ${QUERIES} queries (first 8 words of demo passages,
all 11 languages), k = 10, one at a time. Latency columns are p50 / p95 / p99 in milliseconds. Indexing is end to end
(read, split, encode, SQLite transaction, HNSW insert), one process.

| collection | passages | index s | passages/s | dense | bm25 | hybrid | HTTP dense |
|---|---|---|---|---|---|---|---|
${rows.join('\n')}
`;
fs.writeFileSync(path.join(OUT_DIR, 'demo.md'), md);
process.stdout.write(md);
