/**
 * Shared pieces of the benchmark scripts (scripts/bench-*.ts): machine description, seeded synthetic vectors,
 * exact top-k by brute force, recall, percentiles, a child process's memory sampled by phase, a fake encoder that
 * serves precomputed vectors, temp-dir and child-process cleanup, and the JSON/Markdown writers. Not a benchmark itself.
 */
import cluster from 'node:cluster';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { PACKAGE_ROOT, packageVersion } from '../bin/runtime.js';
import { Engine } from '../indexer/engine.js';
import { createSqliteStorage } from '../indexer/sqlite/storage.js';
import { silentLogger, type Logger } from '../core/logger.js';
import type { EmbedOptions, Encoder } from '../models/encoder.js';
import { createHeuristicLanguageIdentifier } from '../models/langid/identifier.js';
import { createEncoderRegistry } from '../models/registry.js';
import { runCluster } from '../server/cluster.js';
import { startWebServer } from '../server/start.js';

export const OUT_DIR = path.join(PACKAGE_ROOT, 'docs', 'benchmarks');
export const DEMO_CORPUS = path.join(PACKAGE_ROOT, 'demo', 'corpus.jsonl');

// ---------------------------------------------------------------------------------------------- machine

export interface LoadSample {
  at: string;
  loadavg: [number, number, number];
}

export function loadSample(): LoadSample {
  const [a, b, c] = os.loadavg();
  const r = (x: number | undefined) => Math.round((x ?? 0) * 100) / 100;
  return { at: new Date().toISOString(), loadavg: [r(a), r(b), r(c)] };
}

export interface Machine {
  cpu: string | undefined;
  cores: number;
  memoryGiB: number;
  node: string;
  platform: string;
  version: string;
}

export function machine(): Machine {
  return {
    cpu: os.cpus()[0]?.model,
    cores: os.cpus().length,
    memoryGiB: Math.round(os.totalmem() / 2 ** 30),
    node: process.version,
    platform: `${os.platform()} ${os.release()}`,
    version: packageVersion(),
  };
}

export const loadText = (s: LoadSample) => s.loadavg.join(' / ');

// ---------------------------------------------------------------------------------------------- random

/** mulberry32: small, fast, seeded; good enough for synthetic data. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function gaussian(rand: () => number): () => number {
  let spare: number | undefined;
  return () => {
    if (spare !== undefined) {
      const s = spare;
      spare = undefined;
      return s;
    }
    let u = 0;
    while (u === 0) u = rand();
    const v = rand();
    const r = Math.sqrt(-2 * Math.log(u));
    spare = r * Math.sin(2 * Math.PI * v);
    return r * Math.cos(2 * Math.PI * v);
  };
}

function normalizeRow(data: Float32Array, offset: number, dim: number): void {
  let s = 0;
  for (let j = 0; j < dim; j++) s += data[offset + j]! * data[offset + j]!;
  const inv = s > 0 ? 1 / Math.sqrt(s) : 0;
  for (let j = 0; j < dim; j++) data[offset + j]! *= inv;
}

/** n × dim unit vectors, row-major. */
export interface VectorSet {
  n: number;
  dim: number;
  data: Float32Array;
}

export function row(set: VectorSet, i: number): Float32Array {
  return set.data.subarray(i * set.dim, (i + 1) * set.dim);
}

export interface ClusteredSpec {
  dim: number;
  centres: number;
  /** Noise norm relative to the (unit) centre: point = normalise(centre + noise·g/√dim). */
  noise: number;
  seed: number;
}

export const CLUSTERED_DEFAULT: ClusteredSpec = { dim: 256, centres: 1000, noise: 1.0, seed: 20261122 };

/**
 * A seeded mixture of gaussians on the unit sphere: `centres` random unit centres with uneven (exponential)
 * weights, each point a centre plus isotropic noise, L2-normalised. With noise 1.0 a point has cosine ≈ 0.7
 * with its centre and ≈ 0.5 with its cluster mates: near neighbours are close but not duplicates, closer to
 * what sentence encoders produce than uniform random vectors (where every pair is nearly orthogonal).
 * Base and query points come from the same mixture (different streams).
 */
