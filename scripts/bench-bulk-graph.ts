/**
 * Benchmark (issue 23, third step): the bulk graph build on real encoder vectors — usearch's construction
 * expansion (expansion_add) and its scalar type (f32 / f16), and for f16 the exact rescoring of an over-fetched
 * candidate list with the f32 vectors SQLite holds. Vectors: the first N passages of a collection written by
 * `tafuta index` (default: the `bench` collection of the issue-23 corpus), so the graph sees what the encoder makes
 * (11 languages of shuffled UDHR words: tight clusters and near-duplicates), not synthetic gaussians.
 *
 * Every variant is built in this one process, one after another (addMany in batches of 16,384 on 2 threads, the
 * bulk path of CollectionIndex.catchUpNow), and the searches run in interleaved passes, so CPU time per insert and
 * per query compares the variants under the same load (the machine is shared: wall time measures the other tenants).
 * Queries: the normalised mean of two seeded random stored passages (as bench-index-1m.ts), so none is a stored vector.
 * Rescoring reads the candidates' f32 vectors from SQLite per query with the statement SqliteDocumentStore.vectorsOf uses.
 *
 * Run: `npm run build && node dist/scripts/bench-bulk-graph.js <tafuta.db> [N]` with BENCH_BULK_VARIANTS (default
 * `f32:200,f32:128,f32:64,f32:32`; `f16:64` = f16 graph, expansion 64; `i8:32:M12` = i8, expansion 32, M 12),
 * BENCH_BULK_EFS (default 64,128,256), BENCH_BULK_OVERFETCH (candidates per hit, default 1,2,4), BENCH_BULK_OUT
 * (report name, default bulk-graph) → docs/benchmarks/<name>.{json,md}. The load average is recorded beside every
 * build and every search pass.
 */
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { createGraphStore, loadGraphStore, type GraphStore } from '../indexer/graph-store.js';
import type { UsearchScalar } from '../indexer/usearch-file.js';
import { dot } from '../indexer/vector-store.js';
import { header, loadSample, loadText, log, machineLine, percentiles, rng, round, table, tempDir, writeReport } from './bench-common.js';

const [dbFile, nArg] = process.argv.slice(2);
if (!dbFile) throw new Error('usage: bench-bulk-graph <tafuta.db> [N]');
const N = Number(nArg ?? 100_000);
const QUERIES = 200;
const K = 10;
const BATCH = 16_384;
const PASSES = 3;
const numbersOf = (text: string | undefined, fallback: number[]) => (text ? text.split(',').map(Number) : fallback);
const EFS = numbersOf(process.env.BENCH_BULK_EFS, [64, 128, 256]);
/** Candidates fetched from the graph per hit wanted, before exact rescoring (1 = no rescoring). */
const OVERFETCH = numbersOf(process.env.BENCH_BULK_OVERFETCH, [1, 2, 4]);
const name = process.env.BENCH_BULK_OUT ?? 'bulk-graph';
/** `scalar:expansion[:M]` (M 16 by default), or `/path/to/indexes/<collection>:expansion` for a saved graph. */
const variants = (process.env.BENCH_BULK_VARIANTS ?? 'f32:200,f32:128,f32:64,f32:32').split(',').map((v) => {
  const connectivity = /^(.*):M(\d+)$/.exec(v);
  const spec = connectivity ? connectivity[1]! : v;
  const at = spec.lastIndexOf(':');
  return { scalar: spec.slice(0, at) as UsearchScalar, expansion: Number(spec.slice(at + 1)), M: connectivity ? Number(connectivity[2]) : 16 };
});

const cpuSeconds = (since: NodeJS.CpuUsage) => {
  const used = process.cpuUsage(since);
  return (used.user + used.system) / 1e6;
};

const started = performance.now();
const start = loadSample();
const db = new Database(dbFile, { readonly: true });
const { id: collectionId, dim } = db.prepare("SELECT id, dim FROM collections WHERE name = 'bench'").get() as { id: number; dim: number };
const rows = db.prepare('SELECT id, embedding FROM passages WHERE collection_id = ? ORDER BY id LIMIT ?').raw().all(collectionId, N) as Array<[number, Buffer]>;
const labels = Float64Array.from(rows, ([id]) => id);
const vectors = new Float32Array(rows.length * dim);
rows.forEach(([, blob], i) => vectors.set(new Float32Array(new Uint8Array(blob).buffer), i * dim));
const n = rows.length;
const vectorAt = (i: number) => vectors.subarray(i * dim, (i + 1) * dim);
const indexOfLabel = new Map<number, number>();
labels.forEach((label, i) => indexOfLabel.set(label, i));

