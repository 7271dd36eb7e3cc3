/**
 * Benchmark: tafuta side by side with Chroma (npm `chromadb` 3.x server CLI + JS client), same vectors, same
 * queries, same k, both over loopback HTTP. Writes docs/benchmarks/chroma.json and chroma.md.
 * Run: `npm run bench:chroma`.
 *
 * Data: the 100k clustered synthetic unit vectors (dim 256) and 1000 queries of the ANN benchmark; ground truth
 * exact top-10 by brute force. Chroma: `chroma run` on a temp dir and a free port, collection with
 * configuration.hnsw = {space: cosine, max_neighbors: 16, ef_construction: 100, ef_search: 100} (Chroma's defaults,
 * set explicitly), vectors added as precomputed embeddings (no documents). tafuta: the real server in this
 * process with a fake encoder (text "v:<i>" → vector i, "q:<j>" → query j, so both systems index identical
 * vectors), collection config hnsw = {M: 16, efConstruction: 100} to match Chroma's build, ef swept to match
 * Chroma's recall. Every measuring client (inserts, queries) runs in a separate child process, the same code
 * for both systems, so neither server shares its thread with the load generator.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ChromaClient } from 'chromadb';
import { PACKAGE_ROOT, packageVersion } from '../bin/runtime.js';
import { startWebServer } from '../server/start.js';
import {
  CLUSTERED_DEFAULT,
  clusteredVectors,
  deadline,
  exactTopK,
  fakeEncoder,
  fakeEngine,
  header,
  jsonPoster,
  loadSample,
  log,
  machineLine,
  onCleanup,
  percentiles,
  recallAt,
  round,
  row,
  rssMiB,
  runBenchWorkerIfForked,
  startTafutaWorkers,
  silent,
  table,
  tempDir,
  writeReport,
  type Latency,
  type LoadSample,
} from './bench-common.js';

const N = Number(process.env.BENCH_CHROMA_N ?? 100_000);
const QUERIES = 1000;
const K = 10;
const CONCURRENCY = 8;
const INSERT_BATCH = 1000;
const CHROMA_HNSW = { space: 'cosine', max_neighbors: 16, ef_construction: 100, ef_search: 100 } as const;
const TAFUTA_EFS = [32, 48, 64, 100, 128];
/** `tafuta serve --workers` equivalent: the same data directory served by this many processes, at these ef. */
const WORKERS = Number(process.env.BENCH_CHROMA_WORKERS ?? 2);
const WORKER_EFS = [64, 100];
const ROUNDS = Number(process.env.BENCH_CHROMA_ROUNDS ?? 3);
/** Recall differences below this (10 of 10,000 neighbour slots) count as equal when matching ef to Chroma's recall. */
const RECALL_TOLERANCE = 0.001;

type System = 'tafuta' | 'chroma';
/** A row of the report: 'tafuta' (one process), `tafuta×N` (N worker processes) or 'chroma'. */
type Setup = string;

interface ClientJob {
  mode: 'insert' | 'query';
  system: System;
  url: string;
  /** tafuta only: HNSW ef sent with each search. */
  ef?: number;
}

interface InsertResult {
  seconds: number;
  vectorsPerSecond: number;
  batchMs: Latency;
}

interface QueryResult {
  sequential: { seconds: number; qps: number; latencyMs: Latency };
  concurrent: { connections: number; seconds: number; qps: number; latencyMs: Latency };
  ids: number[][];
}

// ------------------------------------------------------------------------------------------------ client process

function chromaClient(url: string): ChromaClient {
  const u = new URL(url);
  return new ChromaClient({ host: u.hostname, port: Number(u.port), ssl: false });
}

/** Chroma's REST route for one collection verb (the routes its JS client calls). */
function chromaRoute(collectionId: string, verb: 'add' | 'query'): string {
  return `/api/v2/tenants/default_tenant/databases/default_database/collections/${collectionId}/${verb}`;
}

