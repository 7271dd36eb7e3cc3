/**
 * Benchmark (issue 23): searches answered while `tafuta index` bulk-imports into the collection a `tafuta serve`
 * process is serving, both real CLI processes over one data directory with the default encoder (cmtp-base).
 *   1. `tafuta index` of N0 documents (the issue-23 corpus of bench-index-corpus.ts, one passage each) into a new
 *      collection; 2. `tafuta serve` on that directory (port 0, no rate limit); 3. an open-loop search client in its
 *      own process sends text queries (words of the corpus's languages, encoded by the server) at a fixed rate —
 *      before, during and after a second `tafuta index` process imports N1 more documents; meanwhile this process
 *      probes, about once a second, whether the latest passage committed to SQLite is already found by a search;
 *   4. once the import settled, recall@10 of the served searches (by vector) against exact search over every stored
 *      vector (read from SQLite); 5. SIGTERM to the server, which must exit by itself.
 * The client is open-loop (requests leave on a fixed schedule whatever the answers do, latency counted from the
 * scheduled time) so that a slow answer shows as latency of the requests behind it, not as fewer requests, and the
 * rate is one the server sustains idle: a saturated closed loop would measure queueing, not the import.
 *
 * Run: `npm run build && npm run bench:import-search`. Env: BENCH_IMPORT_N0 (default 100000), BENCH_IMPORT_N1
 * (100000), BENCH_IMPORT_QPS (50), BENCH_IMPORT_QUIET_S (seconds measured before and after the import, 15);
 * BENCH_IMPORT_NICE: the import's `--nice` (default: the CLI's, 10; 0 = the server's priority); BENCH_SERVE_NODE_ARGS: node flags for the server, e.g. `--cpu-prof --cpu-prof-dir=/tmp/prof` to profile it;
 * BENCH_IMPORT_REPORT: the report's name (default import-search; a development run can keep the quoted one).
 * Writes docs/benchmarks/<report>.json and .md.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { PACKAGE_ROOT } from '../bin/runtime.js';
import { DEFAULT_IMPORT_NICENESS } from '../indexer/cli.js';
import { dot } from '../indexer/vector-store.js';
import {
  DEMO_CORPUS, deadline, header, loadSample, log, machineLine, onCleanup, percentiles, rng, round, table, tempDir, writeReport, type Latency, type LoadSample,
} from './bench-common.js';

const N0 = Number(process.env.BENCH_IMPORT_N0 ?? 100_000);
const N1 = Number(process.env.BENCH_IMPORT_N1 ?? 100_000);
const QPS = Number(process.env.BENCH_IMPORT_QPS ?? 50);
const QUIET_S = Number(process.env.BENCH_IMPORT_QUIET_S ?? 15);
/** `tafuta index --nice` of the import (unset: the CLI's default); 0 runs it at the server's priority. */
const IMPORT_NICE = process.env.BENCH_IMPORT_NICE === undefined ? DEFAULT_IMPORT_NICENESS : Number(process.env.BENCH_IMPORT_NICE);
const REPORT = process.env.BENCH_IMPORT_REPORT ?? 'import-search';
const K = 10;
const QUERY_TEXTS = 1000;
const RECALL_QUERIES = 200;
const LANGUAGES = 11;
/**
 * recall@10 is judged on the same-language queries, as bench-index-1m and the size-default ef are: a mean of two
 * passages of different languages lands between this corpus's language clusters, which no real query does (its
 * recall is reported beside, as the hard case).
 */
const TARGET = { p99Ms: 50, recallAt10: 0.98 };
const TAFUTA = path.join(PACKAGE_ROOT, 'dist', 'bin', 'tafuta.js');
const REQUEST_TIMEOUT_MS = 30_000;

const nowMs = () => performance.timeOrigin + performance.now();

/** A keep-alive JSON POST; resolves with the status and parsed body (never rejects on HTTP status). */
function poster(baseUrl: string, sockets: number) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: sockets });
  const { hostname, port } = new URL(baseUrl);
  return (route: string, body: unknown) =>
    new Promise<{ status: number; body: unknown }>((resolve, reject) => {
      const payload = Buffer.from(JSON.stringify(body));
      const req = http.request({ agent, hostname, port, path: route, method: 'POST', timeout: REQUEST_TIMEOUT_MS, headers: { 'content-type': 'application/json', 'content-length': payload.length } }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let parsed: unknown = text;
          try {
            parsed = JSON.parse(text);
          } catch {
            // an error page: keep the text
          }
          resolve({ status: res.statusCode ?? 0, body: parsed });
        });
        res.on('error', reject);
      });
      req.on('timeout', () => req.destroy(new Error('timeout')));
      req.on('error', reject);
      req.end(payload);
    });
}

