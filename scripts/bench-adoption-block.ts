/**
 * Benchmark (issue 23, §2.5b): how long adopting a saved graph blocks the server's event loop. The same usearch file
 * (N clustered vectors of dim 256, f16, M 16, built in bulk and saved as `tafuta index` does) is loaded, in
 * interleaved rounds, the two ways saved-graph-adoption.ts has:
 * - on the main thread throughout (loadGraphStore: read, sha256, structural check, usearch's load): a sync's adoption
 *   and the start-up load, and every adoption before the verification moved to a worker;
 * - the background job's: the file verified on a worker thread (graph-file-check.ts), then usearch's load of it.
 * The event loop's longest stall is measured by perf_hooks' delay monitor (1 ms resolution) around each.
 *
 * Run: `npm run build && node dist/scripts/bench-adoption-block.js` with BENCH_ADOPTION_N (default 40000, the graph
 * of the 20k + 20k dev runs of bench-import-search), BENCH_ADOPTION_OUT (default adoption-block)
 * → docs/benchmarks/<name>.{json,md}.
 */
import fs from 'node:fs';
import path from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { createGraphStore, loadGraphStore, planGraphLoad, type GraphChoice } from '../indexer/graph-store.js';
import { graphFileVerifierOnWorker } from '../indexer/graph-file-check.js';
import { CLUSTERED_DEFAULT, clusteredVectors, header, loadSample, loadText, log, machineLine, round, table, tempDir, writeReport } from './bench-common.js';

const N = Number(process.env.BENCH_ADOPTION_N ?? 40_000);
const ROUNDS = 5;
const name = process.env.BENCH_ADOPTION_OUT ?? 'adoption-block';
const CHOICE: GraphChoice = { library: 'usearch', scalar: 'f16', threads: 2 };
const PARAMS = { M: 16, efConstruction: 200, ef: 64 };
const dim = CLUSTERED_DEFAULT.dim;

const start = loadSample();
const started = performance.now();
const dir = tempDir('tafuta-adoption-block-');
const base = path.join(dir, 'c');
const options = { base, dim, params: PARAMS, collectionId: 1 };

log(`building a graph of ${N} vectors (load ${loadText(start)})`);
const { base: vectors } = clusteredVectors(CLUSTERED_DEFAULT, N, 0);
const graph = createGraphStore(CHOICE, options);
graph.addMany(Int32Array.from({ length: N }, (_, i) => i + 1), vectors.data, { bulk: true });
graph.cursor = { passageId: N, tombstoneSeq: 0 };
graph.save();
const fileBytes = fs.statSync(`${base}.usearch`).size;

/** Runs `f`, returning its wall time and the event loop's longest stall meanwhile (ms). */
async function timed(f: () => unknown): Promise<{ wallMs: number; maxStallMs: number }> {
  const delay = monitorEventLoopDelay({ resolution: 1 });
  delay.enable();
  // The monitor measures between two of its ticks: a stall before its first tick would not be seen.
  await new Promise((resolve) => setTimeout(resolve, 5));
  const t = performance.now();
  await f();
  const wallMs = performance.now() - t;
  await new Promise((resolve) => setTimeout(resolve, 5)); // a last sample after the synchronous part
  delay.disable();
  return { wallMs: round(wallMs, 1), maxStallMs: round(delay.max / 1e6, 1) };
}

const rounds: Array<{ mainThread: { wallMs: number; maxStallMs: number }; worker: { wallMs: number; maxStallMs: number }; loadMs: number }> = [];
for (let r = 0; r < ROUNDS; r++) {
  const mainThread = await timed(() => {
    if (!loadGraphStore(CHOICE, options).store) throw new Error('the saved graph did not load');
  });
  let loadMs = 0;
  const worker = await timed(async () => {
    const plan = planGraphLoad(CHOICE, options);
    if ('reason' in plan) throw new Error(plan.reason);
    const verdict = await graphFileVerifierOnWorker(plan.check);
    const t = performance.now();
    if (!plan.load(verdict).store) throw new Error('the verified graph did not load');
    loadMs = round(performance.now() - t, 1);
  });
  rounds.push({ mainThread, worker, loadMs });
  log(`round ${r}: ${JSON.stringify(rounds[r])}`);
}
fs.rmSync(dir, { recursive: true, force: true });

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const h = header(name, 'scripts/bench-adoption-block.ts', start, started);
const command = `BENCH_ADOPTION_N=${N} BENCH_ADOPTION_OUT=${name} node dist/scripts/bench-adoption-block.js`;
const summary = {
  mainThread: { wallMs: median(rounds.map((r) => r.mainThread.wallMs)), maxStallMs: median(rounds.map((r) => r.mainThread.maxStallMs)) },
  worker: { wallMs: median(rounds.map((r) => r.worker.wallMs)), maxStallMs: median(rounds.map((r) => r.worker.maxStallMs)), loadMs: median(rounds.map((r) => r.loadMs)) },
};
const markdown = [
  `# Adopting a saved graph of ${N} vectors (dim ${dim}, f16, M 16; file ${round(fileBytes / 2 ** 20, 1)} MiB): how long the event loop stalls`,
  '',
  machineLine(h),
  '',
  `Command: \`${command}\`. ${ROUNDS} interleaved rounds; the longest event-loop stall by perf_hooks.monitorEventLoopDelay (1 ms resolution).`,
  '',
  table(
    ['round', 'main thread: wall ms', 'main thread: longest stall ms', 'verified on a worker: wall ms', 'worker: longest stall ms', 'worker: usearch load ms'],
    rounds.map((r, i) => [i, r.mainThread.wallMs, r.mainThread.maxStallMs, r.worker.wallMs, r.worker.maxStallMs, r.loadMs]),
  ),
  '',
  `Medians: on the main thread ${summary.mainThread.wallMs} ms, stalling the event loop ${summary.mainThread.maxStallMs} ms; verified on a worker ${summary.worker.wallMs} ms, stalling it ${summary.worker.maxStallMs} ms (usearch's load ${summary.worker.loadMs} ms).`,
  '',
].join('\n');
writeReport(name, { ...h, command, n: N, dim, fileBytes, rounds, summary }, markdown);
