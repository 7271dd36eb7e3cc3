/**
 * A BERT-shaped model with seeded random weights, written as a Hugging Face model directory (config.json,
 * tokenizer.json, tokenizer_config.json, onnx/model.onnx) so that the transformers encoder can be tested and
 * benchmarked without a download; plus the same forward pass in plain TypeScript, the reference for parity tests.
 * The graph is the standard post-LayerNorm BERT encoder (embeddings + N layers of self-attention and GELU FFN)
 * with the additive -10000 attention mask, and outputs `last_hidden_state` as the Hugging Face exports do.
 */
import fs from 'node:fs';
import path from 'node:path';
import onnxProto from 'onnx-proto';
import type { onnx as proto } from 'onnx-proto';
import { createRng } from '../core/rng.js';
import { floatTensorProto, int64TensorProto, intAttr, intsAttr, node, tensorInput } from '../models/onnx/graph-proto.js';

const { onnx } = onnxProto;
const { DataType } = onnx.TensorProto;

export interface BertShape {
  vocabSize: number;
  hidden: number;
  layers: number;
  heads: number;
  intermediate: number;
  maxPositions: number;
}

export interface BertLayerWeights {
  /** Matrices are row-major [in, out], as MatMul(x, W) takes them. */
  query: Float32Array; queryBias: Float32Array;
  key: Float32Array; keyBias: Float32Array;
  value: Float32Array; valueBias: Float32Array;
  output: Float32Array; outputBias: Float32Array;
  attentionNormScale: Float32Array; attentionNormBias: Float32Array;
  up: Float32Array; upBias: Float32Array;
  down: Float32Array; downBias: Float32Array;
  outputNormScale: Float32Array; outputNormBias: Float32Array;
}

export interface BertWeights {
  shape: BertShape;
  words: Float32Array;
  positions: Float32Array;
  tokenTypes: Float32Array;
  embeddingNormScale: Float32Array;
  embeddingNormBias: Float32Array;
  layers: BertLayerWeights[];
}

const TOKEN_TYPES = 2;
const LAYER_NORM_EPS = 1e-12;
const MASKED = -10000;

/** Normal weights of standard deviation `scale` (0.02 is BERT's own init); LayerNorm scales near 1. */
export function randomBertWeights(shape: BertShape, seed: number, scale = 0.02): BertWeights {
  const rng = createRng(seed);
  const normal = (n: number, std = scale) => Float32Array.from({ length: n }, () => rng.normal() * std);
  const nearOne = (n: number) => Float32Array.from({ length: n }, () => 1 + rng.normal() * 0.1);
  const { hidden: h, intermediate: f } = shape;
  const layer = (): BertLayerWeights => ({
    query: normal(h * h), queryBias: normal(h),
    key: normal(h * h), keyBias: normal(h),
    value: normal(h * h), valueBias: normal(h),
    output: normal(h * h), outputBias: normal(h),
    attentionNormScale: nearOne(h), attentionNormBias: normal(h),
    up: normal(h * f), upBias: normal(f),
    down: normal(f * h), downBias: normal(h),
    outputNormScale: nearOne(h), outputNormBias: normal(h),
  });
  return {
    shape,
    words: normal(shape.vocabSize * h),
    positions: normal(shape.maxPositions * h),
    tokenTypes: normal(TOKEN_TYPES * h),
    embeddingNormScale: nearOne(h),
    embeddingNormBias: normal(h),
    layers: Array.from({ length: shape.layers }, layer),
  };
}

/**
 * The serialised ONNX model: inputs input_ids, attention_mask, token_type_ids (int64 [batch, sequence]); output
 * last_hidden_state in float32, or cast to float16 as fp16 exports return it.
 */
