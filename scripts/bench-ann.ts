/**
 * Benchmark: the ANN layer alone — HnswVectorStore (hnswlib-node, cosine) recall@10 and single-thread QPS as a
 * function of ef, build time and memory. Writes docs/benchmarks/ann.json and ann.md. Run: `npm run bench:ann`.
 *
 * Data: (1) 100k seeded clustered synthetic unit vectors, dim 256 (mixture of 1000 gaussian centres, see
 * bench-common.ts), 1000 queries from the same mixture; (2) real vectors: the demo corpus × 30 encoded by the
 * shipped baseline encoder (hashed-ngram-v1), 1000 queries = 8-word windows of demo passages.
 * Ground truth: exact top-10 by brute force. Queries go through `HnswVectorStore.search` exactly as the engine
 * calls it (Float32Array → Array conversion included), one at a time on the main thread.
 */
import fs from 'node:fs';
import { DEFAULT_COLLECTION_CONFIG, defaultEfFor } from '../indexer/config.js';
import { HnswVectorStore } from '../indexer/hnsw-store.js';
import { splitPassages } from '../indexer/passages.js';
import type { HnswParams } from '../indexer/types.js';
import { createHashedNgramEncoder } from '../models/hashed-ngram-encoder.js';
import {
  CLUSTERED_DEFAULT,
  clusteredVectors,
  deadline,
  DEMO_CORPUS,
  dot,
  exactTopK,
  gc,
  header,
  loadSample,
  log,
  machineLine,
  percentiles,
  recallAt,
  round,
  row,
  rssMiB,
  table,
  writeReport,
  type LoadSample,
  type VectorSet,
} from './bench-common.js';

const N = Number(process.env.BENCH_ANN_N ?? 100_000);
const QUERIES = 1000;
const K = 10;
const EFS = [16, 32, 64, 128, 256] as const;
const TARGET_RECALL = 0.98;
const PASSES = 3;
const DEMO_SCALE = 30;

interface CurvePoint {
  ef: number;
  recallAt10: number;
  qps: number;
  qpsPasses: number[];
  latencyMs: ReturnType<typeof percentiles>;
  load: LoadSample;
}

interface DatasetResult {
  name: string;
  description: string;
  n: number;
  dim: number;
  queries: number;
  params: Pick<HnswParams, 'M' | 'efConstruction'>;
  exactSeconds: number;
  buildSeconds: number;
  buildPerSecond: number;
  rssBeforeMiB: number;
  rssAfterMiB: number;
  rssDeltaMiB: number;
  rawVectorsMiB: number;
  curve: CurvePoint[];
  recommendedEf: number | null;
  load: { start: LoadSample; end: LoadSample };
}

