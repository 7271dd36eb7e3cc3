/**
 * Benchmark: one PostgreSQL + pgvector node, the per-node numbers that docs/scale-out.md and the capacity model
 * (scripts/capacity-model.ts) start from. Writes docs/benchmarks/postgres.json and postgres.md.
 * Run: `npm run bench:postgres` (after `npm run build`).
 *
 * The PostgreSQL is PGlite (PostgreSQL 18 compiled to WASM, single-threaded) with pgvector 0.8, served over the
 * wire protocol by pglite-server in a child process, as in the tests (test/helpers/postgres.ts). Its timings are
 * upper bounds for a native PostgreSQL; its sizes are PostgreSQL's own page format, so they carry over as they are.
 *
 * Data: the clustered synthetic unit vectors of the ANN and Chroma benchmarks (dim 256), exact top-10 by brute
 * force. Three parts:
 * 1. pgvector itself, raw SQL: `vector(256)` and `halfvec(256)` tables, insert rate (client batches of vector
 *    literals, as tafuta sends them), HNSW build time (m 16, ef_construction 100), sizes, exact-scan and HNSW
 *    query latency and recall@10 over an `hnsw.ef_search` sweep.
 * 2. Fan-out on one node: the same vectors split by id into SHARDS tables, one HNSW each, every query sent to each
 *    shard with LIMIT k and the results merged — what a Citus coordinator does (docs/scale-out.md) — at a few
 *    per-shard ef_search values.
 * 3. tafuta's own PostgreSQL store through its HTTP API (the engine and server of `tafuta serve --store`, with a
 *    fake encoder serving the benchmark's vectors): insert, the search latency/QPS/recall of the Chroma
 *    benchmark's protocol at a smaller size, and the store's bytes per passage.
 */
import { execFileSync } from 'node:child_process';
import pg from 'pg';
import { packageVersion } from '../bin/runtime.js';
import { openEngine } from '../indexer/engine.js';
import { openPostgresStorage } from '../indexer/postgres/storage.js';
import { createHeuristicLanguageIdentifier } from '../models/langid/identifier.js';
import { createEncoderRegistry } from '../models/registry.js';
import { startWebServer } from '../server/start.js';
import { startPgliteServer } from '../test/helpers/postgres.js';
import {
  CLUSTERED_DEFAULT,
  clusteredVectors,
  deadline,
  exactTopK,
  fakeEncoder,
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
  silent,
  table,
  writeReport,
  type GroundTruth,
  type Latency,
  type LoadSample,
  type VectorSet,
} from './bench-common.js';

const N = Number(process.env.BENCH_PG_N ?? 10_000);
/** tafuta's store inserts through its HTTP API into an HNSW index that exists from the start: slower, so fewer. */
const TAFUTA_N = Number(process.env.BENCH_PG_TAFUTA_N ?? 2_000);
const QUERIES = Number(process.env.BENCH_PG_QUERIES ?? 300);
/** The first of the Chroma benchmark's 1000 queries (the generator's query stream does not depend on N). */
const TAFUTA_QUERIES = Number(process.env.BENCH_PG_TAFUTA_QUERIES ?? 500);
const EXACT_QUERIES = 50;
const K = 10;
const DIM = CLUSTERED_DEFAULT.dim;
const HNSW = { m: 16, efConstruction: 100 } as const;
const EF_SEARCH = [20, 40, 100, 200];
const SHARDS = 4;
const SHARD_EF_SEARCH = [10, 20, 40, 100];
const TAFUTA_EFS = [40, 100];
const INSERT_BATCH = 1000;
const CONCURRENCY = 8;
const HALFVEC_WASM_NOTE =
  "halfvec's build and queries are slower than vector's here because pgvector computes halfvec distances with the CPU's F16C/AVX instructions where it can (its HALFVEC_DISPATCH), which the WASM build has not: that ratio says nothing about a native server; halfvec's sizes and recall do carry over.";
const PGLITE_NOTE = 'PGlite: PostgreSQL 18 in WASM, single-threaded; a native PostgreSQL would be faster';

type VectorType = 'vector' | 'halfvec';