async function clientMain(job: ClientJob): Promise<InsertResult | QueryResult> {
  const { base, queries } = clusteredVectors(CLUSTERED_DEFAULT, job.mode === 'insert' ? N : 1, QUERIES);
  const collectionId = job.system === 'chroma' ? (await chromaClient(job.url).getCollection({ name: 'bench' })).id : undefined;
  const post = jsonPoster(job.url, CONCURRENCY);

  if (job.mode === 'insert') {
    const times: number[] = [];
    const t0 = performance.now();
    for (let i = 0; i < base.n; i += INSERT_BATCH) {
      const end = Math.min(base.n, i + INSERT_BATCH);
      const t = performance.now();
      if (collectionId !== undefined) {
        const ids: string[] = [];
        const embeddings: number[][] = [];
        for (let j = i; j < end; j++) {
          ids.push(String(j));
          embeddings.push(Array.from(row(base, j)));
        }
        await post(chromaRoute(collectionId, 'add'), { ids, embeddings });
      } else {
        const documents = [];
        for (let j = i; j < end; j++) documents.push({ id: `d${j}`, text: `v:${j}`, lang: 'en' });
        await post('/v1/collections/bench/documents', { documents });
      }
      times.push(performance.now() - t);
    }
    const seconds = (performance.now() - t0) / 1000;
    return { seconds: round(seconds, 2), vectorsPerSecond: round(base.n / seconds, 0), batchMs: percentiles(times) };
  }

  // Request bodies are built before timing starts, for both systems.
  const bodies = Array.from({ length: QUERIES }, (_, q) =>
    collectionId !== undefined ? { query_embeddings: [Array.from(row(queries, q))], n_results: K, include: ['distances'] } : { query: `q:${q}`, k: K, ef: job.ef },
  );
  const route = collectionId !== undefined ? chromaRoute(collectionId, 'query') : '/v1/collections/bench/search';
  const ask = async (q: number): Promise<number[]> => {
    const result = await post(route, bodies[q]);
    if (collectionId !== undefined) return ((result as { ids: string[][] }).ids[0] ?? []).map(Number);
    return (result as { results: Array<{ id: string }> }).results.map((r) => Number(r.id.slice(1)));
  };
  for (let q = 0; q < 100; q++) await ask(q); // warm-up
  const ids: number[][] = [];
  const seqTimes: number[] = [];
  const s0 = performance.now();
  for (let q = 0; q < QUERIES; q++) {
    const t = performance.now();
    ids.push(await ask(q));
    seqTimes.push(performance.now() - t);
  }
  const seqSeconds = (performance.now() - s0) / 1000;
  const concTimes: number[] = [];
  let next = 0;
  const total = QUERIES * 2;
  const c0 = performance.now();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < total) {
        const q = next++ % QUERIES;
        const t = performance.now();
        await ask(q);
        concTimes.push(performance.now() - t);
      }
    }),
  );
  const concSeconds = (performance.now() - c0) / 1000;
  return {
    sequential: { seconds: round(seqSeconds, 2), qps: round(QUERIES / seqSeconds, 0), latencyMs: percentiles(seqTimes) },
    concurrent: { connections: CONCURRENCY, seconds: round(concSeconds, 2), qps: round(total / concSeconds, 0), latencyMs: percentiles(concTimes) },
    ids,
  };
}

if (process.argv[2] === '--client') {
  const result = await clientMain(JSON.parse(process.argv[3]!) as ClientJob);
  process.stdout.write(`${JSON.stringify(result)}\n`);
  process.exit(0);
}

await runBenchWorkerIfForked(QUERIES, WORKERS);

// ------------------------------------------------------------------------------------------------ orchestration

const children = new Set<ChildProcess>();
onCleanup(() => {
  for (const child of children) {
    try {
      // The Chroma CLI is started in its own process group: kill the group.
      if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
    } catch {
      child.kill('SIGKILL');
    }
  }
});

function runClient<T>(job: ClientJob, limitSeconds: number): Promise<T> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [fileURLToPath(import.meta.url), '--client', JSON.stringify(job)], { stdio: ['ignore', 'pipe', 'inherit'], detached: true });
    children.add(child);
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), limitSeconds * 1000);
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      children.delete(child);
      if (code !== 0) reject(new Error(`${job.system} ${job.mode} client exited with ${code ?? signal}`));
      else resolve(JSON.parse(out) as T);
    });
  });
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

function rssOfPid(pid: number): number | undefined {
  try {
    const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = /VmRSS:\s+(\d+)/.exec(status)?.[1];
    return kb === undefined ? undefined : round(Number(kb) / 1024, 1);
  } catch {
    return undefined;
  }
}

