/**
 * Benchmark (issue 23): `tafuta index` of 1M passages end to end with the default encoder (cmtp-base), as a new user
 * runs it, then what it left: wall time, passages/s, peak RSS (GNU time) and RSS by phase (the process's /proc status
 * sampled every 250 ms, phases told by its own log lines), bytes per passage on disk, and recall@10 of the saved graph
 * against exact search over the stored vectors (queries: the normalised mean of two seeded random passages, so none
 * is a stored vector), with the graph's single-thread QPS.
 *
 * Run: `npm run build && BENCH_INDEX_1M=1 npm run bench:index-1m` (≈ 0.5 GB corpus and ≈ 2 GB data directory in the
 * system temp dir; many minutes). `BENCH_INDEX_1M_DOCS` changes the size (the report is then index-<N>k.md);
 * `BENCH_INDEX_1M_RECALL=0` skips the recall measurement. `--measure <dataDir> <time.log> <cli.out> [memory.jsonl]`
 * measures a run made by hand with the same command (printed by the script) instead of running it.
 */
import { execFileSync, spawn } from 'node:child_process';
import { once } from 'node:events';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { PACKAGE_ROOT } from '../bin/runtime.js';
import { RESCORED_CANDIDATES_PER_HIT } from '../indexer/tiered-search.js';
import { defaultEfFor, searchEfOf } from '../indexer/config.js';
import { DEFAULT_GRAPH, loadGraphStore } from '../indexer/graph-store.js';
import { dot } from '../indexer/vector-store.js';
import {
  dirBytes, firstChildPid, header, loadSample, loadText, log, machineLine, memoryByPhase, percentiles, rng, round, sampleMemory, table, writeReport,
  type LoadSample, type MemorySample, type Phase,
} from './bench-common.js';

const QUERIES = 200;
const LANGUAGES = 11;
const K = 10;

interface RunFiles {
  dataDir: string;
  /** GNU time's report, after the CLI's stderr (JSON log lines). */
  timeLog: string;
  cliOut: string;
  /** The index process's memory samples, a JSON line each (none for a run made by hand). */
  memoryLog?: string | undefined;
}

async function runIndex(documents: number): Promise<RunFiles & { load: { start: LoadSample; end: LoadSample } }> {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'tafuta-index-1m-'));
  const corpus = path.join(work, 'corpus.jsonl');
  log(`index-1m: writing ${documents} documents to ${corpus}`);
  execFileSync(process.execPath, [path.join(PACKAGE_ROOT, 'dist', 'scripts', 'bench-index-corpus.js'), String(documents), corpus]);
  const files = { dataDir: path.join(work, 'data'), timeLog: path.join(work, 'time.log'), cliOut: path.join(work, 'cli.out'), memoryLog: path.join(work, 'memory.jsonl') };
  const args = ['-v', process.execPath, path.join(PACKAGE_ROOT, 'dist', 'bin', 'tafuta.js'), 'index', '-c', 'bench', '-i', corpus, '-d', files.dataDir];
  log(`index-1m: /usr/bin/time ${args.join(' ')}`);
  const start = loadSample();
  const run = spawn('/usr/bin/time', args, { stdio: ['ignore', 'pipe', 'pipe'] });
  const memory = sampleMemory(() => firstChildPid(run.pid!)); // node, not /usr/bin/time
  const [stdout, stderr] = [collected(run.stdout), collected(run.stderr)];
  const [status] = (await once(run, 'close')) as [number | null];
  fs.writeFileSync(files.memoryLog, memory.stop().map((sample) => `${JSON.stringify(sample)}\n`).join(''));
  fs.writeFileSync(files.timeLog, stderr());
  fs.writeFileSync(files.cliOut, stdout());
  if (status !== 0) throw new Error(`tafuta index exited with ${status}: ${stderr().slice(-2000)}`);
  return { ...files, load: { start, end: loadSample() } };
}

function collected(stream: NodeJS.ReadableStream): () => string {
  const chunks: Buffer[] = [];
  stream.on('data', (chunk: Buffer) => chunks.push(chunk));
  return () => Buffer.concat(chunks).toString('utf8');
}