function bench(name: string, description: string, base: VectorSet, queries: VectorSet): DatasetResult {
  const start = loadSample();
  log(`${name}: exact top-${K} for ${queries.n} queries over ${base.n} vectors`);
  const gt = exactTopK(base, queries, K);
  log(`${name}: exact search took ${gt.seconds.toFixed(1)} s; building HNSW`);
  const params: HnswParams = { ...DEFAULT_COLLECTION_CONFIG.hnsw };
  gc();
  const rssBefore = rssMiB();
  const buildStart = performance.now();
  const store = HnswVectorStore.create({ dim: base.dim, params });
  for (let i = 0; i < base.n; i++) store.add(i, row(base, i));
  const buildSeconds = (performance.now() - buildStart) / 1000;
  gc();
  const rssAfter = rssMiB();
  log(`${name}: built in ${buildSeconds.toFixed(1)} s, RSS +${(rssAfter - rssBefore).toFixed(1)} MiB`);

  // Passes are interleaved (pass 1: every ef, pass 2: every ef, …) so that load from other processes drifting
  // during the run hits every ef alike; QPS is the median pass, recall comes from the first pass.
  const results = new Map<number, number[][]>();
  const times = new Map<number, number[]>();
  const qpsPasses = new Map<number, number[]>();
  for (const ef of EFS) {
    results.set(ef, []);
    times.set(ef, []);
    qpsPasses.set(ef, []);
  }
  params.ef = EFS[0];
  for (let q = 0; q < Math.min(200, queries.n); q++) store.search(row(queries, q), K); // warm-up
  for (let pass = 0; pass < PASSES; pass++) {
    for (const ef of EFS) {
      // HnswVectorStore keeps the params object it was given; search() applies params.ef on every call.
      params.ef = ef;
      const efTimes = times.get(ef)!;
      const passStart = performance.now();
      for (let q = 0; q < queries.n; q++) {
        const t = performance.now();
        const hits = store.search(row(queries, q), K);
        efTimes.push(performance.now() - t);
        if (pass === 0) results.get(ef)!.push(hits.map((h) => h.label));
      }
      qpsPasses.get(ef)!.push(round(queries.n / ((performance.now() - passStart) / 1000), 0));
    }
    log(`${name}: pass ${pass + 1}: ${EFS.map((ef) => `ef=${ef} ${qpsPasses.get(ef)![pass]} QPS`).join(', ')}`);
  }
  const curve: CurvePoint[] = EFS.map((ef) => {
    const passes = qpsPasses.get(ef)!;
    const sorted = [...passes].sort((a, b) => a - b);
    return {
      ef,
      recallAt10: round(recallAt(gt, base, queries, results.get(ef)!), 4),
      qps: sorted[Math.floor(sorted.length / 2)]!,
      qpsPasses: passes,
      latencyMs: percentiles(times.get(ef)!),
      load: loadSample(),
    };
  });
  for (const p of curve) log(`${name}: ef=${p.ef} recall@10=${p.recallAt10} qps=${p.qps} (${p.qpsPasses.join(', ')})`);
  const recommended = curve.find((p) => p.recallAt10 >= TARGET_RECALL)?.ef ?? null;
  return {
    name,
    description,
    n: base.n,
    dim: base.dim,
    queries: queries.n,
    params: { M: params.M, efConstruction: params.efConstruction },
    exactSeconds: round(gt.seconds, 1),
    buildSeconds: round(buildSeconds, 2),
    buildPerSecond: round(base.n / buildSeconds, 0),
    rssBeforeMiB: rssBefore,
    rssAfterMiB: rssAfter,
    rssDeltaMiB: round(rssAfter - rssBefore, 1),
    rawVectorsMiB: round((base.n * base.dim * 4) / 2 ** 20, 1),
    curve,
    recommendedEf: recommended,
    load: { start, end: loadSample() },
  };
}

interface Int8Result {
  queries: number;
  candidates: number;
  recallInt8Only: number;
  recallRescored: number;
  bytesPerVectorInt8: number;
  bytesPerVectorFloat32: number;
  scanSeconds: number;
}

/**
 * int8 scalar quantisation, measured cheaply: per-dimension symmetric scales (max |x| / 127 over the base),
 * asymmetric scoring (float query · int8 base · scale), exact scan over a query subset. Reports recall@10 of the
 * int8 scores alone and after rescoring the int8 top-`candidates` with the float vectors. This is the accuracy
 * cost of storing int8 vectors, not an int8 HNSW (hnswlib-node has none).
 */
