/**
 * Benchmark (issue 23): the CPU cost of one dense search, end to end and step by step, on a 100k-passage
 * collection (clustered synthetic vectors, dim 256, the fake encoder of bench-http.ts) in one process.
 *   build <dir>   writes the collection into <dir> once (bulk: deferred index, one catch-up), reused by the runs;
 *   run <dir>     opens it read-only and reports CPU µs (process.cpuUsage) per call of: CollectionIndex.search,
 *                 Engine.search, and POST /search over HTTP on one keep-alive connection to an in-process server
 *                 (client CPU included), plus the steps of a search measured alone through public APIs.
 *   profile <dir> only the HTTP searches (BENCH_HOT_PROFILE=engine: Engine.search), to run under `node --cpu-prof`.
 * `run` prints one JSON line; a comparison runs two builds of the code against the same directory, interleaved
 * (docs/benchmarks/notes/3.1-search-hot-path.md). CPU time, not wall time: the machine is shared.
 * BENCH_HOT_EF=<ef> sends that ef with every search (a version comparison must: the collection's default ef differs).
 * Run: `node dist/scripts/bench-search-hot-path.js build /tmp/hot-100k && node dist/scripts/bench-search-hot-path.js run /tmp/hot-100k`.
 */
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { SqliteStorage } from '../indexer/sqlite/storage.js';
import { startWebServer } from '../server/start.js';
import { REQUEST_SCHEMAS } from '../server/api-schemas.js';
import { dot } from '../indexer/vector-store.js';
import { RecentPassages } from '../indexer/recent-passages.js';
import { CLUSTERED_DEFAULT, clusteredVectors, fakeEncoder, fakeEngine, jsonPoster, loadSample, row, silent } from './bench-common.js';

const N = Number(process.env.BENCH_HOT_N ?? 100_000);
const QUERIES = 1000;
const K = 10;
const PASSES = Number(process.env.BENCH_HOT_PASSES ?? 3);
const COLLECTION = 'bench';
/** The ef sent with every search (BENCH_HOT_EF); unset, each search takes the collection's (a default that differs between versions). */
const EF = process.env.BENCH_HOT_EF === undefined ? undefined : Number(process.env.BENCH_HOT_EF);

const [verb, dir] = process.argv.slice(2);
if ((verb !== 'build' && verb !== 'run' && verb !== 'profile') || !dir) {
  process.stderr.write('usage: bench-search-hot-path.js build|run|profile <dir>\n');
  process.exit(2);
}

const cpuUs = (since: NodeJS.CpuUsage) => {
  const used = process.cpuUsage(since);
  return used.user + used.system;
};