export function clusteredVectors(spec: ClusteredSpec, nBase: number, nQueries: number): { base: VectorSet; queries: VectorSet } {
  const { dim, centres } = spec;
  const rand = rng(spec.seed);
  const g = gaussian(rand);
  const c = new Float32Array(centres * dim);
  for (let i = 0; i < c.length; i++) c[i] = g();
  for (let i = 0; i < centres; i++) normalizeRow(c, i * dim, dim);
  const weights: number[] = [];
  let total = 0;
  for (let i = 0; i < centres; i++) {
    const w = -Math.log(1 - rand());
    weights.push(w);
    total += w;
  }
  const cumulative: number[] = [];
  let acc = 0;
  for (const w of weights) cumulative.push((acc += w / total));
  const pick = (u: number): number => {
    let lo = 0;
    let hi = centres - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (cumulative[mid]! < u) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };
  const scale = spec.noise / Math.sqrt(dim);
  const make = (n: number, stream: number): VectorSet => {
    const r2 = rng(spec.seed ^ stream);
    const g2 = gaussian(r2);
    const data = new Float32Array(n * dim);
    for (let i = 0; i < n; i++) {
      const centre = pick(r2()) * dim;
      const o = i * dim;
      for (let j = 0; j < dim; j++) data[o + j] = c[centre + j]! + scale * g2();
      normalizeRow(data, o, dim);
    }
    return { n, dim, data };
  };
  return { base: make(nBase, 0x5eed0001), queries: make(nQueries, 0x5eed0002) };
}

/** A deterministic random unit vector from a string (FNV-1a seed): what the fake indexing encoder returns. */
export function vectorOfText(text: string, dim: number, out = new Float32Array(dim)): Float32Array {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  const g = gaussian(rng(h));
  for (let j = 0; j < dim; j++) out[j] = g();
  normalizeRow(out, 0, dim);
  return out;
}

// ---------------------------------------------------------------------------------------------- exact search

export function dot(a: Float32Array, ao: number, b: Float32Array, bo: number, dim: number): number {
  let s0 = 0;
  let s1 = 0;
  let s2 = 0;
  let s3 = 0;
  let j = 0;
  for (; j + 3 < dim; j += 4) {
    s0 += a[ao + j]! * b[bo + j]!;
    s1 += a[ao + j + 1]! * b[bo + j + 1]!;
    s2 += a[ao + j + 2]! * b[bo + j + 2]!;
    s3 += a[ao + j + 3]! * b[bo + j + 3]!;
  }
  for (; j < dim; j++) s0 += a[ao + j]! * b[bo + j]!;
  return s0 + s1 + s2 + s3;
}

/** Exact top-k by cosine (vectors are unit): ids and similarities per query, best first. */
export interface GroundTruth {
  k: number;
  ids: Int32Array[];
  sims: Float32Array[];
  seconds: number;
}

export function exactTopK(base: VectorSet, queries: VectorSet, k: number): GroundTruth {
  const started = performance.now();
  const { dim } = base;
  const ids: Int32Array[] = [];
  const sims: Float32Array[] = [];
  for (let q = 0; q < queries.n; q++) {
    const topId = new Int32Array(k).fill(-1);
    const topSim = new Float32Array(k).fill(-Infinity);
    let worst = -Infinity;
    const qo = q * dim;
    for (let i = 0; i < base.n; i++) {
      const s = dot(queries.data, qo, base.data, i * dim, dim);
      if (s <= worst) continue;
      let p = k - 1;
      while (p > 0 && topSim[p - 1]! < s) {
        topSim[p] = topSim[p - 1]!;
        topId[p] = topId[p - 1]!;
        p--;
      }
      topSim[p] = s;
      topId[p] = i;
      worst = topSim[k - 1]!;
    }
    ids.push(topId);
    sims.push(topSim);
  }
  return { k, ids, sims, seconds: (performance.now() - started) / 1000 };
}

/**
 * recall@k with ties: a returned id counts when it is one of the exact top-k, or when its exact similarity
 * to the query is within 1e-5 of the k-th best (near-duplicate vectors make the id set ambiguous).
 */
export function recallAt(gt: GroundTruth, base: VectorSet, queries: VectorSet, results: ReadonlyArray<ArrayLike<number>>): number {
  let hits = 0;
  for (let q = 0; q < results.length; q++) {
    const truth = new Set(gt.ids[q]!);
    const kth = gt.sims[q]![gt.k - 1]!;
    const got = results[q]!;
    const seen = new Set<number>();
    for (let i = 0; i < Math.min(gt.k, got.length); i++) {
      const id = got[i]!;
      if (seen.has(id)) continue;
      seen.add(id);
      if (truth.has(id) || dot(queries.data, q * queries.dim, base.data, id * base.dim, base.dim) >= kth - 1e-5) hits++;
    }
  }
  return hits / (results.length * gt.k);
}

