/**
 * The capacity model of docs/scale-out.md: memory, disk, shards, nodes and expected search latency of a Citus
 * cluster of PostgreSQL + pgvector nodes at 10M / 100M / 1B passages, computed from the per-node numbers measured
 * by `npm run bench:postgres` (docs/benchmarks/postgres.json) and the native HNSW latencies of `npm run bench:ann`
 * (docs/benchmarks/ann.json). Writes docs/benchmarks/capacity.json and capacity.md.
 * Run: `npm run capacity-model` (after `npm run build`; reads the result files, runs nothing).
 *
 * What is measured and what is assumed is kept apart: MEASURED comes from the result files, ASSUMPTIONS are the
 * constants below (node size, text per passage, ef per shard), everything else is arithmetic on both.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { OUT_DIR, round, table } from './bench-common.js';

/** The hardware and settings the projection is for: assumptions, not measurements. */
export const ASSUMPTIONS = {
  dim: 256, // tafuta's cmtp-base encoder (configs/cmtp-base.json)
  hnswM: 16,
  node: { vcpus: 16, ramGiB: 128 },
  /** Share of a node's RAM the HNSW indexes may take (the rest: hot heap pages, shared_buffers, connections, OS). */
  indexRamShare: 0.5,
  /** A search holds one core per shard it touches: shards per node ≤ vCPUs, half of them leaves room for writes and concurrency. */
  shardsPerNode: 8,
  /** UTF-8 bytes of one passage's text, and how many times the schema stores or indexes it (text, search_text, bm25_text, documents.text, GIN, BM25). */
  textBytesPerPassage: 600,
  textCopies: 6,
  /** Share of the CPU of a node that search may use (throughput estimate). */
  cpuUtilisation: 0.7,
};
export type Assumptions = typeof ASSUMPTIONS;

const SCALES = [10_000_000, 100_000_000, 1_000_000_000];
const PRECISIONS = [
  { name: 'f32', bytes: 4, pgvector: 'vector' },
  { name: 'f16', bytes: 2, pgvector: 'halfvec' },
  { name: 'int8', bytes: 1, pgvector: undefined }, // pgvector has no int8 HNSW (bit + re-ranking is its nearest)
] as const;
/** The ef_search per shard the latency is read at (the fan-out run of bench:postgres reaches recall ≥ 0.99 there at 2.5k rows/shard). */
const EF_PER_SHARD = 100;

export interface PgEf {
  ef: number;
  recallAt10: number;
  latencyMs: { p50: number; p99: number; mean: number; max: number; sortedMs: number[] };
}
export interface PgType {
  rows: number;
  bytesPerRow: { table: number; hnsw: number; total: number };
  hnswBuild: { rowsPerSecond: number };
  insert: { rowsPerSecond: number };
  efSearch: PgEf[];
}
export interface PostgresReport {
  date: string;
  load: { start: { loadavg: number[] }; end: { loadavg: number[] } };
  uptime: { start: string };
  data: { n: number; dim: number };
  pgvector: { vector: PgType; halfvec: PgType };
  fanOut: { shards: number; efSearch: Array<{ efSearchPerShard: number; recallAt10: number }> };
  tafuta: { n: number; bytesPerPassage: number; sizes: { passages: { indexBytes: Record<string, number> } } };
}
export interface AnnReport {
  date: string;
  datasets: Array<{ name: string; n: number; curve: Array<{ ef: number; recallAt10: number; latencyMs: { p50: number; p99: number; mean: number } }> }>;
}

const GiB = 2 ** 30;
const readJson = <T>(name: string): T => JSON.parse(fs.readFileSync(path.join(OUT_DIR, name), 'utf8')) as T;

/** The brief's HNSW memory estimate per vector: the vector plus M·2 neighbour ids of 4 bytes on layer 0. */
export const hnswFormulaBytes = (dim: number, bytesPerValue: number, m: number) => dim * bytesPerValue + m * 2 * 4;

