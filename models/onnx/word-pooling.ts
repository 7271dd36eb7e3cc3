/**
 * Embedding through cached word sums. A format-3 graph pools a text as the weighted sum of its features' rows,
 * and every feature belongs to exactly one word (features.ts), so the pooled sum of a text is the sum of its
 * words' pooled sums. The runner splits the graph at that sum (split-graph.ts): the head pools each word not yet
 * cached; the tail, given a Gather + ScatterND-add in front, adds up each text's word vectors (in onnxruntime:
 * 4-5× faster than the same loop in JavaScript), applies the language adapter and normalises.
 * Text follows Zipf's law, so after the first few thousand passages most words are cached and a passage costs
 * tens of additions of `dim` floats instead of gathering, dequantising and scattering hundreds of table rows.
 * The cache lives in shared memory (word-vector-cache.ts): the worker threads and the main thread of one encoder
 * use one cache, so a word is pooled once per process, not once per thread. Each chunk copies its words' vectors
 * out of the cache into a buffer of its own, which the tail reads (onnxruntime-node does not take SharedArrayBuffer
 * views), so no cache row has to stay pinned while a chunk runs.
 * The result equals the whole graph's up to float rounding (the parity tests hold it to the reference at 1e-5).
 *
 * The chunk's word-vector matrix (the largest buffer a chunk needs, ~1 KB per distinct word) is reused across chunks
 * rather than allocated per chunk. Every ArrayBuffer counts as V8 external memory, and in a worker thread, whose
 * JavaScript heap is a few MB, a megabyte of fresh buffers per chunk started a full mark-compact every ~50 ms, whose
 * concurrent marking took about a sixth of the machine's CPU (docs/cmtp.md, *Speed*). The vectors returned are views
 * of one output buffer per chunk (one allocation instead of one per text).
 */
import * as ort from 'onnxruntime-node';
import onnxProto from 'onnx-proto';
import type { onnx as proto } from 'onnx-proto';
import { featurizeWords, type FeatureConfig } from '../features.js';
import { tokenize } from '../../text/normalize.js';
import { ONNX_INPUT_ADAPTER, ONNX_INPUT_COUNTS, ONNX_INPUT_IDS, ONNX_INPUT_MULTIPLICITY, ONNX_INPUT_ROWS, ONNX_OUTPUT } from './export.js';
import { floatTensorProto, int64TensorProto, intAttr, node, stringAttr, tensorAttr, tensorInput } from './graph-proto.js';
import { encodeOnnxModel, splitOnnxModel } from './split-graph.js';
import { checkedOutput, int64Tensor } from './tensors.js';
import { distinctKeys, wordKeys, type WordVectorCache } from './word-vector-cache.js';

const { onnx } = onnxProto;
const { DataType } = onnx.TensorProto;

/** The tensor of a format-3 graph that holds each text's pooled sum, before the adapter. */
export const POOLED_TENSOR = 'pooled';
/** Inputs of the summing tail: the chunk's distinct word vectors, and per token its word and its text. */
export const WORD_VECTORS = 'word_vectors';
export const TOKEN_WORDS = 'token_words';
export const TOKEN_ROWS = 'token_rows';