// ---------------------------------------------------------------------------------------------- stats

export interface Latency {
  p50: number;
  p95: number;
  p99: number;
  max: number;
  mean: number;
  n: number;
}

export const round = (x: number, digits = 3) => Math.round(x * 10 ** digits) / 10 ** digits;

export function percentiles(ms: readonly number[]): Latency {
  const s = [...ms].sort((a, b) => a - b);
  const at = (q: number) => s[Math.min(s.length - 1, Math.floor(q * s.length))] ?? NaN;
  return {
    p50: round(at(0.5)),
    p95: round(at(0.95)),
    p99: round(at(0.99)),
    max: round(s[s.length - 1] ?? NaN),
    mean: round(s.reduce((a, b) => a + b, 0) / Math.max(1, s.length)),
    n: s.length,
  };
}

export const rssMiB = () => round(process.memoryUsage().rss / 2 ** 20, 1);

/** Samples RSS every `everyMs` and remembers the peak (the GC and native allocations both count). */
export function peakRss(everyMs = 50): { stop(): number; reset(): void } {
  let peak = process.memoryUsage().rss;
  const timer = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage().rss);
  }, everyMs);
  timer.unref();
  return {
    stop() {
      clearInterval(timer);
      peak = Math.max(peak, process.memoryUsage().rss);
      return round(peak / 2 ** 20, 1);
    },
    reset() {
      peak = process.memoryUsage().rss;
    },
  };
}

export function gc(): void {
  (globalThis as { gc?: () => void }).gc?.();
}

// ---------------------------------------------------------------------------------------------- memory of a child process

/** One reading of a process's /proc status, in KiB, at `atMs` (epoch ms, the clock of pino's `time`). */
export interface MemorySample {
  atMs: number;
  /** VmRSS = RssAnon (heap, buffers, native allocations) + RssFile (mapped files: code, SQLite's mmap) + RssShmem. */
  rssKiB: number;
  anonKiB: number;
  fileKiB: number;
  /** VmHWM: the highest VmRSS so far, between samples too (what GNU time reports at the end). */
  hwmKiB: number;
}

function readMemory(pid: number): MemorySample | undefined {
  let status: string;
  try {
    status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  } catch {
    return undefined; // ended
  }
  const kib = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN);
  return { atMs: Date.now(), rssKiB: kib('VmRSS'), anonKiB: kib('RssAnon'), fileKiB: kib('RssFile'), hwmKiB: kib('VmHWM') };
}

/** The pid of a process's first child (the command under /usr/bin/time); undefined until it has one. */
export function firstChildPid(pid: number): number | undefined {
  try {
    const first = fs.readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(' ')[0];
    return first ? Number(first) : undefined;
  } catch {
    return undefined;
  }
}

/** Reads the memory of the process `pidOf()` names every `everyMs` (it may appear late and end early) until stopped. */
export function sampleMemory(pidOf: () => number | undefined, everyMs = 250): { stop(): MemorySample[] } {
  const samples: MemorySample[] = [];
  let pid: number | undefined;
  const timer = setInterval(() => {
    pid ??= pidOf();
    const sample = pid === undefined ? undefined : readMemory(pid);
    if (sample && Number.isFinite(sample.rssKiB)) samples.push(sample);
  }, everyMs);
  return {
    stop() {
      clearInterval(timer);
      return samples;
    },
  };
}

/** A stretch of a run, [fromMs, toMs) in epoch ms. */
export interface Phase {
  name: string;
  fromMs: number;
  toMs: number;
}

export interface PhaseMemory {
  phase: string;
  seconds: number;
  samples: number;
  /** The largest sampled VmRSS in the phase, and its largest anonymous and file-backed parts (maybe of other samples). */
  peakRssMiB: number;
  peakAnonMiB: number;
  peakFileMiB: number;
  /** VmHWM at the phase's last sample: where it rises, the run's peak so far was set in this phase. */
  hwmMiB: number;
}

