/**
 * Generates docs/benchmarks.md, the overview of the benchmark results, from docs/benchmarks/*.json (written by
 * scripts/bench-ann.ts, bench-index.ts, bench-http.ts, bench-chroma.ts, bench-encoder.ts, bench-transformers.ts). Every number is quoted with the command
 * that reproduces it and the machine and load it was measured on. Run: `npm run bench:report` (part of bench:all).
 */
import fs from 'node:fs';
import path from 'node:path';
import { PACKAGE_ROOT } from '../bin/runtime.js';
import { OUT_DIR, table } from './bench-common.js';

type Json = any;

function read(name: string): Json | undefined {
  const file = path.join(OUT_DIR, `${name}.json`);
  return fs.existsSync(file) ? (JSON.parse(fs.readFileSync(file, 'utf8')) as Json) : undefined;
}

const loadOf = (r: Json) => `${r.load.start.loadavg.join(' / ')} → ${r.load.end.loadavg.join(' / ')}`;
const provenance = (r: Json) =>
  `Command: \`${r.command}\` (\`${r.script}\`), ${r.date.slice(0, 16).replace('T', ' ')} UTC, ${r.seconds} s; load average (1/5/15 min) ${loadOf(r)}. ` +
  `Details: [\`docs/benchmarks/${r.name}.md\`](benchmarks/${r.name}.md), raw: [\`${r.name}.json\`](benchmarks/${r.name}.json).`;

const ann = read('ann');
const index = read('index');
const http = read('http');
const chroma = read('chroma');
const postgres = read('postgres');
const encoder = read('encoder');
const transformers = read('transformers');
const any = ann ?? index ?? http ?? chroma;
const sections: string[] = [];

if (ann) {
  const rows: Array<Array<string | number>> = [];
  for (const d of ann.datasets as Json[]) for (const p of d.curve as Json[]) rows.push([d.name, p.ef, p.recallAt10.toFixed(4), p.qps, p.qpsPasses.join(', '), `${p.latencyMs.p50} / ${p.latencyMs.p99}`]);
  sections.push(`## 1. ANN: HNSW recall@10 vs single-thread QPS

${provenance(ann)}

${(ann.datasets as Json[]).map((d) => `- **${d.name}**: ${d.description}. M ${d.params.M}, efConstruction ${d.params.efConstruction}; build ${d.buildSeconds} s (${d.buildPerSecond} vectors/s), RSS +${d.rssDeltaMiB} MiB (raw vectors ${d.rawVectorsMiB} MiB); exact brute force ${d.exactSeconds} s; load ${d.load.start.loadavg[0]} → ${d.load.end.loadavg[0]}.`).join('\n')}

${table(['dataset', 'ef', 'recall@10', 'QPS (median)', 'QPS passes', 'p50 / p99 ms'], rows)}

${(ann.verdicts as Json[]).map((v) => `- ${v.dataset}: smallest ef with recall@10 ≥ ${ann.targetRecall} is **${v.recommendedEf ?? 'none'}**; the current default ef ${v.defaultEf} gives ${v.recallAtDefault} (${v.defaultMeetsTarget ? 'meets' : 'misses'} the target).`).join('\n')}
${ann.int8 ? `- int8 scalar quantisation (exact scan, ${ann.int8.queries} queries, clustered data): recall@10 ${ann.int8.recallInt8Only} from int8 scores, ${ann.int8.recallRescored} after float rescoring of the top ${ann.int8.candidates}; ${ann.int8.bytesPerVectorInt8} vs ${ann.int8.bytesPerVectorFloat32} bytes per vector. No int8 HNSW measured.` : ''}
`);
}

if (index) {
  sections.push(`## 2. Indexing throughput

${provenance(index)}

Storage path (engine.upsertDocuments, fake encoder, batches of ${index.batch}, HNSW M ${index.hnsw.M} / efConstruction ${index.hnsw.efConstruction}, passages of ${index.meanPassageChars} characters on average):

${table(
  ['passages', 'seconds', 'passages/s', 'per-10% slice passages/s', 'peak RSS MiB', 'bytes/passage (db+wal+shm+index)', 'load (1 min) start → end'],
  (index.runs as Json[]).map((r) => [r.passages, r.seconds, r.passagesPerSecond, r.rateBySlice.join(', '), r.peakRssMiB, r.bytesPerPassage, `${r.load.start.loadavg[0]} → ${r.load.end.loadavg[0]}`]),
)}

${index.millionNote}

Default encoder \`hashed-ngram-v1\` alone: **${index.encoder.passagesPerSecond} passages/s** (${index.encoder.charsPerSecond} characters/s) on the ${index.encoder.passages} demo passages, one thread (load ${index.encoder.load.start.loadavg[0]} → ${index.encoder.load.end.loadavg[0]}).
`);
}