async function startChroma(): Promise<{ url: string; pid: number; stop(): void }> {
  const dir = tempDir('bench-chroma-db');
  const port = await freePort();
  const cli = path.join(PACKAGE_ROOT, 'node_modules', 'chromadb', 'dist', 'cli.mjs');
  const child = spawn(process.execPath, [cli, 'run', '--path', dir, '--port', String(port)], { stdio: ['ignore', 'ignore', 'pipe'], detached: true });
  children.add(child);
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-4000)));
  const url = `http://127.0.0.1:${port}`;
  const t0 = Date.now();
  for (;;) {
    if (child.exitCode !== null) throw new Error(`chroma exited early: ${stderr}`);
    try {
      const r = await fetch(`${url}/api/v2/heartbeat`);
      if (r.ok) break;
    } catch {
      // not up yet
    }
    if (Date.now() - t0 > 60_000) throw new Error(`chroma did not answer the heartbeat within 60 s: ${stderr}`);
    await new Promise((r) => setTimeout(r, 250));
  }
  log(`chroma up on ${url} after ${Date.now() - t0} ms (pid ${child.pid})`);
  return {
    url,
    pid: child.pid!,
    stop() {
      try {
        process.kill(-child.pid!, 'SIGTERM');
      } catch {
        // already gone
      }
      children.delete(child);
      setTimeout(() => {
        try {
          process.kill(-child.pid!, 'SIGKILL');
        } catch {
          // gone
        }
      }, 2000).unref();
    },
  };
}

interface Setting {
  system: Setup;
  ef: number;
  recallAt10: number;
  sequential: QueryResult['sequential'];
  concurrent: QueryResult['concurrent'];
  load: LoadSample;
  runs?: number;
  sequentialQpsRuns?: number[];
  concurrentQpsRuns?: number[];
  recallRuns?: number[];
  loadRange?: [number, number];
}

deadline(18 * 60, 'bench-chroma');
const startedMs = performance.now();
const start = loadSample();

log(`generating ${N} clustered vectors and exact top-${K}`);
const { base, queries } = clusteredVectors(CLUSTERED_DEFAULT, N, QUERIES);
const gt = exactTopK(base, queries, K);
log(`exact search: ${gt.seconds.toFixed(1)} s`);
const settings: Setting[] = [];
const inserts: Record<System, InsertResult & { load: { start: LoadSample; end: LoadSample }; rssAfterMiB?: number; indexSaveSeconds?: number }> = {} as never;

// ---- both servers up at once, loaded one after the other; then interleaved query rounds (tafuta ef sweep, Chroma,
// tafuta, Chroma, …) so that load from other processes drifting during the run hits both systems alike.
const tafutaDir = tempDir('bench-chroma-tafuta');
const engine = fakeEngine(tafutaDir, fakeEncoder(base.dim, { v: base, q: queries }));
onCleanup(() => engine.close());
await engine.createCollection('bench', { config: { hnsw: { M: CHROMA_HNSW.max_neighbors, efConstruction: CHROMA_HNSW.ef_construction, ef: 100 } } });
const server = await startWebServer({ engine, logger: silent, version: packageVersion(), host: '127.0.0.1', port: 0, bodyLimit: '50mb' });
{
  const rssBefore = rssMiB();
  const insertStart = loadSample();
  log('tafuta: inserting over HTTP');
  const insert = await runClient<InsertResult>({ mode: 'insert', system: 'tafuta', url: server.url }, 600);
  // The engine saves the index 2 s after the last write; do it now so the save does not land in a query run.
  const saveStart = performance.now();
  engine.saveIndexes();
  const indexSaveSeconds = round((performance.now() - saveStart) / 1000, 2);
  inserts.tafuta = { ...insert, load: { start: insertStart, end: loadSample() }, rssAfterMiB: round(rssMiB() - rssBefore, 1), indexSaveSeconds };
  log(`tafuta insert: ${JSON.stringify(insert)}`);
}