// ------------------------------------------------------------------------------------------------ client process

interface ClientConfig {
  url: string;
  qps: number;
  queries: string[];
  /** Where the client writes its samples (JSON) before it exits. */
  out: string;
}

/** [scheduled send time (epoch ms), latency from it (ms), HTTP status or 0 for a failed request] */
type Sample = [number, number, number];

/** Sends queries on a fixed schedule until stdin closes, then writes its samples to `config.out`. */
async function runClient(config: ClientConfig): Promise<void> {
  const post = poster(config.url, 256);
  const samples: Sample[] = [];
  const inFlight = new Set<Promise<void>>();
  let stopped = false;
  process.stdin.on('end', () => (stopped = true));
  process.stdin.resume();
  const started = nowMs();
  const interval = 1000 / config.qps;
  for (let i = 0; !stopped; i++) {
    const scheduled = started + i * interval;
    const wait = scheduled - nowMs();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    const request = post('/v1/collections/bench/search', { query: config.queries[i % config.queries.length], k: K }).then(
      (response) => void samples.push([scheduled, nowMs() - scheduled, response.status]),
      () => void samples.push([scheduled, nowMs() - scheduled, 0]),
    );
    inFlight.add(request);
    void request.finally(() => inFlight.delete(request));
  }
  await Promise.all(inFlight);
  fs.writeFileSync(config.out, JSON.stringify(samples));
  process.exit(0);
}

if (process.argv[2] === '--client') {
  await runClient(JSON.parse(fs.readFileSync(process.argv[3]!, 'utf8')) as ClientConfig);
}

// ------------------------------------------------------------------------------------------------ corpus and queries

/** Query texts like a user's: 3–8 words of one of the corpus's languages (the demo corpus's UDHR words). */
function queryTexts(count: number): string[] {
  const docs = fs.readFileSync(DEMO_CORPUS, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { text: string; lang: string });
  const byLang = new Map<string, string[]>();
  for (const d of docs) byLang.set(d.lang, [...(byLang.get(d.lang) ?? []), ...d.text.split(/\s+/).filter(Boolean)]);
  const pools = [...byLang.values()];
  const random = rng(20261207);
  return Array.from({ length: count }, (_, i) => {
    const pool = pools[i % pools.length]!;
    return Array.from({ length: 3 + Math.floor(random() * 6) }, () => pool[Math.floor(random() * pool.length)]!).join(' ');
  });
}

/** The corpus of N0 + N1 documents split into the collection's start and the import. */
function writeCorpora(work: string): { base: string; extra: string } {
  const all = path.join(work, 'all.jsonl');
  execFileSync(process.execPath, [path.join(PACKAGE_ROOT, 'dist', 'scripts', 'bench-index-corpus.js'), String(N0 + N1), all]);
  const lines = fs.readFileSync(all, 'utf8').split('\n').filter((l) => l !== '');
  const base = path.join(work, 'base.jsonl');
  const extra = path.join(work, 'import.jsonl');
  fs.writeFileSync(base, `${lines.slice(0, N0).join('\n')}\n`);
  fs.writeFileSync(extra, `${lines.slice(N0).join('\n')}\n`);
  fs.rmSync(all);
  return { base, extra };
}

// ------------------------------------------------------------------------------------------------ processes

const children = new Set<ChildProcess>();
onCleanup(() => {
  for (const child of children) child.kill('SIGKILL');
});

function track(child: ChildProcess): ChildProcess {
  children.add(child);
  child.once('exit', () => children.delete(child));
  return child;
}

const exited = (child: ChildProcess) =>
  new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve({ code: child.exitCode, signal: child.signalCode });
    else child.once('exit', (code, signal) => resolve({ code, signal }));
  });

