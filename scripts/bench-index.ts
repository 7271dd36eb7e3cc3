/**
 * Benchmark: indexing throughput of the storage path — engine.upsertDocuments (split, SQLite transaction with
 * FTS5, HNSW insert, periodic index saves) with a fake encoder that returns deterministic random unit vectors,
 * so the encoder costs ~nothing — at 10k and 100k passages (1M only with BENCH_INDEX_1M=1 and when the 100k run
 * projects it under 10 minutes; otherwise extrapolated). Plus the throughput of the shipped default encoder
 * (hashed-ngram-v1) alone on the demo corpus passages. Writes docs/benchmarks/index.json and index.md.
 * Run: `npm run bench:index`.
 */
import fs from 'node:fs';
import path from 'node:path';
import { DEFAULT_COLLECTION_CONFIG } from '../indexer/config.js';
import { splitPassages } from '../indexer/passages.js';
import type { DocumentInput } from '../indexer/types.js';
import { createHashedNgramEncoder } from '../models/hashed-ngram-encoder.js';
import {
  deadline,
  DEMO_CORPUS,
  dirBytes,
  fakeEncoder,
  fakeEngine,
  header,
  loadSample,
  log,
  machineLine,
  round,
  table,
  tempDir,
  writeReport,
  type LoadSample,
} from './bench-common.js';

const DIM = 256;
const BATCH = 1000;
const SIZES = (process.env.BENCH_INDEX_SIZES ?? '10000,100000').split(',').map(Number);
const PROJECTION_LIMIT_S = 600;
/**
 * `deferred` (default): as `tafuta index` does since issue 23 — each batch commits to SQLite without waiting for the
 * graph, which is built once at the end (engine.catchUpIndex). `per-batch`: each write waits for the graph (the server's path).
 */
const MODE = process.env.BENCH_INDEX_MODE === 'per-batch' ? 'per-batch' : 'deferred';

interface DemoDoc {
  id: string;
  text: string;
  lang?: string;
}

const demoDocs = fs.readFileSync(DEMO_CORPUS, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as DemoDoc);
/** Real passage texts (the demo corpus split as the engine splits it), reused cyclically with a unique suffix. */
const demoPassages = demoDocs.flatMap((d) => splitPassages(d.text, DEFAULT_COLLECTION_CONFIG.passages).map((s) => ({ text: s.text, lang: d.lang })));
const meanChars = demoPassages.reduce((a, p) => a + p.text.length, 0) / demoPassages.length;

function documentsFor(from: number, to: number): DocumentInput[] {
  const out: DocumentInput[] = [];
  for (let i = from; i < to; i++) {
    const p = demoPassages[i % demoPassages.length]!;
    // Short enough (≤ 1000 chars with the suffix) to stay one passage per document.
    const text = `${p.text.slice(0, 980)} [${i}]`;
    out.push({ id: `doc-${i}`, text, ...(p.lang ? { lang: p.lang } : {}) });
  }
  return out;
}

interface IndexRun {
  passages: number;
  seconds: number;
  passagesPerSecond: number;
  /** Seconds of the final explicit index save (the server also saves 2 s after writes, inside the timed loop). */
  finalSaveSeconds: number;
  /** Deferred mode: seconds of the batches (split + SQLite) and of the graph built at the end (with its save). */
  upsertSeconds: number;
  graphSeconds: number;
  peakRssMiB: number;
  bytes: { db: number; wal: number; shm: number; indexes: number; total: number };
  bytesPerPassage: number;
  /** passages/s per 10% slice of the run: shows whether throughput falls as the graph grows. */
  rateBySlice: number[];
  load: { start: LoadSample; end: LoadSample };
}