let chromaNote = '';
let chromaRss: number | undefined;
const chroma = await startChroma();
onCleanup(() => chroma.stop());
const chromaCollection = await chromaClient(chroma.url).createCollection({ name: 'bench', configuration: { hnsw: { ...CHROMA_HNSW } }, embeddingFunction: null });
{
  const insertStart = loadSample();
  log('chroma: inserting');
  const insert = await runClient<InsertResult>({ mode: 'insert', system: 'chroma', url: chroma.url }, 900);
  // Chroma may index asynchronously: the count and the first query after the adds settle it; timed separately.
  const settleStart = performance.now();
  const count = await chromaCollection.count();
  await chromaCollection.query({ queryEmbeddings: [Array.from(row(queries, 0))], nResults: K });
  const settleSeconds = round((performance.now() - settleStart) / 1000, 2);
  chromaRss = rssOfPid(chroma.pid);
  inserts.chroma = { ...insert, load: { start: insertStart, end: loadSample() } };
  chromaNote = `Chroma count after insert: ${count}; count + first query after the last add took ${settleSeconds} s.`;
  log(`chroma insert: ${JSON.stringify(insert)}; ${chromaNote}`);
}

const runs = new Map<string, Setting[]>();
const record = (setting: Setting) => {
  const key = `${setting.system}:${setting.ef}`;
  runs.set(key, [...(runs.get(key) ?? []), setting]);
  log(`round ${runs.get(key)!.length} ${key}: recall ${setting.recallAt10}, seq ${setting.sequential.qps} QPS, conc ${setting.concurrent.qps} QPS`);
};
const workersSetup = `tafuta×${WORKERS}`;
const workerServer = WORKERS > 1 ? await startTafutaWorkers(tafutaDir, WORKERS) : undefined;
if (workerServer) log(`${workersSetup}: ${WORKERS} worker processes on ${workerServer.url}`);
const tafutaRuns: Array<{ setup: Setup; url: string; ef: number }> = [
  ...TAFUTA_EFS.map((ef) => ({ setup: 'tafuta', url: server.url, ef })),
  ...(workerServer ? WORKER_EFS.map((ef) => ({ setup: workersSetup, url: workerServer.url, ef })) : []),
];
for (let round_ = 0; round_ < ROUNDS; round_++) {
  for (const { setup, url, ef } of tafutaRuns) {
    const r = await runClient<QueryResult>({ mode: 'query', system: 'tafuta', url, ef }, 300);
    record({ system: setup, ef, recallAt10: round(recallAt(gt, base, queries, r.ids), 4), sequential: r.sequential, concurrent: r.concurrent, load: loadSample() });
    // Chroma after every tafuta setting: its rows get as many samples of the drifting load as tafuta's.
    const c = await runClient<QueryResult>({ mode: 'query', system: 'chroma', url: chroma.url }, 300);
    record({ system: 'chroma', ef: CHROMA_HNSW.ef_search, recallAt10: round(recallAt(gt, base, queries, c.ids), 4), sequential: c.sequential, concurrent: c.concurrent, load: loadSample() });
  }
}
chroma.stop();
await workerServer?.stop();
await server.stop();

/** Per setting: median sequential and concurrent QPS over the runs; latencies of the run with the median sequential QPS. */
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
for (const list of runs.values()) {
  const seqMedian = median(list.map((s) => s.sequential.qps));
  const concMedian = median(list.map((s) => s.concurrent.qps));
  const mid = list.find((s) => s.sequential.qps === seqMedian)!;
  const concMid = list.find((s) => s.concurrent.qps === concMedian)!;
  settings.push({
    ...mid,
    concurrent: concMid.concurrent,
    runs: list.length,
    sequentialQpsRuns: list.map((s) => s.sequential.qps),
    concurrentQpsRuns: list.map((s) => s.concurrent.qps),
    recallRuns: [...new Set(list.map((s) => s.recallAt10))],
    loadRange: [Math.min(...list.map((s) => s.load.loadavg[0])), Math.max(...list.map((s) => s.load.loadavg[0]))],
  });
}

