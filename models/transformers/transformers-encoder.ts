/**
 * The Encoder for Hugging Face models (BERT, XLM-R, e5, MiniLM… exported to ONNX): tokenizer and session from
 * @huggingface/transformers on onnxruntime-node, from local files only (fetch.ts copies a hub model here once).
 * Pooling, prefixes and maximum length come from settings.ts; vectors are always L2-normalised (cosine index).
 */
import { createHash, type Hash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { PreTrainedModel, PreTrainedTokenizer, Tensor } from '@huggingface/transformers';
import { l2NormalizeInPlace, type EmbedOptions, type Encoder, type EncoderInfo } from '../encoder.js';
import { checkPositiveInt } from '../onnx/onnx-encoder.js';
import { int64From } from '../onnx/tensors.js';
import { readTransformersSettings, type TransformersSettings } from './settings.js';
import { TafutaError } from '../../core/errors.js';

export interface TransformersEncoderOptions {
  /** onnxruntime intra-op threads (default 1, as for our encoders: the server parallelises across requests). */
  intraOpNumThreads?: number;
  /** Most texts per session.run (default 64). */
  maxBatchSize?: number;
  /**
   * Most token slots per session.run, padding included (default 8192): bounds the attention tensors
   * (heads × rows × length²) and keeps rows of similar length together, since each batch pads to its longest row.
   */
  maxBatchTokens?: number;
}

/** transformers.js, loaded on first use (it pulls in onnxruntime-web and sharp, ~0.5 s), never to fetch anything. */
async function loadTransformers(): Promise<typeof import('@huggingface/transformers')> {
  const transformers = await import('@huggingface/transformers');
  transformers.env.allowLocalModels = true;
  // Models are local directories; `tafuta fetch-model` alone downloads (fetch.ts).
  transformers.env.allowRemoteModels = false;
  return transformers;
}

async function hashFile(hash: Hash, file: string): Promise<void> {
  for await (const chunk of fs.createReadStream(file)) hash.update(chunk as Buffer);
}

/** Names the vectors: the ONNX file, the tokenizer and every setting that changes what is embedded. */
async function transformersVersion(dir: string, settings: TransformersSettings): Promise<string> {
  const hash = createHash('sha256');
  await hashFile(hash, path.join(dir, settings.onnxFile));
  await hashFile(hash, path.join(dir, 'tokenizer.json'));
  hash.update(JSON.stringify({ pooling: settings.pooling, prefixes: settings.prefixes, maxLength: settings.maxLength }));
  return hash.digest('hex').slice(0, 16);
}

interface TokenizedTexts {
  input_ids: number[][];
  attention_mask: number[][];
}

export async function createTransformersEncoder(dir: string, options: TransformersEncoderOptions = {}): Promise<Encoder> {
  const settings = readTransformersSettings(dir);
  const intraOpNumThreads = checkPositiveInt(options.intraOpNumThreads ?? 1, 'intraOpNumThreads');
  const maxBatchSize = checkPositiveInt(options.maxBatchSize ?? 64, 'maxBatchSize');
  const maxBatchTokens = checkPositiveInt(options.maxBatchTokens ?? 8192, 'maxBatchTokens');
  const modelDir = path.resolve(dir);
  const version = await transformersVersion(modelDir, settings);

  const transformers = await loadTransformers();
  let tokenizer: PreTrainedTokenizer;
  try {
    tokenizer = await transformers.AutoTokenizer.from_pretrained(modelDir, { local_files_only: true });
  } catch (err) {
    throw new TafutaError('INPUT_FILE', `transformers model ${modelDir}: tokenizer failed to load: ${(err as Error).message}`);
  }
  const encode = (texts: string[], addSpecialTokens = true) =>
    tokenizer(texts, { add_special_tokens: addSpecialTokens, return_tensor: false }) as unknown as TokenizedTexts;
  // transformers.js truncates after adding special tokens, which drops the closing [SEP] / </s>; Python's tokenizers
  // (and so the model's training) keep it. So texts are truncated here, keeping the template's closing tokens.
  const probe = encode(['a']).input_ids[0]!;
  const probeContent = encode(['a'], false).input_ids[0]!;
  const closingTokens = probe.length - probeContent.length - Math.max(0, probe.indexOf(probeContent[0]!));
  if (closingTokens < 0 || closingTokens >= settings.maxLength) throw new TafutaError('INPUT_FILE', `${modelDir}: cannot read the tokenizer's special-token template`);

  let model: PreTrainedModel;
  try {
    model = await transformers.AutoModel.from_pretrained(modelDir, {
      local_files_only: true,
      device: 'cpu',
      dtype: settings.dtype,
      session_options: { executionProviders: ['cpu'], intraOpNumThreads, interOpNumThreads: 1, graphOptimizationLevel: 'all' },
    });
  } catch (err) {
    throw new TafutaError('INPUT_FILE', `transformers model ${modelDir} failed to load: ${(err as Error).message}`);
  }

  const dim = (model.config as { hidden_size?: unknown }).hidden_size;
  if (!Number.isInteger(dim) || (dim as number) <= 0) {
    await model.dispose();
    throw new TafutaError('INPUT_FILE', `${path.join(modelDir, 'config.json')} has no hidden_size`);
  }
  const info: EncoderInfo = {
    name: settings.name,
    dim: dim as number,
    description: settings.description,
    version,
    kind: 'transformers',
    source: modelDir,
  };
  let closed = false;

  function tokenize(texts: readonly string[], prefix: string): TokenizedTexts {
    const tokens = encode(texts.map((text) => prefix + text));
    const keep = settings.maxLength - closingTokens;
    for (const rows of [tokens.input_ids, tokens.attention_mask]) {
      rows.forEach((row, i) => {
        if (row.length > settings.maxLength) rows[i] = [...row.slice(0, keep), ...row.slice(row.length - closingTokens)];
      });
    }
    return tokens;
  }

  /** Pooled, normalised vectors of rows `order[start, end)`, padded to the longest of them (the last: `order` is sorted). */
  async function runBatch(tokens: TokenizedTexts, order: number[], start: number, end: number, out: Float32Array[]): Promise<void> {
    const rows = end - start;
    const length = tokens.input_ids[order[end - 1]!]!.length;
    const ids = new Int32Array(rows * length);
    const mask = new Int32Array(rows * length);
    for (let row = 0; row < rows; row++) {
      const i = order[start + row]!;
      ids.set(tokens.input_ids[i]!, row * length);
      mask.set(tokens.attention_mask[i]!, row * length);
    }
    const shape = [rows, length];
    const outputs = (await model({
      input_ids: new transformers.Tensor('int64', int64From(ids), shape),
      attention_mask: new transformers.Tensor('int64', int64From(mask), shape),
    })) as Record<string, Tensor>;
    const hidden = outputs.last_hidden_state ?? outputs.token_embeddings;
    if (!hidden || hidden.dims.join() !== `${rows},${length},${info.dim}`) {
      throw new Error(`${modelDir}: expected last_hidden_state [${rows}, ${length}, ${info.dim}], got ${Object.keys(outputs).map((k) => `${k} [${outputs[k]!.dims.join(', ')}]`).join(', ')}`);
    }
    // fp16 exports return float16.
    const data = hidden.to('float32').data as Float32Array;
    const h = info.dim;
    for (let row = 0; row < rows; row++) {
      const base = row * length * h;
      const vector = new Float32Array(h);
      if (settings.pooling === 'cls') {
        vector.set(data.subarray(base, base + h));
      } else {
        let count = 0;
        for (let t = 0; t < length; t++) {
          if (mask[row * length + t] === 0) continue;
          count++;
          for (let j = 0; j < h; j++) vector[j]! += data[base + t * h + j]!;
        }
        for (let j = 0; j < h; j++) vector[j]! /= Math.max(count, 1);
      }
      out[order[start + row]!] = l2NormalizeInPlace(vector);
    }
  }

  return {
    info,
    tokenLimit: {
      maxTokens: settings.maxLength,
      countTokens: (texts) => (texts.length === 0 ? [] : encode(texts.map((text) => settings.prefixes.passage + text)).input_ids.map((ids) => ids.length)),
    },
    async embed(texts: readonly string[], options: EmbedOptions): Promise<Float32Array[]> {
      if (closed) throw new Error(`transformers encoder ${info.name} is closed`);
      if (texts.length === 0) return [];
      const tokens = tokenize(texts, settings.prefixes[options.kind]);
      // Dynamic padding: rows sorted by length, so each batch pads only to its own longest row.
      const order = texts.map((_, i) => i).sort((a, b) => tokens.input_ids[a]!.length - tokens.input_ids[b]!.length);
      const out = new Array<Float32Array>(texts.length);
      for (let start = 0; start < order.length; ) {
        let end = start + 1;
        while (end < order.length && end - start < maxBatchSize && (end - start + 1) * tokens.input_ids[order[end]!]!.length <= maxBatchTokens) end++;
        await runBatch(tokens, order, start, end, out);
        start = end;
      }
      return out;
    },
    async close(): Promise<void> {
      if (closed) return;
      closed = true;
      await model.dispose();
    },
  };
}