function int8Quantisation(base: VectorSet, queries: VectorSet, nQueries: number, candidates: number): Int8Result {
  const { dim } = base;
  const scale = new Float32Array(dim);
  for (let i = 0; i < base.n; i++) for (let j = 0; j < dim; j++) scale[j] = Math.max(scale[j]!, Math.abs(base.data[i * dim + j]!));
  for (let j = 0; j < dim; j++) scale[j] = scale[j]! / 127 || 1;
  const q8 = new Int8Array(base.n * dim);
  for (let i = 0; i < base.n; i++) for (let j = 0; j < dim; j++) q8[i * dim + j] = Math.round(base.data[i * dim + j]! / scale[j]!);
  const subset: VectorSet = { n: nQueries, dim, data: queries.data.subarray(0, nQueries * dim) };
  const gt = exactTopK(base, subset, K);
  const t0 = performance.now();
  const int8Only: number[][] = [];
  const rescored: number[][] = [];
  const scaled = new Float32Array(dim);
  for (let q = 0; q < nQueries; q++) {
    for (let j = 0; j < dim; j++) scaled[j] = subset.data[q * dim + j]! * scale[j]!;
    const topId = new Int32Array(candidates).fill(-1);
    const topSim = new Float32Array(candidates).fill(-Infinity);
    for (let i = 0; i < base.n; i++) {
      let s = 0;
      const o = i * dim;
      for (let j = 0; j < dim; j++) s += scaled[j]! * q8[o + j]!;
      if (s <= topSim[candidates - 1]!) continue;
      let p = candidates - 1;
      while (p > 0 && topSim[p - 1]! < s) {
        topSim[p] = topSim[p - 1]!;
        topId[p] = topId[p - 1]!;
        p--;
      }
      topSim[p] = s;
      topId[p] = i;
    }
    int8Only.push(Array.from(topId.subarray(0, K)));
    const exact = Array.from(topId).map((id) => ({ id, s: dot(subset.data, q * dim, base.data, id * dim, dim) }));
    exact.sort((a, b) => b.s - a.s);
    rescored.push(exact.slice(0, K).map((e) => e.id));
  }
  return {
    queries: nQueries,
    candidates,
    recallInt8Only: round(recallAt(gt, base, subset, int8Only), 4),
    recallRescored: round(recallAt(gt, base, subset, rescored), 4),
    bytesPerVectorInt8: dim,
    bytesPerVectorFloat32: dim * 4,
    scanSeconds: round((performance.now() - t0) / 1000, 1),
  };
}

/** Demo corpus × 30 (copy-suffixed like bench-demo) as passages, and 1000 8-word query windows. */
function demoTexts(): { passages: string[]; queries: string[] } {
  const docs = fs.readFileSync(DEMO_CORPUS, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { text: string });
  const passages: string[] = [];
  for (let copy = 0; copy < DEMO_SCALE; copy++) {
    for (const doc of docs) for (const span of splitPassages(`${doc.text} (${copy})`, DEFAULT_COLLECTION_CONFIG.passages)) passages.push(span.text);
  }
  const queries: string[] = [];
  for (let i = 0; queries.length < QUERIES; i++) {
    const words = docs[(i * 37) % docs.length]!.text.split(/\s+/);
    const offset = (Math.floor((i * 37) / docs.length) * 8) % Math.max(1, words.length - 8);
    queries.push(words.slice(offset, offset + 8).join(' '));
  }
  return { passages, queries };
}

async function encodeAll(texts: string[], kind: 'query' | 'passage'): Promise<VectorSet> {
  const encoder = createHashedNgramEncoder();
  const dim = encoder.info.dim;
  const data = new Float32Array(texts.length * dim);
  for (let i = 0; i < texts.length; i += 256) {
    const vectors = await encoder.embed(texts.slice(i, i + 256), { kind });
    vectors.forEach((v, j) => data.set(v, (i + j) * dim));
  }
  return { n: texts.length, dim, data };
}

deadline(15 * 60, 'bench-ann');
const startedMs = performance.now();
const start = loadSample();

log(`generating ${N} clustered vectors`);
const synthetic = clusteredVectors(CLUSTERED_DEFAULT, N, QUERIES);
const datasets: DatasetResult[] = [];
datasets.push(bench(
  'clustered-100k',
  `${N} seeded synthetic unit vectors, dim ${CLUSTERED_DEFAULT.dim}: mixture of ${CLUSTERED_DEFAULT.centres} gaussian centres ` +
    `(noise ${CLUSTERED_DEFAULT.noise}, seed ${CLUSTERED_DEFAULT.seed}); ${QUERIES} queries from the same mixture`,
  synthetic.base,
  synthetic.queries,
));

log('int8 quantisation (exact scan, 200 queries)');
const int8 = int8Quantisation(synthetic.base, synthetic.queries, 200, 40);
log(`int8: ${JSON.stringify(int8)}`);