// ---- ratios: tafuta at the smallest ef whose recall ≥ Chroma's (default ef_search) vs Chroma default
const chromaDefault = settings.find((s) => s.system === 'chroma' && s.ef === CHROMA_HNSW.ef_search);
const rowsOf = (setup: Setup) => settings.filter((s) => s.system === setup).sort((a, b) => a.ef - b.ef);
const matchedOf = (setup: Setup) => (chromaDefault ? rowsOf(setup).find((s) => s.recallAt10 >= chromaDefault.recallAt10 - RECALL_TOLERANCE) : undefined);
const matched = matchedOf('tafuta');
const sameEf = rowsOf('tafuta').find((s) => s.ef === CHROMA_HNSW.ef_search);
const matchedWorkers = WORKERS > 1 ? matchedOf(workersSetup) : undefined;
const ratio = (a: Setting | undefined, b: Setting | undefined) =>
  a && b
    ? {
        tafutaEf: a.ef,
        chromaEf: b.ef,
        recall: { tafuta: a.recallAt10, chroma: b.recallAt10 },
        sequentialQps: round(a.sequential.qps / b.sequential.qps, 2),
        concurrentQps: round(a.concurrent.qps / b.concurrent.qps, 2),
        sequentialP50: round(a.sequential.latencyMs.p50 / b.sequential.latencyMs.p50, 2),
      }
    : undefined;
const ratios = {
  matchedRecall: ratio(matched, chromaDefault),
  matchedRecallWorkers: matchedWorkers ? { workers: WORKERS, ...ratio(matchedWorkers, chromaDefault)! } : undefined,
  sameEf: ratio(sameEf, chromaDefault),
  insertSeconds: inserts.tafuta && inserts.chroma ? round(inserts.tafuta.seconds / inserts.chroma.seconds, 2) : undefined,
};