async function indexRun(n: number): Promise<IndexRun> {
  const start = loadSample();
  const dir = tempDir('bench-index');
  const engine = fakeEngine(dir, fakeEncoder(DIM));
  await engine.createCollection('bench');
  const t0 = performance.now();
  const rateBySlice: number[] = [];
  let sliceStart = t0;
  let sliceDone = 0;
  const slice = Math.max(BATCH, n / 10);
  for (let i = 0; i < n; i += BATCH) {
    const result = await engine.upsertDocuments('bench', documentsFor(i, Math.min(n, i + BATCH)), { deferIndex: MODE === 'deferred' });
    if (result.passages !== Math.min(BATCH, n - i)) throw new Error(`expected one passage per document, got ${result.passages}`);
    sliceDone += Math.min(BATCH, n - i);
    if (sliceDone >= slice || i + BATCH >= n) {
      const now = performance.now();
      rateBySlice.push(round(sliceDone / ((now - sliceStart) / 1000), 0));
      log(`index ${n}: ${i + BATCH} done, ${rateBySlice[rateBySlice.length - 1]} passages/s in the last slice`);
      sliceStart = now;
      sliceDone = 0;
    }
  }
  const graphStart = performance.now();
  if (MODE === 'deferred') {
    await engine.catchUpIndex('bench');
    log(`index ${n}: graph built and saved in ${round((performance.now() - graphStart) / 1000, 1)} s`);
  }
  const saveStart = performance.now();
  engine.saveIndexes();
  const finalSave = (performance.now() - saveStart) / 1000;
  const seconds = (performance.now() - t0) / 1000;
  const size = (f: string) => (fs.existsSync(path.join(dir, f)) ? fs.statSync(path.join(dir, f)).size : 0);
  const bytes = { db: size('tafuta.db'), wal: size('tafuta.db-wal'), shm: size('tafuta.db-shm'), indexes: dirBytes(path.join(dir, 'indexes')), total: 0 };
  bytes.total = bytes.db + bytes.wal + bytes.shm + bytes.indexes;
  const passages = (await engine.getCollection('bench')).passages;
  await engine.close();
  fs.rmSync(dir, { recursive: true, force: true });
  return {
    passages,
    seconds: round(seconds, 2),
    passagesPerSecond: round(passages / seconds, 0),
    finalSaveSeconds: round(finalSave, 2),
    upsertSeconds: round((graphStart - t0) / 1000, 2),
    graphSeconds: round((saveStart - graphStart) / 1000, 2),
    peakRssMiB: round(process.resourceUsage().maxRSS / 1024, 1),
    bytes,
    bytesPerPassage: round(bytes.total / passages, 0),
    rateBySlice,
    load: { start, end: loadSample() },
  };
}

async function encoderThroughput(): Promise<{ passages: number; rounds: number; seconds: number; passagesPerSecond: number; charsPerSecond: number; load: { start: LoadSample; end: LoadSample } }> {
  const start = loadSample();
  const encoder = createHashedNgramEncoder();
  const texts = demoPassages.map((p) => p.text);
  const langs = demoPassages.map((p) => p.lang);
  const chars = texts.reduce((a, t) => a + t.length, 0);
  const runBatches = async () => {
    for (let i = 0; i < texts.length; i += 256) await encoder.embed(texts.slice(i, i + 256), { kind: 'passage', lang: langs.slice(i, i + 256) });
  };
  await runBatches(); // warm-up
  let rounds = 0;
  const t0 = performance.now();
  while (performance.now() - t0 < 8000 || rounds < 3) {
    await runBatches();
    rounds++;
  }
  const seconds = (performance.now() - t0) / 1000;
  return {
    passages: texts.length,
    rounds,
    seconds: round(seconds, 2),
    passagesPerSecond: round((texts.length * rounds) / seconds, 0),
    charsPerSecond: round((chars * rounds) / seconds, 0),
    load: { start, end: loadSample() },
  };
}

deadline(20 * 60, 'bench-index');
const startedMs = performance.now();
const start = loadSample();

log('encoder throughput (hashed-ngram-v1, demo passages)');
const encoder = await encoderThroughput();
log(`encoder: ${encoder.passagesPerSecond} passages/s`);

const runs: IndexRun[] = [];
for (const n of SIZES) {
  runs.push(await indexRun(n));
  log(`index ${n}: ${JSON.stringify(runs[runs.length - 1])}`);
}
const last = runs[runs.length - 1]!;
// HNSW insertion cost grows roughly with log n; the last slice's rate is the honest basis for a projection.
const lastSliceRate = last.rateBySlice[last.rateBySlice.length - 1] ?? last.passagesPerSecond;
const scale = 1_000_000 / last.passages;
// Deferred: the batches scale about linearly; the graph build is allowed 1.2× per passage for the deeper graph.
const projected1M =
  MODE === 'deferred' ? round(last.upsertSeconds * scale + last.graphSeconds * scale * 1.2, 0) : round(1_000_000 / (lastSliceRate * 0.8), 0);