/** The samples of each phase summarised (a phase without a sample reports NaN). */
export function memoryByPhase(samples: readonly MemorySample[], phases: readonly Phase[]): PhaseMemory[] {
  const mib = (kib: number) => round(kib / 1024, 1);
  return phases.map(({ name, fromMs, toMs }) => {
    const inPhase = samples.filter((s) => s.atMs >= fromMs && s.atMs < toMs);
    const most = (field: 'rssKiB' | 'anonKiB' | 'fileKiB' | 'hwmKiB') => mib(Math.max(...inPhase.map((s) => s[field])));
    return {
      phase: name,
      seconds: round((toMs - fromMs) / 1000, 1),
      samples: inPhase.length,
      ...(inPhase.length === 0
        ? { peakRssMiB: NaN, peakAnonMiB: NaN, peakFileMiB: NaN, hwmMiB: NaN }
        : { peakRssMiB: most('rssKiB'), peakAnonMiB: most('anonKiB'), peakFileMiB: most('fileKiB'), hwmMiB: most('hwmKiB') }),
    };
  });
}

// ---------------------------------------------------------------------------------------------- engine

export const silent: Logger = silentLogger;

export const FAKE_ENCODER_NAME = 'bench-fake';

/**
 * A fake encoder for storage and serving benchmarks: `"v:<i>"` → row i of `table` (so HTTP clients can
 * insert and query exactly the vectors a library-level benchmark uses), anything else → a deterministic random
 * unit vector seeded by the text. Costs one hash + one copy per text; no model.
 */
export function fakeEncoder(dim: number, tables: Record<string, VectorSet> = {}): Encoder {
  return {
    info: { name: FAKE_ENCODER_NAME, dim, description: 'benchmark fake: precomputed / seeded random unit vectors' },
    async embed(texts: readonly string[], _options: EmbedOptions): Promise<Float32Array[]> {
      return texts.map((text) => {
        const colon = text.indexOf(':');
        if (colon > 0) {
          const table = tables[text.slice(0, colon)];
          const i = Number(text.slice(colon + 1));
          if (table && Number.isInteger(i) && i >= 0 && i < table.n) return row(table, i).slice();
        }
        return vectorOfText(text, dim);
      });
    },
  };
}

/** An engine whose only encoder is the fake (no shipped models loaded, nothing else in the way). */
export function fakeEngine(dataDir: string, encoder: Encoder, indexFiles: 'read-write' | 'read-only' = 'read-write'): Engine {
  return new Engine({
    storage: createSqliteStorage({ dataDir, indexFiles, logger: silent }),
    encoders: createEncoderRegistry([encoder], encoder.info.name),
    languageIdentifier: createHeuristicLanguageIdentifier(),
    logger: silent,
  });
}

export function dirBytes(dir: string): number {
  let total = 0;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    total += entry.isDirectory() ? dirBytes(p) : fs.statSync(p).size;
  }
  return total;
}

// ---------------------------------------------------------------------------------------------- HTTP client

/**
 * The one HTTP client the serving benchmarks (Chroma, PostgreSQL) measure with: node:http over a keep-alive agent (one socket per request
 * in flight), JSON in and out. The Chroma JS client and `fetch` each cost more per request than either server
 * spends answering it, so measuring through them would mostly measure the client.
 */
export function jsonPoster(baseUrl: string, sockets: number): (route: string, body: unknown) => Promise<unknown> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: sockets });
  const { hostname, port } = new URL(baseUrl);
  return (route, body) =>
    new Promise((resolve, reject) => {
      const payload = Buffer.from(JSON.stringify(body));
      const req = http.request(
        { agent, hostname, port, path: route, method: 'POST', headers: { 'content-type': 'application/json', 'content-length': payload.length } },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => {
            const text = Buffer.concat(chunks).toString('utf8');
            if (res.statusCode === undefined || res.statusCode < 200 || res.statusCode > 299) reject(new Error(`HTTP ${res.statusCode} on ${route}: ${text.slice(0, 200)}`));
            else resolve(JSON.parse(text) as unknown);
          });
          res.on('error', reject);
        },
      );
      req.on('error', reject);
      req.end(payload);
    });
}

// ---------------------------------------------------------------------------------------------- cleanup

const cleanups: Array<() => void> = [];
let cleaned = false;

function runCleanups(): void {
  if (cleaned) return;
  cleaned = true;
  for (const f of cleanups.reverse()) {
    try {
      f();
    } catch {
      // best effort
    }
  }
}

process.once('exit', runCleanups);
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
  process.once(signal, () => {
    runCleanups();
    process.exit(130);
  });
}

export function onCleanup(f: () => void): void {
  cleanups.push(f);
}