/** Latency samples kept sorted in the JSON (capacity-model.ts reads tail quantiles of a fan-out from them). */
interface LatencySamples extends Latency {
  p90: number;
  p999: number;
  sortedMs: number[];
}

interface EfResult {
  ef: number;
  recallAt10: number;
  qps: number;
  latencyMs: LatencySamples;
  load: LoadSample;
}

interface Sizes {
  tableBytes: number;
  totalBytes: number;
  indexBytes: Record<string, number>;
  rows: number;
}

const literal = (v: Float32Array) => `[${Array.from(v).join(',')}]`;

function samples(ms: readonly number[], keepSorted: boolean): LatencySamples {
  const sorted = [...ms].sort((a, b) => a - b);
  const at = (q: number) => round(sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? NaN);
  return { ...percentiles(ms), p90: at(0.9), p999: at(0.999), sortedMs: keepSorted ? sorted.map((x) => round(x)) : [] };
}

function uptime(): string {
  try {
    return execFileSync('uptime', { encoding: 'utf8' }).trim();
  } catch {
    return 'uptime unavailable';
  }
}

async function timed<T>(work: () => Promise<T>): Promise<{ value: T; seconds: number }> {
  const t0 = performance.now();
  const value = await work();
  return { value, seconds: round((performance.now() - t0) / 1000, 2) };
}

async function relationSizes(db: pg.Client, tableName: string): Promise<Sizes> {
  const [sizes] = (await db.query<{ table: string; total: string; rows: string }>(
    `SELECT pg_relation_size($1::regclass) AS table, pg_total_relation_size($1::regclass) AS total, (SELECT COUNT(*) FROM ${tableName}) AS rows`,
    [tableName],
  )).rows;
  const indexes = (await db.query<{ name: string; bytes: string }>(
    `SELECT indexrelid::regclass::text AS name, pg_relation_size(indexrelid) AS bytes FROM pg_index WHERE indrelid = $1::regclass ORDER BY 1`,
    [tableName],
  )).rows;
  return {
    tableBytes: Number(sizes!.table),
    totalBytes: Number(sizes!.total),
    indexBytes: Object.fromEntries(indexes.map((i) => [i.name, Number(i.bytes)])),
    rows: Number(sizes!.rows),
  };
}

// ------------------------------------------------------------------------------------------------ 1. pgvector

/** Queries one table at each ef_search; ids back, latency per query (one at a time: PGlite runs one query at a time). */
async function sweep(db: pg.Client, tableName: string, type: VectorType, queries: VectorSet, efs: readonly number[], gt: GroundTruth, base: VectorSet): Promise<EfResult[]> {
  const sql = `SELECT id FROM ${tableName} ORDER BY embedding <=> $1::${type}(${DIM}) LIMIT ${K}`;
  const literals = Array.from({ length: queries.n }, (_, q) => literal(row(queries, q)));
  const results: EfResult[] = [];
  for (const ef of efs) {
    await db.query(`SET hnsw.ef_search = ${ef}`);
    for (let q = 0; q < 20; q++) await db.query(sql, [literals[q]]); // warm-up
    const ids: number[][] = [];
    const times: number[] = [];
    const t0 = performance.now();
    for (const text of literals) {
      const t = performance.now();
      ids.push((await db.query<{ id: number }>(sql, [text])).rows.map((r) => r.id));
      times.push(performance.now() - t);
    }
    const seconds = (performance.now() - t0) / 1000;
    results.push({ ef, recallAt10: round(recallAt(gt, base, queries, ids), 4), qps: round(queries.n / seconds, 0), latencyMs: samples(times, true), load: loadSample() });
    log(`${tableName} ef_search ${ef}: recall@10 ${results.at(-1)!.recallAt10}, p50 ${results.at(-1)!.latencyMs.p50} ms`);
  }
  await db.query('RESET hnsw.ef_search');
  return results;
}

