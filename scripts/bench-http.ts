/**
 * Benchmark: HTTP search latency under load. A 100k-passage collection (clustered synthetic vectors, dim 256,
 * served through a fake encoder: passage text "v:<i>" → vector i, query text "q:<j>" → query vector j), the real
 * server (startWebServer, open, no rate limit, no request log) on 127.0.0.1 port 0, and autocannon in a separate
 * client process against POST /v1/collections/bench/search with 1000 rotating query bodies:
 *   1. 1 connection, 10 s (service time), 2. 10 connections, 20 s (throughput), 3. 10 connections, 20 s while
 *   another client posts /documents batches of 500 in a loop to the same server.
 * Latencies are measured per request in the client (autocannon's 'response' event, sub-millisecond), not from
 * autocannon's 1 ms histogram. Writes docs/benchmarks/http.json and http.md. Run: `npm run bench:http`.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import { packageVersion } from '../bin/runtime.js';
import { DEFAULT_COLLECTION_CONFIG, defaultEfFor } from '../indexer/config.js';
import { startWebServer } from '../server/start.js';
import {
  CLUSTERED_DEFAULT,
  clusteredVectors,
  deadline,
  fakeEncoder,
  fakeEngine,
  runBenchWorkerIfForked,
  startTafutaWorkers,
  header,
  loadSample,
  log,
  machineLine,
  onCleanup,
  percentiles,
  round,
  silent,
  table,
  tempDir,
  writeReport,
  type Latency,
  type LoadSample,
} from './bench-common.js';

const N = Number(process.env.BENCH_HTTP_N ?? 100_000);
const QUERIES = 1000;
const K = 10;
const INSERT_BATCH = 500;
const TARGET = { p50: 2, p99: 10 };
/** Phase 4 serves the same data directory from this many processes (`tafuta serve --workers N`). */
const WORKERS = Number(process.env.BENCH_HTTP_WORKERS ?? 2);

interface ClientConfig {
  url: string;
  seconds: number;
  connections: number;
  insert: boolean;
}

interface ClientResult {
  requests: number;
  errors: number;
  non2xx: number;
  timeouts: number;
  seconds: number;
  qps: number;
  latencyMs: Latency;
  autocannon: { p50: number; p90: number; p97_5: number; p99: number; max: number; rps: number };
  insert?: { batches: number; documents: number; batchMs: Latency; errors: number };
}

// ------------------------------------------------------------------------------------------------ client

async function runClient(config: ClientConfig): Promise<ClientResult> {
  const latencies: number[] = [];
  let next = 0;
  let insertStop = false;
  let insertLoop: Promise<{ batches: number; documents: number; batchMs: Latency; errors: number }> | undefined;
  if (config.insert) {
    insertLoop = (async () => {
      const times: number[] = [];
      let batches = 0;
      let errors = 0;
      let id = 0;
      while (!insertStop) {
        const documents = Array.from({ length: INSERT_BATCH }, () => {
          const i = id++;
          return { id: `ins-${i}`, text: `inserted passage ${i}`, lang: 'en' };
        });
        const t = performance.now();
        const response = await fetch(`${config.url}/v1/collections/bench/documents`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ documents }),
        });
        await response.arrayBuffer();
        if (response.status !== 200) errors++;
        times.push(performance.now() - t);
        batches++;
      }
      return { batches, documents: batches * INSERT_BATCH, batchMs: percentiles(times), errors };
    })();
  }
  const instance = autocannon({
    url: config.url,
    connections: config.connections,
    duration: config.seconds,
    requests: [
      {
        method: 'POST',
        path: '/v1/collections/bench/search',
        headers: { 'content-type': 'application/json' },
        setupRequest: (request) => ({ ...request, body: JSON.stringify({ query: `q:${next++ % QUERIES}`, k: K }) }),
      },
    ],
  });
  // Without a callback autocannon returns its EventEmitter made thenable; the types only say Promise.
  (instance as unknown as NodeJS.EventEmitter).on('response', (_client: unknown, statusCode: number, _bytes: number, responseTime: number) => {
    if (statusCode === 200) latencies.push(responseTime);
  });
  const result = await instance;
  insertStop = true;
  const insert = insertLoop ? await insertLoop : undefined;
  return {
    requests: result.requests.total,
    errors: result.errors,
    non2xx: result.non2xx,
    timeouts: result.timeouts,
    seconds: round(result.duration, 2),
    qps: round(latencies.length / result.duration, 0),
    latencyMs: percentiles(latencies),
    autocannon: { p50: result.latency.p50, p90: result.latency.p90, p97_5: result.latency.p97_5, p99: result.latency.p99, max: result.latency.max, rps: result.requests.average },
    ...(insert ? { insert } : {}),
  };
}

