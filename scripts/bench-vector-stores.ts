/**
 * Benchmark (issue 23): the two graph stores behind the VectorStore seam — hnswlib-node and usearch (f32 / f16 /
 * i8, 1 or 2 insert threads) — on the same seeded clustered vectors: bulk build (addMany in batches of 16,384, the
 * bulk path of CollectionIndex.catchUpNow), wall and CPU seconds, RSS growth, file bytes, save time,
 * recall@10 against exact search and single-thread QPS at ef 64 (and 32 / 128). Each store is built in a child
 * process of its own, so that one's memory does not count against the next.
 * Run: `npm run build && BENCH_STORES_N=100000 npm run bench:vector-stores` → docs/benchmarks/vector-stores.{json,md}.
 */
import { fork } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createGraphStore, type GraphChoice } from '../indexer/graph-store.js';
import {
  CLUSTERED_DEFAULT,
  clusteredVectors,
  exactTopK,
  gc,
  header,
  loadSample,
  loadText,
  log,
  machineLine,
  percentiles,
  recallAt,
  round,
  row,
  table,
  tempDir,
  writeReport,
} from './bench-common.js';

const N = Number(process.env.BENCH_STORES_N ?? 100_000);
const QUERIES = 1000;
const BATCH = 16_384;
const PARAMS = { M: 16, efConstruction: 200, ef: 64 };
const EFS = [32, 64, 128];

interface Variant {
  name: string;
  choice: GraphChoice;
}
const VARIANTS: Variant[] = [
  { name: 'hnswlib-node (f32, 1 thread)', choice: { library: 'hnswlib' } },
  { name: 'usearch f32, 1 thread', choice: { library: 'usearch', scalar: 'f32', threads: 1 } },
  { name: 'usearch f32, 2 threads', choice: { library: 'usearch', scalar: 'f32', threads: 2 } },
  { name: 'usearch f16, 2 threads', choice: { library: 'usearch', scalar: 'f16', threads: 2 } },
  { name: 'usearch i8, 2 threads', choice: { library: 'usearch', scalar: 'i8', threads: 2 } },
];

interface VariantResult {
  name: string;
  buildSeconds: number;
  buildCpuSeconds: number;
  vectorsPerSecond: number;
  rssGrowthMiB: number;
  fileBytes: number;
  saveSeconds: number;
  curve: Array<{ ef: number; recallAt10: number; qps: number; p50: number; p99: number }>;
  load: { start: string; end: string };
}

function runVariant(variant: Variant): VariantResult {
  const start = loadSample();
  const { base, queries } = clusteredVectors(CLUSTERED_DEFAULT, N, QUERIES);
  const truth = exactTopK(base, queries, 10);
  gc();
  const rssBefore = process.memoryUsage().rss;
  const dir = tempDir('tafuta-bench-stores-');
  const store = createGraphStore(variant.choice, { base: path.join(dir, 'g'), dim: base.dim, params: PARAMS });
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const labels = new Float64Array(BATCH);
  for (let from = 0; from < N; from += BATCH) {
    const n = Math.min(BATCH, N - from);
    for (let i = 0; i < n; i++) labels[i] = from + i + 1; // passage ids start at 1
    store.addMany(labels.subarray(0, n), base.data.subarray(from * base.dim, (from + n) * base.dim));
  }
  const buildSeconds = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  gc();
  const rssGrowthMiB = round((process.memoryUsage().rss - rssBefore) / 2 ** 20, 1);
  const s0 = performance.now();
  store.save();
  const saveSeconds = (performance.now() - s0) / 1000;
  const file = fs.readdirSync(dir).find((f) => !f.endsWith('.json'))!;
  const fileBytes = fs.statSync(path.join(dir, file)).size;
  const curve = EFS.map((ef) => {
    const results: number[][] = [];
    const ms: number[] = [];
    const started = performance.now();
    for (let q = 0; q < queries.n; q++) {
      const t = performance.now();
      const hits = store.search(row(queries, q), 10, undefined, ef);
      ms.push(performance.now() - t);
      results.push(hits.map((h) => h.label - 1));
    }
    const seconds = (performance.now() - started) / 1000;
    const latency = percentiles(ms);
    return { ef, recallAt10: round(recallAt(truth, base, queries, results), 4), qps: Math.round(queries.n / seconds), p50: latency.p50, p99: latency.p99 };
  });
  fs.rmSync(dir, { recursive: true, force: true });
  return {
    name: variant.name,
    buildSeconds: round(buildSeconds, 2),
    buildCpuSeconds: round((cpu.user + cpu.system) / 1e6, 2),
    vectorsPerSecond: Math.round(N / buildSeconds),
    rssGrowthMiB,
    fileBytes,
    saveSeconds: round(saveSeconds, 3),
    curve,
    load: { start: loadText(start), end: loadText(loadSample()) },
  };
}

function inChild(variant: number): Promise<VariantResult> {
  return new Promise((resolve, reject) => {
    const child = fork(fileURLToPath(import.meta.url), ['--variant', String(variant)], { execArgv: ['--expose-gc'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    child.once('message', (m) => resolve(m as VariantResult));
    child.once('exit', (code) => (code === 0 ? undefined : reject(new Error(`variant ${variant} exited with ${code}`))));
  });
}

async function main(): Promise<void> {
  const at = process.argv.indexOf('--variant');
  if (at >= 0) {
    process.send!(runVariant(VARIANTS[Number(process.argv[at + 1])]!));
    process.disconnect();
    return;
  }
  const started = performance.now();
  const start = loadSample();
  const only = process.env.BENCH_STORES_ONLY?.split(',').map(Number);
  const results: VariantResult[] = [];
  for (let i = 0; i < VARIANTS.length; i++) {
    if (only && !only.includes(i)) continue;
    log(`vector-stores: ${VARIANTS[i]!.name}, ${N} vectors`);
    results.push(await inChild(i));
  }
  const h = header('vector-stores', 'scripts/bench-vector-stores.ts', start, started);
  const rows = results.map((r) => {
    const at64 = r.curve.find((c) => c.ef === 64)!;
    return [r.name, r.buildSeconds, r.buildCpuSeconds, r.vectorsPerSecond, r.rssGrowthMiB, round(r.fileBytes / N, 0), r.saveSeconds, ...r.curve.map((c) => `${c.recallAt10} / ${c.qps}`), at64.p99, `${r.load.start} → ${r.load.end}`];
  });
  const markdown = [
    `# Graph stores: hnswlib-node vs usearch (${N} clustered vectors, dim ${CLUSTERED_DEFAULT.dim}, M ${PARAMS.M}, efConstruction ${PARAMS.efConstruction})`,
    '',
    machineLine(h),
    '',
    `Command: \`BENCH_STORES_N=${N} npm run bench:vector-stores\`. Build = addMany in batches of ${BATCH} (the bulk path). CPU s = user + system of the process (all threads): on a loaded shared machine wall time overstates the cost, CPU time does not.`,
    '',
    table(['store', 'build s', 'build CPU s', 'vectors/s', 'RSS growth MiB', 'file bytes/vector', 'save s', ...EFS.map((ef) => `ef ${ef}: recall@10 / QPS`), 'p99 ms (ef 64)', 'load (1 min) start → end'], rows),
    '',
  ].join('\n');
  writeReport('vector-stores', { ...h, command: `BENCH_STORES_N=${N} npm run bench:vector-stores`, n: N, params: PARAMS, results }, markdown);
}

await main();