/** Exact search (no index): what an unindexed shard costs, and the recall left when the vectors are stored at half precision. */
async function exactScan(db: pg.Client, tableName: string, type: VectorType, queries: VectorSet, gt: GroundTruth, base: VectorSet) {
  const sql = `SELECT id FROM ${tableName} ORDER BY embedding <=> $1::${type}(${DIM}) LIMIT ${K}`;
  await db.query('SET enable_indexscan = off');
  const ids: number[][] = [];
  const times: number[] = [];
  for (let q = 0; q < Math.min(EXACT_QUERIES, queries.n); q++) {
    const t = performance.now();
    ids.push((await db.query<{ id: number }>(sql, [literal(row(queries, q))])).rows.map((r) => r.id));
    times.push(performance.now() - t);
  }
  await db.query('RESET enable_indexscan');
  return { queries: ids.length, recallAt10: round(recallAt(gt, base, queries, ids), 4), latencyMs: samples(times, false) };
}

async function insertVectors(db: pg.Client, tableName: string, base: VectorSet, from: number, to: number): Promise<number[]> {
  const batchMs: number[] = [];
  for (let i = from; i < to; i += INSERT_BATCH) {
    const end = Math.min(to, i + INSERT_BATCH);
    const ids: number[] = [];
    const vectors: string[] = [];
    for (let j = i; j < end; j++) {
      ids.push(j);
      vectors.push(literal(row(base, j)));
    }
    const t = performance.now();
    await db.query(`INSERT INTO ${tableName} (id, embedding) SELECT * FROM unnest($1::int[], $2::vector[])`, [ids, vectors]);
    batchMs.push(performance.now() - t);
  }
  return batchMs;
}

async function measurePgvector(db: pg.Client, type: VectorType, base: VectorSet, queries: VectorSet, gt: GroundTruth) {
  const tableName = `bench_${type}`;
  const loadAtStart = loadSample();
  await db.query(`CREATE TABLE ${tableName} (id integer PRIMARY KEY, embedding ${type}(${DIM}) NOT NULL)`);
  // The client sends f32 literals (what tafuta sends); the halfvec column converts them on insert.
  const insert = await timed(() => insertVectors(db, tableName, base, 0, base.n));
  log(`${tableName}: ${base.n} rows inserted in ${insert.seconds} s`);
  await db.query(`VACUUM ANALYZE ${tableName}`);
  const exact = await exactScan(db, tableName, type, queries, gt, base);
  const build = await timed(() =>
    db.query(`CREATE INDEX ${tableName}_hnsw ON ${tableName} USING hnsw (embedding ${type}_cosine_ops) WITH (m = ${HNSW.m}, ef_construction = ${HNSW.efConstruction})`),
  );
  log(`${tableName}: HNSW built in ${build.seconds} s`);
  const sizes = await relationSizes(db, tableName);
  const efs = await sweep(db, tableName, type, queries, EF_SEARCH, gt, base);
  const hnswBytes = sizes.indexBytes[`${tableName}_hnsw`]!;
  return {
    type,
    rows: base.n,
    insert: { seconds: insert.seconds, rowsPerSecond: round(base.n / insert.seconds, 0), batchMs: percentiles(insert.value), batch: INSERT_BATCH },
    hnswBuild: { seconds: build.seconds, rowsPerSecond: round(base.n / build.seconds, 0), ...HNSW },
    sizes,
    bytesPerRow: { table: round(sizes.tableBytes / base.n, 1), hnsw: round(hnswBytes / base.n, 1), total: round(sizes.totalBytes / base.n, 1) },
    exact,
    efSearch: efs,
    load: { start: loadAtStart, end: loadSample() },
  };
}

// ------------------------------------------------------------------------------------------------ 2. fan-out

/**
 * The vectors of `bench_vector` split by id modulo SHARDS into tables of their own, one HNSW each; each query
 * goes to every shard (LIMIT k) and the k best of the union are kept, as a Citus coordinator merges shard results.
 * PGlite answers one query at a time, so shard queries run one after the other: the latency of a query fanned out
 * in parallel is the slowest shard's, reported beside the sum.
 */
