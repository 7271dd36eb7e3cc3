/**
 * Benchmark (§2.9's "left alone"): the peak memory of verifying a saved graph before it is loaded (graph-file-check.ts:
 * checksum + structural check), and of the whole load on one thread (loadGraphStore: a sync's adoption, a start-up).
 * One usearch file of N clustered vectors (dim 256, f16, M 16) is verified in fresh child processes, each reporting its
 * VmRSS before and VmHWM after (/proc/self/status); the peak is their difference. With BENCH_GRAPH_CHECK_BEFORE set to
 * another build's dist directory, that build is measured on the same file, interleaved.
 *
 * Run: `npm run build && node dist/scripts/bench-graph-check-memory.js` with BENCH_GRAPH_CHECK_N (default 200000),
 * BENCH_GRAPH_CHECK_BEFORE (optional), BENCH_GRAPH_CHECK_OUT (default graph-check-memory) → docs/benchmarks/<name>.{json,md}.
 * The graph is built with a construction expansion of 16 (quick; the file's layout and size depend on N, dim and M only).
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createGraphStore, type GraphChoice } from '../indexer/graph-store.js';
import { CLUSTERED_DEFAULT, clusteredVectors, header, loadSample, loadText, log, machineLine, round, table, tempDir, writeReport } from './bench-common.js';

const N = Number(process.env.BENCH_GRAPH_CHECK_N ?? 200_000);
const BEFORE = process.env.BENCH_GRAPH_CHECK_BEFORE;
const name = process.env.BENCH_GRAPH_CHECK_OUT ?? 'graph-check-memory';
const ROUNDS = 2;
const CHOICE: GraphChoice = { library: 'usearch', scalar: 'f16', threads: 2 };
const PARAMS = { M: 16, efConstruction: 16 };
const dim = CLUSTERED_DEFAULT.dim;
const THIS_DIST = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

const start = loadSample();
const started = performance.now();
const dir = tempDir('tafuta-graph-check-');
const base = path.join(dir, 'c');
log(`building a graph of ${N} vectors (load ${loadText(start)})`);
{
  const { base: vectors } = clusteredVectors(CLUSTERED_DEFAULT, N, 0);
  const graph = createGraphStore(CHOICE, { base, dim, params: PARAMS, collectionId: 1 });
  graph.addMany(Int32Array.from({ length: N }, (_, i) => i + 1), vectors.data, { bulk: true });
  graph.cursor = { passageId: N, tombstoneSeq: 0 };
  graph.save();
}
const fileBytes = fs.statSync(`${base}.usearch`).size;

/** A child process of `distDir`'s code: verifies (or loads) the graph once and prints its memory and time. */
const CHILD = `
import fs from 'node:fs';
const [distDir, mode, base, dim, M, efConstruction] = process.argv.slice(1);
const kib = (field) => Number(fs.readFileSync('/proc/self/status', 'utf8').split('\\n').find((l) => l.startsWith(field + ':')).split(/\\s+/)[1]);
const { planGraphLoad, loadGraphStore } = await import(distDir + '/indexer/graph-store.js');
const { verifyGraphFileNow } = await import(distDir + '/indexer/graph-file-check.js');
const options = { base, dim: Number(dim), params: { M: Number(M), efConstruction: Number(efConstruction) }, collectionId: 1 };
const choice = { library: 'usearch', scalar: 'f16', threads: 2 };
const plan = planGraphLoad(choice, options);
const rssBefore = kib('VmRSS');
const t = performance.now();
const ok = mode === 'verify' ? verifyGraphFileNow(plan.check).problem === undefined : loadGraphStore(choice, options).store !== undefined;
const ms = performance.now() - t;
console.log(JSON.stringify({ ok, rssBeforeKiB: rssBefore, hwmKiB: kib('VmHWM'), ms }));
`;

const builds = [...(BEFORE ? [{ build: 'before', distDir: path.resolve(BEFORE) }] : []), { build: 'this', distDir: THIS_DIST }];
const runs: Array<{ round: number; build: string; mode: string; rssBeforeMiB: number; peakMiB: number; peakAboveStartMiB: number; ms: number }> = [];
for (let round_ = 0; round_ < ROUNDS; round_++) {
  for (const mode of ['verify', 'load']) {
    for (const { build, distDir } of builds) {
      const out = execFileSync(process.execPath, ['--input-type=module', '-e', CHILD, distDir, mode, base, String(dim), String(PARAMS.M), String(PARAMS.efConstruction)], { encoding: 'utf8' });
      const child = JSON.parse(out.trim().split('\n').at(-1)!) as { ok: boolean; rssBeforeKiB: number; hwmKiB: number; ms: number };
      if (!child.ok) throw new Error(`${build} ${mode}: the graph did not verify`);
      const mib = (kib: number) => round(kib / 1024, 1);
      runs.push({ round: round_, build, mode, rssBeforeMiB: mib(child.rssBeforeKiB), peakMiB: mib(child.hwmKiB), peakAboveStartMiB: mib(child.hwmKiB - child.rssBeforeKiB), ms: round(child.ms, 0) });
      log(JSON.stringify(runs.at(-1)));
    }
  }
}
fs.rmSync(dir, { recursive: true, force: true });

const h = header(name, 'scripts/bench-graph-check-memory.ts', start, started);
const command = `${BEFORE ? `BENCH_GRAPH_CHECK_BEFORE=${BEFORE} ` : ''}BENCH_GRAPH_CHECK_N=${N} BENCH_GRAPH_CHECK_OUT=${name} node dist/scripts/bench-graph-check-memory.js`;
const markdown = [
  `# Peak memory of verifying a saved graph of ${N} vectors (dim ${dim}, f16, M 16; file ${round(fileBytes / 2 ** 20, 1)} MiB)`,
  '',
  machineLine(h),
  '',
  `Command: \`${command}\`. Each row a fresh child process: VmRSS after importing the code, VmHWM after the call.`,
  '`verify`: verifyGraphFileNow (checksum + structural check); `load`: loadGraphStore (the same, then usearch\'s load), on one thread.',
  '',
  table(['round', 'build', 'mode', 'RSS before MiB', 'peak (VmHWM) MiB', 'peak above start MiB', 'ms'], runs.map((r) => [r.round, r.build, r.mode, r.rssBeforeMiB, r.peakMiB, r.peakAboveStartMiB, r.ms])),
  '',
].join('\n');
writeReport(name, { ...h, command, n: N, dim, fileBytes, runs }, markdown);