if (http) {
  const ins = http.phases[2]?.result.insert;
  sections.push(`## 3. HTTP search latency under load

${provenance(http)}

${http.n} passages (clustered vectors, dim ${http.dim}, fake encoder), HNSW M ${http.hnsw.M} / efConstruction ${http.hnsw.efConstruction} / ef ${http.hnsw.ef}, k = ${http.k}, real server on 127.0.0.1, autocannon in a separate process, latencies in ms:

${table(
  ['phase', 'QPS', 'p50', 'p95', 'p99', 'max', 'requests', 'errors / non-2xx / timeouts', 'load (1 min)'],
  (http.phases as Json[]).map((p) => [p.name, p.result.qps, p.result.latencyMs.p50, p.result.latencyMs.p95, p.result.latencyMs.p99, p.result.latencyMs.max, p.result.requests, `${p.result.errors} / ${p.result.non2xx} / ${p.result.timeouts}`, `${p.load.start.loadavg[0]} → ${p.load.end.loadavg[0]}`]),
)}

${ins ? `During the bulk insert (${ins.batches} batches of 500, batch p50 ${ins.batchMs.p50} ms, max ${ins.batchMs.max} ms, ${ins.errors} failed) the worst search latency was **${http.phases[2].result.latencyMs.max} ms**.` : ''}
Targets p50 ≤ ${http.target.p50} ms / p99 ≤ ${http.target.p99} ms: with 10 connections p50 ${http.targetMet.tenConnections.p50 ? 'met' : '**not met**'}, p99 ${http.targetMet.tenConnections.p99 ? 'met' : '**not met**'}; with 1 connection p50 ${http.targetMet.oneConnection.p50 ? 'met' : '**not met**'}, p99 ${http.targetMet.oneConnection.p99 ? 'met' : '**not met**'}.${http.targetMet.tenConnectionsWorkers ? ` With 10 connections on ${http.workers} worker processes (\`--workers ${http.workers}\`): p50 ${http.targetMet.tenConnectionsWorkers.p50 ? 'met' : '**not met**'}, p99 ${http.targetMet.tenConnectionsWorkers.p99 ? 'met' : '**not met**'}.` : ''}
`);
}

if (chroma) {
  const r = chroma.ratios;
  sections.push(`## 4. tafuta vs Chroma

${provenance(chroma)}

${chroma.n} × ${chroma.dim} clustered vectors, ${chroma.queries} queries, k = ${chroma.k}, both over loopback HTTP with clients in a separate process. Chroma npm ${chroma.chroma.npm}, HNSW cosine, M ${chroma.chroma.hnsw.max_neighbors}, ef_construction ${chroma.chroma.hnsw.ef_construction}, ef_search ${chroma.chroma.hnsw.ef_search}; tafuta M ${chroma.tafuta.hnsw.M}, efConstruction ${chroma.tafuta.hnsw.efConstruction}, ef swept (per request)${chroma.tafuta.workers > 1 ? `; tafuta×${chroma.tafuta.workers} = the same data directory served by ${chroma.tafuta.workers} worker processes (\`--workers ${chroma.tafuta.workers}\`)` : ''}. One node:http keep-alive client for both (Chroma via its REST routes). Concurrent = ${chroma.concurrency} requests in flight. Both servers up together, query runs interleaved over ${chroma.rounds ?? 1} rounds (tafuta ef, Chroma, next ef, Chroma, …); QPS = median run (all runs in parentheses).

${table(
  ['system', 'insert s', 'vectors/s', 'load (1 min)'],
  [
    ...(['tafuta', 'chroma'] as const).filter((s) => chroma.inserts[s]).map((s) => [s, chroma.inserts[s].seconds, chroma.inserts[s].vectorsPerSecond, `${chroma.inserts[s].load.start.loadavg[0]} → ${chroma.inserts[s].load.end.loadavg[0]}`]),
    ...(postgres ? [[`tafuta (postgres)†, ${postgres.tafuta.n} vectors`, postgres.tafuta.insert.seconds, postgres.tafuta.insert.documentsPerSecond, `${postgres.tafuta.insert.load.start.loadavg[0]} → ${postgres.tafuta.insert.load.end.loadavg[0]}`]] : []),
  ],
)}

${table(
  ['system', 'ef', 'recall@10', 'sequential QPS', 'seq p50 / p99 ms', 'concurrent QPS', 'conc p50 / p99 ms', 'load (1 min)'],
  [
    ...(chroma.settings as Json[]).map((s) => [s.system, s.ef, s.recallAt10.toFixed(4), `${s.sequential.qps} (${(s.sequentialQpsRuns ?? []).join(', ')})`, `${s.sequential.latencyMs.p50} / ${s.sequential.latencyMs.p99}`, `${s.concurrent.qps} (${(s.concurrentQpsRuns ?? []).join(', ')})`, `${s.concurrent.latencyMs.p50} / ${s.concurrent.latencyMs.p99}`, (s.loadRange ?? [s.load.loadavg[0]]).join(' – ')]),
    ...(postgres ? (postgres.tafuta.search as Json[]).map((s) => ['tafuta (postgres)†', s.ef, s.recallAt10.toFixed(4), `${s.sequential.qps} (1 run)`, `${s.sequential.latencyMs.p50} / ${s.sequential.latencyMs.p99}`, `${s.concurrent.qps} (1 run)`, `${s.concurrent.latencyMs.p50} / ${s.concurrent.latencyMs.p99}`, s.load.loadavg[0]]) : []),
  ],
)}
${postgres ? `
† \`tafuta (postgres)\`: **not the same run and not the same size** — from \`${postgres.command}\` (${postgres.date.slice(0, 16).replace('T', ' ')} UTC; load ${postgres.load.start.loadavg.join(' / ')} → ${postgres.load.end.loadavg.join(' / ')}; [details](benchmarks/postgres.md)): the engine and server of \`tafuta serve --store postgres://…\` on **PGlite (PostgreSQL in WASM, single-threaded; a native PostgreSQL would be faster)** with pgvector ${postgres.engine.pgvector}, ${postgres.tafuta.n} of the same vectors (not ${chroma.n}), the first ${postgres.tafuta.queries} of the same queries, recall against the exact top-10 of those ${postgres.tafuta.n}, one run per ef (not interleaved with Chroma), the HTTP client in the server's process, one database connection (pglite-server cannot run two connections' queries interleaved). Its insert goes into an HNSW index that exists from the start, with the text indexes (GIN, pg_textsearch BM25). Read it as "the PostgreSQL store works through the same API at this recall", not as a speed comparison.
` : ''}
${r.matchedRecall ? `Ratios tafuta / Chroma at matched recall (smallest tafuta ef within ${chroma.recallTolerance ?? 0} of Chroma's recall: tafuta ef ${r.matchedRecall.tafutaEf}: ${r.matchedRecall.recall.tafuta}; Chroma ef_search ${r.matchedRecall.chromaEf}: ${r.matchedRecall.recall.chroma}): sequential QPS **${r.matchedRecall.sequentialQps}×**, concurrent QPS **${r.matchedRecall.concurrentQps}×** (target ≥ 2×: ${r.matchedRecall.sequentialQps >= 2 && r.matchedRecall.concurrentQps >= 2 ? 'met' : r.matchedRecall.concurrentQps >= 2 ? 'met for throughput under concurrency, **not met** for one request at a time' : '**not met**'}).` : 'No tafuta ef reached Chroma\'s recall.'}
${r.matchedRecallWorkers ? `With ${r.matchedRecallWorkers.workers} workers at matched recall (ef ${r.matchedRecallWorkers.tafutaEf}: ${r.matchedRecallWorkers.recall.tafuta}): sequential QPS **${r.matchedRecallWorkers.sequentialQps}×**, concurrent QPS **${r.matchedRecallWorkers.concurrentQps}×**.` : ''}
${r.sameEf ? `At the same ef ${r.sameEf.tafutaEf}: sequential ${r.sameEf.sequentialQps}×, concurrent ${r.sameEf.concurrentQps}×.` : ''} Insert time ratio ${r.insertSeconds}× (tafuta / Chroma). ${chroma.chroma.note} Chroma's ef_search stays at its default (changing it with \`collection.modify\` did not change results in a trial run).
`);
}

if (encoder) {
  sections.push(`## 5. Encoder throughput

Command: \`${encoder.command}\`, ${encoder.date.slice(0, 16).replace('T', ' ')} UTC; load average at start ${encoder.loadAverageAtStart.join(' / ')}; one process,
batches of ${encoder.batch}, featurisation (normalise, segment, hash) included, median of ${encoder.rounds ?? 1} passes, each with an empty word cache,
in a freshly opened encoder ("new process") and in a warmed-up one whose cache was emptied ("running", as a long-running server);
"workers" = encoder worker threads sharing each batch (\`TAFUTA_ENCODER_WORKERS\`, default one per core; 0 = the main thread), "word cache" =
words whose pooled sums the encoder keeps, in one cache its threads share (\`TAFUTA_ENCODER_WORD_CACHE\`; 0 = the whole graph per text). Target: ≥ 20,000 passages/s.
Details: [\`docs/benchmarks/encoder.md\`](benchmarks/encoder.md).

${table(['encoder', 'dim', 'workers', 'word cache', 'texts', 'mean chars', 'passages/s, new process', 'passages/s, running'], (encoder.rows as Json[]).map((r) => [r.encoder, r.dim ?? '', r.workers ?? 0, r.wordCache ?? 0, `${r.set}: ${r.texts}`, r.meanChars, r.passagesPerSecond, r.runningPerSecond ?? '–']))}
`);
}