async function measureFanOut(db: pg.Client, base: VectorSet, queries: VectorSet, gt: GroundTruth) {
  const loadAtStart = loadSample();
  let buildSeconds = 0;
  for (let s = 0; s < SHARDS; s++) {
    await db.query(`CREATE TABLE bench_shard_${s} AS SELECT id, embedding FROM bench_vector WHERE id % ${SHARDS} = ${s}`);
    const build = await timed(() =>
      db.query(`CREATE INDEX ON bench_shard_${s} USING hnsw (embedding vector_cosine_ops) WITH (m = ${HNSW.m}, ef_construction = ${HNSW.efConstruction})`),
    );
    buildSeconds += build.seconds;
  }
  log(`${SHARDS} shard indexes built in ${round(buildSeconds, 2)} s`);
  const literals = Array.from({ length: queries.n }, (_, q) => literal(row(queries, q)));
  const results = [];
  for (const ef of SHARD_EF_SEARCH) {
    await db.query(`SET hnsw.ef_search = ${ef}`);
    const ids: number[][] = [];
    const slowestShardMs: number[] = [];
    const sumMs: number[] = [];
    for (const text of literals) {
      const hits: Array<{ id: number; distance: number }> = [];
      let slowest = 0;
      let sum = 0;
      for (let s = 0; s < SHARDS; s++) {
        const t = performance.now();
        const rows = (await db.query<{ id: number; distance: number }>(
          `SELECT id, embedding <=> $1::vector(${DIM}) AS distance FROM bench_shard_${s} ORDER BY embedding <=> $1::vector(${DIM}) LIMIT ${K}`,
          [text],
        )).rows;
        const ms = performance.now() - t;
        slowest = Math.max(slowest, ms);
        sum += ms;
        hits.push(...rows);
      }
      ids.push(hits.sort((a, b) => a.distance - b.distance).slice(0, K).map((h) => h.id));
      slowestShardMs.push(slowest);
      sumMs.push(sum);
    }
    results.push({
      efSearchPerShard: ef,
      recallAt10: round(recallAt(gt, base, queries, ids), 4),
      slowestShardMs: samples(slowestShardMs, false),
      sumOfShardsMs: samples(sumMs, false),
      load: loadSample(),
    });
    log(`fan-out ${SHARDS} shards, ef_search ${ef}: recall@10 ${results.at(-1)!.recallAt10}`);
  }
  await db.query('RESET hnsw.ef_search');
  return { shards: SHARDS, rowsPerShard: base.n / SHARDS, limitPerShard: K, buildSecondsAllShards: round(buildSeconds, 2), efSearch: results, load: { start: loadAtStart, end: loadSample() } };
}

// ------------------------------------------------------------------------------------------------ 3. tafuta's store

