/**
 * Measures the search breadth (ef) a collection's graph needs for recall@10 ≥ CALIBRATION_TARGET_RECALL, instead of
 * assuming it from the collection's size (config.ts, DEFAULT_EF_STEPS, fitted on one synthetic corpus: too much for
 * some collections, and — measured on English strings — far too little for others).
 *
 * A query is the normalised mean of two random stored vectors of one language (their documents'): near the collection's
 * passages, as a real query is, and none of them. Why one language, checked against real held-out queries (texts of the
 * same source not in the collection; docs/benchmarks/notes/2.10-ef-calibration.md): the mean of passages of two
 * languages lies between them, where no ef up to 2048 reached recall@10 0.98 on the multilingual corpus (real queries:
 * ef 256). Of the queries tried these err least: one ef step above what real queries needed on English strings, one
 * below on the multilingual corpus at 125k passages (real recall@10 0.973 at it); a stored vector pulled a quarter of the
 * way toward another picked ef 64 on the English strings, where real queries found 0.924. They are the queries the size
 * default was fitted with (§2.6).
 *
 * Their exact top 10 comes from usearch's SIMD exact scan over the stored vectors, streamed from SQLite a chunk at a time
 * (memory: one chunk, whatever the collection's size). The graph is searched as CollectionIndex.search does (rescoring
 * included) at each ef of EF_LADDER in turn; the first whose recall reaches the target is the calibration.
 */
import { exactSearch, MetricKind } from 'usearch';
import type { Logger } from '../core/logger.js';
import type { Rng } from '../core/rng.js';
import { calibrationHolds, type EfCalibration } from './config.js';
import { createRng } from '../core/rng.js';
import type { SqliteDocumentStore as DocumentStore, StoredVector } from './document-store.js';
import { normalisedSum, type VectorHit } from './vector-store.js';

/** The efs tried, smallest first: the size default's steps and one beyond its largest. */
export const EF_LADDER: readonly number[] = [64, 128, 256, 512, 1024, 2048];
/** The recall@10 the size default was fitted to keep (config.ts). */
export const CALIBRATION_TARGET_RECALL = 0.98;
export const CALIBRATION_K = 10;
/**
 * 200 queries × 10: a recall near 0.98 is measured to about ±0.01 (another 200 queries gave 0.967 where these gave 0.983
 * on the English strings), where the ladder's steps move it by several points on large graphs; the exact scan's cost
 * grows with the count (the whole calibration: 2.2–4.8 s of CPU at 100k–252k passages, §2.10).
 */
export const CALIBRATION_QUERIES = 200;
/**
 * Bulk builds of fewer passages are not calibrated. The ladder starts at 64, the size default up to 36,000 passages,
 * so a calibration there could only raise the ef; the default held recall@10 0.987 at 30k on the corpus it was fitted on
 * and a search at ef 64 costs ≈ 0.3 ms there (docs/benchmarks.md §2.6). Where the size default starts to grow (36k) a
 * calibration can lower it as well as raise it. Not measured on English strings below 100k passages.
 */
export const MIN_CALIBRATION_PASSAGES = 20_000;
/** The same queries for the same passages: a calibration is reproducible. */
const EF_CALIBRATION_SEED = 20261207;
/** Stored vectors per exact scan (≈ 8 MB at 256 dimensions). */
const EXACT_CHUNK = 8192;
const EXACT_THREADS = 2;
/**
 * A hit outside the exact top k that scores within this of its k-th counts as found: it ties (a duplicate passage,
 * which real collections have — the same short string in many documents), and which of equal vectors either list
 * keeps is arbitrary. Far above the rounding between usearch's SIMD sums and dot() (~1e-7).
 */
const TIE = 1e-5;

/** The collection's stored vectors, as SQLite gives them (document-store.ts). */
export interface StoredVectors {
  dim: number;
  /** Every passage's [id, its document's language], in id order. */
  languages(): Iterable<readonly [number, string | null]>;
  vectorsOf(labels: readonly number[]): StoredVector[];
  /** Every stored vector in id order, read `pageSize` at a time. */
  all(pageSize: number): Iterable<StoredVector>;
}