/** The two graphs the runner uses, from a serialised format-3 encoder graph. */
export function wordPoolingGraphs(model: Uint8Array): { head: Uint8Array; tail: Uint8Array; inputs: string[] } {
  const split = splitOnnxModel(model, POOLED_TENSOR, ['words', 'dim']);
  const tail = split.tail.graph!;
  // pooled = ScatterND-add(zeros[batch, dim], token_rows, Gather(word_vectors, token_words)), as in export.ts.
  const sum: proto.INodeProto[] = [
    node('Gather', [WORD_VECTORS, TOKEN_WORDS], 'ws_token_vectors'),
    node('Shape', [ONNX_INPUT_COUNTS], 'ws_batch_shape'),
    node('Shape', [WORD_VECTORS], 'ws_dim_shape', [intAttr('start', 1)]),
    node('Concat', ['ws_batch_shape', 'ws_dim_shape'], 'ws_sum_shape', [intAttr('axis', 0)]),
    node('ConstantOfShape', ['ws_sum_shape'], 'ws_zeros', [tensorAttr('value', floatTensorProto('ws_zero', [1], Float32Array.of(0)))]),
    node('Unsqueeze', [TOKEN_ROWS, 'ws_axis1'], 'ws_scatter_index'),
    node('ScatterND', ['ws_zeros', 'ws_scatter_index', 'ws_token_vectors'], POOLED_TENSOR, [stringAttr('reduction', 'add')]),
  ];
  const summed: proto.IModelProto = {
    ...split.tail,
    graph: {
      ...tail,
      node: [...sum, ...(tail.node ?? [])],
      initializer: [...(tail.initializer ?? []), int64TensorProto('ws_axis1', [1])],
      input: [
        tensorInput(WORD_VECTORS, DataType.FLOAT, ['words', 'dim']),
        tensorInput(TOKEN_WORDS, DataType.INT32, ['tokens']),
        tensorInput(TOKEN_ROWS, DataType.INT64, ['tokens']),
        tensorInput(ONNX_INPUT_COUNTS, DataType.FLOAT, ['batch']),
        ...(tail.input ?? []).filter((i) => i.name !== POOLED_TENSOR),
      ],
    },
  };
  return { head: encodeOnnxModel(split.head), tail: encodeOnnxModel(summed), inputs: [...split.headInputs, ...split.tailInputs.slice(1)] };
}

export interface WordPoolingOptions {
  dim: number;
  features: FeatureConfig;
  hasAdapters: boolean;
  /** Most texts per tail run. */
  maxBatchSize: number;
  /** Most feature slots per head run. */
  maxBatchFeatures: number;
}

/** Most reusable word-vector buffers a runner keeps (one per chunk in flight at once; a worker runs up to two). */
const KEPT_BUFFERS = 2;
/**
 * Largest buffer kept for reuse (4 MB: 4,096 distinct words at 256-d; a chunk of 30 passages has ~600). A rare huge
 * chunk gets a buffer of its own that is not kept, so it does not pin its size for the process's lifetime.
 */
const MAX_KEPT_FLOATS = 1 << 20;

export class WordPoolingRunner {
  /** Word-vector buffers free for the next chunk (chunks of concurrent embed calls each take their own). */
  private readonly spareBuffers: Float32Array[] = [];

  constructor(
    private readonly head: ort.InferenceSession,
    private readonly tail: ort.InferenceSession,
    /** Possibly shared with other threads' runners. */
    private readonly cache: WordVectorCache,
    private readonly options: WordPoolingOptions,
  ) {
    if (cache.dim !== options.dim) throw new Error(`word vector cache holds ${cache.dim}-dim vectors, the model makes ${options.dim}`);
  }

  /** Embeds `texts`, text i through adapter index `adapters[i]` (0 = none). */
  async embed(texts: readonly string[], adapters: readonly number[]): Promise<Float32Array[]> {
    const out: Float32Array[] = [];
    for (let start = 0; start < texts.length; start += this.options.maxBatchSize) {
      const end = Math.min(texts.length, start + this.options.maxBatchSize);
      out.push(...(await this.embedChunk(texts.slice(start, end), adapters.slice(start, end))));
    }
    return out;
  }

