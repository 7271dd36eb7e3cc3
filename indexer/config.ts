/** Collection configuration: defaults and validation, shared by the HTTP API and the CLI. */
import { z } from 'zod';
import { DEFAULT_PASSAGE_SPLIT } from './passages.js';
import type { CollectionConfig } from './types.js';

/** No `hnsw.ef`: a collection that sets none searches with the breadth measured on its graph, else the one its size calls for (searchBreadthOf). */
export const DEFAULT_COLLECTION_CONFIG: CollectionConfig = {
  hnsw: { M: 16, efConstruction: 200 },
  passages: { ...DEFAULT_PASSAGE_SPLIT },
};

/**
 * The search breadth (ef) of a collection that sets none, by its number of passages: recall@10 at a fixed ef falls
 * as the graph grows, so the ef grows with it. Each step starts where the step before stopped keeping recall@10 ≥ 0.98
 * (same-language queries on the issue-23 corpus, the default graph: usearch f16 built in bulk with expansion 64,
 * candidates rescored exactly), interpolated in log(size) between 30k, 100k, 300k and 1M passages and rounded down;
 * docs/benchmarks.md §2.6. Not measured above 1M passages. A graph measured after its bulk build (ef-calibration.ts)
 * searches at the ef measured instead (searchBreadthOf).
 */
export const DEFAULT_EF_STEPS: ReadonlyArray<{ fromPassages: number; ef: number }> = [
  { fromPassages: 0, ef: 64 },
  { fromPassages: 36_000, ef: 128 },
  { fromPassages: 120_000, ef: 256 },
  { fromPassages: 340_000, ef: 512 },
  { fromPassages: 650_000, ef: 1024 },
];

export function defaultEfFor(passages: number): number {
  let ef = DEFAULT_EF_STEPS[0]!.ef;
  for (const step of DEFAULT_EF_STEPS) if (passages >= step.fromPassages) ef = step.ef;
  return ef;
}

/** Fields a later version adds are dropped, not a reason to ignore the calibration. */
export const efCalibrationSchema = z.object({
  ef: z.int().min(1),
  recall: z.number().min(0).max(1),
  passages: z.int().min(1),
  queries: z.int().min(1),
  target: z.number().min(0).max(1),
  seconds: z.number().min(0),
});

/**
 * The ef a collection's graph was measured to need (indexer/ef-calibration.ts): the smallest ef of the ladder whose
 * recall@10 reached `target` on `queries` queries when the graph held `passages` passages. Kept in the graph's manifest.
 */
export type EfCalibration = z.infer<typeof efCalibrationSchema>;

/** A manifest's calibration when it is well-formed; undefined otherwise (older manifests have none: the size default applies). */
export function efCalibrationOf(value: unknown): EfCalibration | undefined {
  const parsed = efCalibrationSchema.safeParse(value);
  return parsed.success ? parsed.data : undefined;
}

/**
 * A calibration holds while the collection has at most this many times the passages it was measured at; beyond, the
 * size default applies until the next bulk build calibrates again. Recall at a fixed ef falls with log(size): on the
 * issue-23 corpus a doubling of ef buys a 1.9–3.3× larger collection (DEFAULT_EF_STEPS), so 1.25× spends at most
 * log 1.25 / log 1.9 ≈ 0.35 of the narrowest step, and the ladder's doubling leaves most calibrations above the target.
 * Measured once (docs/benchmarks.md §2.10): calibrated at 100k, grown to 125k, real queries kept recall@10 0.9895.
 */
export const CALIBRATION_HOLDS_GROWTH = 1.25;

export function calibrationHolds(calibration: EfCalibration | undefined, passages: number): calibration is EfCalibration {
  return calibration !== undefined && passages <= CALIBRATION_HOLDS_GROWTH * calibration.passages;
}

/** Where a search's ef came from. */
export type EfSource = 'request' | 'collection' | 'calibrated' | 'size-default';

/**
 * The ef a search uses and why: the request's, else the collection's `hnsw.ef`, else the graph's calibration while it
 * holds for the collection's size, else the default for its size.
 */
export function searchBreadthOf(
  requested: number | undefined, hnsw: { ef?: number | undefined }, passages: number, calibration?: EfCalibration,
): { ef: number; source: EfSource } {
  if (requested !== undefined) return { ef: requested, source: 'request' };
  if (hnsw.ef !== undefined) return { ef: hnsw.ef, source: 'collection' };
  if (calibrationHolds(calibration, passages)) return { ef: calibration.ef, source: 'calibrated' };
  return { ef: defaultEfFor(passages), source: 'size-default' };
}

export function searchEfOf(requested: number | undefined, hnsw: { ef?: number | undefined }, passages: number, calibration?: EfCalibration): number {
  return searchBreadthOf(requested, hnsw, passages, calibration).ef;
}

export const MIN_PASSAGE_CHARS = 50;

/**
 * The overlap is at most half a passage: with 49 of 50 characters repeated, 10 KB made 2,489 passages. Every two
 * passages move on by more than maxChars − overlapChars ≥ maxChars / 2, so a document makes at most
 * 4 × length / maxChars + 2 of them.
 */
export function maxOverlapFor(maxChars: number): number {
  return Math.floor(maxChars / 2);
}

export const COLLECTION_NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/;

export const collectionNameSchema = z
  .string()
  .regex(COLLECTION_NAME_PATTERN, 'collection names are 1-64 characters of A-Z a-z 0-9 _ -, starting with a letter or digit');

export const collectionConfigSchema = z
  .strictObject({
    hnsw: z
      .strictObject({
        M: z.int().min(4).max(128).default(DEFAULT_COLLECTION_CONFIG.hnsw.M),
        efConstruction: z.int().min(8).max(2000).default(DEFAULT_COLLECTION_CONFIG.hnsw.efConstruction),
        ef: z.int().min(1).max(5000).optional().meta({ description: "search breadth; default: the ef measured on the collection's graph after a bulk build (`tafuta index`), else one that grows with its size (64 below 36,000 passages, 1024 from 650,000)" }),
      })
      .prefault({}),
    passages: z
      .strictObject({
        maxChars: z.int().min(MIN_PASSAGE_CHARS).max(20000).default(DEFAULT_COLLECTION_CONFIG.passages.maxChars),
        overlapChars: z.int().min(0).max(5000).optional().meta({ description: 'at most half of maxChars; default 200, or half of maxChars when that is less' }),
      })
      .prefault({})
      // Unless given, the overlap shrinks with small passages, so that `{maxChars: 300}` alone stays valid.
      .transform((p) => ({ maxChars: p.maxChars, overlapChars: p.overlapChars ?? Math.min(DEFAULT_COLLECTION_CONFIG.passages.overlapChars, maxOverlapFor(p.maxChars)) }))
      .refine((p) => p.overlapChars <= maxOverlapFor(p.maxChars), {
        message: 'passages.overlapChars must be at most half of passages.maxChars',
      }),
  })
  .prefault({});