/**
 * Two query sets of QUERIES / 2: the normalised mean of two seeded random stored passages of the same language
 * (the corpus gives document i the i-th of its 11 languages in turn, one passage each: label − 1 ≡ language
 * mod 11), a query inside one language's cluster; and of two passages of any languages (as bench-index-1m.ts),
 * which mostly lands between two clusters, where thousands of passages are within a few hundredths of the
 * 10th best score: the hard case for a graph.
 */
const LANGUAGES = 11;
const random = rng(20261207);
const meanOf = (a: Float32Array, b: Float32Array) => {
  const mean = a.map((x, i) => x + b[i]!);
  const norm = Math.hypot(...mean);
  return mean.map((x) => x / norm);
};
const QUERY_SETS = ['same language', 'any languages'] as const;
const queries = Array.from({ length: QUERIES }, (_, q) => {
  const first = Math.floor(random() * n);
  if (q >= QUERIES / 2) return meanOf(vectorAt(first), vectorAt(Math.floor(random() * n)));
  const sameLanguage = Math.floor(random() * Math.floor(n / LANGUAGES)) * LANGUAGES + (first % LANGUAGES);
  return meanOf(vectorAt(first), vectorAt(sameLanguage));
});
const setOf = (q: number) => (q < QUERIES / 2 ? 0 : 1);
log(`bulk-graph: exact top-${K} of ${QUERIES} queries over ${n} vectors`);
const truth = queries.map((query) => {
  const top: Array<{ label: number; score: number }> = [];
  for (let i = 0; i < n; i++) {
    const score = dot(query, vectorAt(i));
    if (top.length === K && score <= top[K - 1]!.score) continue;
    top.push({ label: labels[i]!, score });
    top.sort((x, y) => y.score - x.score);
    if (top.length > K) top.pop();
  }
  return { labels: new Set(top.map((s) => s.label)), kth: top[K - 1]!.score };
});
/** recall@K with ties at the K-th score counted as hits (as bench-common's recallAt). */
const recallOf = (q: number, found: number[]) => {
  const t = truth[q]!;
  return found.slice(0, K).filter((label) => t.labels.has(label) || dot(queries[q]!, vectorAt(indexOfLabel.get(label)!)) >= t.kth - 1e-5).length;
};

// The statement of SqliteDocumentStore.vectorsOf: the exact f32 vectors of the candidates.
const vectorsOf = db.prepare('SELECT id, embedding FROM passages WHERE id IN (SELECT value FROM json_each(?))').raw();
function rescored(query: Float32Array, candidates: number[]): number[] {
  const found = vectorsOf.all(JSON.stringify(candidates)) as Array<[number, Buffer]>;
  return found
    .map(([id, blob]) => ({ id, score: dot(query, new Float32Array(blob.buffer, blob.byteOffset, dim)) }))
    .sort((a, b) => b.score - a.score || a.id - b.id)
    .map((hit) => hit.id);
}

interface Built {
  name: string;
  store: GraphStore;
  buildSeconds: number;
  buildCpuSeconds: number;
  fileBytes: number;
  /** 1-minute load average before and after the build. */
  load: [number, number];
}
const dir = tempDir('tafuta-bench-bulk-');
const built: Built[] = variants.map(({ scalar, expansion, M }) => {
  if (scalar.startsWith('/')) return loaded(scalar, expansion);
  const file = `${scalar}-${expansion}-M${M}`;
  const store = createGraphStore({ library: 'usearch', scalar, threads: 2 }, { base: path.join(dir, file), dim, params: { M, efConstruction: expansion, ef: 64 } });
  const variantName = `${scalar}, expansion_add ${expansion}${M === 16 ? '' : `, M ${M}`}`;
  log(`bulk-graph: building ${variantName}`);
  const loadBefore = loadSample().loadavg[0];
  const cpu = process.cpuUsage();
  const t0 = performance.now();
  for (let from = 0; from < n; from += BATCH) {
    const to = Math.min(n, from + BATCH);
    store.addMany(labels.subarray(from, to), vectors.subarray(from * dim, to * dim));
  }
  const buildSeconds = (performance.now() - t0) / 1000;
  const buildCpuSeconds = cpuSeconds(cpu);
  store.save();
  const fileBytes = fs.statSync(path.join(dir, `${file}.usearch`)).size;
  const load: [number, number] = [loadBefore, loadSample().loadavg[0]];
  log(`bulk-graph: ${variantName} built in ${round(buildCpuSeconds, 1)} CPU s, load ${load.join(' → ')}`);
  return { name: variantName, store, buildSeconds: round(buildSeconds, 2), buildCpuSeconds: round(buildCpuSeconds, 2), fileBytes, load };
});

/**
 * `/path/to/indexes/bench:200`: the graph `tafuta index` saved (built with expansion 200), measured as it is; its
 * build cost is in the run's log (insertMs) and GNU time, not here.
 */
