/**
 * Benchmark of the ef calibration (indexer/ef-calibration.ts) on a collection `tafuta index` built: the calibration
 * the import saved with the graph, the same calibration timed again here, and — on fresh queries (another seed) —
 * recall@10 and search CPU per query through CollectionIndex.search (candidates rescored, as served) at each ef of the
 * ladder up to the size default, so the calibrated ef can be compared with the size default's.
 *
 * Run: `node dist/scripts/bench-ef-calibration.js <dataDir> <collection> <report name> [what the corpus is]` after
 * `tafuta index -c <collection> -i <corpus> -d <dataDir>`. Writes docs/benchmarks/<report name>.{json,md}.
 * `BENCH_EF_QUERIES=<collection>`: a second curve with real queries, the stored vectors of that collection (texts
 * indexed in the same data directory that the measured collection does not hold), to check the calibration's queries.
 */
import { createRng } from '../core/rng.js';
import { searchBreadthOf, defaultEfFor } from '../indexer/config.js';
import { CALIBRATION_K, EF_LADDER, exactTopK, queriesFrom, recallAt } from '../indexer/ef-calibration.js';
import { createSqliteStorage } from '../indexer/sqlite/storage.js';
import { header, loadSample, log, machineLine, round, silent, table, writeReport } from './bench-common.js';

const QUERIES = 200;
const PASSES = 3;
const QUERY_SEED = 1; // not the calibration's: these queries measured it on none of its own
const REAL_QUERIES = process.env.BENCH_EF_QUERIES;

const [dataDir, name, reportName, corpus = ''] = process.argv.slice(2);
if (!dataDir || !name || !reportName) throw new Error('usage: bench-ef-calibration <dataDir> <collection> <report name> [corpus description]');
const started = performance.now();
const start = loadSample();
const storage = createSqliteStorage({ dataDir, logger: silent, indexFiles: 'read-only', openIndexes: 'on-use' });
const collection = storage.sqlite.requireCollection(name);
const index = storage.indexOf(collection);
const passages = index.size;
const saved = index.efCalibration;
log(`ef-calibration: ${passages} passages; saved calibration ${JSON.stringify(saved)}`);

const cpuMs = () => {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
};
const timedAgain = (() => {
  const cpu = cpuMs();
  const calibration = index.calibrateEf();
  return { ...calibration, cpuSeconds: round((cpuMs() - cpu) / 1000, 2) };
})();

const { id, dim } = collection;
const through = index.vectorStore.cursor.passageId;
const vectors = {
  dim,
  languages: () => storage.sqlite.passageLanguagesBetween(id, 0, through),
  vectorsOf: (labels: readonly number[]) => storage.sqlite.vectorsOf(labels),
  all: (pageSize: number) => storage.sqlite.vectorsBetween(id, 0, through, pageSize),
};
const queries = queriesFrom(vectors, passages, QUERIES, createRng(QUERY_SEED));
const truth = exactTopK(vectors, queries, CALIBRATION_K);
const search = (query: Float32Array, k: number, ef: number) => index.search(query, k, undefined, ef);
const sizeDefault = defaultEfFor(passages);
const efs = EF_LADDER.filter((ef) => ef <= Math.max(sizeDefault, timedAgain.ef, saved?.ef ?? 0));
const curveOf = (set: Float32Array[], exact: ReturnType<typeof exactTopK>) => efs.map((ef) => {
  const recall = recallAt(search, set, exact, ef);
  const perQuery: number[] = [];
  for (let pass = 0; pass < PASSES; pass++) {
    const cpu = cpuMs();
    for (const query of set) search(query, CALIBRATION_K, ef);
    perQuery.push(((cpuMs() - cpu) * 1000) / set.length);
  }
  return { ef, recall, cpuMicrosPerQuery: Math.round(perQuery.sort((a, b) => a - b)[1]!) };
});
const curve = curveOf(queries, truth);
const realCurve = (() => {
  if (!REAL_QUERIES) return undefined;
  const source = storage.sqlite.requireCollection(REAL_QUERIES);
  const real = [...storage.sqlite.vectorsBetween(source.id, 0, storage.sqlite.syncHead(source.id).passageId)].slice(0, QUERIES).map((v) => v.vector);
  return curveOf(real, exactTopK(vectors, real, CALIBRATION_K));
})();
await storage.close();

const at = (ef: number | undefined) => curve.find((point) => point.ef === ef);
const served = searchBreadthOf(undefined, collection.config.hnsw, passages, saved);
const h = header(reportName, 'scripts/bench-ef-calibration.ts', start, started);
const report = {
  ...h,
  command: `node dist/scripts/bench-ef-calibration.js <dataDir> ${name} ${reportName}`,
  corpus,
  passages,
  savedCalibration: saved,
  calibrationTimedAgain: timedAgain,
  served,
  sizeDefault: { ef: sizeDefault, ...at(sizeDefault) },
  calibrated: saved ? { ...at(saved.ef) } : undefined,
  curve,
  realQueries: REAL_QUERIES,
  realCurve,
};
const markdown = `# ef calibration: ${corpus || name}, ${passages} passages

${machineLine(h)}

Saved by \`tafuta index\`: ${saved ? `ef ${saved.ef}, recall@10 ${saved.recall} on ${saved.queries} queries, ${saved.seconds} s` : 'none'}.
Timed again here: ef ${timedAgain.ef}, recall@10 ${timedAgain.recall}, ${timedAgain.seconds} s wall, ${timedAgain.cpuSeconds} s CPU.
Searches use ef ${served.ef} (${served.source}); the size default is ef ${sizeDefault}.

On ${queries.length} other queries (seed ${QUERY_SEED}), through CollectionIndex.search (candidates rescored), CPU per query the median of ${PASSES} passes:

${table(['ef', 'recall@10', 'CPU µs / query'], curve.map((p) => [p.ef, p.recall, p.cpuMicrosPerQuery]))}
${realCurve ? `
Real queries: the stored vectors of ${realCurve.length > 0 ? QUERIES : 0} texts of collection \`${REAL_QUERIES}\` (not in the measured collection):

${table(['ef', 'recall@10', 'CPU µs / query'], realCurve.map((p) => [p.ef, p.recall, p.cpuMicrosPerQuery]))}
` : ''}`;
writeReport(reportName, report, markdown);