export function bertOnnx(weights: BertWeights, output: 'float32' | 'float16' = 'float32'): Uint8Array {
  const { hidden: h, heads, intermediate: f, vocabSize, maxPositions } = weights.shape;
  if (h % heads !== 0) throw new Error(`hidden ${h} is not a multiple of heads ${heads}`);
  const headDim = h / heads;
  const initializer: proto.ITensorProto[] = [
    floatTensorProto('word_embeddings', [vocabSize, h], weights.words),
    floatTensorProto('position_embeddings', [maxPositions, h], weights.positions),
    floatTensorProto('token_type_embeddings', [TOKEN_TYPES, h], weights.tokenTypes),
    floatTensorProto('embeddings_norm_scale', [h], weights.embeddingNormScale),
    floatTensorProto('embeddings_norm_bias', [h], weights.embeddingNormBias),
    floatTensorProto('one', [], Float32Array.of(1)),
    floatTensorProto('half', [], Float32Array.of(0.5)),
    floatTensorProto('sqrt2', [], Float32Array.of(Math.SQRT2)),
    floatTensorProto('masked', [], Float32Array.of(MASKED)),
    floatTensorProto('attention_scale', [], Float32Array.of(1 / Math.sqrt(headDim))),
    int64TensorProto('zero_1d', [0]),
    int64TensorProto('mask_axes', [1, 2]),
    int64TensorProto('split_heads', [0, 0, heads, headDim]),
    int64TensorProto('merge_heads', [0, 0, h]),
  ];
  const layerNorm = (x: string, scale: string, bias: string, out: string) =>
    node('LayerNormalization', [x, scale, bias], out, [intAttr('axis', -1), { name: 'epsilon', type: onnx.AttributeProto.AttributeType.FLOAT, f: LAYER_NORM_EPS }]);
  const nodes: proto.INodeProto[] = [
    node('Shape', ['input_ids'], 'sequence_length', [intAttr('start', 1), intAttr('end', 2)]),
    node('Slice', ['position_embeddings', 'zero_1d', 'sequence_length', 'zero_1d'], 'position_vectors'),
    node('Gather', ['word_embeddings', 'input_ids'], 'word_vectors'),
    node('Gather', ['token_type_embeddings', 'token_type_ids'], 'token_type_vectors'),
    node('Add', ['word_vectors', 'position_vectors'], 'embedding_sum_0'),
    node('Add', ['embedding_sum_0', 'token_type_vectors'], 'embedding_sum'),
    layerNorm('embedding_sum', 'embeddings_norm_scale', 'embeddings_norm_bias', 'hidden_0'),
    node('Cast', ['attention_mask'], 'mask_float', [intAttr('to', DataType.FLOAT)]),
    node('Sub', ['one', 'mask_float'], 'mask_inverse'),
    node('Mul', ['mask_inverse', 'masked'], 'mask_additive'),
    node('Unsqueeze', ['mask_additive', 'mask_axes'], 'mask_4d'),
  ];
  weights.layers.forEach((w, l) => {
    const p = (name: string) => `layer${l}_${name}`;
    const x = `hidden_${l}`;
    initializer.push(
      floatTensorProto(p('query'), [h, h], w.query), floatTensorProto(p('query_bias'), [h], w.queryBias),
      floatTensorProto(p('key'), [h, h], w.key), floatTensorProto(p('key_bias'), [h], w.keyBias),
      floatTensorProto(p('value'), [h, h], w.value), floatTensorProto(p('value_bias'), [h], w.valueBias),
      floatTensorProto(p('output'), [h, h], w.output), floatTensorProto(p('output_bias'), [h], w.outputBias),
      floatTensorProto(p('attention_norm_scale'), [h], w.attentionNormScale), floatTensorProto(p('attention_norm_bias'), [h], w.attentionNormBias),
      floatTensorProto(p('up'), [h, f], w.up), floatTensorProto(p('up_bias'), [f], w.upBias),
      floatTensorProto(p('down'), [f, h], w.down), floatTensorProto(p('down_bias'), [h], w.downBias),
      floatTensorProto(p('output_norm_scale'), [h], w.outputNormScale), floatTensorProto(p('output_norm_bias'), [h], w.outputNormBias),
    );
    /** x·W + b, split into heads [batch, heads, sequence, headDim] (or, for keys, [batch, heads, headDim, sequence]). */
    const heads = (name: 'query' | 'key' | 'value', perm: number[]) => [
      node('MatMul', [x, p(name)], p(`${name}_0`)),
      node('Add', [p(`${name}_0`), p(`${name}_bias`)], p(`${name}_1`)),
      node('Reshape', [p(`${name}_1`), 'split_heads'], p(`${name}_2`)),
      node('Transpose', [p(`${name}_2`)], p(`${name}_heads`), [intsAttr('perm', perm)]),
    ];
    nodes.push(
      ...heads('query', [0, 2, 1, 3]),
      ...heads('key', [0, 2, 3, 1]),
      ...heads('value', [0, 2, 1, 3]),
      node('MatMul', [p('query_heads'), p('key_heads')], p('scores_0')),
      node('Mul', [p('scores_0'), 'attention_scale'], p('scores_1')),
      node('Add', [p('scores_1'), 'mask_4d'], p('scores')),
      node('Softmax', [p('scores')], p('attention'), [intAttr('axis', -1)]),
      node('MatMul', [p('attention'), p('value_heads')], p('context_0')),
      node('Transpose', [p('context_0')], p('context_1'), [intsAttr('perm', [0, 2, 1, 3])]),
      node('Reshape', [p('context_1'), 'merge_heads'], p('context')),
      node('MatMul', [p('context'), p('output')], p('attended_0')),
      node('Add', [p('attended_0'), p('output_bias')], p('attended_1')),
      node('Add', [p('attended_1'), x], p('attended_2')),
      layerNorm(p('attended_2'), p('attention_norm_scale'), p('attention_norm_bias'), p('attended')),
      node('MatMul', [p('attended'), p('up')], p('up_0')),
      node('Add', [p('up_0'), p('up_bias')], p('up_1')),
      // GELU, the erf form BERT uses: x · (1 + erf(x / √2)) / 2.
      node('Div', [p('up_1'), 'sqrt2'], p('gelu_0')),
      node('Erf', [p('gelu_0')], p('gelu_1')),
      node('Add', [p('gelu_1'), 'one'], p('gelu_2')),
      node('Mul', [p('up_1'), p('gelu_2')], p('gelu_3')),
      node('Mul', [p('gelu_3'), 'half'], p('gelu')),
      node('MatMul', [p('gelu'), p('down')], p('down_0')),
      node('Add', [p('down_0'), p('down_bias')], p('down_1')),
      node('Add', [p('down_1'), p('attended')], p('down_2')),
      layerNorm(p('down_2'), p('output_norm_scale'), p('output_norm_bias'), `hidden_${l + 1}`),
    );
  });
  const last = `hidden_${weights.layers.length}`;
  nodes.push(output === 'float16' ? node('Cast', [last], 'last_hidden_state', [intAttr('to', DataType.FLOAT16)]) : node('Identity', [last], 'last_hidden_state'));
  const tokens = (name: string) => tensorInput(name, DataType.INT64, ['batch_size', 'sequence_length']);
  const model: proto.IModelProto = {
    irVersion: 8,
    opsetImport: [{ domain: '', version: 17 }],
    producerName: 'tafuta-synthetic-bert',
    graph: {
      name: 'synthetic_bert',
      node: nodes,
      initializer,
      input: [tokens('input_ids'), tokens('attention_mask'), tokens('token_type_ids')],
      output: [tensorInput('last_hidden_state', output === 'float16' ? DataType.FLOAT16 : DataType.FLOAT, ['batch_size', 'sequence_length', h])],
    },
  };
  return onnx.ModelProto.encode(model).finish();
}