/** CPU µs per call of `call(j)` over QUERIES calls (after one warm-up pass). */
async function perCall(call: (j: number) => unknown, passes = PASSES): Promise<number[]> {
  for (let j = 0; j < QUERIES; j++) await call(j);
  const out: number[] = [];
  for (let p = 0; p < passes; p++) {
    const before = process.cpuUsage();
    for (let j = 0; j < QUERIES; j++) await call(j);
    out.push(Math.round((cpuUs(before) / QUERIES) * 10) / 10);
  }
  return out;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

if (verb === 'build') {
  fs.mkdirSync(dir, { recursive: true });
  const { base, queries } = clusteredVectors(CLUSTERED_DEFAULT, N, QUERIES);
  const engine = fakeEngine(dir, fakeEncoder(base.dim, { v: base, q: queries }));
  await engine.createCollection(COLLECTION);
  for (let i = 0; i < N; i += 5000) {
    const documents = Array.from({ length: Math.min(5000, N - i) }, (_, j) => ({ id: `d${i + j}`, text: `v:${i + j}`, lang: 'en' }));
    await engine.upsertDocuments(COLLECTION, documents, { deferIndex: true });
  }
  await engine.catchUpIndex(COLLECTION);
  await engine.close();
  process.stdout.write(`built ${N} passages in ${dir}\n`);
  process.exit(0);
}

const { queries } = clusteredVectors(CLUSTERED_DEFAULT, 1, QUERIES);
const engine = fakeEngine(dir, fakeEncoder(queries.dim, { q: queries }), 'read-only');
const storage = engine.storage as SqliteStorage;
const collection = await storage.liveCollection(COLLECTION);
const index = storage.indexOf(collection);
await index.catchUp();
const queryOf = (j: number) => row(queries, j % QUERIES);
const bodyOf = (j: number) => ({ query: `q:${j % QUERIES}`, k: K, ...(EF === undefined ? {} : { ef: EF }) });

// Same answers whatever the code: a checksum of every query's labels and scores.
let checksum = 0;
for (let j = 0; j < QUERIES; j++) for (const hit of index.search(queryOf(j), K, undefined, EF)) checksum = (checksum * 31 + hit.label + Math.round(hit.score * 1e6)) % 1_000_000_007;

const server = await startWebServer({ engine, logger: silent, version: 'bench', host: '127.0.0.1', port: 0, bodyLimit: '10mb' });
const post = jsonPoster(server.url, 1);
const searchRoute = `/v1/collections/${COLLECTION}/search`;

if (verb === 'profile') {
  // Only HTTP searches, for `node --cpu-prof`: the profile is one request's path, QUERIES × PASSES times.
  if (process.env.BENCH_HOT_PROFILE === 'engine') await perCall((j) => engine.search(COLLECTION, { ...bodyOf(j), mode: 'dense' }));
  else await perCall((j) => post(searchRoute, bodyOf(j)));
  await server.stop();
  await engine.close();
  process.exit(0);
}

const load = loadSample();
const graph = index.vectorStore;
const labelsOf = (j: number) => graph.search(queryOf(j), 2 * K, undefined, EF).map((h) => h.label);
const recent = storage.sqlite.latestVectors(collection.id, graph.cursor.passageId, 1024);
const response = await engine.search(COLLECTION, { ...bodyOf(0), mode: 'dense' });
const steps = {
  'graph.search (usearch, 2k candidates)': median(await perCall((j) => graph.search(queryOf(j), 2 * K, undefined, EF))),
  'sqlite.vectorsOf (2k candidates)': median(await perCall((j) => storage.sqlite.vectorsOf(labelsOf(j)))),
  'dot × 1,024 recent vectors': median(await perCall((j) => recent.map((r) => dot(queryOf(j), r.vector)))),
  'sqlite.passageViews (k)': median(await perCall((j) => storage.sqlite.passageViews(labelsOf(j).slice(0, K)))),
  'syncHead query (a sync that looks)': median(await perCall(() => storage.sqlite.syncHead(collection.id))),
  'zod: search body': median(await perCall((j) => REQUEST_SCHEMAS.search.body.parse(bodyOf(j)))),
  'JSON.stringify(response)': median(await perCall(() => JSON.stringify(response))),
};
// The recent tier's scan as this branch does it (absent from code before it: the comparison's base has addMissing).
const topHitsModule = '../indexer/top-hits.js'; // a variable: the base of a comparison has no such file
const topHits = (await import(topHitsModule).catch(() => undefined)) as { TopHits: new (k: number) => unknown } | undefined;
type RecentTier = { read(through: number): void; scoreInto?: (top: unknown, query: Float32Array, visible: undefined) => void };
const recentTier = new (RecentPassages as unknown as new (store: unknown, collectionId: number, dim: number) => RecentTier)(storage.sqlite, collection.id, collection.dim);
if (topHits && recentTier.scoreInto) {
  recentTier.read(graph.cursor.passageId);
  (steps as Record<string, number>)['RecentPassages.scoreInto (1,024 rows, top k)'] = median(await perCall((j) => recentTier.scoreInto!(new topHits.TopHits(K), queryOf(j), undefined)));
}
const graphOnlyLabels = median(await perCall((j) => labelsOf(j)));
steps['sqlite.vectorsOf (2k candidates)'] = Math.round((steps['sqlite.vectorsOf (2k candidates)'] - graphOnlyLabels) * 10) / 10;
steps['sqlite.passageViews (k)'] = Math.round((steps['sqlite.passageViews (k)'] - graphOnlyLabels) * 10) / 10;

// Floors of the HTTP figure: the client and Node's HTTP alone (a bare server answering a fixed body), and tafuta's
// middleware without a search (a search of a collection that does not exist: 404 after the same layers).
const bare = http.createServer((req, res) => {
  req.resume();
  req.on('end', () => res.writeHead(200, { 'content-type': 'application/json' }).end('{"results":[]}'));
});
await new Promise<void>((resolve) => bare.listen(0, '127.0.0.1', resolve));
const barePost = jsonPoster(`http://127.0.0.1:${(bare.address() as AddressInfo).port}`, 1);
const notFoundPost = jsonPoster(server.url, 1);
const floors = {
  'bare node:http server (client + Node HTTP)': median(await perCall((j) => barePost(searchRoute, bodyOf(j)))),
  'tafuta 404 search (client + Node HTTP + middleware)': median(await perCall((j) => notFoundPost('/v1/collections/none/search', bodyOf(j)).catch(() => undefined))),
};

const indexSearch = await perCall((j) => index.search(queryOf(j), K, undefined, EF));
const engineSearch = await perCall((j) => engine.search(COLLECTION, { ...bodyOf(j), mode: 'dense' }));
// A fresh connection: the server closes one idle for 5 s, and a request racing that close fails.
const searchPost = jsonPoster(server.url, 1);
const overHttp = await perCall((j) => searchPost(searchRoute, bodyOf(j)));
await server.stop();
bare.closeAllConnections();
bare.close();
await engine.close();
process.stdout.write(
  `${JSON.stringify({
    n: N,
    ef: EF ?? 'collection',
    checksum,
    load: load.loadavg,
    cpuUsPerCall: {
      'CollectionIndex.search': { passes: indexSearch, median: median(indexSearch) },
      'Engine.search': { passes: engineSearch, median: median(engineSearch) },
      'HTTP POST /search (server + client)': { passes: overHttp, median: median(overHttp) },
    },
    steps,
    floors,
  })}\n`,
);
process.exit(0);