if (transformers) {
  const s = transformers.shape;
  sections.push(`## 6. Transformers encoder throughput (Hugging Face models)

A synthetic model with e5-small's shape (${s.layers} layers, ${s.hidden}-d, ${s.heads} heads, FFN ${s.intermediate}; random weights, fp32 ONNX of ${transformers.modelMiB} MiB) through the
transformers encoder, next to cmtp-base (no word cache) on the same demo passages; "threads" = onnxruntime intra-op threads (\`TAFUTA_ENCODER_THREADS\`).
"per CPU-second" divides by the process's CPU time, which other processes on a shared machine do not stretch. ${provenance(transformers)}

${table(['encoder', 'threads', 'texts', 'mean tokens', 'passages/s', 'passages per CPU-second'], (transformers.rows as Json[]).map((r) => [r.encoder, r.threads, r.texts, r.meanTokens ?? '–', r.passagesPerSecond, r.passagesPerCpuSecond ?? '–']))}
`);
}

if (postgres) {
  const types = [postgres.pgvector.vector, postgres.pgvector.halfvec] as Json[];
  const at = (t: Json, ef: number) => (t.efSearch as Json[]).find((e) => e.ef === ef);
  sections.push(`## 7. PostgreSQL + pgvector, one node (PGlite)

${provenance(postgres)}

**PGlite is PostgreSQL 18 in WASM, single-threaded: every timing here is an upper bound; a native PostgreSQL would be faster.** Sizes are PostgreSQL's page format and carry over. ${postgres.data.n} × ${postgres.data.dim} clustered vectors, ${postgres.data.queries} queries, k = ${postgres.data.k}, HNSW m ${postgres.pgvector.vector.hnswBuild.m}, ef_construction ${postgres.pgvector.vector.hnswBuild.efConstruction}, raw SQL; \`uptime\` at start: \`${postgres.uptime.start}\`. These are the per-node inputs of the capacity model in [scale-out.md](scale-out.md).

${table(
  ['column', 'insert rows/s', 'HNSW build s', 'heap / HNSW bytes per row', 'exact-scan recall@10', 'recall@10 at ef_search 40 / 100', 'p50 / p99 ms at ef_search 100', 'load (1 min)'],
  types.map((t) => [`${t.type}(${postgres.data.dim})`, t.insert.rowsPerSecond, t.hnswBuild.seconds, `${t.bytesPerRow.table} / ${t.bytesPerRow.hnsw}`, t.exact.recallAt10, `${at(t, 40)?.recallAt10} / ${at(t, 100)?.recallAt10}`, `${at(t, 100)?.latencyMs.p50} / ${at(t, 100)?.latencyMs.p99}`, `${t.load.start.loadavg[0]} → ${t.load.end.loadavg[0]}`]),
)}

${postgres.engine.halfvecNote ?? ''}

Fan-out on the same node, ${postgres.fanOut.shards} shards of ${postgres.fanOut.rowsPerShard} rows, LIMIT ${postgres.fanOut.limitPerShard} per shard, merged: recall@10 ${(postgres.fanOut.efSearch as Json[]).map((e) => `${e.recallAt10} at ef_search ${e.efSearchPerShard}`).join(', ')} per shard (one index over all: ${(postgres.pgvector.vector.efSearch as Json[]).map((e) => `${e.recallAt10} at ${e.ef}`).join(', ')}). tafuta's store through its HTTP API: ${postgres.tafuta.insert.documentsPerSecond} documents/s inserted, ${postgres.tafuta.bytesPerPassage} bytes per passage with texts of a few bytes (rows in section 4).
`);
}