async function measureTafutaStore(url: string, db: pg.Client) {
  const loadAtStart = loadSample();
  const { base, queries } = clusteredVectors(CLUSTERED_DEFAULT, TAFUTA_N, TAFUTA_QUERIES);
  const gt = exactTopK(base, queries, K);
  const encoder = fakeEncoder(DIM, { v: base, q: queries });
  // One connection: pglite-server runs every connection on PGlite's one backend, and two connections' extended-protocol
  // messages interleaved there lose each other's unnamed portal ("portal \"\" does not exist"). A native server
  // would get the default pool of 10; PGlite runs one query at a time either way.
  const storage = await openPostgresStorage({ url, logger: silent, maxConnections: 1 });
  const engine = openEngine({ storage, encoders: createEncoderRegistry([encoder], encoder.info.name), languageIdentifier: createHeuristicLanguageIdentifier(), logger: silent });
  // As the Chroma benchmark's tafuta collection: M 16, efConstruction 100.
  await engine.createCollection('bench', { config: { hnsw: { M: HNSW.m, efConstruction: HNSW.efConstruction, ef: 100 } } });
  const server = await startWebServer({ engine, logger: silent, version: packageVersion(), host: '127.0.0.1', port: 0, bodyLimit: '50mb' });
  const post = jsonPoster(server.url, CONCURRENCY);

  const batchMs: number[] = [];
  const insert = await timed(async () => {
    for (let i = 0; i < base.n; i += INSERT_BATCH) {
      const documents = [];
      for (let j = i; j < Math.min(base.n, i + INSERT_BATCH); j++) documents.push({ id: `d${j}`, text: `v:${j}`, lang: 'en' });
      const t = performance.now();
      await post('/v1/collections/bench/documents', { documents });
      batchMs.push(performance.now() - t);
    }
  });
  log(`tafuta (postgres): ${base.n} documents inserted over HTTP in ${insert.seconds} s`);
  const insertLoad = loadSample();

  const ask = async (q: number, ef: number): Promise<number[]> => {
    const result = (await post('/v1/collections/bench/search', { query: `q:${q}`, k: K, ef })) as { results: Array<{ id: string }> };
    return result.results.map((r) => Number(r.id.slice(1)));
  };
  const settings = [];
  for (const ef of TAFUTA_EFS) {
    for (let q = 0; q < 50; q++) await ask(q, ef); // warm-up
    const ids: number[][] = [];
    const seqTimes: number[] = [];
    const s0 = performance.now();
    for (let q = 0; q < queries.n; q++) {
      const t = performance.now();
      ids.push(await ask(q, ef));
      seqTimes.push(performance.now() - t);
    }
    const seqSeconds = (performance.now() - s0) / 1000;
    const concTimes: number[] = [];
    let next = 0;
    const c0 = performance.now();
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        while (next < queries.n) {
          const q = next++;
          const t = performance.now();
          await ask(q, ef);
          concTimes.push(performance.now() - t);
        }
      }),
    );
    const concSeconds = (performance.now() - c0) / 1000;
    settings.push({
      ef,
      recallAt10: round(recallAt(gt, base, queries, ids), 4),
      sequential: { qps: round(queries.n / seqSeconds, 0), latencyMs: percentiles(seqTimes) },
      concurrent: { connections: CONCURRENCY, qps: round(queries.n / concSeconds, 0), latencyMs: percentiles(concTimes) },
      load: loadSample(),
    });
    log(`tafuta (postgres) ef ${ef}: ${JSON.stringify(settings.at(-1))}`);
  }
  await server.stop();
  await engine.close();

  const passages = await relationSizes(db, 'passages');
  const documents = await relationSizes(db, 'documents');
  return {
    n: base.n,
    queries: queries.n,
    insert: { seconds: insert.seconds, documentsPerSecond: round(base.n / insert.seconds, 0), batchMs: percentiles(batchMs), batch: INSERT_BATCH, load: { start: loadAtStart, end: insertLoad } },
    search: settings,
    sizes: { passages, documents },
    bytesPerPassage: round((passages.totalBytes + documents.totalBytes) / base.n, 1),
    load: { start: loadAtStart, end: loadSample() },
  };
}

// ------------------------------------------------------------------------------------------------ run

deadline(10 * 60, 'bench-postgres');
const startedMs = performance.now();
const start = loadSample();
const uptimeAtStart = uptime();
log(`generating ${N} clustered vectors, ${QUERIES} queries and their exact top-${K}`);
const { base, queries } = clusteredVectors(CLUSTERED_DEFAULT, N, QUERIES);
const gt = exactTopK(base, queries, K);

const pglite = await startPgliteServer();
onCleanup(() => pglite.process.kill('SIGKILL'));
const db = new pg.Client({ connectionString: pglite.url });
await db.connect();
await db.query('CREATE EXTENSION IF NOT EXISTS vector');
const [{ version: pgvectorVersion }] = (await db.query<{ version: string }>("SELECT extversion AS version FROM pg_extension WHERE extname = 'vector'")).rows as [{ version: string }];
const [{ version: postgresVersion }] = (await db.query<{ version: string }>('SELECT version()')).rows as [{ version: string }];
const [{ maintenance_work_mem: maintenanceWorkMem }] = (await db.query<{ maintenance_work_mem: string }>('SHOW maintenance_work_mem')).rows as [{ maintenance_work_mem: string }];

