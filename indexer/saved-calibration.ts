/**
 * Which ef calibration (ef-calibration.ts) a collection index keeps when its save is about to replace a graph file
 * another process saved. The case: `tafuta index` imports fewer passages than a server adopts a file for
 * (saved-graph-adoption.ts, ADOPTION_MIN_SHARE), so the server inserts them itself while the CLI builds, calibrates
 * and saves a graph of the same passages; the server's next save would replace the CLI's manifest, and with it the
 * calibration, by its own graph's (often none). The file's calibration is kept when it describes a graph like this
 * one and holds for the collection's size; otherwise it is dropped with a reason the index logs and GET
 * /v1/collections/:name shows.
 */
import fs from 'node:fs';
import type { Logger } from '../core/logger.js';
import { CALIBRATION_HOLDS_GROWTH, calibrationHolds, efCalibrationOf, efCalibrationSchema, type EfCalibration } from './config.js';
import { savedGraphStamp, type AnnLibrary, type GraphStore } from './graph-store.js';
import type { CollectionRecord, HnswParams } from './types.js';
import type { UsearchScalar } from './usearch-file.js';
import { USEARCH_MANIFEST_FORMAT } from './usearch-store.js';

/** How a graph was built: a calibration measured on one holds for another only when these are equal. */
export interface GraphBuild {
  library: AnnLibrary;
  scalar: UsearchScalar;
  params: Pick<HnswParams, 'M' | 'efConstruction'>;
}

/** The calibration a saved manifest holds, and what it was measured on. */
export interface SavedCalibration {
  calibration: EfCalibration;
  collectionId: number | undefined;
  build: GraphBuild;
}

export type DroppedCalibration = EfCalibration & { reason: string };

/** The graph's calibration after weighing the saved one, and the saved one when it was not kept. */
export interface CalibrationChoice {
  keep: EfCalibration | undefined;
  dropped?: DroppedCalibration;
}

/** What a collection index remembers of the calibrations other processes saved with its graph's file. */
export class SavedCalibrations {
  private readonly base: string;
  private readonly collection: CollectionRecord;
  private readonly logger: Logger;
  /** The saved graph's manifest as last weighed (savedGraphStamp). */
  private seen: string | undefined;
  /** The last saved calibration not kept, and why. */
  dropped: DroppedCalibration | undefined;

  /** `seen`: the stamp of the manifest the index loaded its graph from (or found unfit): not weighed again. */
  constructor(options: { base: string; collection: CollectionRecord; logger: Logger; seen: string | undefined }) {
    this.base = options.base;
    this.collection = options.collection;
    this.logger = options.logger;
    this.seen = options.seen;
  }

  /**
   * When another process saved since the last look (one stat when none did): sets `graph`'s calibration to the one to
   * keep (calibrationToKeep), or remembers and logs why the saved one is dropped. True when the graph's calibration
   * changed. Before each save (which would replace the file), and now and then (a server that saved before the CLI did).
   */
  weigh(graph: GraphStore, passages: number): boolean {
    const stamp = savedGraphStamp(this.base);
    if (stamp === undefined || stamp === this.seen) return false;
    this.seen = stamp;
    const saved = readSavedCalibration(this.base);
    if (saved === undefined) return false;
    const build = { library: graph.library, scalar: graph.scalar, params: this.collection.config.hnsw };
    const choice = calibrationToKeep(graph.efCalibration, saved, { collectionId: this.collection.id, build, passages });
    if (choice.dropped) {
      this.dropped = choice.dropped;
      this.logger.info({ collection: this.collection.name, ...choice.dropped }, 'not keeping the ef calibration another process saved');
      return false;
    }
    if (choice.keep === graph.efCalibration) return false;
    graph.efCalibration = choice.keep;
    this.dropped = undefined;
    this.logger.info({ collection: this.collection.name, ...choice.keep }, 'kept the ef calibration another process saved');
    return true;
  }
}

/** The calibration in `<base>.manifest.json`; undefined when there is none, or the manifest cannot be read. */
export function readSavedCalibration(base: string): SavedCalibration | undefined {
  try {
    const manifest = JSON.parse(fs.readFileSync(`${base}.manifest.json`, 'utf8')) as {
      format?: unknown; scalar?: UsearchScalar; params?: GraphBuild['params']; collectionId?: number; efCalibration?: unknown;
    };
    const calibration = efCalibrationOf(manifest.efCalibration);
    if (calibration === undefined || manifest.params === undefined) return undefined;
    const library: AnnLibrary = manifest.format === USEARCH_MANIFEST_FORMAT ? 'usearch' : 'hnswlib';
    return {
      calibration,
      collectionId: manifest.collectionId,
      build: { library, scalar: library === 'usearch' ? (manifest.scalar ?? 'f32') : 'f32', params: { M: manifest.params.M, efConstruction: manifest.params.efConstruction } },
    };
  } catch {
    return undefined;
  }
}

/**
 * Precedence among calibrations that hold for the collection's `passages` (config.ts, calibrationHolds): the one
 * measured at more passages, the later measurement; on a tie the graph's own. A saved calibration of another
 * collection (a dropped namesake's file) is no candidate; one measured on a graph built otherwise (library,
 * quantisation, M, efConstruction) or that no longer holds is dropped.
 */
export function calibrationToKeep(own: EfCalibration | undefined, saved: SavedCalibration, graph: { collectionId: number; build: GraphBuild; passages: number }): CalibrationChoice {
  if (saved.collectionId !== undefined && saved.collectionId !== graph.collectionId) return { keep: own };
  if (own !== undefined && sameCalibration(own, saved.calibration)) return { keep: own };
  const drop = (reason: string): CalibrationChoice => ({ keep: own, dropped: { ...saved.calibration, reason } });
  const otherBuild = buildDifference(saved.build, graph.build);
  if (otherBuild) return drop(`measured on a graph built otherwise (${otherBuild})`);
  const { passages } = saved.calibration;
  if (!calibrationHolds(saved.calibration, graph.passages)) {
    return drop(`measured at ${passages} passages, holds up to ${Math.floor(CALIBRATION_HOLDS_GROWTH * passages)}: the collection has ${graph.passages}`);
  }
  if (calibrationHolds(own, graph.passages) && own.passages >= passages) {
    return drop(`the graph's own calibration, measured at ${own.passages} passages (not fewer), is kept`);
  }
  return { keep: saved.calibration };
}

const CALIBRATION_FIELDS = Object.keys(efCalibrationSchema.shape) as Array<keyof EfCalibration>;

function sameCalibration(a: EfCalibration, b: EfCalibration): boolean {
  return CALIBRATION_FIELDS.every((field) => a[field] === b[field]);
}

function buildDifference(saved: GraphBuild, own: GraphBuild): string | undefined {
  const describe = (b: GraphBuild) => `${b.library} ${b.scalar}, M ${b.params.M}, efConstruction ${b.params.efConstruction}`;
  const same = saved.library === own.library && saved.scalar === own.scalar && saved.params.M === own.params.M && saved.params.efConstruction === own.params.efConstruction;
  return same ? undefined : `${describe(saved)}; this one: ${describe(own)}`;
}