function observations(): string[] {
  const out: string[] = [];
  const c100 = ann?.datasets?.[0]?.curve?.find((p: Json) => p.ef === 64);
  const one = http?.phases?.[0]?.result;
  if (c100 && one) {
    out.push(`- Search time is mostly outside the ANN: at ef 64 on 100k, \`HnswVectorStore.search\` takes p50 ${c100.latencyMs.p50} ms in process, while an HTTP search with one connection takes p50 ${one.latencyMs.p50} ms (request parsing, validation, SQLite passage lookup, JSON, loopback; a CPU profile spreads it over Express, the HTTP stack, SQLite and hnswlib with no single hot spot). With 10 connections one server process is saturated and latency is queueing (Little's law: 10 / QPS); \`--workers N\` spreads connections over N processes.`);
  }
  const ins = http?.phases?.[2]?.result;
  if (ins?.insert) {
    out.push(`- During a bulk insert searches keep being answered (${ins.qps} QPS, p99 ${ins.latencyMs.p99} ms, worst ${ins.latencyMs.max} ms): each POST /documents batch of 500 commits one SQLite transaction, then enters the HNSW graph in slices of at most 4 ms between event-loop turns, and the periodic index save writes and checksums the graph off the main thread. The worst case is the SQLite transaction of a batch, which is atomic by contract (all or nothing) and runs on the server's only thread.`);
  }
  if (out.length) out.unshift('## Observations\n');
  if (out.length) out.push('');
  return out;
}

