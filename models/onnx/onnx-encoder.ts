/**
 * The Encoder backed by an exported ONNX graph (see export.ts): featurise in TypeScript, pool, adapt and
 * normalise in onnxruntime. A model directory is `model.json` (the manifest) + the `.onnx` file it names.
 */
import { sha256Hex } from '../../core/hash.js';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import * as ort from 'onnxruntime-node';
import { featureBag, featurize, type FeatureBag } from '../features.js';
import { langAt, type EmbedOptions, type Encoder, type EncoderInfo } from '../encoder.js';
import { checkedOutput, int64From, int64Tensor } from './tensors.js';
import { WordPoolingRunner, wordPoolingGraphs } from './word-pooling.js';
import { WordVectorCache, type WordVectorCacheMemory } from './word-vector-cache.js';
import {
  ONNX_INPUT_ADAPTER,
  ONNX_INPUT_COUNTS,
  ONNX_INPUT_IDS,
  ONNX_INPUT_MASK,
  ONNX_INPUT_MULTIPLICITY,
  ONNX_INPUT_ROWS,
  ONNX_OUTPUT,
  readOnnxEncoderManifest,
  type OnnxEncoderManifest,
} from './export.js';
import { TafutaError } from '../../core/errors.js';

export { readOnnxEncoderManifest };

export interface OnnxEncoderOptions {
  /** onnxruntime intra-op threads (default 1: the server parallelises across requests, not inside one). */
  intraOpNumThreads?: number;
  /** Most texts per session.run (default 256). */
  maxBatchSize?: number;
  /**
   * Most feature slots per session.run (default 8192): the graph materialises one float row of `dim` per slot,
   * so this bounds memory (8 MB at 256-d) and keeps that intermediate close to the cache: on 300-character
   * passages 8192 ran about 5% faster than 65 536 (noisy VM, six runs). A single longer text still runs alone.
   * Version 1 graphs count padded slots (rows × longest row).
   */
  maxBatchFeatures?: number;
  /**
   * Most words whose pooled sums are cached (default 32,768, about 32 MB at 256-d; 0 runs the whole graph per
   * text). Only format-3 graphs, whose pooled sum is additive over words, use the cache (word-pooling.ts).
   */
  wordCache?: number;
  /**
   * The shared memory of a word cache to use instead of a new one of `wordCache` words: how the worker threads and
   * the main thread of the parallel encoder share one cache. Its dim must be the model's.
   */
  sharedWordCache?: WordVectorCacheMemory;
}

export const DEFAULT_WORD_CACHE = 32_768;

/** Reads and validates `modelDir/model.json`. */
export function checkPositiveInt(value: number, what: string): number {
  if (!Number.isInteger(value) || value <= 0) throw new TafutaError('INVALID_ARGUMENT', `${what} must be a positive integer, got ${value}`);
  return value;
}

function checkNonNegativeInt(value: number, what: string): number {
  if (!Number.isInteger(value) || value < 0) throw new TafutaError('INVALID_ARGUMENT', `${what} must be a non-negative integer, got ${value}`);
  return value;
}

/** The inputs a graph of `manifest` takes, adapter included. */
function expectedInputs(manifest: OnnxEncoderManifest): string[] {
  const featureInputs = {
    1: [ONNX_INPUT_IDS, ONNX_INPUT_MASK],
    2: [ONNX_INPUT_IDS, ONNX_INPUT_ROWS, ONNX_INPUT_COUNTS],
    3: [ONNX_INPUT_IDS, ONNX_INPUT_ROWS, ONNX_INPUT_MULTIPLICITY, ONNX_INPUT_COUNTS],
  }[manifest.formatVersion];
  return [...featureInputs, ...(manifest.adapters.length > 0 ? [ONNX_INPUT_ADAPTER] : [])];
}

const sameNames = (a: readonly string[], b: readonly string[]) => [...a].sort().join() === [...b].sort().join();