/**
 * The latency of a query fanned out to `shards` shards in parallel is the slowest shard's: with independent shard
 * latencies its p-quantile is the per-shard quantile at p^(1/shards). Read from the measured sorted samples;
 * `beyondSample` when that quantile lies past the sample's resolution (then the sample maximum is a lower bound).
 */
export function fanOutQuantile(sortedMs: readonly number[], shards: number, p = 0.99): { ms: number; perShardQuantile: number; beyondSample: boolean } {
  const q = p ** (1 / shards);
  const index = Math.min(sortedMs.length - 1, Math.ceil(q * sortedMs.length) - 1);
  return { ms: sortedMs[index]!, perShardQuantile: round(q, 5), beyondSample: q > 1 - 1 / sortedMs.length };
}

/** The projection: bytes per vector, then per scale and precision the cluster that holds it and its expected latency. */
export function projectCapacity(pgReport: PostgresReport, annReport: AnnReport, assumptions: Assumptions = ASSUMPTIONS) {
  const { dim, hnswM, node } = assumptions;
  const ann = annReport.datasets.find((d) => d.name.startsWith('clustered')) ?? annReport.datasets[0]!;
  const nativeAtEf = ann.curve.find((c) => c.ef >= EF_PER_SHARD) ?? ann.curve.at(-1)!;
  const pgAtEf = pgReport.pgvector.vector.efSearch.find((e) => e.ef === EF_PER_SHARD) ?? pgReport.pgvector.vector.efSearch.at(-1)!;
  const text = assumptions.textBytesPerPassage * assumptions.textCopies;
  // Bytes per passage of tafuta's schema besides the vector's heap and HNSW bytes, with texts of a few bytes (measured).
  const tafutaHnsw = Object.entries(pgReport.tafuta.sizes.passages.indexBytes).find(([name]) => name.startsWith('passages_hnsw'))?.[1] ?? 0;
  const schemaOverhead = pgReport.tafuta.bytesPerPassage - pgReport.pgvector.vector.bytesPerRow.table - tafutaHnsw / pgReport.tafuta.n;
  const ramBudget = node.ramGiB * GiB * assumptions.indexRamShare;

  const perVector = PRECISIONS.map((p) => {
    const measured = p.pgvector ? pgReport.pgvector[p.pgvector] : undefined;
    const formula = hnswFormulaBytes(dim, p.bytes, hnswM);
    return {
      precision: p.name,
      pgvectorType: p.pgvector ? `${p.pgvector}(${dim})` : 'none (no int8 HNSW in pgvector)',
      vectorBytes: dim * p.bytes,
      hnswFormulaBytes: formula,
      hnswMeasuredBytes: measured?.bytesPerRow.hnsw,
      heapMeasuredBytes: measured?.bytesPerRow.table,
      /** What the projection uses: measured where pgvector has the type, else the formula with f16's measured/formula page overhead. */
      hnswBytes: measured?.bytesPerRow.hnsw ?? round(formula * (pgReport.pgvector.halfvec.bytesPerRow.hnsw / hnswFormulaBytes(dim, 2, hnswM)), 1),
      heapBytes: measured?.bytesPerRow.table ?? round(pgReport.pgvector.halfvec.bytesPerRow.table - dim * 2 + dim * p.bytes, 1),
      source: measured ? 'measured (bench:postgres, PGlite = PostgreSQL page format)' : 'projected: formula × f16 page overhead',
    };
  });

  const rows = [];
  for (const n of SCALES) {
    for (const v of perVector) {
      const hnswTotal = n * v.hnswBytes;
      const nodes = Math.max(1, Math.ceil(hnswTotal / ramBudget));
      const shards = nodes * assumptions.shardsPerNode;
      const rowsPerShard = n / shards;
      const diskPerPassage = v.heapBytes + v.hnswBytes + schemaOverhead + text;
      // HNSW search work grows about with log(n) at a fixed ef (the descent through the upper layers and longer paths).
      const growth = Math.log(rowsPerShard) / Math.log(pgReport.data.n);
      const pg = fanOutQuantile(pgAtEf.latencyMs.sortedMs, shards);
      const nativeP99 = nativeAtEf.latencyMs.p99 * (Math.log(rowsPerShard) / Math.log(ann.n));
      const qpsPerReplicaPg = (node.vcpus * assumptions.cpuUtilisation) / (assumptions.shardsPerNode * (pgAtEf.latencyMs.mean * growth) / 1000);
      const qpsPerReplicaNative = (node.vcpus * assumptions.cpuUtilisation) / (assumptions.shardsPerNode * (nativeAtEf.latencyMs.mean * (Math.log(rowsPerShard) / Math.log(ann.n))) / 1000);
      rows.push({
        passages: n,
        precision: v.precision,
        vectorsGiB: round((n * v.vectorBytes) / GiB, 1),
        hnswGiB: round(hnswTotal / GiB, 1),
        diskGiB: round((n * diskPerPassage) / GiB, 1),
        diskBytesPerPassage: round(diskPerPassage, 0),
        nodes,
        shards,
        rowsPerShard: Math.round(rowsPerShard),
        hnswGiBPerShard: round((rowsPerShard * v.hnswBytes) / GiB, 2),
        p99Ms: {
          pgliteUpperBound: round(pg.ms * growth, 1),
          pglitePerShardQuantile: pg.perShardQuantile,
          pgliteBeyondSample: pg.beyondSample,
          nativeHnswLowerBound: round(nativeP99, 2),
        },
        qpsPerReplicaSet: { pgliteUpperBoundCost: Math.round(qpsPerReplicaPg), nativeHnswLowerBoundCost: Math.round(qpsPerReplicaNative) },
      });
    }
  }
  return {
    name: 'capacity',
    command: 'npm run capacity-model',
    script: 'scripts/capacity-model.ts',
    date: new Date().toISOString(),
    inputs: {
      postgres: { file: 'docs/benchmarks/postgres.json', date: pgReport.date, uptime: pgReport.uptime.start, rows: pgReport.data.n },
      ann: { file: 'docs/benchmarks/ann.json', date: annReport.date, dataset: ann.name, n: ann.n, ef: nativeAtEf.ef, recallAt10: nativeAtEf.recallAt10, latencyMs: nativeAtEf.latencyMs },
      pgliteAtEf: { ef: pgAtEf.ef, recallAt10: pgAtEf.recallAt10, p50: pgAtEf.latencyMs.p50, p99: pgAtEf.latencyMs.p99, mean: pgAtEf.latencyMs.mean, samples: pgAtEf.latencyMs.sortedMs.length },
      schemaOverheadBytesPerPassage: round(schemaOverhead, 0),
    },
    assumptions: { ...assumptions, efPerShard: EF_PER_SHARD, ramBudgetGiBPerNode: ramBudget / GiB },
    perVector,
    rows,
  };
}