/** Peak resident set of a process, sampled from /proc every 250 ms (0 where /proc is missing). */
function rssSampler(pid: number): { peakMiB(): number; stop(): void } {
  let peak = 0;
  const sample = () => {
    try {
      const kib = Number(/VmRSS:\s+(\d+)/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0);
      peak = Math.max(peak, kib);
    } catch {
      // gone
    }
  };
  const timer = setInterval(sample, 250);
  return { peakMiB: () => round(peak / 1024, 1), stop: () => clearInterval(timer) };
}

const CLOCK_TICKS_PER_SECOND = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;

/** CPU seconds (user + system) a process has used so far, from /proc (0 where /proc is missing). */
function cpuSecondsOf(pid: number): number {
  try {
    // After the command name in parentheses: state is field 3, utime and stime fields 14 and 15.
    const fields = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').replace(/^.*\) /s, '').split(' ');
    return round((Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS_PER_SECOND, 2);
  } catch {
    return 0;
  }
}

async function startServer(dataDir: string, logFile: string): Promise<{ child: ChildProcess; url: string }> {
  const log = fs.openSync(logFile, 'w');
  const child = track(spawn(process.execPath, [...(process.env.BENCH_SERVE_NODE_ARGS ?? '').split(' ').filter(Boolean), TAFUTA, 'serve', '-d', dataDir, '--port', '0', '--rate-limit', '0'], { stdio: ['ignore', 'pipe', log] }));
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    const onData = (d: Buffer) => {
      out += d.toString();
      const match = /tafuta serving on (http:\/\/\S+)/.exec(out);
      if (match) {
        child.stdout!.off('data', onData);
        child.stdout!.on('data', (more: Buffer) => fs.writeSync(log, more)); // the request log, kept with the rest
        resolve(match[1]!);
      }
    };
    child.stdout!.on('data', onData);
    child.once('exit', (code) => reject(new Error(`tafuta serve exited (${code}) before listening; see ${logFile}`)));
  });
  return { child, url };
}

function startClient(work: string, config: Omit<ClientConfig, 'out'>): { child: ChildProcess; samples: Promise<Sample[]> } {
  const configFile = path.join(work, 'client.json');
  const out = path.join(work, 'samples.json');
  fs.writeFileSync(configFile, JSON.stringify({ ...config, out }));
  const child = track(spawn(process.execPath, [fileURLToPath(import.meta.url), '--client', configFile], { stdio: ['pipe', 'inherit', 'inherit'] }));
  const samples = exited(child).then(({ code }) => {
    if (code !== 0) throw new Error(`search client exited with ${code}`);
    return JSON.parse(fs.readFileSync(out, 'utf8')) as Sample[];
  });
  return { child, samples };
}

// ------------------------------------------------------------------------------------------------ measurements

interface Passage {
  id: number;
  passageId: string;
}

function openDb(dataDir: string) {
  const db = new Database(path.join(dataDir, 'tafuta.db'), { readonly: true, fileMustExist: true });
  const collectionId = (db.prepare("SELECT id FROM collections WHERE name = 'bench'").pluck().get() as number | undefined) ?? -1;
  const latest = db.prepare(
    'SELECT p.id, d.external_id || \'#\' || p.ordinal AS passageId, p.embedding FROM passages p JOIN documents d ON d.id = p.document_id WHERE p.collection_id = ? ORDER BY p.id DESC LIMIT 1',
  );
  return {
    db,
    collectionId,
    latest: () => latest.get(collectionId) as (Passage & { embedding: Buffer }) | undefined,
  };
}

const vectorOfBlob = (blob: Buffer) => new Float32Array(new Uint8Array(blob).buffer);

interface Probe {
  at: number;
  passage: number;
  /** Whether the search answered with the passage the probe had just read from SQLite. */
  found: boolean;
  ms: number;
}

/** About once a second: the newest passage SQLite holds, searched by its own vector; is it among the answers? */
function probeFreshness(dataDir: string, url: string): { stop(): Promise<Probe[]> } {
  const post = poster(url, 2);
  const { db, latest } = openDb(dataDir);
  const probes: Probe[] = [];
  let stopped = false;
  const loop = (async () => {
    while (!stopped) {
      const row = latest();
      if (row) {
        const started = nowMs();
        const response = await post('/v1/collections/bench/search', { vector: [...vectorOfBlob(row.embedding)], k: K }).catch(() => undefined);
        const results = (response?.body as { results?: Array<{ passage_id: string }> } | undefined)?.results ?? [];
        probes.push({ at: started, passage: row.id, found: results.some((r) => r.passage_id === row.passageId), ms: round(nowMs() - started, 1) });
      }
      await new Promise((resolve) => setTimeout(resolve, 1000));
    }
  })();
  return {
    async stop() {
      stopped = true;
      await loop;
      db.close();
      return probes;
    },
  };
}