/** Fails early when the graph does not match its manifest (wrong inputs, output or dim). */
function checkSession(session: ort.InferenceSession, manifest: OnnxEncoderManifest, file: string, inputs: readonly string[] = session.inputNames): void {
  const expected = expectedInputs(manifest);
  if (!sameNames(inputs, expected)) {
    throw new TafutaError('INPUT_FILE', `${file} has inputs [${[...inputs].sort().join(', ')}], expected [${expected.join(', ')}] for ${manifest.adapters.length} adapters`);
  }
  const output = session.outputMetadata.find((m) => m.name === ONNX_OUTPUT);
  if (!output) throw new TafutaError('INPUT_FILE', `${file} has no '${ONNX_OUTPUT}' output`);
  const lastDim = output.isTensor ? output.shape.at(-1) : undefined;
  if (typeof lastDim === 'number' && lastDim !== manifest.dim) {
    throw new TafutaError('INPUT_FILE', `${file} outputs ${lastDim}-dim vectors but model.json says dim ${manifest.dim}`);
  }
}

export async function createOnnxEncoder(modelDir: string, options: OnnxEncoderOptions = {}): Promise<Encoder> {
  const manifest = await readOnnxEncoderManifest(modelDir);
  const intraOpNumThreads = checkPositiveInt(options.intraOpNumThreads ?? 1, 'intraOpNumThreads');
  const maxBatchSize = checkPositiveInt(options.maxBatchSize ?? 256, 'maxBatchSize');
  const maxBatchFeatures = checkPositiveInt(options.maxBatchFeatures ?? 8192, 'maxBatchFeatures');
  const wordCache = checkNonNegativeInt(options.wordCache ?? DEFAULT_WORD_CACHE, 'wordCache');

  const onnxFile = path.join(modelDir, manifest.onnx);
  // Read once: the bytes are hashed for the version and handed to onnxruntime.
  let onnxBytes: Uint8Array;
  try {
    onnxBytes = await readFile(onnxFile);
  } catch {
    throw new TafutaError('INPUT_FILE', `ONNX encoder model file ${onnxFile} (named by model.json) not found`);
  }
  // The model file's hash names the weights: a retrained model under the same name gets another version.
  const version = sha256Hex(onnxBytes).slice(0, 16);
  const sessionOptions: ort.InferenceSession.SessionOptions = {
    executionProviders: ['cpu'],
    intraOpNumThreads,
    interOpNumThreads: 1,
    graphOptimizationLevel: 'all',
  };
  const load = async (bytes: Uint8Array): Promise<ort.InferenceSession> => {
    try {
      return await ort.InferenceSession.create(bytes, sessionOptions);
    } catch (err) {
      throw new TafutaError('INPUT_FILE', `ONNX encoder model file ${onnxFile} failed to load: ${(err as Error).message}`);
    }
  };

  const { dim, features } = manifest;
  const hasAdapters = manifest.adapters.length > 0;
  // Format 3 with a cache: two sessions, the graph cut at the pooled sum (word-pooling.ts); otherwise one session.
  let sessions: ort.InferenceSession[];
  let words: WordPoolingRunner | undefined;
  let whole: ort.InferenceSession | undefined;
  if (manifest.formatVersion === 3 && wordCache > 0) {
    let split: ReturnType<typeof wordPoolingGraphs>;
    try {
      split = wordPoolingGraphs(onnxBytes);
    } catch (err) {
      throw new TafutaError('INPUT_FILE', `ONNX encoder model file ${onnxFile} failed to load: ${(err as Error).message}`);
    }
    sessions = [await load(split.head)];
    sessions.push(await load(split.tail));
    try {
      checkSession(sessions[1]!, manifest, onnxFile, split.inputs);
      const cache = options.sharedWordCache ? new WordVectorCache(options.sharedWordCache) : WordVectorCache.create(dim, wordCache);
      words = new WordPoolingRunner(sessions[0]!, sessions[1]!, cache, { dim, features, hasAdapters, maxBatchSize, maxBatchFeatures });
    } catch (err) {
      await Promise.all(sessions.map((s) => s.release()));
      throw err;
    }
  } else {
    whole = await load(onnxBytes);
    sessions = [whole];
    try {
      checkSession(whole, manifest, onnxFile);
    } catch (err) {
      await whole.release();
      throw err;
    }
  }
  const adapterIndex = new Map(manifest.adapters.map((lang, i) => [lang, i + 1]));
  let closed = false;

  const info: EncoderInfo = { name: manifest.name, dim, description: manifest.description, version, kind: 'cmtp-onnx', source: path.resolve(modelDir) };
  if (hasAdapters) info.adapters = [...manifest.adapters];
  if (manifest.autoModes) info.autoModes = { languages: { ...manifest.autoModes.languages }, default: manifest.autoModes.default };

  /**
   * Inputs of a bag-of-features graph for rows `order[start, end)`: version 3 takes each text's distinct ids with
   * their multiplicities, version 2 every id with its repeats (then `bag.multiplicity` is all ones).
   */
  function bagFeeds(bags: FeatureBag[], order: number[], start: number, end: number): Record<string, ort.Tensor> {
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

  const padded = manifest.formatVersion === 1;
  const withMultiplicity = manifest.formatVersion === 3;
  /** A text's features in the form this graph takes (older graphs: every id, each once per occurrence). */
  const toBag = (text: string): FeatureBag => {
    if (withMultiplicity) return featureBag(text, features);
    const ids = featurize(text, features);
    return { ids, multiplicity: new Float32Array(ids.length).fill(1), count: ids.length };
  };
  /** Feature slots rows `order[start, end)` occupy in one session.run. */
  const slots = (bags: FeatureBag[], order: number[], start: number, end: number, added: number): number =>
    padded ? (end - start + 1) * bags[order[end]!]!.ids.length : added + bags[order[end]!]!.ids.length;

  /** Embeds rows `order[start, end)`, writing into `out`; `order` is sorted by feature count. */
  async function runChunk(bags: FeatureBag[], adapters: number[], order: number[], start: number, end: number, out: Float32Array[]) {
    const batch = end - start;
    const feeds = padded ? paddedFeeds(bags, order, start, end) : bagFeeds(bags, order, start, end);
    if (hasAdapters) feeds[ONNX_INPUT_ADAPTER] = int64Tensor(order.slice(start, end).map((i) => adapters[i]!));
    const data = checkedOutput((await whole!.run(feeds))[ONNX_OUTPUT], batch, dim);
    for (let row = 0; row < batch; row++) out[order[start + row]!] = data.slice(row * dim, (row + 1) * dim);
  }

  return {
    info,
    async embed(texts: readonly string[], options: EmbedOptions): Promise<Float32Array[]> {
      if (closed) throw new Error(`ONNX encoder ${manifest.name} is closed`);
      if (Array.isArray(options.lang) && options.lang.length !== texts.length) {
        throw new Error(`lang has ${options.lang.length} entries for ${texts.length} texts`);
      }
      // options.kind is ignored: the graph is symmetric (one tower for queries and passages).
      const adapters = texts.map((_, i) => adapterIndex.get(langAt(options.lang, i) ?? '') ?? 0);
      if (words) return words.embed(texts, adapters);
      const bags = texts.map(toBag);
      // Sorting by length keeps padding small; results go back to their original positions.
      const order = texts.map((_, i) => i).sort((a, b) => bags[a]!.ids.length - bags[b]!.ids.length);
      const out = new Array<Float32Array>(texts.length);
      for (let start = 0; start < order.length; ) {
        let end = start + 1;
        let used = bags[order[start]!]!.ids.length;
        while (end < order.length && end - start < maxBatchSize) {
          const next = slots(bags, order, start, end, used);
          if (next > maxBatchFeatures) break;
          used = next;
          end++;
        }
        await runChunk(bags, adapters, order, start, end, out);
        start = end;
      }
      return out;
    },
    async close(): Promise<void> {
      if (closed) return;
      closed = true;
      await Promise.all(sessions.map((s) => s.release()));
    },
  };
}
