/**
 * Benchmark: two builds of tafuta in one process, each serving its own copy of one bench-search-hot-path collection,
 * measured in alternating passes of 1,000 calls (A B, B A, …) of CollectionIndex.search, Engine.search and POST /search
 * over HTTP: a change in the machine's load weighs on both builds alike. A copy per build, because a newer build
 * migrates the database an older one then refuses. CPU µs per call (process.cpuUsage, the HTTP client's included).
 * Run the same build against both copies first (an A/A run): its differences are the method's resolution — separate
 * loads of the same graph have differed by 30–60 µs per HTTP search (docs/benchmarks/notes/3.2-http-search-regression.md).
 * Run: `cp -a /tmp/hot-100k /tmp/hot-100k-b && node dist/scripts/bench-search-hot-path-ab.js <distA> /tmp/hot-100k <distB> /tmp/hot-100k-b [ef] [passes]`
 * (a dist is a build's output directory, e.g. `git worktree add /tmp/old <rev>` built with `npx tsc`).
 */
import os from 'node:os';
import path from 'node:path';

const [distA, dirA, distB, dirB, efArg, passesArg] = process.argv.slice(2);
if (!distA || !dirA || !distB || !dirB) {
  process.stderr.write('usage: bench-search-hot-path-ab.js <distA> <dirA> <distB> <dirB> [ef=128] [passes=6]\n');
  process.exit(2);
}
const EF = Number(efArg ?? 128);
const PASSES = Number(passesArg ?? 6);
const QUERIES = 1000;
const K = 10;

type Call = (j: number) => unknown;
interface Side { checksum: number; calls: Record<'index' | 'engine' | 'http', Call>; close(): Promise<void> }

/** One build's engine and server over `dir`; its modules are imported from `dist` (an older build has the same exports). */
async function sideOf(dist: string, dir: string): Promise<Side> {
  const common = await import(path.resolve(dist, 'scripts/bench-common.js'));
  const { startWebServer } = await import(path.resolve(dist, 'server/start.js'));
  const { queries } = common.clusteredVectors(common.CLUSTERED_DEFAULT, 1, QUERIES);
  const engine = common.fakeEngine(dir, common.fakeEncoder(queries.dim, { q: queries }), 'read-only');
  const index = engine.storage.indexOf(await engine.storage.liveCollection('bench'));
  await index.catchUp();
  const server = await startWebServer({ engine, logger: common.silent, version: 'bench', host: '127.0.0.1', port: 0, bodyLimit: '10mb' });
  const post = common.jsonPoster(server.url, 1);
  const search = (j: number): Array<{ label: number; score: number }> => index.search(common.row(queries, j), K, undefined, EF);
  let checksum = 0;
  for (let j = 0; j < QUERIES; j++) for (const hit of search(j)) checksum = (checksum * 31 + hit.label + Math.round(hit.score * 1e6)) % 1_000_000_007;
  return {
    checksum,
    calls: {
      index: search,
      engine: (j) => engine.search('bench', { query: `q:${j}`, k: K, ef: EF, mode: 'dense' }),
      http: (j) => post('/v1/collections/bench/search', { query: `q:${j}`, k: K, ef: EF }),
    },
    async close() {
      await server.stop();
      await engine.close();
    },
  };
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};
const round1 = (x: number) => Math.round(x * 10) / 10;

const sides = [await sideOf(distA, dirA), await sideOf(distB, dirB)] as const;
const result: Record<string, unknown> = { ef: EF, checksums: sides.map((s) => s.checksum), loadAtStart: os.loadavg().map((x) => round1(x)) };
for (const call of ['index', 'engine', 'http'] as const) {
  const us: [number[], number[]] = [[], []];
  for (const side of sides) for (let j = 0; j < QUERIES; j++) await side.calls[call](j);
  for (let p = 0; p < PASSES; p++) {
    for (const i of p % 2 === 0 ? [0, 1] : [1, 0]) {
      const before = process.cpuUsage();
      for (let j = 0; j < QUERIES; j++) await sides[i]!.calls[call](j);
      const used = process.cpuUsage(before);
      us[i]!.push(round1((used.user + used.system) / QUERIES));
    }
  }
  result[call] = { A: us[0], B: us[1], medianA: median(us[0]), medianB: median(us[1]), medianOfBMinusA: round1(median(us[0].map((a, p) => us[1][p]! - a))) };
}
result.loadAtEnd = os.loadavg().map((x) => round1(x));
for (const side of sides) await side.close();
process.stdout.write(`${JSON.stringify(result)}\n`);
process.exit(0);