function markdown(m: ReturnType<typeof projectCapacity>): string {
  const a = m.assumptions;
  const lines: string[] = [];
  lines.push('# Capacity model (projected)', '');
  lines.push(`Generated by \`${m.command}\` (${m.script}) on ${m.date.slice(0, 10)} from [postgres.json](postgres.json) (bench:postgres, ${m.inputs.postgres.date.slice(0, 16)}Z, ${m.inputs.postgres.rows} rows on PGlite; \`${m.inputs.postgres.uptime}\`) and [ann.json](ann.json) (bench:ann, hnswlib native, ${m.inputs.ann.dataset}).`);
  lines.push('**Everything in the second table is projected**; the first table\'s "measured" columns were measured on one PGlite node.', '');
  lines.push(`Assumptions: dim ${a.dim}, HNSW M ${a.hnswM}; nodes of ${a.node.vcpus} vCPU / ${a.node.ramGiB} GiB with ${a.indexRamShare * 100}% of RAM (${a.ramBudgetGiBPerNode} GiB) for HNSW indexes (an index that does not stay in memory is read from disk on every query); ` +
    `${a.shardsPerNode} shards per node; passage text ${a.textBytesPerPassage} bytes stored/indexed ${a.textCopies}× ; ef_search ${a.efPerShard} per shard; ${a.cpuUtilisation * 100}% of the CPU for search. ` +
    `Schema overhead besides the vector (ids, offsets, row headers, b-tree and text indexes of tiny texts; measured through tafuta's store): ${m.inputs.schemaOverheadBytesPerPassage} bytes per passage.`, '');
  lines.push('## Bytes per vector', '');
  lines.push(table(
    ['precision', 'pgvector type', 'raw vector B', 'HNSW formula (d·b + M·2·4) B', 'HNSW measured B/row', 'heap measured B/row', 'used'],
    m.perVector.map((v) => [v.precision, v.pgvectorType, v.vectorBytes, v.hnswFormulaBytes, v.hnswMeasuredBytes ?? '–', v.heapMeasuredBytes ?? '–', v.source]),
  ), '');
  lines.push('## 10M / 100M / 1B passages', '');
  lines.push(`p99 is a query fanned out to every shard in parallel (the slowest shard; the coordinator's merge of shards × k rows not included): ` +
    `"PGlite" reads the per-shard quantile p99^(1/shards) from the ${m.inputs.pgliteAtEf.samples} measured latencies at ef_search ${m.inputs.pgliteAtEf.ef} on ${m.inputs.postgres.rows} rows (single-threaded WASM on a loaded machine: an upper bound; * = beyond the sample, the sample maximum) ` +
    `scaled by log(rows per shard)/log(${m.inputs.postgres.rows}); "native" is hnswlib's p99 at ef ${m.inputs.ann.ef} on ${m.inputs.ann.n} rows (${m.inputs.ann.latencyMs.p99} ms, in-process, no SQL: a lower bound) scaled the same way. ` +
    `QPS per replica set: every query costs one shard search on each shard, so a set of nodes holding one copy serves vCPUs·utilisation / (shards per node · mean shard latency) queries per second whatever its node count; read replicas multiply it.`, '');
  lines.push(table(
    ['passages', 'precision', 'vectors GiB', 'HNSW GiB', 'disk GiB (B/passage)', 'nodes (RAM)', 'shards', 'rows / shard', 'HNSW GiB / shard', 'p99 ms PGlite (upper)', 'p99 ms native (lower)', 'QPS / replica set PGlite … native'],
    m.rows.map((r) => [
      r.passages.toLocaleString('en'),
      r.precision,
      r.vectorsGiB,
      r.hnswGiB,
      `${r.diskGiB} (${r.diskBytesPerPassage})`,
      r.nodes,
      r.shards,
      r.rowsPerShard.toLocaleString('en'),
      r.hnswGiBPerShard,
      `${r.p99Ms.pgliteUpperBound}${r.p99Ms.pgliteBeyondSample ? '*' : ''}`,
      r.p99Ms.nativeHnswLowerBound,
      `${r.qpsPerReplicaSet.pgliteUpperBoundCost} … ${r.qpsPerReplicaSet.nativeHnswLowerBoundCost}`,
    ]),
  ), '');
  return `${lines.join('\n')}\n`;
}

function main(): void {
  const result = projectCapacity(readJson<PostgresReport>('postgres.json'), readJson<AnnReport>('ann.json'));
  fs.writeFileSync(path.join(OUT_DIR, 'capacity.json'), `${JSON.stringify(result, null, 2)}\n`);
  const md = markdown(result);
  fs.writeFileSync(path.join(OUT_DIR, 'capacity.md'), md);
  process.stdout.write(md);
}

const isMain = process.argv[1] !== undefined && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url);
if (isMain) main();