interface RecallResult {
  ef: number | 'default';
  sameLanguage: number;
  anyLanguages: number;
  latencyMs: Latency;
}

/**
 * recall@10 of the server's answers against exact search over every stored vector. Queries as bench-index-1m.ts:
 * the normalised mean of two stored passages of one language (half) or of any two (half, the hard set).
 */
async function measureRecall(dataDir: string, url: string): Promise<{ passages: number; results: RecallResult[] }> {
  const { db, collectionId } = openDb(dataDir);
  const rows = db
    .prepare('SELECT p.id, d.external_id || \'#\' || p.ordinal AS passageId FROM passages p JOIN documents d ON d.id = p.document_id WHERE p.collection_id = ? ORDER BY p.id')
    .all(collectionId) as Passage[];
  const vectorOf = db.prepare('SELECT embedding FROM passages WHERE id = ?').pluck();
  const stored = (id: number) => vectorOfBlob(vectorOf.get(id) as Buffer);
  const random = rng(20261208);
  const queries = Array.from({ length: RECALL_QUERIES }, (_, q) => {
    const first = Math.floor(random() * rows.length);
    const second = q < RECALL_QUERIES / 2 ? Math.floor(random() * Math.floor(rows.length / LANGUAGES)) * LANGUAGES + (first % LANGUAGES) : Math.floor(random() * rows.length);
    const [a, b] = [stored(rows[first]!.id), stored(rows[second]!.id)];
    const mean = a.map((x, i) => x + b[i]!);
    const norm = Math.hypot(...mean);
    return mean.map((x) => x / norm);
  });
  log(`import-search: exact top-${K} of ${RECALL_QUERIES} queries over ${rows.length} passages`);
  const tops = queries.map(() => [] as Array<[number, number]>);
  const all = db.prepare('SELECT id, embedding FROM passages WHERE collection_id = ?').raw().iterate(collectionId) as IterableIterator<[number, Buffer]>;
  for (const [id, blob] of all) {
    const vector = vectorOfBlob(blob);
    queries.forEach((query, q) => {
      const top = tops[q]!;
      const score = dot(query, vector);
      if (top.length < K || score > top[top.length - 1]![1]) {
        top.push([id, score]);
        top.sort((x, y) => y[1] - x[1]);
        if (top.length > K) top.pop();
      }
    });
  }
  const passageIdOf = new Map(rows.map((r) => [r.id, r.passageId]));
  const truth = tops.map((top) => new Set(top.map(([id]) => passageIdOf.get(id)!)));
  db.close();
  const post = poster(url, 1);
  const results: RecallResult[] = [];
  for (const ef of ['default', 128, 256] as const) {
    const hits = [0, 0];
    const ms: number[] = [];
    for (const [q, query] of queries.entries()) {
      const started = nowMs();
      const response = await post('/v1/collections/bench/search', { vector: [...query], k: K, ...(ef === 'default' ? {} : { ef }) });
      ms.push(nowMs() - started);
      if (response.status !== 200) throw new Error(`recall search answered ${response.status}: ${JSON.stringify(response.body).slice(0, 300)}`);
      const found = (response.body as { results: Array<{ passage_id: string }> }).results;
      hits[q < RECALL_QUERIES / 2 ? 0 : 1]! += found.filter((r) => truth[q]!.has(r.passage_id)).length;
    }
    const recall = (set: number) => round(hits[set]! / ((RECALL_QUERIES / 2) * K), 4);
    results.push({ ef, sameLanguage: recall(0), anyLanguages: recall(1), latencyMs: percentiles(ms) });
  }
  return { passages: rows.length, results };
}

/** The server adopting the graph the CLI saved (saved-graph-adoption.ts), from its log: when, how long the load took. */
interface Adoption {
  /** Seconds after the import process exited (negative: before). */
  atSeconds: number;
  ms: number;
  /** The part of `ms` on the main thread (the library's load and the bookkeeping; absent in logs before it was split). */
  blockedMs?: number;
  droppedPending: number;
  vectors: number;
}

