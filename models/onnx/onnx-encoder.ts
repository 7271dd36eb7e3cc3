/**
 * The Encoder backed by an exported ONNX graph (see export.ts): featurise in TypeScript, pool, adapt and
 * normalise in onnxruntime. A model directory is `model.json` (the manifest) + the `.onnx` file it names.
 */
import { sha256Hex } from '../../core/hash.js';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import * as ort from 'onnxruntime-node';
import type { FeatureBag, FeatureConfig } from '../features.js';
import { langAt, type EmbedOptions, type Encoder, type EncoderInfo } from '../encoder.js';
import { bagMaker, chunkEnd, graphFeeds } from './graph-feeds.js';
import { checkedOutput, int64Tensor } from './tensors.js';
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
  loadManifestFeatures,
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

/** Embeds texts (with each one's adapter index) by one way of running the graph; releases its sessions. */
interface GraphRunner {
  embed(texts: readonly string[], adapters: readonly number[]): Promise<Float32Array[]>;
  release(): Promise<void>;
}

interface RunnerSettings {
  features: FeatureConfig;
  manifest: OnnxEncoderManifest;
  onnxBytes: Uint8Array;
  onnxFile: string;
  load(bytes: Uint8Array): Promise<ort.InferenceSession>;
  maxBatchSize: number;
  maxBatchFeatures: number;
}

/** Closes `sessions` when `check` throws: a graph refused at load keeps no onnxruntime memory. */
async function releasingOnFailure<T>(sessions: ort.InferenceSession[], check: () => T): Promise<T> {
  try {
    return check();
  } catch (err) {
    await Promise.all(sessions.map((s) => s.release()));
    throw err;
  }
}

/** Format 3 with a word cache: two sessions, the graph cut at the pooled sum (word-pooling.ts). */
async function openWordPoolingRunner(settings: RunnerSettings, cache: () => WordVectorCache): Promise<GraphRunner> {
  const { manifest, onnxFile, maxBatchSize, maxBatchFeatures } = settings;
  let split: ReturnType<typeof wordPoolingGraphs>;
  try {
    split = wordPoolingGraphs(settings.onnxBytes);
  } catch (err) {
    throw new TafutaError('INPUT_FILE', `ONNX encoder model file ${onnxFile} failed to load: ${(err as Error).message}`);
  }
  const sessions = [await settings.load(split.head)];
  sessions.push(await settings.load(split.tail));
  const words = await releasingOnFailure(sessions, () => {
    checkSession(sessions[1]!, manifest, onnxFile, split.inputs);
    const { dim } = manifest;
    const { features } = settings;
    return new WordPoolingRunner(sessions[0]!, sessions[1]!, cache(), { dim, features, hasAdapters: manifest.adapters.length > 0, maxBatchSize, maxBatchFeatures });
  });
  return { embed: (texts, adapters) => words.embed(texts, adapters), release: async () => void (await Promise.all(sessions.map((s) => s.release()))) };
}

/** Any format without the cache: one session of the whole graph, fed by graph-feeds.ts in chunks of similar length. */
async function openWholeGraphRunner(settings: RunnerSettings): Promise<GraphRunner> {
  const { manifest, onnxFile } = settings;
  const whole = await settings.load(settings.onnxBytes);
  await releasingOnFailure([whole], () => checkSession(whole, manifest, onnxFile));
  const { dim, formatVersion: format } = manifest;
  const hasAdapters = manifest.adapters.length > 0;
  const toBag = bagMaker(format, settings.features);

  /** Embeds rows `order[start, end)`, writing into `out`; `order` is sorted by feature count. */
  async function runChunk(bags: FeatureBag[], adapters: readonly number[], order: number[], start: number, end: number, out: Float32Array[]) {
    const batch = end - start;
    const feeds = graphFeeds(format, bags, order, start, end);
    if (hasAdapters) feeds[ONNX_INPUT_ADAPTER] = int64Tensor(order.slice(start, end).map((i) => adapters[i]!));
    const data = checkedOutput((await whole.run(feeds))[ONNX_OUTPUT], batch, dim);
    for (let row = 0; row < batch; row++) out[order[start + row]!] = data.slice(row * dim, (row + 1) * dim);
  }

  return {
    async embed(texts, adapters) {
      const bags = texts.map(toBag);
      // Sorting by length keeps padding small; results go back to their original positions.
      const order = texts.map((_, i) => i).sort((a, b) => bags[a]!.ids.length - bags[b]!.ids.length);
      const out = new Array<Float32Array>(texts.length);
      for (let start = 0; start < order.length; ) {
        const end = chunkEnd(format, bags, order, start, settings);
        await runChunk(bags, adapters, order, start, end, out);
        start = end;
      }
      return out;
    },
    release: () => whole.release(),
  };
}