log('encoding demo corpus × 30 with hashed-ngram-v1');
const texts = demoTexts();
const demoBase = await encodeAll(texts.passages, 'passage');
const demoQueries = await encodeAll(texts.queries, 'query');
datasets.push(bench(
  'demo-x30-hashed-ngram',
  `demo corpus × ${DEMO_SCALE} (${demoBase.n} passages) encoded by hashed-ngram-v1 (dim ${demoBase.dim}); ` +
    `${QUERIES} queries = 8-word windows of demo passages`,
  demoBase,
  demoQueries,
));

const h = header('ann', 'scripts/bench-ann.ts', start, startedMs);
const verdicts = datasets.map((d) => {
  // A collection of d.n passages that sets no ef searches with this one (config.ts).
  const defaultEf = defaultEfFor(d.n);
  const atDefault = d.curve.find((p) => p.ef === defaultEf);
  return {
    dataset: d.name,
    recommendedEf: d.recommendedEf,
    defaultEf,
    recallAtDefault: atDefault?.recallAt10 ?? null,
    defaultMeetsTarget: atDefault !== undefined && atDefault.recallAt10 >= TARGET_RECALL,
  };
});
const report = { ...h, k: K, targetRecall: TARGET_RECALL, efs: EFS, passes: PASSES, datasets, verdicts, int8 };

const sections = datasets.map((d) => `## ${d.name}

${d.description}. HNSW M = ${d.params.M}, efConstruction = ${d.params.efConstruction} (tafuta defaults), cosine.
Build: ${d.buildSeconds} s (${d.buildPerSecond} vectors/s, one thread, \`HnswVectorStore.add\`); RSS ${d.rssBeforeMiB} → ${d.rssAfterMiB} MiB
(+${d.rssDeltaMiB} MiB for the index; the raw float32 vectors alone are ${d.rawVectorsMiB} MiB). Exact top-${K} by brute force: ${d.exactSeconds} s.
Load average ${d.load.start.loadavg.join(' / ')} → ${d.load.end.loadavg.join(' / ')}.

${table(
  ['ef', 'recall@10', 'QPS (median of 3 passes)', 'QPS passes', 'latency p50 / p99 ms'],
  d.curve.map((p) => [p.ef, p.recallAt10.toFixed(4), p.qps, p.qpsPasses.join(', '), `${p.latencyMs.p50} / ${p.latencyMs.p99}`]),
)}

Smallest ef with recall@10 ≥ ${TARGET_RECALL}: **${d.recommendedEf ?? `none up to ${EFS[EFS.length - 1]}`}**.
`);

const md = `# ANN benchmark: HNSW recall@10 vs QPS

Generated by \`${h.command}\` (${h.script}); ${machineLine(h)}.

Single-thread: one query at a time through \`HnswVectorStore.search\` (what dense search calls), k = ${K}, ${QUERIES} queries,
each ef timed over ${PASSES} interleaved passes (QPS is the median pass; the machine is shared, see load). Recall@10 counts a returned
vector as correct when it is in the exact top-10 or ties the 10th exact similarity within 1e-5.

${sections.join('\n')}
## Verdict

${verdicts.map((v) => `- ${v.dataset}: recommended ef = ${v.recommendedEf ?? 'n/a'}; current default ef = ${v.defaultEf} gives recall@10 = ${v.recallAtDefault} → ${v.defaultMeetsTarget ? 'meets' : 'does **not** meet'} the ${TARGET_RECALL} target.`).join('\n')}
`;
const int8Md = `
## int8 scalar quantisation (accuracy only)

${synthetic.base.n} clustered vectors quantised to int8 per dimension (symmetric, scale = max |x| / 127), float query × int8 base,
exact scan over the first ${int8.queries} queries (${int8.scanSeconds} s): recall@10 **${int8.recallInt8Only}** from int8 scores alone,
**${int8.recallRescored}** after rescoring the int8 top-${int8.candidates} with float32. Storage: ${int8.bytesPerVectorInt8} bytes per vector
(+ one shared scale per dimension) instead of ${int8.bytesPerVectorFloat32}. Not measured: an int8 HNSW (hnswlib-node stores float32 only),
so the 4× saving would apply to the SQLite vector column and a rescoring tier, not to the graph.
`;
writeReport('ann', report, md + int8Md);