const vector = await measurePgvector(db, 'vector', base, queries, gt);
const halfvec = await measurePgvector(db, 'halfvec', base, queries, gt);
const fanOut = await measureFanOut(db, base, queries, gt);
await db.end();
await pglite.stop();
// tafuta's store on a database of its own: its sizes are its own, and nothing of the raw-SQL runs is left in the way.
const tafutaPglite = await startPgliteServer();
onCleanup(() => tafutaPglite.process.kill('SIGKILL'));
const tafutaDb = new pg.Client({ connectionString: tafutaPglite.url });
await tafutaDb.connect();
const tafuta = await measureTafutaStore(tafutaPglite.url, tafutaDb);
await tafutaDb.end();
await tafutaPglite.stop();

const report = {
  ...header('postgres', 'scripts/bench-postgres.ts', start, startedMs),
  uptime: { start: uptimeAtStart, end: uptime() },
  engine: { postgres: postgresVersion, pgvector: pgvectorVersion, maintenanceWorkMem, note: PGLITE_NOTE, halfvecNote: HALFVEC_WASM_NOTE },
  data: { n: N, dim: DIM, queries: QUERIES, k: K, description: 'clustered synthetic unit vectors (scripts/bench-common.ts CLUSTERED_DEFAULT), exact top-10 by brute force in f32' },
  pgvector: { vector, halfvec },
  fanOut,
  tafuta,
};

// ------------------------------------------------------------------------------------------------ report

const mib = (bytes: number) => round(bytes / 2 ** 20, 2);
const h = report;
const md: string[] = [];
md.push('# PostgreSQL + pgvector, one node (PGlite)', '');
md.push(`Generated by \`npm run bench:postgres\` (scripts/bench-postgres.ts); ${machineLine(h)}.`);
md.push(`\`uptime\` at start: \`${h.uptime.start}\`; at end: \`${h.uptime.end}\`.`, '');
md.push(`**Every timing below is ${PGLITE_NOTE}** (and on a shared 2-core machine; see the load beside each number). ` +
  `Sizes are PostgreSQL's own page format and carry over to a native server. ${postgresVersion.split(' on ')[0]}, pgvector ${pgvectorVersion}, maintenance_work_mem ${maintenanceWorkMem}.`, '');
md.push(`Data: ${N} clustered synthetic unit vectors, dim ${DIM}; ${QUERIES} queries; k = ${K}; recall@10 against exact top-10 computed in f32 by brute force. ` +
  `HNSW m ${HNSW.m}, ef_construction ${HNSW.efConstruction}, cosine.`, '');
md.push('## 1. pgvector: insert, build, size (raw SQL)', '');
md.push(table(
  ['column', 'insert rows/s (batches of 1000 literals)', 'HNSW build s (rows/s)', 'table MiB (B/row)', 'HNSW MiB (B/row)', 'total MiB (B/row)', 'load (1 min) start → end', 'timings'],
  [vector, halfvec].map((r) => [
    `${r.type}(${DIM})`,
    r.insert.rowsPerSecond,
    `${r.hnswBuild.seconds} (${r.hnswBuild.rowsPerSecond})`,
    `${mib(r.sizes.tableBytes)} (${r.bytesPerRow.table})`,
    `${mib(r.sizes.indexBytes[`bench_${r.type}_hnsw`]!)} (${r.bytesPerRow.hnsw})`,
    `${mib(r.sizes.totalBytes)} (${r.bytesPerRow.total})`,
    `${r.load.start.loadavg[0]} → ${r.load.end.loadavg[0]}`,
    'PGlite, single-threaded WASM',
  ]),
), '');
md.push(`${HALFVEC_WASM_NOTE}`, '');
md.push('## 2. pgvector: query latency and recall (one query at a time)', '');
md.push(table(
  ['column', 'ef_search', 'recall@10', 'QPS', 'p50 / p99 ms', 'load (1 min)', 'timings'],
  [vector, halfvec].flatMap((r) => [
    [`${r.type}(${DIM})`, 'exact scan', r.exact.recallAt10, '–', `${r.exact.latencyMs.p50} / ${r.exact.latencyMs.p99}`, '–', `PGlite WASM; ${r.exact.queries} queries, no index`],
    ...r.efSearch.map((e) => [`${r.type}(${DIM})`, e.ef, e.recallAt10, e.qps, `${e.latencyMs.p50} / ${e.latencyMs.p99}`, e.load.loadavg[0], 'PGlite, single-threaded WASM']),
  ]),
), '');
md.push(`halfvec's exact-scan recall is what storing vectors at half precision costs by itself (ground truth in f32).`, '');
md.push(`## 3. Fan-out to ${SHARDS} shards on one node (what a Citus coordinator does)`, '');
md.push(`The ${N} vector(${DIM}) rows split by id modulo ${SHARDS} into ${SHARDS} tables of ${N / SHARDS}, one HNSW each (built in ${fanOut.buildSecondsAllShards} s together vs ${vector.hnswBuild.seconds} s for one index over all); ` +
  `each query sent to every shard with LIMIT ${K}, the ${K} nearest of the union kept. PGlite answers one query at a time, so the shards were asked one after the other: ` +
  `"slowest shard" is the latency of the same fan-out run in parallel (plus the coordinator's merge, not measured), "sum" its CPU cost.`, '');