if (process.argv[2] === '--client') {
  const config = JSON.parse(process.argv[3]!) as ClientConfig;
  const result = await runClient(config);
  process.stdout.write(`${JSON.stringify(result)}\n`);
  process.exit(0);
}

await runBenchWorkerIfForked(QUERIES, WORKERS);

// ------------------------------------------------------------------------------------------------ server side

const children = new Set<ChildProcess>();
onCleanup(() => {
  for (const child of children) child.kill('SIGKILL');
});

function client(config: ClientConfig): Promise<ClientResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [fileURLToPath(import.meta.url), '--client', JSON.stringify(config)], { stdio: ['ignore', 'pipe', 'inherit'] });
    children.add(child);
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), (config.seconds + 60) * 1000);
    child.once('exit', (code) => {
      clearTimeout(timer);
      children.delete(child);
      if (code !== 0) reject(new Error(`client exited with ${code}`));
      else resolve(JSON.parse(out) as ClientResult);
    });
  });
}

deadline(12 * 60, 'bench-http');
const startedMs = performance.now();
const start = loadSample();

log(`generating ${N} clustered vectors`);
const { base, queries } = clusteredVectors(CLUSTERED_DEFAULT, N, QUERIES);
const dir = tempDir('bench-http');
const engine = fakeEngine(dir, fakeEncoder(base.dim, { v: base, q: queries }));
onCleanup(() => engine.close());
await engine.createCollection('bench');
const buildStart = performance.now();
for (let i = 0; i < N; i += 1000) {
  const documents = Array.from({ length: Math.min(1000, N - i) }, (_, j) => ({ id: `d${i + j}`, text: `v:${i + j}`, lang: 'en' }));
  await engine.upsertDocuments('bench', documents);
  if ((i / 1000) % 20 === 19) log(`loaded ${i + 1000}`);
}
engine.saveIndexes();
const buildSeconds = (performance.now() - buildStart) / 1000;
log(`collection of ${N} built in ${buildSeconds.toFixed(1)} s`);

const server = await startWebServer({ engine, logger: silent, version: packageVersion(), host: '127.0.0.1', port: 0, bodyLimit: '10mb' });
// Sanity: the fake query text reaches the fake encoder.
const probe = (await (await fetch(`${server.url}/v1/collections/bench/search`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: 'q:0', k: K }) })).json()) as { results: unknown[] };
if (probe.results.length !== K) throw new Error('search returned too few results');

const phases: Array<{ name: string; config: ClientConfig; result: ClientResult; load: { start: LoadSample; end: LoadSample } }> = [];
for (const [name, connections, seconds, insert] of [
  ['1 connection', 1, 10, false],
  ['10 connections', 10, 20, false],
  ['10 connections + bulk insert', 10, 20, true],
] as const) {
  const phaseStart = loadSample();
  const config: ClientConfig = { url: server.url, seconds, connections, insert };
  const result = await client(config);
  phases.push({ name, config, result, load: { start: phaseStart, end: loadSample() } });
  log(`${name}: ${JSON.stringify(result)}`);
}
await server.stop(); // saves the index: the workers start from it
const passagesAfter = (await engine.getCollection('bench')).passages;
if (WORKERS > 1) {
  const workers = await startTafutaWorkers(dir, WORKERS);
  const name = `10 connections, ${WORKERS} workers`;
  const phaseStart = loadSample();
  const config: ClientConfig = { url: workers.url, seconds: 20, connections: 10, insert: false };
  const result = await client(config);
  phases.push({ name, config, result, load: { start: phaseStart, end: loadSample() } });
  log(`${name}: ${JSON.stringify(result)}`);
  await workers.stop();
}
const workersPhase = phases[3]?.result;
const metWorkers = workersPhase ? { p50: workersPhase.latencyMs.p50 <= TARGET.p50, p99: workersPhase.latencyMs.p99 <= TARGET.p99 } : undefined;