function loaded(base: string, expansion: number): Built {
  const result = loadGraphStore({ library: 'usearch' }, { base, dim, params: { M: 16, efConstruction: expansion, ef: 64 }, collectionId });
  if (!result.store) throw new Error(`${base}: ${result.reason}`);
  const manifest = JSON.parse(fs.readFileSync(`${base}.manifest.json`, 'utf8')) as { scalar: string; params: { bulkEfConstruction?: number } };
  const built = manifest.params.bulkEfConstruction ?? expansion;
  return { name: `${manifest.scalar}, expansion_add ${built} (saved by tafuta index)`, store: result.store, buildSeconds: NaN, buildCpuSeconds: NaN, fileBytes: fs.statSync(`${base}.usearch`).size, load: [NaN, NaN] };
}

interface Cell {
  variant: string;
  ef: number;
  overfetch: number;
  recallAt10: [number, number];
  cpuUsPerQuery: number[];
  p99Ms: number[];
}
const cells: Cell[] = [];
/** 1-minute load average at the start of each search pass. */
const passLoads: number[] = [];
for (const b of built) {
  for (const ef of EFS) for (const overfetch of OVERFETCH) cells.push({ variant: b.name, ef, overfetch, recallAt10: [0, 0], cpuUsPerQuery: [], p99Ms: [] });
}
for (let pass = 0; pass < PASSES; pass++) {
  passLoads.push(loadSample().loadavg[0]);
  log(`bulk-graph: search pass ${pass + 1} of ${PASSES}, load ${passLoads[pass]}`);
  for (const cell of cells) {
    const store = built.find((b) => b.name === cell.variant)!.store;
    const hits = [0, 0];
    const ms: number[] = [];
    const cpu = process.cpuUsage();
    queries.forEach((query, q) => {
      const t = performance.now();
      const candidates = store.search(query, K * cell.overfetch, undefined, Math.max(cell.ef, K * cell.overfetch)).map((h) => h.label);
      const found = cell.overfetch === 1 ? candidates : rescored(query, candidates);
      ms.push(performance.now() - t);
      const set = setOf(q);
      hits[set] = hits[set]! + recallOf(q, found);
    });
    cell.cpuUsPerQuery.push(Math.round((cpuSeconds(cpu) * 1e6) / QUERIES));
    cell.p99Ms.push(percentiles(ms).p99);
    cell.recallAt10 = [round(hits[0]! / ((QUERIES / 2) * K), 4), round(hits[1]! / ((QUERIES / 2) * K), 4)];
  }
}
fs.rmSync(dir, { recursive: true, force: true });
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const h = header(name, 'scripts/bench-bulk-graph.ts', start, started);
const command = `BENCH_BULK_EFS=${EFS.join(',')} BENCH_BULK_OVERFETCH=${OVERFETCH.join(',')} BENCH_BULK_VARIANTS=${variants.map((v) => `${v.scalar}:${v.expansion}${v.M === 16 ? '' : `:M${v.M}`}`).join(',')} BENCH_BULK_OUT=${name} node dist/scripts/bench-bulk-graph.js <tafuta.db of a 'tafuta index' of the issue-23 corpus> ${N}`;
const markdown = [
  `# Bulk graph build on ${n} encoder vectors (dim ${dim}, M 16 unless said): construction expansion, f32 / f16 / i8, exact rescoring`,
  '',
  machineLine(h),
  '',
  `Command: \`${command}\`. Build = addMany in batches of ${BATCH} on 2 threads; CPU s = user + system of the process (all threads). ` +
    `${QUERIES} queries (${QUERY_SETS.map((set) => `${QUERIES / 2} ${set}`).join(', ')}), recall@${K} against exact search; search CPU µs per query over ${PASSES} interleaved passes (median; the rescoring's SQLite reads included). ` +
    `1-minute load at the start of each search pass: ${passLoads.join(', ')}.`,
  '',
  table(
    ['graph', 'build s (wall)', 'build CPU s', 'build CPU ms / vector', 'file bytes / vector', 'load (1 min) before → after'],
    built.map((b) => [b.name, b.buildSeconds, b.buildCpuSeconds, round((b.buildCpuSeconds * 1000) / n, 3), round(b.fileBytes / n, 0), b.load.join(' → ')]),
  ),
  '',
  table(
    ['graph', 'ef', 'candidates (× k) rescored', ...QUERY_SETS.map((set) => `recall@${K}, ${set}`), 'search CPU µs / query (median of passes)', 'p99 ms (median of passes)'],
    cells.map((c) => [c.variant, c.ef, c.overfetch === 1 ? 'no rescoring' : `${c.overfetch}×`, ...c.recallAt10, median(c.cpuUsPerQuery), median(c.p99Ms)]),
  ),
  '',
].join('\n');
writeReport(name, { ...h, command, n, dim, queries: QUERIES, built: built.map(({ store: _store, ...b }) => b), cells, passLoads, load: { start: loadText(start), end: loadText(loadSample()) } }, markdown);
