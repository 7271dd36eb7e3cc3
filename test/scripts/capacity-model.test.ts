import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ASSUMPTIONS, fanOutQuantile, hnswFormulaBytes, projectCapacity, type AnnReport, type PgType, type PostgresReport } from '../../scripts/capacity-model.js';

const sorted = (n: number) => Array.from({ length: n }, (_, i) => i + 1);

test('the HNSW formula is the vector plus M·2 four-byte neighbour ids', () => {
  assert.equal(hnswFormulaBytes(256, 4, 16), 1152);
  assert.equal(hnswFormulaBytes(256, 2, 16), 640);
  assert.equal(hnswFormulaBytes(768, 1, 32), 1024);
});

test('a fan-out p99 is the per-shard quantile 0.99^(1/shards), flagged when the sample cannot resolve it', () => {
  assert.deepEqual(fanOutQuantile(sorted(1000), 1), { ms: 990, perShardQuantile: 0.99, beyondSample: false });
  const ten = fanOutQuantile(sorted(1000), 10); // 0.99^0.1 = 0.998995
  assert.equal(ten.ms, 999);
  assert.equal(ten.beyondSample, false);
  const many = fanOutQuantile(sorted(300), 32); // 0.99969 needs more than 300 samples
  assert.equal(many.ms, 300);
  assert.equal(many.beyondSample, true);
});

function pgType(tableBytes: number, hnswBytes: number): PgType {
  const latencyMs = { p50: 2, p99: 4, mean: 2, max: 5, sortedMs: [1, 2, 2, 3, 5] };
  return {
    rows: 10_000,
    bytesPerRow: { table: tableBytes, hnsw: hnswBytes, total: tableBytes + hnswBytes },
    hnswBuild: { rowsPerSecond: 100 },
    insert: { rowsPerSecond: 500 },
    efSearch: [{ ef: 100, recallAt10: 0.99, latencyMs }],
  };
}

test('the projection sizes nodes by HNSW memory and spreads rows over their shards', () => {
  const pg: PostgresReport = {
    date: '2026-12-07T00:00:00Z',
    load: { start: { loadavg: [1, 1, 1] }, end: { loadavg: [1, 1, 1] } },
    uptime: { start: 'up' },
    data: { n: 10_000, dim: 256 },
    pgvector: { vector: pgType(1000, 2 ** 10), halfvec: pgType(500, 2 ** 9) },
    fanOut: { shards: 4, efSearch: [] },
    tafuta: { n: 1000, bytesPerPassage: 3000, sizes: { passages: { indexBytes: { passages_hnsw_1: 1000 * 2 ** 10 } } } },
  };
  const ann: AnnReport = { date: '2026-11-22', datasets: [{ name: 'clustered-100k', n: 100_000, curve: [{ ef: 128, recallAt10: 0.999, latencyMs: { p50: 0.5, p99: 1, mean: 0.5 } }] }] };
  const assumptions = { ...ASSUMPTIONS, node: { vcpus: 16, ramGiB: 128 }, indexRamShare: 0.5, shardsPerNode: 8, textBytesPerPassage: 100, textCopies: 2 };
  const result = projectCapacity(pg, ann, assumptions);
  const f32At1B = result.rows.find((r) => r.passages === 1_000_000_000 && r.precision === 'f32')!;
  // 1e9 × 1 KiB of HNSW over 64 GiB per node.
  assert.equal(f32At1B.nodes, Math.ceil((1e9 * 1024) / (64 * 2 ** 30)));
  assert.equal(f32At1B.shards, f32At1B.nodes * 8);
  assert.equal(f32At1B.rowsPerShard, Math.round(1e9 / f32At1B.shards));
  // Schema overhead: the store's bytes per passage less the vector's heap and HNSW bytes; then heap + HNSW + overhead + text.
  assert.equal(result.inputs.schemaOverheadBytesPerPassage, 3000 - 1000 - 1024);
  assert.equal(f32At1B.diskBytesPerPassage, 1000 + 1024 + (3000 - 1000 - 1024) + 200);
  const f16At10M = result.rows.find((r) => r.passages === 10_000_000 && r.precision === 'f16')!;
  assert.equal(f16At10M.nodes, 1);
  assert.equal(f16At10M.hnswGiB, round1((1e7 * 512) / 2 ** 30));
  assert.equal(result.perVector.find((v) => v.precision === 'int8')!.hnswMeasuredBytes, undefined, 'pgvector has no int8 HNSW to measure');
});

const round1 = (x: number) => Math.round(x * 10) / 10;
