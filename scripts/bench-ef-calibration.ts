/**
 * Benchmark of the ef calibration (indexer/ef-calibration.ts) on a collection `tafuta index` built: the calibration
 * the import saved with the graph, the same calibration timed again here, and — on fresh queries (another seed) —
 * recall@10 and search CPU per query through CollectionIndex.search (candidates rescored, as served) at each ef of the
 * ladder up to the size default, so the calibrated ef can be compared with the size default's.
 *
 * Run: `node dist/scripts/bench-ef-calibration.js <dataDir> <collection> <report name> [what the corpus is]` after
 * `tafuta index -c <collection> -i <corpus> -d <dataDir>`. Writes docs/benchmarks/<report name>.{json,md}.
 * `BENCH_EF_QUERIES=<collection>`: a second curve with real queries, the stored vectors of that collection (texts
 * indexed in the same data directory that the measured collection does not hold), to check the calibration's queries;
 * with `BENCH_EF_OTHER_QUERIES=1`, curves of the synthetic queries not chosen (ef-calibration.ts, LANGUAGE_PAIRS) too.
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
const OTHER_QUERIES = process.env.BENCH_EF_OTHER_QUERIES === '1';

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
  const real = realVectors();
  return curveOf(real, exactTopK(vectors, real, CALIBRATION_K));
})();
/** Synthetic queries not chosen: means of two passages of any languages, and a passage pulled a quarter toward another. */
const otherCurves = (() => {
  if (!OTHER_QUERIES) return undefined;
  const anyLanguage = { ...vectors, languages: function* () { for (const [passage] of vectors.languages()) yield [passage, null] as const; } };
  const midpoints = queriesFrom(anyLanguage, passages, QUERIES, createRng(QUERY_SEED));
  const rng = createRng(QUERY_SEED + 1);
  const ids = [...anyLanguage.languages()].map(([passage]) => passage);
  const pairs = Array.from({ length: QUERIES }, () => [ids[rng.int(ids.length)]!, ids[rng.int(ids.length)]!] as const);
  const vectorOf = new Map(vectors.vectorsOf([...new Set(pairs.flat())]).map((v) => [v.label, v.vector]));
  const pulled = pairs.map(([from, to]) => {
    const query = vectorOf.get(from)!.map((x, i) => x + 0.25 * vectorOf.get(to)![i]!);
    const norm = Math.hypot(...query);
    return query.map((x) => x / norm);
  });
  const all = [...EF_LADDER];
  const curveAt = (set: Float32Array[]) => {
    const exact = exactTopK(vectors, set, CALIBRATION_K);
    return all.map((ef) => ({ ef, recall: recallAt(search, set, exact, ef) }));
  };
  return { chosen: all.map((ef) => ({ ef, recall: recallAt(search, queries, truth, ef) })), anyLanguageMidpoints: curveAt(midpoints), pulledQuarter: curveAt(pulled), realAllEfs: realCurve && REAL_QUERIES ? curveAt(realVectors()) : undefined };
})();
function realVectors(): Float32Array[] {
  const source = storage.sqlite.requireCollection(REAL_QUERIES!);
  return [...storage.sqlite.vectorsBetween(source.id, 0, storage.sqlite.syncHead(source.id).passageId)].slice(0, QUERIES).map((v) => v.vector);
}
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
  otherCurves,
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
` : ''}${otherCurves ? `
Recall@10 of the queries tried and not chosen, against real queries, at every ef of the ladder:

${table(['queries', ...EF_LADDER.map((ef) => `ef ${ef}`)], [
    ['means of two passages of one language (chosen)', ...otherCurves.chosen.map((p) => p.recall)],
    ['means of two passages of any languages', ...otherCurves.anyLanguageMidpoints.map((p) => p.recall)],
    ['a passage pulled a quarter toward another', ...otherCurves.pulledQuarter.map((p) => p.recall)],
    ...(otherCurves.realAllEfs ? [['real queries', ...otherCurves.realAllEfs.map((p) => p.recall)]] : []),
  ])}
` : ''}`;
writeReport(reportName, report, markdown);