/**
 * The phases of a `tafuta index` run, from the JSON log lines (pino, `time` in epoch ms) it writes to stderr off a
 * terminal: a progress line after each committed batch, then one when the graph is built from SQLite and saved.
 */
function indexPhases(cliStderr: string, samples: readonly MemorySample[]): Phase[] {
  const lines = cliStderr.split('\n').filter((line) => line.startsWith('{')).map((line) => JSON.parse(line) as { msg?: string; time: number; saveMs?: number });
  const commits = lines.filter((line) => line.msg === 'indexing').map((line) => line.time);
  const saved = lines.find((line) => line.msg === 'vector index caught up and saved');
  if (commits.length === 0 || !saved) throw new Error('no progress or "caught up and saved" line in the log: was it run off a terminal, without -q?');
  const saveStarted = saved.time - saved.saveMs!;
  return [
    { name: 'start-up and first batch', fromMs: samples[0]!.atMs, toMs: commits[0]! },
    { name: 'import: read, split, encode, SQLite', fromMs: commits[0]!, toMs: commits.at(-1)! },
    { name: 'graph: bulk build from SQLite', fromMs: commits.at(-1)!, toMs: saveStarted },
    { name: 'graph: save (file, checksum, manifest)', fromMs: saveStarted, toMs: saved.time },
    { name: 'exit', fromMs: saved.time, toMs: samples.at(-1)!.atMs + 1 },
  ];
}

/** Exact top-k of each query over every stored vector, streamed from SQLite. */
function exactTopK(db: Database.Database, collectionId: number, queries: Float32Array[]): number[][] {
  const tops = queries.map(() => [] as Array<[number, number]>);
  const rows = db.prepare('SELECT id, embedding FROM passages WHERE collection_id = ?').raw().iterate(collectionId) as IterableIterator<[number, Buffer]>;
  for (const [id, blob] of rows) {
    const vector = new Float32Array(new Uint8Array(blob).buffer);
    queries.forEach((query, q) => {
      const top = tops[q]!;
      const score = dot(query, vector);
      if (top.length < K || score > top[top.length - 1]![1]) {
        top.push([id, score]);
        top.sort((a, b) => b[1] - a[1]);
        if (top.length > K) top.pop();
      }
    });
  }
  return tops.map((top) => top.map(([id]) => id));
}