const projectionBasis =
  MODE === 'deferred'
    ? `${round(scale, 0)} × (batches ${last.upsertSeconds} s + 1.2 × graph build ${last.graphSeconds} s) at ${last.passages}; the 1.2 allows for the deeper graph`
    : `1M / (0.8 × last-slice rate ${lastSliceRate} passages/s at ${last.passages}; the 0.8 allows for the deeper graph and the 10× larger periodic index saves)`;
let million: IndexRun | undefined;
let millionNote: string;
if (process.env.BENCH_INDEX_1M === '1' && projected1M <= PROJECTION_LIMIT_S) {
  million = await indexRun(1_000_000);
  runs.push(million);
  millionNote = `1M passages measured (BENCH_INDEX_1M=1).`;
} else {
  millionNote =
    `1M passages not run: projected ≈ ${projected1M} s (${projectionBasis})` +
    `${projected1M > PROJECTION_LIMIT_S ? `, over the ${PROJECTION_LIMIT_S} s budget` : '; set BENCH_INDEX_1M=1 to measure it'}. ` +
    `Extrapolated: ≈ ${round((last.bytesPerPassage * 1e6) / 2 ** 30, 2)} GiB on disk at ${last.bytesPerPassage} bytes/passage, ` +
    `peak RSS ≲ ${round(last.peakRssMiB * (1e6 / last.passages), 0)} MiB (the whole-process peak of the ${last.passages} run scaled linearly: an upper estimate).`;
}

const h = header('index', 'scripts/bench-index.ts', start, startedMs);
const report = { ...h, mode: MODE, dim: DIM, batch: BATCH, meanPassageChars: round(meanChars, 0), hnsw: DEFAULT_COLLECTION_CONFIG.hnsw, encoder, runs, projected1MSeconds: projected1M, millionNote };
const mib = (b: number) => round(b / 2 ** 20, 1);
const md = `# Indexing throughput

Generated by \`${h.command}\` (${h.script}); ${machineLine(h)}.

## Storage path (engine, fake encoder)

Mode **${MODE}** (BENCH_INDEX_MODE): ${MODE === 'deferred' ? 'each batch commits without waiting for the graph, which is built once at the end from SQLite and saved (engine.catchUpIndex, as `tafuta index` does); the rate per slice covers the batches only' : 'each write waits for the HNSW graph (the server path)'}.

\`engine.upsertDocuments\` in batches of ${BATCH} one-passage documents (demo corpus passage texts, mean ${round(meanChars, 0)} characters,
with a unique suffix), each batch one SQLite transaction (WAL, synchronous=FULL, FTS5), HNSW M = ${DEFAULT_COLLECTION_CONFIG.hnsw.M},
efConstruction = ${DEFAULT_COLLECTION_CONFIG.hnsw.efConstruction}; ${MODE === 'deferred' ? 'the graph is built and saved once after the last batch, inside the timed run' : "each batch is followed by the HNSW insert, the engine's own periodic index save (2 s after a write) runs inside the timed loop, as in the server, and the time includes a final save"}. The encoder is a fake returning
a seeded random unit vector (dim ${DIM}) per text, so this measures storage, not encoding. Peak RSS is the process
maximum so far (runs are in order, one process). Bytes: \`tafuta.db\` + \`-wal\` + \`-shm\` + \`indexes/\` after the final save.

${table(
  ['passages', 'seconds', 'passages/s', 'rate per 10% slice (passages/s)', 'batches s / graph build s', 'final save s', 'peak RSS MiB', 'db / wal / index MiB', 'bytes/passage', 'load start → end'],
  runs.map((r) => [r.passages, r.seconds, r.passagesPerSecond, r.rateBySlice.join(', '), `${r.upsertSeconds} / ${r.graphSeconds}`, r.finalSaveSeconds, r.peakRssMiB, `${mib(r.bytes.db)} / ${mib(r.bytes.wal)} / ${mib(r.bytes.indexes)}`, r.bytesPerPassage, `${r.load.start.loadavg[0]} → ${r.load.end.loadavg[0]}`]),
)}

${millionNote}

## Default encoder alone

\`hashed-ngram-v1\` (the shipped default, untrained baseline) on the ${encoder.passages} demo passages, batches of 256, repeated
${encoder.rounds}× over ${encoder.seconds} s: **${encoder.passagesPerSecond} passages/s** (${encoder.charsPerSecond} characters/s), one thread;
load ${encoder.load.start.loadavg[0]} → ${encoder.load.end.loadavg[0]}. With this encoder, end-to-end indexing is bounded by encoding, not storage.
`;
writeReport('index', report, md);