/**
 * Hand-written findings (`docs/benchmarks/notes/<section>.<n>-<name>.md`, e.g. `2.1-…`) follow the generated section
 * whose number they start with, in name order; `notes/not-done.md` ends the report. Regenerating keeps them.
 */
function notesAfter(section: number): string {
  const dir = path.join(PACKAGE_ROOT, 'docs', 'benchmarks', 'notes');
  if (!fs.existsSync(dir)) return '';
  return fs
    .readdirSync(dir)
    .filter((name) => name.startsWith(`${section}.`) && name.endsWith('.md'))
    .sort((a, b) => a.localeCompare(b, 'en', { numeric: true }))
    .map((name) => fs.readFileSync(path.join(dir, name), 'utf8'))
    .join('');
}

const m = any?.machine;
const md = `# Benchmarks

Generated by \`npm run bench:report\` (\`scripts/bench-report.ts\`) from \`docs/benchmarks/*.json\`; regenerate everything with
\`npm run bench:all\` (build, then \`bench:ann\`, \`bench:index\`, \`bench:http\`, \`bench:chroma\`, \`bench:report\`; ≈ 20 minutes).
Each section quotes the command that produced it, when, and the load average (1/5/15 min) at its start and end.
Machine: ${m ? `${m.cpu} × ${m.cores} cores, ${m.memoryGiB} GiB, Node ${m.node}, ${m.platform}, tafuta ${m.version}` : 'n/a'}.
**The machine is shared** (model training runs on both cores at times): a load average above the core count means the
benchmark got less than a full core, so absolute QPS and latency are pessimistic and noisy; ratios measured back to back
(the ANN curve's interleaved passes, tafuta vs Chroma) are more robust than absolute numbers.
The demo-corpus benchmark (\`npm run bench\`) is separate: [\`docs/benchmarks/demo.md\`](benchmarks/demo.md).
Benchmarks are scripts writing result files, never timed unit tests.

${sections.map((text) => text + notesAfter(Number(/^## (\d+)\./.exec(text)?.[1]))).join('\n')}
${observations().join('\n')}
${fs.readFileSync(path.join(PACKAGE_ROOT, 'docs', 'benchmarks', 'notes', 'not-done.md'), 'utf8')}`;
fs.writeFileSync(path.join(PACKAGE_ROOT, 'docs', 'benchmarks.md'), md);
process.stdout.write(`wrote docs/benchmarks.md (${sections.length} sections)\n`);