/** The model file's bytes, read once: hashed for the version and handed to onnxruntime. */
async function readModelBytes(onnxFile: string): Promise<Uint8Array> {
  try {
    return await readFile(onnxFile);
  } catch {
    throw new TafutaError('INPUT_FILE', `ONNX encoder model file ${onnxFile} (named by model.json) not found`);
  }
}

function encoderInfo(manifest: OnnxEncoderManifest, modelDir: string, version: string): EncoderInfo {
  const info: EncoderInfo = { name: manifest.name, dim: manifest.dim, description: manifest.description, version, kind: 'cmtp-onnx', source: path.resolve(modelDir) };
  if (manifest.adapters.length > 0) info.adapters = [...manifest.adapters];
  if (manifest.autoModes) info.autoModes = { languages: { ...manifest.autoModes.languages }, default: manifest.autoModes.default };
  return info;
}

export async function createOnnxEncoder(modelDir: string, options: OnnxEncoderOptions = {}): Promise<Encoder> {
  const manifest = await readOnnxEncoderManifest(modelDir);
  const intraOpNumThreads = checkPositiveInt(options.intraOpNumThreads ?? 1, 'intraOpNumThreads');
  const maxBatchSize = checkPositiveInt(options.maxBatchSize ?? 256, 'maxBatchSize');
  const maxBatchFeatures = checkPositiveInt(options.maxBatchFeatures ?? 8192, 'maxBatchFeatures');
  const wordCache = checkNonNegativeInt(options.wordCache ?? DEFAULT_WORD_CACHE, 'wordCache');

  const onnxFile = path.join(modelDir, manifest.onnx);
  const onnxBytes = await readModelBytes(onnxFile);
  const features = await loadManifestFeatures(modelDir, manifest);
  // The model file's hash names the weights: a retrained model under the same name gets another version. Subword
  // merges change what the weights mean, so their hash joins it (a model without them keeps its old version).
  const weightsHash = sha256Hex(onnxBytes);
  const version = (manifest.features.subwords ? sha256Hex(weightsHash + manifest.features.subwords.sha256) : weightsHash).slice(0, 16);
  const sessionOptions: ort.InferenceSession.SessionOptions = { executionProviders: ['cpu'], intraOpNumThreads, interOpNumThreads: 1, graphOptimizationLevel: 'all' };
  const load = async (bytes: Uint8Array): Promise<ort.InferenceSession> => {
    try {
      return await ort.InferenceSession.create(bytes, sessionOptions);
    } catch (err) {
      throw new TafutaError('INPUT_FILE', `ONNX encoder model file ${onnxFile} failed to load: ${(err as Error).message}`);
    }
  };
  const settings: RunnerSettings = { manifest, features, onnxBytes, onnxFile, load, maxBatchSize, maxBatchFeatures };
  const cache = () => (options.sharedWordCache ? new WordVectorCache(options.sharedWordCache) : WordVectorCache.create(manifest.dim, wordCache));
  const runner = manifest.formatVersion === 3 && wordCache > 0 ? await openWordPoolingRunner(settings, cache) : await openWholeGraphRunner(settings);

  const adapterIndex = new Map(manifest.adapters.map((lang, i) => [lang, i + 1]));
  let closed = false;
  return {
    info: encoderInfo(manifest, modelDir, version),
    async embed(texts: readonly string[], options: EmbedOptions): Promise<Float32Array[]> {
      if (closed) throw new Error(`ONNX encoder ${manifest.name} is closed`);
      if (Array.isArray(options.lang) && options.lang.length !== texts.length) {
        throw new Error(`lang has ${options.lang.length} entries for ${texts.length} texts`);
      }
      // options.kind is ignored: the graph is symmetric (one tower for queries and passages).
      return runner.embed(texts, texts.map((_, i) => adapterIndex.get(langAt(options.lang, i) ?? '') ?? 0));
    },
    async close(): Promise<void> {
      if (closed) return;
      closed = true;
      await runner.release();
    },
  };
}
