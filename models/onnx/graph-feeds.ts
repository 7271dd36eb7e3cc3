/**
 * What a whole encoder graph (export.ts) is fed, by format: version 1 takes ids and a mask padded to the longest
 * row; version 2 a bag of every id with its repeats, with each id's row; version 3 each text's distinct ids with
 * their multiplicities. Plus how texts sorted by feature count are cut into session.run chunks.
 */
import * as ort from 'onnxruntime-node';
import { featureBag, featurize, type FeatureBag, type FeatureConfig } from '../features.js';
import { int64From, int64Tensor } from './tensors.js';
import {
  ONNX_INPUT_COUNTS, ONNX_INPUT_IDS, ONNX_INPUT_MASK, ONNX_INPUT_MULTIPLICITY, ONNX_INPUT_ROWS, type OnnxEncoderManifest,
} from './export.js';

export type GraphFormat = OnnxEncoderManifest['formatVersion'];

/** A text's features in the form a graph of `format` takes (older graphs: every id, each once per occurrence). */
export function bagMaker(format: GraphFormat, features: FeatureConfig): (text: string) => FeatureBag {
  if (format === 3) return (text) => featureBag(text, features);
  return (text) => {
    const ids = featurize(text, features);
    return { ids, multiplicity: new Float32Array(ids.length).fill(1), count: ids.length };
  };
}

/**
 * Inputs of a bag-of-features graph for rows `order[start, end)`: version 3 takes each text's distinct ids with
 * their multiplicities, version 2 every id with its repeats (then `bag.multiplicity` is all ones).
 */
function bagFeeds(bags: FeatureBag[], order: number[], start: number, end: number, withMultiplicity: boolean): Record<string, ort.Tensor> {
  const batch = end - start;
  let n = 0;
  for (let row = 0; row < batch; row++) n += bags[order[start + row]!]!.ids.length;
  const ids = new Int32Array(n);
  const rows = new Int32Array(n);
  const multiplicity = new Float32Array(n);
  const counts = new Float32Array(batch);
  for (let row = 0, at = 0; row < batch; row++) {
    const bag = bags[order[start + row]!]!;
    ids.set(bag.ids, at);
    multiplicity.set(bag.multiplicity, at);
    rows.fill(row, at, at + bag.ids.length);
    counts[row] = bag.count;
    at += bag.ids.length;
  }
  const feeds: Record<string, ort.Tensor> = {
    [ONNX_INPUT_IDS]: new ort.Tensor('int32', ids, [n]),
    [ONNX_INPUT_ROWS]: int64Tensor(rows),
    [ONNX_INPUT_COUNTS]: new ort.Tensor('float32', counts, [batch]),
  };
  if (withMultiplicity) feeds[ONNX_INPUT_MULTIPLICITY] = new ort.Tensor('float32', multiplicity, [n]);
  return feeds;
}

/** Inputs of a version 1 graph: ids and mask padded to the longest row (the last: `order` is sorted). */
function paddedFeeds(bags: FeatureBag[], order: number[], start: number, end: number): Record<string, ort.Tensor> {
  const batch = end - start;
  const seq = Math.max(1, bags[order[end - 1]!]!.ids.length);
  const ids = new Int32Array(batch * seq);
  const mask = new Float32Array(batch * seq);
  for (let row = 0; row < batch; row++) {
    const f = bags[order[start + row]!]!.ids;
    ids.set(f, row * seq);
    mask.fill(1, row * seq, row * seq + f.length);
  }
  return {
    [ONNX_INPUT_IDS]: new ort.Tensor('int64', int64From(ids), [batch, seq]),
    [ONNX_INPUT_MASK]: new ort.Tensor('float32', mask, [batch, seq]),
  };
}

/** The feature inputs of rows `order[start, end)` for a graph of `format`. */
export function graphFeeds(format: GraphFormat, bags: FeatureBag[], order: number[], start: number, end: number): Record<string, ort.Tensor> {
  return format === 1 ? paddedFeeds(bags, order, start, end) : bagFeeds(bags, order, start, end, format === 3);
}

/**
 * Where the chunk starting at `order[start]` ends: at most `maxBatchSize` rows and `maxBatchFeatures` feature
 * slots (version 1 counts padded slots, rows × the longest row; `order` is sorted by feature count). A single
 * longer text still runs alone.
 */
export function chunkEnd(format: GraphFormat, bags: FeatureBag[], order: number[], start: number, limits: { maxBatchSize: number; maxBatchFeatures: number }): number {
  let end = start + 1;
  let used = bags[order[start]!]!.ids.length;
  while (end < order.length && end - start < limits.maxBatchSize) {
    const next = format === 1 ? (end - start + 1) * bags[order[end]!]!.ids.length : used + bags[order[end]!]!.ids.length;
    if (next > limits.maxBatchFeatures) break;
    used = next;
    end++;
  }
  return end;
}