md.push(table(
  ['ef_search per shard', 'recall@10 (merged)', 'slowest shard p50 / p99 ms', 'sum of shards p50 / p99 ms', 'load (1 min)', 'timings'],
  fanOut.efSearch.map((e) => [e.efSearchPerShard, e.recallAt10, `${e.slowestShardMs.p50} / ${e.slowestShardMs.p99}`, `${e.sumOfShardsMs.p50} / ${e.sumOfShardsMs.p99}`, e.load.loadavg[0], 'PGlite, single-threaded WASM']),
), '');
md.push(`## 4. tafuta's PostgreSQL store over HTTP (\`tafuta (postgres)\`)`, '');
md.push(`The engine and HTTP server of \`tafuta serve --store postgres://…\` in this process, with a fake encoder mapping \`v:<i>\`/\`q:<j>\` to the benchmark's vectors (as bench-chroma); ` +
  `collection HNSW M ${HNSW.m}, efConstruction ${HNSW.efConstruction} (the index exists from the start, so inserts go into it one by one); ` +
  `${tafuta.n} documents of one passage inserted by POST /documents in batches of ${INSERT_BATCH}; the Chroma benchmark's first ${tafuta.queries} queries, POST /search with \`ef\`; ` +
  `sequential = one request at a time, concurrent = ${CONCURRENCY} in flight. The HTTP client runs in the same process as the server (PGlite is the bottleneck). The store gets one database connection (not the default 10): pglite-server runs every connection on PGlite's one backend, and two connections' queries interleaved there lose each other's unnamed portal; so concurrent requests queue for it.`, '');
md.push(`Insert: ${tafuta.insert.seconds} s, **${tafuta.insert.documentsPerSecond} documents/s** (batch p50 ${tafuta.insert.batchMs.p50} ms; load ${tafuta.insert.load.start.loadavg[0]} → ${tafuta.insert.load.end.loadavg[0]}; PGlite, single-threaded WASM).`, '');
md.push(table(
  ['ef', 'recall@10', 'sequential QPS', 'seq p50 / p99 ms', 'concurrent QPS', 'conc p50 / p99 ms', 'load (1 min)', 'timings'],
  tafuta.search.map((s) => [s.ef, s.recallAt10, s.sequential.qps, `${s.sequential.latencyMs.p50} / ${s.sequential.latencyMs.p99}`, s.concurrent.qps, `${s.concurrent.latencyMs.p50} / ${s.concurrent.latencyMs.p99}`, s.load.loadavg[0], 'PGlite, single-threaded WASM']),
), '');
md.push(`Store size: passages ${mib(tafuta.sizes.passages.totalBytes)} MiB (heap ${mib(tafuta.sizes.passages.tableBytes)} MiB; indexes ${Object.entries(tafuta.sizes.passages.indexBytes).map(([n, b]) => `${n} ${mib(b)}`).join(', ')} MiB), ` +
  `documents ${mib(tafuta.sizes.documents.totalBytes)} MiB: **${tafuta.bytesPerPassage} bytes per passage** with texts of a few bytes (\`v:123\`); real texts add their length several times over (text, search_text, the stored bm25_text, documents.text, the text indexes).`, '');
writeReport('postgres', report, `${md.join('\n')}\n`);