/** In-place LayerNorm of each `h`-wide row of `x`. */
function layerNormRows(x: Float32Array, h: number, scale: Float32Array, bias: Float32Array): void {
  for (let at = 0; at < x.length; at += h) {
    let mean = 0;
    for (let j = 0; j < h; j++) mean += x[at + j]!;
    mean /= h;
    let variance = 0;
    for (let j = 0; j < h; j++) variance += (x[at + j]! - mean) ** 2;
    const inv = 1 / Math.sqrt(variance / h + LAYER_NORM_EPS);
    for (let j = 0; j < h; j++) x[at + j] = (x[at + j]! - mean) * inv * scale[j]! + bias[j]!;
  }
}

/** x [rows, n] · W [n, m] + b. */
function affine(x: Float32Array, rows: number, n: number, w: Float32Array, b: Float32Array, m: number): Float32Array {
  const out = new Float32Array(rows * m);
  for (let r = 0; r < rows; r++) {
    for (let j = 0; j < m; j++) {
      let sum = b[j]!;
      for (let k = 0; k < n; k++) sum += x[r * n + k]! * w[k * m + j]!;
      out[r * m + j] = sum;
    }
  }
  return out;
}

/** erf by Abramowitz–Stegun 7.1.26 (|error| < 1.5e-7), enough for a tolerance of 1e-4. */
function erf(x: number): number {
  const t = 1 / (1 + 0.3275911 * Math.abs(x));
  const y = 1 - ((((1.061405429 * t - 1.453152027) * t + 1.421413741) * t - 0.284496736) * t + 0.254829592) * t * Math.exp(-x * x);
  return x >= 0 ? y : -y;
}