/** Recall@K of the saved graph against exact search, at several ef, with its single-thread latency. */
function recallCurve(dataDir: string) {
  const db = new Database(path.join(dataDir, 'tafuta.db'), { readonly: true });
  const { id: collectionId, dim, config } = db.prepare("SELECT id, dim, config FROM collections WHERE name = 'bench'").get() as { id: number; dim: number; config: string };
  const ids = db.prepare('SELECT id FROM passages WHERE collection_id = ? ORDER BY id').pluck().all(collectionId) as number[];
  const random = rng(20261206);
  const vectorOf = db.prepare('SELECT embedding FROM passages WHERE id = ?').pluck();
  const stored = (id: number) => new Float32Array(new Uint8Array(vectorOf.get(id) as Buffer).buffer);
  // Two sets (see bench-bulk-graph.ts): the mean of two passages of one language (the corpus gives document i the
  // i-th of its 11 languages in turn), and of two passages of any languages, which lands between clusters (hard).
  const queries = Array.from({ length: QUERIES }, (_, q) => {
    const first = Math.floor(random() * ids.length);
    const second = q < QUERIES / 2 ? Math.floor(random() * Math.floor(ids.length / LANGUAGES)) * LANGUAGES + (first % LANGUAGES) : Math.floor(random() * ids.length);
    const [a, b] = [stored(ids[first]!), stored(ids[second]!)];
    const mean = a.map((x, i) => x + b[i]!);
    const norm = Math.hypot(...mean);
    return mean.map((x) => x / norm);
  });
  log(`index-1m: exact top-${K} of ${QUERIES} queries over ${ids.length} vectors`);
  const truth = exactTopK(db, collectionId, queries);
  const hnsw = (JSON.parse(config) as { hnsw: { M: number; efConstruction: number; ef?: number } }).hnsw;
  const loadStarted = performance.now();
  const graph = loadGraphStore(DEFAULT_GRAPH, { base: path.join(dataDir, 'indexes', 'bench'), dim, params: hnsw, collectionId });
  if (!graph.store) throw new Error(`saved graph not loadable: ${graph.reason}`);
  const graphLoadSeconds = round((performance.now() - loadStarted) / 1000, 2);
  /**
   * The ef a search without one uses on this collection (config.ts: the collection's, else the calibration `tafuta
   * index` saved with the graph, else the default for its size), and the size default for comparison.
   */
  const calibration = graph.store.efCalibration;
  const defaultEf = searchEfOf(undefined, hnsw, ids.length, calibration);
  const sizeDefaultEf = defaultEfFor(ids.length);
  // As CollectionIndex.search: a graph of rounded vectors is asked for more candidates, rescored with the stored f32 vectors.
  const store = graph.store;
  const search = (query: Float32Array, ef: number) => {
    if (store.exactScores) return store.search(query, K, undefined, ef).map((h) => h.label);
    return store
      .search(query, K * RESCORED_CANDIDATES_PER_HIT, undefined, ef)
      .map((h) => ({ label: h.label, score: dot(query, stored(h.label)) }))
      .sort((a, b) => b.score - a.score)
      .slice(0, K)
      .map((h) => h.label);
  };
  const curve = [...new Set([64, 128, 256, 512, 1024, defaultEf, sizeDefaultEf])].sort((a, b) => a - b).map((ef) => {
    const ms: number[] = [];
    const hits = [0, 0];
    queries.forEach((query, q) => {
      const t = performance.now();
      const found = search(query, ef);
      ms.push(performance.now() - t);
      const expected = new Set(truth[q]);
      hits[q < QUERIES / 2 ? 0 : 1]! += found.filter((label) => expected.has(label)).length;
    });
    const latency = percentiles(ms);
    const recall = (set: number) => round(hits[set]! / ((QUERIES / 2) * K), 4);
    return { ef, recallAt10SameLanguage: recall(0), recallAt10AnyLanguages: recall(1), qps: Math.round(1000 / latency.mean), p50: latency.p50, p99: latency.p99 };
  });
  db.close();
  const markdown = [
    `Saved graph loaded in ${graphLoadSeconds} s; ef calibration saved by \`tafuta index\`: ${calibration ? `ef ${calibration.ef} (recall@10 ${calibration.recall} on its ${calibration.queries} queries, ${calibration.seconds} s)` : 'none'}. ${QUERIES} queries, recall@${K} against exact search over the stored vectors:`,
    '',
    table(['ef', `recall@${K}, same language`, `recall@${K}, any languages`, 'QPS (1 thread)', 'p50 / p99 ms'], curve.map((c) => [[c.ef === defaultEf ? ' (default)' : '', c.ef === sizeDefaultEf ? ' (size default)' : ''].reduce((label, mark) => label + mark, String(c.ef)), c.recallAt10SameLanguage, c.recallAt10AnyLanguages, c.qps, `${c.p50} / ${c.p99}`])),
    '',
  ];
  return { report: { graphLoadSeconds, defaultEf, sizeDefaultEf, calibration, curve }, markdown };
}

/** RSS by phase of the run (undefined for a run made by hand, without samples). */
function memoryOf(files: RunFiles, timeLog: string) {
  if (files.memoryLog === undefined) return undefined;
  const samples = fs.readFileSync(files.memoryLog, 'utf8').split('\n').filter(Boolean).map((line) => JSON.parse(line) as MemorySample);
  if (samples.length === 0) return undefined;
  const phases = memoryByPhase(samples, indexPhases(timeLog, samples));
  const hwm = Math.max(...phases.map((p) => p.hwmMiB).filter(Number.isFinite));
  // VmHWM read at a phase's first sample may have risen in the phase before: a rise of < 1% is not the peak.
  const peakPhase = phases.find((p) => p.hwmMiB >= 0.99 * hwm)!.phase;
  const markdown = [
    `RSS by phase (/proc status of the node process, every 250 ms). VmHWM is the peak so far, between samples too; it comes within 1% of its final ${hwm} MiB in **${peakPhase}**:`,
    '',
    table(
      ['phase', 's', 'samples', 'max RSS MiB', 'max anonymous MiB', 'max file-backed MiB', 'VmHWM at its end MiB'],
      phases.map((p) => [p.phase, p.seconds, p.samples, p.peakRssMiB, p.peakAnonMiB, p.peakFileMiB, p.hwmMiB]),
    ),
    '',
  ];
  return { report: { sampleEveryMs: 250, peakPhase, phases }, markdown };
}