const h = header('http', 'scripts/bench-http.ts', start, startedMs);
const steady = phases[1]!.result;
const met = { p50: steady.latencyMs.p50 <= TARGET.p50, p99: steady.latencyMs.p99 <= TARGET.p99 };
const single = phases[0]!.result;
const metSingle = { p50: single.latencyMs.p50 <= TARGET.p50, p99: single.latencyMs.p99 <= TARGET.p99 };
const report = {
  ...h,
  n: N,
  k: K,
  dim: base.dim,
  hnsw: { ...DEFAULT_COLLECTION_CONFIG.hnsw, ef: defaultEfFor(N) }, // the collection sets no ef: the default for its size
  collectionBuildSeconds: round(buildSeconds, 1),
  passagesAfterInsertPhase: passagesAfter,
  target: TARGET,
  targetMet: { tenConnections: met, oneConnection: metSingle, ...(metWorkers ? { tenConnectionsWorkers: metWorkers } : {}) },
  workers: WORKERS,
  phases,
};
const ins = phases[2]!.result.insert;
const md = `# HTTP search latency under load

Generated by \`${h.command}\` (${h.script}); ${machineLine(h)}.

Collection: ${N} one-passage documents with clustered synthetic vectors (dim ${base.dim}, as in the ANN benchmark) served through a
fake encoder (text \`v:<i>\` / \`q:<j>\` → precomputed vector, so encoding costs a table lookup); default HNSW
(M = ${DEFAULT_COLLECTION_CONFIG.hnsw.M}, efConstruction = ${DEFAULT_COLLECTION_CONFIG.hnsw.efConstruction}, ef = ${defaultEfFor(N)}, the default for ${N} passages); built in-process in ${round(buildSeconds, 1)} s. The real server
(\`startWebServer\`, open, no rate limit, no request log) on 127.0.0.1; autocannon in a separate client process,
\`POST /v1/collections/bench/search\` with \`{"query": "q:<j>", "k": ${K}}\` rotating over ${QUERIES} queries, dense mode.
Latency is per request as the client sees it (ms). Server and client share the machine's ${h.machine.cores} cores with whatever else runs.

${table(
  ['phase', 'duration s', 'requests', 'QPS', 'p50', 'p95', 'p99', 'max', 'errors / non-2xx / timeouts', 'load (1 min) start → end'],
  phases.map((p) => [p.name, p.result.seconds, p.result.requests, p.result.qps, p.result.latencyMs.p50, p.result.latencyMs.p95, p.result.latencyMs.p99, p.result.latencyMs.max, `${p.result.errors} / ${p.result.non2xx} / ${p.result.timeouts}`, `${p.load.start.loadavg[0]} → ${p.load.end.loadavg[0]}`]),
)}

Bulk insert during phase 3: ${ins ? `${ins.batches} batches of ${INSERT_BATCH} (${ins.documents} documents, ${round(ins.documents / phases[2]!.result.seconds, 0)} documents/s), batch latency p50 ${ins.batchMs.p50} ms / max ${ins.batchMs.max} ms, ${ins.errors} failed` : 'n/a'};
worst search latency during the insert: **${phases[2]!.result.latencyMs.max} ms** (p99 ${phases[2]!.result.latencyMs.p99} ms).
Collection size after the insert phase: ${passagesAfter} passages.

Targets (p50 ≤ ${TARGET.p50} ms, p99 ≤ ${TARGET.p99} ms on 100k):
- 10 connections (saturating a single-threaded Node server, so latency includes queueing): p50 ${steady.latencyMs.p50} ms ${met.p50 ? 'meets' : 'does **not** meet'}, p99 ${steady.latencyMs.p99} ms ${met.p99 ? 'meets' : 'does **not** meet'}.
- 1 connection (service time): p50 ${single.latencyMs.p50} ms ${metSingle.p50 ? 'meets' : 'does **not** meet'}, p99 ${single.latencyMs.p99} ms ${metSingle.p99 ? 'meets' : 'does **not** meet'}.
${workersPhase && metWorkers ? `- 10 connections on ${WORKERS} worker processes (phase 4: the same data directory, \`--workers ${WORKERS}\`, sharing the ${h.machine.cores} cores with the load generator): p50 ${workersPhase.latencyMs.p50} ms ${metWorkers.p50 ? 'meets' : 'does **not** meet'}, p99 ${workersPhase.latencyMs.p99} ms ${metWorkers.p99 ? 'meets' : 'does **not** meet'}.` : ''}
`;
writeReport('http', report, md);
await engine.close();
process.exit(0);
