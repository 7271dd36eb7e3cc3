/**
 * One evaluation run: index a BEIR corpus into a throw-away collection through the engine (the same
 * createCollection → indexFile → upsertDocuments path the server and `tafuta index` use), run every judged query
 * through `engine.search` with its language, score the rankings, and aggregate per language.
 */
import { execFileSync } from 'node:child_process';
import crypto from 'node:crypto';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Engine } from '../indexer/engine.js';
import { TafutaError } from '../core/errors.js';
import { requireEncoder } from '../models/registry.js';
import { indexFile } from '../indexer/pipeline.js';
import type { RequestedSearchMode } from '../indexer/types.js';
import { benchFiles, readQrels, readQueries, type BenchFiles, type BenchQuery } from './bench.js';
import { meanMetrics, queryMetrics, relevantCount, type MetricValues, type Qrels } from './metrics.js';
import { sampleInOrder, seededRandom, seedOf } from './random.js';

export const REPORT_FORMAT_VERSION = 1;
/** Queries without a language are reported under this code. */
export const UNKNOWN_LANG = 'und';

export interface RunEvalOptions {
  engine: Engine;
  /** BEIR directory: corpus.jsonl, queries.jsonl, qrels/<split>.tsv. */
  benchDir?: string | undefined;
  /** Explicit files; each overrides the benchmark directory's. */
  files?: Partial<BenchFiles> | undefined;
  /** Name in the report (default: the directory's base name, else "custom"). */
  bench?: string | undefined;
  split?: string | undefined;
  /** Encoder name (default: the engine's default); must be loaded in the engine. */
  encoder?: string | undefined;
  mode?: RequestedSearchMode | undefined;
  k?: number | undefined;
  langs?: readonly string[] | undefined;
  /** At most this many judged queries per language, a seeded sample (for quick runs). */
  maxQueriesPerLang?: number | undefined;
  seed?: number | undefined;
  /** Collection config (HNSW, passage splitting); default: the server's defaults. */
  collectionConfig?: unknown;
  batchSize?: number | undefined;
  onProgress?: ((progress: { phase: 'index' | 'search'; done: number; total: number | undefined }) => void) | undefined;
}

export interface LanguageResult {
  /** Queries scored. */
  queries: number;
  /** Queries of this language with no relevant document in the qrels (not scored). */
  skipped: number;
  /** Judged queries before sampling. */
  available: number;
  metrics: MetricValues;
}

export interface PerQuery {
  id: string;
  lang: string;
  metrics: MetricValues;
}

export interface EvalReport {
  formatVersion: number;
  config: {
    bench: string;
    split: string;
    files: BenchFiles;
    encoder: { name: string; dim: number; description: string };
    mode: RequestedSearchMode;
    k: number;
    langs: string[] | null;
    maxQueriesPerLang: number | null;
    seed: number;
    date: string;
    git: { commit: string; dirty: boolean } | null;
    node: string;
    /** The command that reproduces this report, when run from the CLI. */
    command?: string;
  };
  corpus: { documents: number; passages: number };
  timing: { wallSeconds: number; indexSeconds: number; searchSeconds: number; msPerQuery: number };
  /** Per language, sorted by code. */
  languages: Record<string, LanguageResult>;
  /** Macro average over languages (each language weighs the same) and the micro average over all queries. */
  average: { languages: number; queries: number; skipped: number; macro: MetricValues; micro: MetricValues };
  perQuery: PerQuery[];
}

export interface RankedDocument {
  docid: string;
  score: number;
}

export interface EvalResult {
  report: EvalReport;
  /** query id → ranked documents (best first), in query order: the TREC run. */
  run: Map<string, RankedDocument[]>;
}

const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));