function measure(files: RunFiles, load: { start: LoadSample; end: LoadSample } | undefined): void {
  const started = performance.now();
  const measureStart = loadSample();
  const time = fs.readFileSync(files.timeLog, 'utf8');
  const cli = fs.readFileSync(files.cliOut, 'utf8');
  const summary = /indexed (\d+) documents .* (\d+) passages in ([\d.]+) s \((\d+) passages\/s\)/.exec(cli);
  if (!summary) throw new Error(`no summary line in ${files.cliOut}`);
  const [, documents, passages, seconds] = summary.map(Number) as [number, number, number, number];
  const wall = /Elapsed \(wall clock\) time \(h:mm:ss or m:ss\): (.+)/.exec(time)![1]!.split(':').map(Number).reduce((a, b) => a * 60 + b, 0);
  const peakRssMiB = round(Number(/Maximum resident set size \(kbytes\): (\d+)/.exec(time)![1]) / 1024, 1);
  const diskBytes = dirBytes(files.dataDir);
  const db = new Database(path.join(files.dataDir, 'tafuta.db'), { readonly: true });
  const { dim } = db.prepare("SELECT dim FROM collections WHERE name = 'bench'").get() as { dim: number };
  db.close();
  const memory = memoryOf(files, time);
  const recall = process.env.BENCH_INDEX_1M_RECALL === '0' ? undefined : recallCurve(files.dataDir);

  const h = header('index-1m', 'scripts/bench-index-1m.ts', load?.start ?? measureStart, started);
  const report = {
    ...h,
    command: 'BENCH_INDEX_1M=1 npm run bench:index-1m',
    indexLoad: load ? { start: loadText(load.start), end: loadText(load.end) } : undefined,
    documents,
    passages,
    cliSeconds: seconds,
    wallSeconds: wall,
    passagesPerSecond: Math.round(passages / wall),
    peakRssMiB,
    rawVectorMiB: round((passages * dim * 4) / 2 ** 20, 1),
    diskBytes,
    diskBytesPerPassage: Math.round(diskBytes / passages),
    memory: memory?.report,
    ...recall?.report,
  };
  const markdown = [
    `# tafuta index of ${passages} passages (cmtp-base), end to end`,
    '',
    machineLine(h),
    '',
    table(
      ['passages', 'wall s', 'passages/s', 'peak RSS MiB (GNU time)', 'raw f32 vectors MiB', 'disk bytes/passage'],
      [[passages, wall, report.passagesPerSecond, peakRssMiB, report.rawVectorMiB, report.diskBytesPerPassage]],
    ),
    '',
    ...(memory?.markdown ?? []),
    ...(recall?.markdown ?? []),
  ].join('\n');
  writeReport(documents === 1_000_000 ? 'index-1m' : `index-${Math.round(documents / 1000)}k`, report, markdown);
}

const at = process.argv.indexOf('--measure');
if (at >= 0) {
  const [dataDir, timeLog, cliOut, memoryLog] = process.argv.slice(at + 1);
  if (!dataDir || !timeLog || !cliOut) throw new Error('usage: bench-index-1m --measure <dataDir> <time.log> <cli.out> [memory.jsonl]');
  measure({ dataDir, timeLog, cliOut, memoryLog }, undefined);
} else if (process.env.BENCH_INDEX_1M === '1') {
  const run = await runIndex(Number(process.env.BENCH_INDEX_1M_DOCS ?? 1_000_000));
  measure(run, run.load);
} else {
  process.stdout.write('index-1m: set BENCH_INDEX_1M=1 to run it (many minutes, ≈ 2.5 GB of temporary files)\n');
}