export interface CalibrationInput {
  /** The graph as searched: the k best hits at `ef`, with exact scores (CollectionIndex.search, candidates rescored). */
  search(query: Float32Array, k: number, ef: number): readonly VectorHit[];
  vectors: StoredVectors;
  /** How many passages the graph holds (the calibration's size). */
  passages: number;
  rng: Rng;
  logger: Logger;
  /** Defaults: EF_LADDER, CALIBRATION_TARGET_RECALL, CALIBRATION_QUERIES. */
  ladder?: readonly number[];
  target?: number;
  queries?: number;
}

export function calibrateEf(input: CalibrationInput): EfCalibration {
  const started = performance.now();
  const ladder = input.ladder ?? EF_LADDER;
  const target = input.target ?? CALIBRATION_TARGET_RECALL;
  const queries = queriesFrom(input.vectors, input.passages, input.queries ?? CALIBRATION_QUERIES, input.rng);
  const truth = exactTopK(input.vectors, queries, CALIBRATION_K);
  const tried: Array<{ ef: number; recall: number }> = [];
  for (const ef of ladder) {
    tried.push({ ef, recall: recallAt(input.search, queries, truth, ef) });
    if (tried.at(-1)!.recall >= target) break;
  }
  const chosen = tried.at(-1)!;
  const calibration = {
    ef: chosen.ef, recall: chosen.recall, passages: input.passages, queries: queries.length, target, seconds: round((performance.now() - started) / 1000, 2),
  };
  if (chosen.recall < target) input.logger.warn({ ...calibration, tried }, `no ef of the ladder reaches recall@10 ${target}: searching at the largest`);
  else input.logger.info({ ...calibration, tried }, 'search breadth calibrated');
  return calibration;
}

/**
 * Measures a collection's graph holding `passages` passages, every one up to `through`, searched by `search` (as
 * CollectionIndex.search does), with the seeded queries: the same passages get the same queries.
 */
export function calibrateCollectionGraph(input: {
  search: CalibrationInput['search']; store: DocumentStore; collection: { id: number; dim: number }; passages: number; through: number; logger: Logger;
}): EfCalibration {
  const { store, collection: { id, dim }, through } = input;
  return calibrateEf({
    search: input.search,
    vectors: {
      dim,
      languages: () => store.passageLanguagesBetween(id, 0, through),
      vectorsOf: (labels) => store.vectorsOf(labels),
      all: (pageSize) => store.vectorsBetween(id, 0, through, pageSize),
    },
    passages: input.passages,
    rng: createRng(EF_CALIBRATION_SEED),
    logger: input.logger,
  });
}

/** Mean recall@k of the search at `ef` against the exact top k (a hit tying the k-th counts: TIE). */
export function recallAt(search: CalibrationInput['search'], queries: readonly Float32Array[], truth: readonly VectorHit[][], ef: number): number {
  let found = 0;
  let wanted = 0;
  queries.forEach((query, q) => {
    const exact = truth[q]!;
    if (exact.length === 0) return;
    const expected = new Set(exact.map((hit) => hit.label));
    const kth = exact.at(-1)!.score;
    const hits = search(query, CALIBRATION_K, ef).filter((hit) => expected.has(hit.label) || hit.score >= kth - TIE);
    found += Math.min(hits.length, exact.length);
    wanted += exact.length;
  });
  return wanted === 0 ? 1 : round(found / wanted, 4);
}

/**
 * `count` queries, each the normalised mean of a stored vector at a random position and one at a random position among
 * those of its language (two passes over the passages' ids and languages; the vectors are then read by id). A pair
 * that drew one passage twice is left out: its query would be a stored vector.
 */