function adoptionsIn(serverLog: string, importEnd: number): Adoption[] {
  const adoptions: Adoption[] = [];
  for (const line of fs.readFileSync(serverLog, 'utf8').split('\n')) {
    if (!line.includes('adopted the vector index saved by another process')) continue;
    try {
      const entry = JSON.parse(line) as { time: number; ms: number; blockedMs?: number; droppedPending: number; vectors: number };
      adoptions.push({ atSeconds: round((entry.time - importEnd) / 1000, 1), ms: entry.ms, blockedMs: entry.blockedMs, droppedPending: entry.droppedPending, vectors: entry.vectors });
    } catch {
      // not a JSON log line
    }
  }
  return adoptions;
}

interface PhaseStats {
  name: string;
  seconds: number;
  requests: number;
  failed: number;
  /** Failed requests by HTTP status ("0": no answer, e.g. the client's 30 s timeout). */
  failedByStatus: Record<string, number>;
  latencyMs: Latency;
}

function phaseStats(name: string, samples: Sample[], from: number, to: number): PhaseStats {
  const inPhase = samples.filter(([at]) => at >= from && at < to);
  const failedByStatus: Record<string, number> = {};
  for (const [, , status] of inPhase) if (status !== 200) failedByStatus[status] = (failedByStatus[status] ?? 0) + 1;
  return {
    name,
    seconds: round((to - from) / 1000, 1),
    requests: inPhase.length,
    failed: inPhase.filter(([, , status]) => status !== 200).length,
    failedByStatus,
    latencyMs: percentiles(inPhase.filter(([, , status]) => status === 200).map(([, ms]) => ms)),
  };
}

/** Latency per 5-second window from the first request, with the import's start and end marked. */
function timeline(samples: Sample[], start: number, importStart: number, importEnd: number) {
  const windowMs = 5000;
  const windows = new Map<number, number[]>();
  for (const [at, ms, status] of samples) {
    if (status !== 200) continue;
    const w = Math.floor((at - start) / windowMs);
    windows.set(w, [...(windows.get(w) ?? []), ms]);
  }
  return [...windows.entries()]
    .sort((a, b) => a[0] - b[0])
    .map(([w, ms]) => {
      const from = start + w * windowMs;
      const phase = from + windowMs <= importStart ? 'before' : from >= importEnd ? 'after' : 'import';
      return { fromSeconds: (w * windowMs) / 1000, phase, ...percentiles(ms) };
    });
}

// ------------------------------------------------------------------------------------------------ main

deadline(30 * 60, 'bench-import-search');
const startedMs = performance.now();
const start = loadSample();
const work = tempDir('import-search');
const dataDir = path.join(work, 'data');

log(`import-search: writing ${N0} + ${N1} documents`);
const corpora = writeCorpora(work);

log(`import-search: tafuta index of ${N0} documents (the collection before the import)`);
const baseStarted = performance.now();
const baseRun = spawnSync(process.execPath, [TAFUTA, 'index', '-c', 'bench', '-i', corpora.base, '-d', dataDir], { encoding: 'utf8', maxBuffer: 1 << 28 });
if (baseRun.status !== 0) throw new Error(`tafuta index (base) exited with ${baseRun.status}: ${baseRun.stderr.slice(-2000)}`);
const baseSeconds = round((performance.now() - baseStarted) / 1000, 1);
log(`import-search: base collection in ${baseSeconds} s: ${baseRun.stdout.trim()}`);

const serverLog = path.join(work, 'serve.log');
const server = await startServer(dataDir, serverLog);
const serverRss = rssSampler(server.child.pid!);
log(`import-search: serving on ${server.url}`);
const queries = queryTexts(QUERY_TEXTS);
const warm = poster(server.url, 1);
for (const query of queries.slice(0, 20)) {
  const response = await warm('/v1/collections/bench/search', { query, k: K });
  if (response.status !== 200 || (response.body as { results: unknown[] }).results.length !== K) throw new Error(`warm-up search failed: ${JSON.stringify(response.body).slice(0, 300)}`);
}

const client = startClient(work, { url: server.url, qps: QPS, queries });
const clientStart = nowMs();
await new Promise((resolve) => setTimeout(resolve, QUIET_S * 1000));