const h = header('chroma', 'scripts/bench-chroma.ts', start, startedMs);
const chromaVersion = (JSON.parse(fs.readFileSync(path.join(PACKAGE_ROOT, 'node_modules', 'chromadb', 'package.json'), 'utf8')) as { version: string }).version;
const report = {
  ...h,
  n: N,
  dim: base.dim,
  queries: QUERIES,
  k: K,
  concurrency: CONCURRENCY,
  insertBatch: INSERT_BATCH,
  chroma: { npm: chromaVersion, hnsw: CHROMA_HNSW, serverRssAfterInsertMiB: chromaRss, note: chromaNote },
  tafuta: { hnsw: { M: CHROMA_HNSW.max_neighbors, efConstruction: CHROMA_HNSW.ef_construction }, efs: TAFUTA_EFS, workers: WORKERS, workerEfs: WORKER_EFS },
  rounds: ROUNDS,
  exactSeconds: round(gt.seconds, 1),
  inserts,
  settings,
  ratios,
  recallTolerance: RECALL_TOLERANCE,
};
const m = ratios.matchedRecall;
const md = `# tafuta vs Chroma

Generated by \`${h.command}\` (${h.script}); ${machineLine(h)}.

Same ${N} clustered synthetic unit vectors (dim ${base.dim}, the ANN benchmark's data), same ${QUERIES} queries, k = ${K}, both over
loopback HTTP, clients in a separate process (same code for both). Chroma: npm \`chromadb\` ${chromaVersion} (\`chroma run\`, local
persistent server), HNSW space cosine, max_neighbors (M) ${CHROMA_HNSW.max_neighbors}, ef_construction ${CHROMA_HNSW.ef_construction}, ef_search ${CHROMA_HNSW.ef_search} (its defaults, set explicitly);
query \`include: ["distances"]\`, embeddings only (no documents). tafuta: \`POST /v1/collections/bench/search\` (dense; response
carries id, passage id, text, score), fake encoder mapping the query text to the same query vector, HNSW M ${CHROMA_HNSW.max_neighbors},
efConstruction ${CHROMA_HNSW.ef_construction} (matching Chroma; tafuta's default is 200), ef swept (the request's \`ef\`). ${workersSetup}: the
same data directory served by ${WORKERS} processes (node:cluster, as \`tafuta serve --workers ${WORKERS}\`), at ef ${WORKER_EFS.join(' and ')}.
Both use one node:http keep-alive client (Chroma through its REST routes \`…/collections/{id}/add|query\`, not its JS client, whose
per-request cost exceeded either server's). Sequential = one client, one request at a time;
concurrent = ${CONCURRENCY} requests in flight, ${QUERIES * 2} requests. Latencies in ms. Recall@10 against exact brute force.
Both servers stay up together and query runs are interleaved (${ROUNDS} rounds of: tafuta ef ${TAFUTA_EFS[0]}, Chroma, tafuta ef ${TAFUTA_EFS[1]}, Chroma, …),
so Chroma has ${ROUNDS * (TAFUTA_EFS.length + (WORKERS > 1 ? WORKER_EFS.length : 0))} runs and each tafuta setting ${ROUNDS}; QPS is the median run. Chroma's ef_search is left at its default:
changing it with \`collection.modify\` had no effect on results in an earlier run (identical recall at 64 and 100).

## Insert (${N} vectors, batches of ${INSERT_BATCH}, one client)

${table(
  ['system', 'seconds', 'vectors/s', 'batch p50 / max ms', 'load (1 min) start → end'],
  (['tafuta', 'chroma'] as const).filter((s) => inserts[s]).map((s) => [s, inserts[s].seconds, inserts[s].vectorsPerSecond, `${inserts[s].batchMs.p50} / ${inserts[s].batchMs.max}`, `${inserts[s].load.start.loadavg[0]} → ${inserts[s].load.end.loadavg[0]}`]),
)}

tafuta's insert goes through POST /documents: SQLite transaction (documents, passages, FTS5, vectors) + HNSW insert per batch;
the index file save after the insert (which the server does 2 s after the last write) took ${inserts.tafuta?.indexSaveSeconds ?? 'n/a'} s, not included.
${chromaNote} Chroma server RSS after the insert: ${chromaRss ?? 'n/a'} MiB; tafuta process RSS grew by ${inserts.tafuta?.rssAfterMiB ?? 'n/a'} MiB during its insert.

## Queries

${table(
  ['system', 'ef', 'recall@10', 'sequential QPS (median; runs)', 'seq p50 / p99', 'concurrent QPS (median; runs)', 'conc p50 / p99', 'load (1 min) range'],
  settings.map((s) => [s.system, s.ef, s.recallAt10.toFixed(4), `${s.sequential.qps} (${s.sequentialQpsRuns?.join(', ')})`, `${s.sequential.latencyMs.p50} / ${s.sequential.latencyMs.p99}`, `${s.concurrent.qps} (${s.concurrentQpsRuns?.join(', ')})`, `${s.concurrent.latencyMs.p50} / ${s.concurrent.latencyMs.p99}`, s.loadRange?.join(' – ') ?? s.load.loadavg[0]]),
)}

## Ratios (tafuta / Chroma; target ≥ 2× QPS at equal or better recall)

${m ? `- At matched recall (the smallest tafuta ef within ${RECALL_TOLERANCE} of Chroma's recall or above it: tafuta ef ${m.tafutaEf}, recall ${m.recall.tafuta} vs Chroma ef_search ${m.chromaEf}, recall ${m.recall.chroma}): sequential QPS **${m.sequentialQps}×**, concurrent QPS **${m.concurrentQps}×**, sequential p50 latency ${m.sequentialP50}× → target ${m.sequentialQps >= 2 && m.concurrentQps >= 2 ? 'met' : m.sequentialQps >= 2 || m.concurrentQps >= 2 ? 'met for one access pattern only' : '**not met**'}.` : '- No tafuta ef reached Chroma\'s recall.'}
${ratios.matchedRecallWorkers ? `- ${workersSetup} (the same server as ${WORKERS} processes over the same data directory, \`--workers ${WORKERS}\`) at matched recall (ef ${ratios.matchedRecallWorkers.tafutaEf}, recall ${ratios.matchedRecallWorkers.recall.tafuta}): sequential QPS **${ratios.matchedRecallWorkers.sequentialQps}×**, concurrent QPS **${ratios.matchedRecallWorkers.concurrentQps}×**.` : ''}
${ratios.sameEf ? `- At the same ef (${ratios.sameEf.tafutaEf}): recall ${ratios.sameEf.recall.tafuta} vs ${ratios.sameEf.recall.chroma}, sequential QPS ${ratios.sameEf.sequentialQps}×, concurrent QPS ${ratios.sameEf.concurrentQps}×.` : ''}
- Insert time: ${ratios.insertSeconds ?? 'n/a'}× Chroma's (lower is better for tafuta).
`;
writeReport('chroma', report, md);
process.exit(0);