export function gitState(cwd = REPO_ROOT): { commit: string; dirty: boolean } | null {
  try {
    const run = (...args: string[]) => execFileSync('git', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    return { commit: run('rev-parse', 'HEAD'), dirty: run('status', '--porcelain', '--untracked-files=no') !== '' };
  } catch {
    return null;
  }
}

interface Selection {
  queries: BenchQuery[];
  counts: Map<string, { skipped: number; available: number }>;
}

const round3 = (x: number) => Math.round(x * 1000) / 1000;
const langOf = (q: BenchQuery) => q.lang ?? UNKNOWN_LANG;

/** Judged queries of the requested languages, sampled per language when asked; the rest are counted. */
export function selectQueries(all: readonly BenchQuery[], qrels: Qrels, options: { langs?: readonly string[] | undefined; maxPerLang?: number | undefined; seed: number }): Selection {
  const wanted = options.langs ? new Set(options.langs) : undefined;
  const byLang = new Map<string, BenchQuery[]>();
  const counts = new Map<string, { skipped: number; available: number }>();
  for (const q of all) {
    const lang = langOf(q);
    if (wanted && !wanted.has(lang)) continue;
    const count = counts.get(lang) ?? { skipped: 0, available: 0 };
    counts.set(lang, count);
    const judgements = qrels.get(q.id);
    if (!judgements || relevantCount(judgements) === 0) {
      count.skipped++;
      continue;
    }
    count.available++;
    const list = byLang.get(lang) ?? [];
    list.push(q);
    byLang.set(lang, list);
  }
  const missing = [...(wanted ?? [])].filter((lang) => !counts.has(lang));
  if (missing.length) {
    const known = [...new Set(all.map(langOf))].sort().join(', ');
    throw new TafutaError('INVALID_ARGUMENT', `no queries in language(s) ${missing.join(', ')}; the benchmark has: ${known}`);
  }
  const chosen = new Set<BenchQuery>();
  for (const [lang, queries] of byLang) {
    const take = options.maxPerLang ?? queries.length;
    for (const q of sampleInOrder(queries, take, seededRandom(seedOf(lang, options.seed)))) chosen.add(q);
  }
  return { queries: all.filter((q) => chosen.has(q)), counts };
}

/** Passages → documents: each document at the rank of its best passage. */
function documentRanking(results: ReadonlyArray<{ id: string; score: number }>): RankedDocument[] {
  const seen = new Set<string>();
  const out: RankedDocument[] = [];
  for (const r of results) {
    if (seen.has(r.id)) continue;
    seen.add(r.id);
    out.push({ docid: r.id, score: r.score });
  }
  return out;
}

interface SearchedRun {
  run: Map<string, RankedDocument[]>;
  indexed: Awaited<ReturnType<typeof indexFile>>;
  searchSeconds: number;
}

/**
 * Indexes the corpus into a fresh collection, runs every query, and deletes the collection: nothing (vectors,
 * hashes) carries over from another encoder or run.
 */
async function indexAndSearch(options: RunEvalOptions, settings: { encoderName: string; corpus: string; queries: BenchQuery[]; mode: RequestedSearchMode; k: number }): Promise<SearchedRun> {
  const { engine, onProgress } = options;
  const { queries, mode, k } = settings;
  const collection = `eval-${Date.now().toString(36)}-${crypto.randomBytes(4).toString('hex')}`;
  await engine.createCollection(collection, { encoder: settings.encoderName, config: options.collectionConfig });
  const run = new Map<string, RankedDocument[]>();
  try {
    const indexed = await indexFile({
      engine,
      collection,
      file: settings.corpus,
      format: 'beir',
      batchSize: options.batchSize ?? 256,
      onProgress: onProgress ? ({ documents, total }) => onProgress({ phase: 'index', done: documents, total }) : undefined,
    });
    const searchStart = performance.now();
    for (const [i, q] of queries.entries()) {
      const response = await engine.search(collection, { query: q.text, k, lang: q.lang, mode });
      run.set(q.id, documentRanking(response.results));
      if ((i + 1) % 250 === 0 || i + 1 === queries.length) onProgress?.({ phase: 'search', done: i + 1, total: queries.length });
    }
    return { run, indexed, searchSeconds: (performance.now() - searchStart) / 1000 };
  } finally {
    await engine.deleteCollection(collection, { force: true });
  }
}

/** Each query's metrics, and their means per language (sorted by code) and overall. */
function scoreRun(queries: readonly BenchQuery[], qrels: Qrels, counts: Selection['counts'], run: Map<string, RankedDocument[]>): Pick<EvalReport, 'languages' | 'average' | 'perQuery'> {
  const perQuery: PerQuery[] = queries.map((q) => ({
    id: q.id,
    lang: langOf(q),
    metrics: queryMetrics((run.get(q.id) ?? []).map((d) => d.docid), qrels.get(q.id)!),
  }));
  const languages: Record<string, LanguageResult> = {};
  for (const lang of [...counts.keys()].sort()) {
    const rows = perQuery.filter((q) => q.lang === lang).map((q) => q.metrics);
    const count = counts.get(lang)!;
    languages[lang] = { queries: rows.length, skipped: count.skipped, available: count.available, metrics: meanMetrics(rows) };
  }
  const scored = Object.values(languages).filter((l) => l.queries > 0);
  const average = {
    languages: scored.length,
    queries: perQuery.length,
    skipped: Object.values(languages).reduce((s, l) => s + l.skipped, 0),
    macro: meanMetrics(scored.map((l) => l.metrics)),
    micro: meanMetrics(perQuery.map((q) => q.metrics)),
  };
  return { languages, average, perQuery };
}

export async function runEval(options: RunEvalOptions): Promise<EvalResult> {
  const started = performance.now();
  const { engine } = options;
  const split = options.split ?? 'dev';
  const mode = options.mode ?? 'dense';
  const k = options.k ?? 100;
  const seed = options.seed ?? 42;
  if (!Number.isInteger(k) || k < 1 || k > 1000) throw new TafutaError('INVALID_ARGUMENT', `k must be an integer from 1 to 1000, got ${k}`);
  const encoderName = options.encoder ?? engine.encoders.defaultName;
  const encoder = requireEncoder(engine.encoders, encoderName);

  const files = benchFiles(options.benchDir, split, options.files);
  const allQueries = readQueries(files.queries);
  const qrels = readQrels(files.qrels);
  const { queries, counts } = selectQueries(allQueries, qrels, { langs: options.langs, maxPerLang: options.maxQueriesPerLang, seed });
  const { run, indexed, searchSeconds } = await indexAndSearch(options, { encoderName, corpus: files.corpus, queries, mode, k });
  const scores = scoreRun(queries, qrels, counts, run);

  const report: EvalReport = {
    formatVersion: REPORT_FORMAT_VERSION,
    config: {
      bench: options.bench ?? (options.benchDir ? path.basename(path.resolve(options.benchDir)) : 'custom'),
      split,
      files,
      encoder: { name: encoder.info.name, dim: encoder.info.dim, description: encoder.info.description },
      mode,
      k,
      langs: options.langs ? [...options.langs] : null,
      maxQueriesPerLang: options.maxQueriesPerLang ?? null,
      seed,
      date: new Date().toISOString(),
      git: gitState(),
      node: process.version,
    },
    corpus: { documents: indexed.documents, passages: indexed.passages },
    timing: {
      wallSeconds: round3((performance.now() - started) / 1000),
      indexSeconds: round3(indexed.seconds),
      searchSeconds: round3(searchSeconds),
      msPerQuery: round3(queries.length ? (searchSeconds * 1000) / queries.length : 0),
    },
    ...scores,
  };
  return { report, run };
}