log(`import-search: tafuta index of ${N1} more documents while the server answers ${QPS} searches/s`);
const importLoad = { start: loadSample() };
const importStart = nowMs();
const serverCpu = { importStart: cpuSecondsOf(server.child.pid!), importEnd: 0, afterEnd: 0 };
const probes = probeFreshness(dataDir, server.url);
const cliRss = { peak: 0 };
const importer = track(spawn(process.execPath, [TAFUTA, 'index', '-c', 'bench', '-i', corpora.extra, '-d', dataDir, '--nice', String(IMPORT_NICE)], { stdio: ['ignore', 'pipe', 'pipe'] }));
const importerRss = rssSampler(importer.pid!);
let importOut = '';
let importErr = '';
importer.stdout!.on('data', (d: Buffer) => (importOut += d.toString()));
importer.stderr!.on('data', (d: Buffer) => (importErr += d.toString()));
const importExit = await exited(importer);
const importEnd = nowMs();
serverCpu.importEnd = cpuSecondsOf(server.child.pid!);
importerRss.stop();
cliRss.peak = importerRss.peakMiB();
const importLoadEnd = loadSample();
const freshness = await probes.stop();
if (importExit.code !== 0) throw new Error(`tafuta index (import) exited with ${importExit.code}: ${importErr.slice(-2000)}`);
log(`import-search: import done in ${round((importEnd - importStart) / 1000, 1)} s: ${importOut.trim()}`);

await new Promise((resolve) => setTimeout(resolve, QUIET_S * 1000));
const clientEnd = nowMs();
serverCpu.afterEnd = cpuSecondsOf(server.child.pid!);
client.child.stdin!.end();
const samples = await client.samples;

const recall = await measureRecall(dataDir, server.url);
log(`import-search: recall ${JSON.stringify(recall.results.map((r) => [r.ef, r.sameLanguage, r.anyLanguages]))}`);

const stopStarted = performance.now();
server.child.kill('SIGTERM');
const serverExit = await exited(server.child);
const shutdownSeconds = round((performance.now() - stopStarted) / 1000, 1);
serverRss.stop();

const phases = [
  phaseStats('before the import', samples, clientStart, importStart),
  phaseStats('during the import (tafuta index running)', samples, importStart, importEnd),
  phaseStats('after the import', samples, importEnd, clientEnd),
];
const during = phases[1]!;
const summary = /indexed (\d+) documents .* (\d+) passages in ([\d.]+) s \((\d+) passages\/s\)/.exec(importOut);
const catchUp = /"insertMs":(\d+),"saveMs":(\d+)/.exec(importErr);
const freshFound = freshness.filter((p) => p.found).length;
const bestRecall = recall.results[0]!;

const h = header('import-search', 'scripts/bench-import-search.ts', start, startedMs);
const report = {
  ...h,
  n0: N0,
  n1: N1,
  qps: QPS,
  quietSeconds: QUIET_S,
  importNice: IMPORT_NICE,
  k: K,
  target: TARGET,
  targetMet: { p99During: during.latencyMs.p99 <= TARGET.p99Ms, recallAt10: bestRecall.sameLanguage >= TARGET.recallAt10 },
  baseIndex: { seconds: baseSeconds, output: baseRun.stdout.trim() },
  import: {
    seconds: round((importEnd - importStart) / 1000, 1),
    output: importOut.trim(),
    passages: summary ? Number(summary[2]) : undefined,
    cliSeconds: summary ? Number(summary[3]) : undefined,
    graphInsertMs: catchUp ? Number(catchUp[1]) : undefined,
    graphSaveMs: catchUp ? Number(catchUp[2]) : undefined,
    peakRssMiB: cliRss.peak,
    load: { start: importLoad.start, end: importLoadEnd },
  },
  server: {
    peakRssMiB: serverRss.peakMiB(),
    exit: serverExit,
    shutdownSeconds,
    adoptions: adoptionsIn(serverLog, importEnd),
    /** CPU seconds the server used during the import and in the quiet period after it (searches, its own graph inserts). */
    cpuSeconds: { import: round(serverCpu.importEnd - serverCpu.importStart, 2), after: round(serverCpu.afterEnd - serverCpu.importEnd, 2) },
  },
  phases,
  timeline: timeline(samples, clientStart, importStart, importEnd),
  freshness: { probes: freshness.length, found: freshFound, probesMs: percentiles(freshness.map((p) => p.ms)), missed: freshness.filter((p) => !p.found) },
  recall,
};

