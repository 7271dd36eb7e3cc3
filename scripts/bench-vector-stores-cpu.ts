/**
 * Benchmark (issue 23), the load-robust companion of bench-vector-stores.ts: hnswlib-node and usearch (f32, f16)
 * built from the same seeded clustered vectors on one thread each, in one process, then searched in interleaved
 * passes; reports CPU time (process.cpuUsage), not wall time, per vector inserted and per query at ef 64. On a
 * shared machine whose load is far above its cores, wall time measures the other tenants; CPU time does not.
 * Run: `npm run build && BENCH_STORES_N=10000 node dist/scripts/bench-vector-stores-cpu.js` → docs/benchmarks/vector-stores-cpu.{json,md}.
 */
import { createGraphStore, type GraphChoice, type GraphStore } from '../indexer/graph-store.js';
import { CLUSTERED_DEFAULT, clusteredVectors, header, loadSample, machineLine, round, row, table, writeReport } from './bench-common.js';

const N = Number(process.env.BENCH_STORES_N ?? 10_000);
const QUERIES = 500;
const PASSES = 3;
const PARAMS = { M: 16, efConstruction: 200, ef: 64 };
const VARIANTS: Array<[string, GraphChoice]> = [
  ['hnswlib-node f32', { library: 'hnswlib' }],
  ['usearch f32', { library: 'usearch', scalar: 'f32', threads: 1 }],
  ['usearch f16', { library: 'usearch', scalar: 'f16', threads: 1 }],
];

const cpuSeconds = (since: NodeJS.CpuUsage) => {
  const used = process.cpuUsage(since);
  return (used.user + used.system) / 1e6;
};

const started = performance.now();
const start = loadSample();
const { base, queries } = clusteredVectors(CLUSTERED_DEFAULT, N, QUERIES);
const labels = Float64Array.from({ length: N }, (_, i) => i + 1);
const built = VARIANTS.map(([name, choice]) => {
  const store: GraphStore = createGraphStore(choice, { dim: base.dim, params: PARAMS });
  const before = process.cpuUsage();
  store.addMany(labels, base.data);
  return { name, store, buildCpuMsPerVector: round((cpuSeconds(before) * 1000) / N, 4), queryCpuUs: [] as number[] };
});
for (let pass = 0; pass < PASSES; pass++) {
  for (const variant of built) {
    const before = process.cpuUsage();
    for (let q = 0; q < QUERIES; q++) variant.store.search(row(queries, q), 10, undefined, 64);
    variant.queryCpuUs.push(Math.round((cpuSeconds(before) * 1e6) / QUERIES));
  }
}
const h = header('vector-stores-cpu', 'scripts/bench-vector-stores-cpu.ts', start, started);
const results = built.map(({ name, buildCpuMsPerVector, queryCpuUs }) => ({ name, buildCpuMsPerVector, queryCpuUs, queryCpuUsMedian: [...queryCpuUs].sort((a, b) => a - b)[1]! }));
const markdown = [
  `# Graph stores, CPU time: ${N} clustered vectors (dim ${CLUSTERED_DEFAULT.dim}, M ${PARAMS.M}, efConstruction ${PARAMS.efConstruction}), one thread each, ${QUERIES} queries × ${PASSES} interleaved passes at ef 64`,
  '',
  machineLine(h),
  '',
  `Command: \`BENCH_STORES_N=${N} node dist/scripts/bench-vector-stores-cpu.js\`.`,
  '',
  table(['store', 'build CPU ms / vector', 'search CPU µs / query (passes)', 'median'], results.map((r) => [r.name, r.buildCpuMsPerVector, r.queryCpuUs.join(', '), r.queryCpuUsMedian])),
  '',
].join('\n');
writeReport('vector-stores-cpu', { ...h, command: `BENCH_STORES_N=${N} node dist/scripts/bench-vector-stores-cpu.js`, n: N, params: PARAMS, results }, markdown);