/** `last_hidden_state` [sequence, hidden] of one row: token ids, their type ids and attention mask (1 = real token). */
export function referenceBertForward(weights: BertWeights, ids: readonly number[], typeIds: readonly number[], mask: readonly number[]): Float32Array {
  const { hidden: h, heads, intermediate: f } = weights.shape;
  const s = ids.length;
  const headDim = h / heads;
  let x: Float32Array = new Float32Array(s * h);
  for (let t = 0; t < s; t++) {
    for (let j = 0; j < h; j++) {
      x[t * h + j] = weights.words[ids[t]! * h + j]! + weights.positions[t * h + j]! + weights.tokenTypes[typeIds[t]! * h + j]!;
    }
  }
  layerNormRows(x, h, weights.embeddingNormScale, weights.embeddingNormBias);
  for (const w of weights.layers) {
    const q = affine(x, s, h, w.query, w.queryBias, h);
    const k = affine(x, s, h, w.key, w.keyBias, h);
    const v = affine(x, s, h, w.value, w.valueBias, h);
    const context = new Float32Array(s * h);
    const scores = new Float64Array(s);
    for (let head = 0; head < heads; head++) {
      const o = head * headDim;
      for (let a = 0; a < s; a++) {
        let max = -Infinity;
        for (let b = 0; b < s; b++) {
          let dot = 0;
          for (let d = 0; d < headDim; d++) dot += q[a * h + o + d]! * k[b * h + o + d]!;
          scores[b] = dot / Math.sqrt(headDim) + (1 - mask[b]!) * MASKED;
          max = Math.max(max, scores[b]!);
        }
        let total = 0;
        for (let b = 0; b < s; b++) total += scores[b] = Math.exp(scores[b]! - max);
        for (let b = 0; b < s; b++) {
          for (let d = 0; d < headDim; d++) context[a * h + o + d]! += (scores[b]! / total) * v[b * h + o + d]!;
        }
      }
    }
    const attended = affine(context, s, h, w.output, w.outputBias, h);
    for (let i = 0; i < attended.length; i++) attended[i]! += x[i]!;
    layerNormRows(attended, h, w.attentionNormScale, w.attentionNormBias);
    const up = affine(attended, s, h, w.up, w.upBias, f);
    for (let i = 0; i < up.length; i++) up[i] = 0.5 * up[i]! * (1 + erf(up[i]! / Math.SQRT2));
    x = affine(up, s, f, w.down, w.downBias, h);
    for (let i = 0; i < x.length; i++) x[i]! += attended[i]!;
    layerNormRows(x, h, w.outputNormScale, w.outputNormBias);
  }
  return x;
}

export const SPECIAL_TOKENS = ['[PAD]', '[UNK]', '[CLS]', '[SEP]', '[MASK]'] as const;

/**
 * A WordPiece vocabulary: the special tokens (ids 0–4), then `words`, then every character of them alone and as a
 * `##` continuation, so that any text of those characters tokenizes without [UNK].
 */
export function wordPieceVocab(words: readonly string[]): string[] {
  const chars = [...new Set(words.flatMap((w) => [...w]))].sort();
  return [...new Set([...SPECIAL_TOKENS, ...words, ...chars, ...chars.map((c) => `##${c}`)])];
}