  private async embedChunk(texts: readonly string[], adapters: readonly number[]): Promise<Float32Array[]> {
    const { dim, hasAdapters } = this.options;
    // The chunk's distinct words, deduplicated by 64-bit key in a small probe table (a Map of strings hashes every
    // fresh token string and was the largest JavaScript cost of a warm chunk in a profile), and each token as
    // (its text, its word).
    const tokenTexts = texts.map((text) => tokenize(text));
    const tokens = tokenTexts.flat();
    const tokenRows = new Int32Array(tokens.length);
    let at = 0;
    tokenTexts.forEach((list, t) => {
      tokenRows.fill(t, at, at + list.length);
      at += list.length;
    });
    const { keys, firstToken, tokenWords } = distinctKeys(wordKeys(tokens));
    // Row i of `vectors` is word i's pooled sum: copied from the cache, or pooled by the head and then cached.
    // At least one row, so that a chunk of texts without words still has a valid Gather source.
    const rows = Math.max(1, firstToken.length);
    const buffer = this.takeBuffer(rows * dim);
    try {
      const vectors = buffer.subarray(0, rows * dim);
      const missing = this.cache.read(keys, vectors);
      if (missing.length) {
        await this.poolWords(missing.map((i) => tokens[firstToken[i]!]!), missing, vectors);
        this.cache.write(keys, missing, vectors);
      }
      const feeds: Record<string, ort.Tensor> = {
        [WORD_VECTORS]: new ort.Tensor('float32', vectors, [rows, dim]),
        [TOKEN_WORDS]: new ort.Tensor('int32', tokenWords, [tokens.length]),
        [TOKEN_ROWS]: int64Tensor(tokenRows),
        [ONNX_INPUT_COUNTS]: new ort.Tensor('float32', new Float32Array(texts.length), [texts.length]),
      };
      if (hasAdapters) feeds[ONNX_INPUT_ADAPTER] = int64Tensor(adapters);
      const data = checkedOutput((await this.tail.run(feeds))[ONNX_OUTPUT], texts.length, dim);
      return texts.map((_, row) => data.subarray(row * dim, (row + 1) * dim));
    } finally {
      this.returnBuffer(buffer);
    }
  }

  /** A spare word-vector buffer of at least `length` floats, or a new one (sized up to a power of two, so that it is reused). */
  private takeBuffer(length: number): Float32Array {
    const at = this.spareBuffers.findIndex((b) => b.length >= length);
    if (at >= 0) return this.spareBuffers.splice(at, 1)[0]!;
    let size = 1024;
    while (size < length) size *= 2;
    return new Float32Array(size);
  }

  private returnBuffer(buffer: Float32Array): void {
    if (buffer.length > MAX_KEPT_FLOATS) return;
    this.spareBuffers.push(buffer);
    if (this.spareBuffers.length > KEPT_BUFFERS) {
      // Keep the largest: a small one would be replaced on the next long chunk anyway.
      this.spareBuffers.sort((a, b) => b.length - a.length).length = KEPT_BUFFERS;
    }
  }

  /** Pools `words` with the head graph, writing word j's sum into row `rows[j]` of `out` (`dim` floats per row). */
  private async poolWords(words: string[], rows: readonly number[], out: Float32Array): Promise<void> {
    const { dim, features, maxBatchFeatures } = this.options;
    const { ids, offsets } = featurizeWords(words, features);
    for (let start = 0; start < words.length; ) {
      let end = start + 1;
      while (end < words.length && offsets[end + 1]! - offsets[start]! <= maxBatchFeatures) end++;
      const from = offsets[start]!;
      const n = offsets[end]! - from;
      const slotWords = new Int32Array(n);
      for (let w = start; w < end; w++) slotWords.fill(w - start, offsets[w]! - from, offsets[w + 1]! - from);
      const result = await this.head.run({
        [ONNX_INPUT_IDS]: new ort.Tensor('int32', Int32Array.from(ids.subarray(from, from + n)), [n]),
        [ONNX_INPUT_ROWS]: int64Tensor(slotWords),
        [ONNX_INPUT_MULTIPLICITY]: new ort.Tensor('float32', new Float32Array(n).fill(1), [n]),
        [ONNX_INPUT_COUNTS]: new ort.Tensor('float32', new Float32Array(end - start), [end - start]),
      });
      const pooled = checkedOutput(result[POOLED_TENSOR], end - start, dim);
      for (let w = start; w < end; w++) out.set(pooled.subarray((w - start) * dim, (w - start + 1) * dim), rows[w]! * dim);
      start = end;
    }
  }
}