export function tempDir(prefix: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `tafuta-${prefix}-`));
  onCleanup(() => fs.rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** Aborts the process after `seconds` (a benchmark that hangs must not hold the machine). */
export function deadline(seconds: number, what: string): void {
  const t = setTimeout(() => {
    process.stderr.write(`${what}: time limit of ${seconds} s reached; aborting\n`);
    process.exit(3);
  }, seconds * 1000);
  t.unref();
}

export function log(message: string): void {
  process.stderr.write(`[${new Date().toISOString().slice(11, 19)} load ${os.loadavg().map((x) => x.toFixed(2)).join(' ')}] ${message}\n`);
}

// ---------------------------------------------------------------------------------------------- reports

export interface ReportHeader {
  name: string;
  command: string;
  script: string;
  date: string;
  machine: Machine;
  load: { start: LoadSample; end: LoadSample };
  seconds: number;
}

export function header(name: string, script: string, start: LoadSample, startedMs: number): ReportHeader {
  return {
    name,
    command: `npm run bench:${name}`,
    script,
    date: new Date().toISOString(),
    machine: machine(),
    load: { start, end: loadSample() },
    seconds: round((performance.now() - startedMs) / 1000, 1),
  };
}

export function machineLine(h: ReportHeader): string {
  const m = h.machine;
  return `${m.cpu} × ${m.cores} cores, ${m.memoryGiB} GiB, Node ${m.node}, tafuta ${m.version}; ` +
    `load average (1/5/15 min) ${loadText(h.load.start)} at start, ${loadText(h.load.end)} at end; ran ${h.seconds} s on ${h.date.slice(0, 10)}`;
}

export function writeReport(name: string, report: object, markdown: string): void {
  fs.mkdirSync(OUT_DIR, { recursive: true });
  fs.writeFileSync(path.join(OUT_DIR, `${name}.json`), `${JSON.stringify(report, null, 2)}\n`);
  fs.writeFileSync(path.join(OUT_DIR, `${name}.md`), markdown);
  process.stdout.write(markdown);
}

export function table(head: readonly string[], rows: ReadonlyArray<ReadonlyArray<string | number>>): string {
  return [`| ${head.join(' | ')} |`, `|${head.map(() => '---').join('|')}|`, ...rows.map((r) => `| ${r.join(' | ')} |`)].join('\n');
}

// ---------------------------------------------------------------------------------------------- worker processes

/** Where forked benchmark workers find the data directory they serve. */
const WORKER_DIR_ENV = 'BENCH_TAFUTA_DIR';

/**
 * In a benchmark script forked as a cluster worker (by startTafutaWorkers; the worker re-runs the script): serves
 * the data directory with a fake encoder for the benchmark's queries, read-only index files, until the primary
 * stops it, then exits. Does nothing in the primary. Call it at the top of the script, before any benchmark work.
 */
export async function runBenchWorkerIfForked(queryCount: number, workers: number): Promise<void> {
  if (!cluster.isWorker) return;
  const { queries } = clusteredVectors(CLUSTERED_DEFAULT, 1, queryCount);
  await runCluster({
    workers,
    logger: silent,
    async startWorker() {
      const engine = fakeEngine(process.env[WORKER_DIR_ENV]!, fakeEncoder(queries.dim, { q: queries }), 'read-only');
      const running = await startWebServer({ engine, logger: silent, version: 'bench', host: '127.0.0.1', port: 0, bodyLimit: '50mb' });
      return {
        url: running.url,
        async stop() {
          await running.stop();
          await engine.close();
        },
      };
    },
    onListening() {},
  });
  process.exit(0);
}

/** The data directory served by `workers` processes on one port, as `tafuta serve --workers N` does. */
export async function startTafutaWorkers(dataDir: string, workers: number): Promise<{ url: string; stop(): Promise<void> }> {
  process.env[WORKER_DIR_ENV] = dataDir;
  const abort = new AbortController();
  let listening: (url: string) => void = () => undefined;
  const url = new Promise<string>((resolve) => (listening = resolve));
  const done = runCluster({ workers, logger: silent, startWorker: () => Promise.reject(new Error('primary')), onListening: listening, signal: abort.signal });
  return {
    url: await Promise.race([url, done.then((code) => Promise.reject(new Error(`tafuta workers exited (${code}) before listening`)))]),
    async stop() {
      abort.abort();
      await done;
    },
  };
}