/** tokenizer.json in the Hugging Face tokenizers format: a lower-casing BERT WordPiece tokenizer. */
export function bertTokenizerJson(vocab: readonly string[]): object {
  const id = (token: string) => vocab.indexOf(token);
  const special = (token: string) => ({ id: id(token), content: token, single_word: false, lstrip: false, rstrip: false, normalized: false, special: true });
  const piece = (token: string) => ({ SpecialToken: { id: token, type_id: 0 } });
  return {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: SPECIAL_TOKENS.map(special),
    normalizer: { type: 'BertNormalizer', clean_text: true, handle_chinese_chars: true, strip_accents: false, lowercase: true },
    pre_tokenizer: { type: 'BertPreTokenizer' },
    post_processor: {
      type: 'TemplateProcessing',
      single: [piece('[CLS]'), { Sequence: { id: 'A', type_id: 0 } }, piece('[SEP]')],
      pair: [piece('[CLS]'), { Sequence: { id: 'A', type_id: 0 } }, piece('[SEP]'), { Sequence: { id: 'B', type_id: 1 } }, { SpecialToken: { id: '[SEP]', type_id: 1 } }],
      special_tokens: Object.fromEntries(['[CLS]', '[SEP]'].map((t) => [t, { id: t, ids: [id(t)], tokens: [t] }])),
    },
    decoder: { type: 'WordPiece', prefix: '##', cleanup: true },
    model: {
      type: 'WordPiece',
      unk_token: '[UNK]',
      continuing_subword_prefix: '##',
      max_input_chars_per_word: 100,
      vocab: Object.fromEntries(vocab.map((token, i) => [token, i])),
    },
  };
}

export interface SyntheticBertDirOptions {
  shape: Omit<BertShape, 'vocabSize'>;
  /** Words of the vocabulary (see wordPieceVocab). */
  words: readonly string[];
  seed: number;
  /** Standard deviation of the random weights (default 0.02). */
  scale?: number;
  /** tokenizer_config.json's model_max_length (default maxPositions). */
  maxLength?: number;
  /** The ONNX file under onnx/ (default model.onnx; model_quantized.onnx is what dtype q8 loads). */
  onnxFile?: string;
  /** last_hidden_state's type (default float32; float16 as in model_fp16.onnx). */
  output?: 'float32' | 'float16';
}

/** Writes a Hugging Face model directory and returns its weights and vocabulary. */
export function writeSyntheticBertDir(dir: string, options: SyntheticBertDirOptions): { weights: BertWeights; vocab: string[] } {
  const vocab = wordPieceVocab(options.words);
  const shape: BertShape = { ...options.shape, vocabSize: vocab.length };
  const weights = randomBertWeights(shape, options.seed, options.scale);
  fs.mkdirSync(path.join(dir, 'onnx'), { recursive: true });
  const config = {
    architectures: ['BertModel'],
    model_type: 'bert',
    vocab_size: shape.vocabSize,
    hidden_size: shape.hidden,
    num_hidden_layers: shape.layers,
    num_attention_heads: shape.heads,
    intermediate_size: shape.intermediate,
    max_position_embeddings: shape.maxPositions,
    type_vocab_size: TOKEN_TYPES,
    hidden_act: 'gelu',
    layer_norm_eps: LAYER_NORM_EPS,
    pad_token_id: 0,
  };
  const tokenizerConfig = {
    tokenizer_class: 'BertTokenizer',
    do_lower_case: true,
    model_max_length: options.maxLength ?? shape.maxPositions,
    cls_token: '[CLS]', sep_token: '[SEP]', pad_token: '[PAD]', unk_token: '[UNK]', mask_token: '[MASK]',
  };
  fs.writeFileSync(path.join(dir, 'config.json'), JSON.stringify(config, null, 2));
  fs.writeFileSync(path.join(dir, 'tokenizer_config.json'), JSON.stringify(tokenizerConfig, null, 2));
  fs.writeFileSync(path.join(dir, 'tokenizer.json'), JSON.stringify(bertTokenizerJson(vocab)));
  fs.writeFileSync(path.join(dir, 'onnx', options.onnxFile ?? 'model.onnx'), bertOnnx(weights, options.output));
  return { weights, vocab };
}