export function queriesFrom(vectors: StoredVectors, passages: number, count: number, rng: Rng): Float32Array[] {
  if (passages === 0) return [];
  const seedPositions = Array.from({ length: count }, () => rng.int(passages));
  const wantedSeeds = new Set(seedPositions);
  const seedAt = new Map<number, { id: number; lang: string | null }>();
  const perLanguage = new Map<string | null, number>();
  let position = 0;
  for (const [id, lang] of vectors.languages()) {
    if (position >= passages) break;
    if (wantedSeeds.has(position)) seedAt.set(position, { id, lang });
    perLanguage.set(lang, (perLanguage.get(lang) ?? 0) + 1);
    position++;
  }
  const seeds = seedPositions.flatMap((at) => seedAt.get(at) ?? []);
  const partnerPositions = seeds.map(({ lang }) => ({ lang, at: rng.int(perLanguage.get(lang)!) }));
  const wantedPartners = new Map<string | null, Set<number>>();
  for (const { lang, at } of partnerPositions) wantedPartners.set(lang, (wantedPartners.get(lang) ?? new Set()).add(at));
  const partnerId = new Map<string, number>();
  const seen = new Map<string | null, number>();
  position = 0;
  for (const [id, lang] of vectors.languages()) {
    if (position++ >= passages) break;
    const at = seen.get(lang) ?? 0;
    seen.set(lang, at + 1);
    if (wantedPartners.get(lang)?.has(at)) partnerId.set(`${lang}\u0000${at}`, id);
  }
  const pairs = seeds.map((seed, q) => [seed.id, partnerId.get(`${partnerPositions[q]!.lang}\u0000${partnerPositions[q]!.at}`)] as const);
  const vectorOf = new Map(vectors.vectorsOf([...new Set(pairs.flat())].filter((id) => id !== undefined)).map(({ label, vector }) => [label, vector]));
  const queries: Float32Array[] = [];
  for (const [first, second] of pairs) {
    const a = vectorOf.get(first);
    const b = second === undefined || second === first ? undefined : vectorOf.get(second);
    const mean = a && b ? normalisedSum(a, b) : undefined;
    if (mean) queries.push(mean);
  }
  return queries;
}

/** Each query's k best stored vectors by inner product (cosine: all are unit vectors), best first, chunk by chunk. */
export function exactTopK(vectors: StoredVectors, queries: readonly Float32Array[], k: number): VectorHit[][] {
  const { dim } = vectors;
  const best = queries.map((): VectorHit[] => []);
  if (queries.length === 0) return [];
  const batch = new Float32Array(queries.length * dim);
  queries.forEach((query, q) => batch.set(query, q * dim));
  const chunk = new Float32Array(EXACT_CHUNK * dim);
  const labels: number[] = [];
  const scan = () => {
    if (labels.length === 0) return;
    const count = Math.min(k, labels.length);
    const found = exactSearch(chunk.subarray(0, labels.length * dim), batch, dim, count, MetricKind.IP, EXACT_THREADS);
    queries.forEach((_, q) => {
      for (let i = q * count; i < (q + 1) * count; i++) {
        best[q]!.push({ label: labels[Number(found.keys[i]!)]!, score: 1 - found.distances[i]! });
      }
      best[q] = best[q]!.sort((x, y) => y.score - x.score || x.label - y.label).slice(0, k);
    });
    labels.length = 0;
  };
  for (const { label, vector } of vectors.all(EXACT_CHUNK)) {
    chunk.set(vector, labels.length * dim);
    labels.push(label);
    if (labels.length === EXACT_CHUNK) scan();
  }
  scan();
  return best;
}

function round(x: number, digits: number): number {
  const scale = 10 ** digits;
  return Math.round(x * scale) / scale;
}

/**
 * Whether a graph just built in bulk from `passages` passages is to be calibrated: the collection sets no ef of its own,
 * it is large enough, and the graph holds no calibration that still holds for its size (config.ts, calibrationHolds).
 */
export function calibrationDue(hnsw: { ef?: number | undefined }, passages: number, current: EfCalibration | undefined): boolean {
  return hnsw.ef === undefined && passages >= MIN_CALIBRATION_PASSAGES && !calibrationHolds(current, passages);
}