const md = `# Searches during a bulk import (tafuta index into a served collection)

Generated by \`${h.command}\` (${h.script}); ${machineLine(h)}.

A collection of ${N0} documents (the issue-23 corpus, one passage each, cmtp-base) built by \`tafuta index\` in ${baseSeconds} s;
\`tafuta serve\` on its data directory; an open-loop client in its own process sending ${QPS} text searches/s (k = ${K}, dense,
3–8 corpus words, encoded by the server), latency from each request's scheduled time; after ${QUIET_S} s a second
\`tafuta index --nice ${IMPORT_NICE}\` process imports ${N1} more documents into the same collection; ${QUIET_S} s more after it exits.
Load average (1/5/15 min) during the import: ${importLoad.start.loadavg.join(' / ')} → ${importLoadEnd.loadavg.join(' / ')}.

${table(
  ['phase', 'seconds', 'requests', 'failed', 'p50 ms', 'p95 ms', 'p99 ms', 'max ms'],
  phases.map((p) => [p.name, p.seconds, p.requests, `${p.failed}${p.failed > 0 ? ` (${Object.entries(p.failedByStatus).map(([status, n]) => `${n} × ${status === '0' ? 'no answer' : status}`).join(', ')})` : ''}`, p.latencyMs.p50, p.latencyMs.p95, p.latencyMs.p99, p.latencyMs.max]),
)}

Import: ${report.import.output || 'no summary'} (wall ${report.import.seconds} s${report.import.graphInsertMs !== undefined ? `, of which the CLI's graph catch-up ${round(report.import.graphInsertMs / 1000, 1)} s + save ${round(report.import.graphSaveMs! / 1000, 1)} s` : ''}); peak RSS: CLI ${cliRss.peak} MiB, server ${report.server.peakRssMiB} MiB.
Freshness: ${freshFound} of ${freshness.length} probes (about one a second during the import) found the newest passage SQLite held when the probe began, by its own vector (probe p50 ${report.freshness.probesMs.p50} ms, max ${report.freshness.probesMs.max} ms).
Server stop: SIGTERM → exit ${serverExit.code ?? serverExit.signal} in ${shutdownSeconds} s.
Server CPU: ${report.server.cpuSeconds.import} s during the import, ${report.server.cpuSeconds.after} s in the ${QUIET_S} s after it (user + system).
The server's graph: ${
  report.server.adoptions.length === 0
    ? 'the server inserted every imported passage itself (it adopted no graph saved by the CLI)'
    : report.server.adoptions.map((a) => `adopted the graph the CLI saved ${a.atSeconds} s after the import ended (${a.vectors} vectors, loaded in ${a.ms} ms, ${a.blockedMs ?? a.ms} ms of it blocking the event loop; ${a.droppedPending} pending passages not inserted again)`).join('; ')
}.

Latency per 5 s window (ms):

${table(['from s', 'phase', 'requests', 'p50', 'p99', 'max'], report.timeline.map((w) => [w.fromSeconds, w.phase, w.n, w.p50, w.p99, w.max]))}

recall@${K} of the served searches after the import (by vector, ${RECALL_QUERIES} queries: the normalised mean of two stored
passages of one language / of any two) against exact search over the ${recall.passages} stored vectors:

${table(['ef', `recall@${K}, same language`, `recall@${K}, any languages`, 'p50 / p99 ms (1 connection)'], recall.results.map((r) => [r.ef, r.sameLanguage, r.anyLanguages, `${r.latencyMs.p50} / ${r.latencyMs.p99}`]))}

Targets (issue 23): p99 during the import ≤ ${TARGET.p99Ms} ms: ${report.targetMet.p99During ? 'met' : '**not met**'} (${during.latencyMs.p99} ms);
recall@${K} ≥ ${TARGET.recallAt10} at the default ef: ${report.targetMet.recallAt10 ? 'met' : '**not met**'} (same language ${bestRecall.sameLanguage}; between languages, not judged: ${bestRecall.anyLanguages}).
`;
writeReport(REPORT, report, md);
process.exit(0);
