/**
 * Trainable parameters of the CMTP encoder and its batched forward/backward pass.
 *
 *   m   = mean of table rows of the text's feature ids          (bag of hashed words + char n-grams)
 *         or, with pooling logits b, Σ_k w_k e_k / Σ_k w_k with w_k = exp(b[id_k])  (SIF-weighted or learned)
 *   u   = m + U_l (V_lᵀ m)                                      (low-rank adapter of language l; U_l = 0 at start)
 *   out = u / |u|
 *
 * This is exactly models/onnx/reference.ts (the exported graph), so training and serving agree.
 * Gradients are hand-written and held to finite differences in test/models/train/.
 */
import type { EncoderWeights } from '../onnx/reference.js';
import type { Rng } from '../../core/rng.js';

export interface EncoderShape {
  buckets: number;
  dim: number;
  adapterLangs: string[];
  adapterRank: number;
}

/**
 * How a text's feature rows are pooled: a plain mean; SIF weights a/(a + p(feature)) from feature frequencies in
 * the training data (fixed); or attention pooling, a learned weight per feature (softmax over the text's features).
 */
export type Pooling = 'mean' | 'sif' | 'attention';

/** Learned pooling logits stay within ±POOLING_LOGIT_LIMIT, so exp() never over- or underflows in float32. */
export const POOLING_LOGIT_LIMIT = 8;

export interface EncoderParams extends EncoderShape {
  /** [buckets, dim] */
  table: Float32Array;
  /** [buckets] pooling logits (weight = exp(logit)); absent for mean pooling. */
  logits?: Float32Array | undefined;
  /** [langs, dim, rank] each; U starts at zero so every adapter starts as the identity. */
  U: Float32Array;
  V: Float32Array;
}

export function initEncoderParams(
  shape: EncoderShape,
  rng: Rng,
  initScale = 1,
  allocate: (length: number) => Float32Array = (length) => new Float32Array(length),
): EncoderParams {
  const { buckets, dim, adapterLangs, adapterRank } = shape;
  const table = allocate(buckets * dim);
  // Random rows: an untrained encoder is then exactly the random-projection baseline, and features never seen in
  // training (names, loanwords in an unseen language) keep matching on surface form.
  const scale = initScale / Math.sqrt(dim);
  for (let i = 0; i < table.length; i++) table[i] = rng.normal() * scale;
  const adapterSize = adapterLangs.length * dim * adapterRank;
  const V = allocate(adapterSize);
  for (let i = 0; i < adapterSize; i++) V[i] = rng.normal() / Math.sqrt(dim);
  return { ...shape, table, U: allocate(adapterSize), V };
}

/**
 * SIF pooling logits (Arora et al. 2017, without common-component removal): log(a / (a + p_f)), p_f the frequency
 * of feature f in the training texts. Frequent n-grams ("<th", "ing>") weigh less; unseen features weigh 1.
 */
export function sifLogits(counts: ArrayLike<number>, a: number, allocate: (length: number) => Float32Array = (n) => new Float32Array(n)): Float32Array {
  let total = 0;
  for (let i = 0; i < counts.length; i++) total += counts[i]!;
  const logits = allocate(counts.length);
  for (let i = 0; i < counts.length; i++) logits[i] = total > 0 ? Math.log(a / (a + counts[i]! / total)) : 0;
  return logits;
}

export function toEncoderWeights(params: EncoderParams): EncoderWeights {
  const { buckets, dim, table, adapterLangs, adapterRank, U, V, logits } = params;
  return {
    buckets,
    dim,
    table,
    ...(logits ? { featureWeights: Float32Array.from(logits, Math.exp) } : {}),
    ...(adapterLangs.length ? { adapters: { langs: adapterLangs, rank: adapterRank, U, V } } : {}),
  };
}

/** One text as the trainer sees it: feature ids and the adapter it goes through (-1 = none). */
export interface EncoderInput {
  ids: Uint32Array;
  adapter: number;
}

export interface ForwardCache {
  inputs: readonly EncoderInput[];
  /** [n, dim] pooled rows (before the adapter). */
  mean: Float32Array;
  /** [n] Σ_k w_k per text (pooling logits only). */
  weightSums: Float32Array;
  /** [n, rank] Vᵀ m per text (0 when no adapter). */
  proj: Float32Array;
  /** [n] |u|. */
  norms: Float32Array;
  /** [n, dim] normalised outputs. */
  out: Float32Array;
}

export function forwardBatch(params: EncoderParams, inputs: readonly EncoderInput[]): ForwardCache {
  const { dim, table, adapterRank: rank, U, V, logits } = params;
  const n = inputs.length;
  const mean = new Float32Array(n * dim);
  const weightSums = new Float32Array(logits ? n : 0);
  const proj = new Float32Array(n * Math.max(rank, 1));
  const norms = new Float32Array(n);
  const out = new Float32Array(n * dim);
  const u = new Float64Array(dim);
  for (let i = 0; i < n; i++) {
    const { ids, adapter } = inputs[i]!;
    const base = i * dim;
    u.fill(0);
    let total = ids.length;
    if (logits) {
      total = 0;
      for (let k = 0; k < ids.length; k++) {
        const row = ids[k]! * dim;
        const w = Math.exp(logits[ids[k]!]!);
        total += w;
        for (let d = 0; d < dim; d++) u[d]! += w * table[row + d]!;
      }
      weightSums[i] = total;
    } else {
      for (let k = 0; k < ids.length; k++) {
        const row = ids[k]! * dim;
        for (let d = 0; d < dim; d++) u[d]! += table[row + d]!;
      }
    }
    const inv = ids.length > 0 ? 1 / total : 0;
    for (let d = 0; d < dim; d++) mean[base + d] = u[d]! * inv;
    for (let d = 0; d < dim; d++) u[d] = mean[base + d]!;
    if (adapter >= 0) {
      const a = adapter * dim * rank;
      for (let r = 0; r < rank; r++) {
        let s = 0;
        for (let d = 0; d < dim; d++) s += mean[base + d]! * V[a + d * rank + r]!;
        proj[i * rank + r] = s;
      }
      for (let d = 0; d < dim; d++) {
        let s = 0;
        for (let r = 0; r < rank; r++) s += U[a + d * rank + r]! * proj[i * rank + r]!;
        u[d]! += s;
      }
    }
    let sq = 0;
    for (let d = 0; d < dim; d++) sq += u[d]! * u[d]!;
    const norm = Math.max(Math.sqrt(sq), 1e-12);
    norms[i] = norm;
    for (let d = 0; d < dim; d++) out[base + d] = u[d]! / norm;
  }
  return { inputs, mean, weightSums, proj, norms, out };
}

/**
 * Gradient of the table (touched rows only, in one preallocated buffer so a step allocates nothing per row) plus
 * dense adapter gradients. Reuse one instance across steps and call `reset()`.
 */
export class EncoderGrads {
  readonly U: Float32Array;
  readonly V: Float32Array;
  /** [buckets] gradient of the pooling logits, when they are learned (non-zero only at touched rows). */
  readonly logits: Float32Array | undefined;
  private readonly buffer: Float32Array;
  private readonly slot: Int32Array;
  private touchedRows: number[] = [];

  /** `maxRows`: distinct table rows one step may touch; `learnLogits`: also collect pooling-logit gradients. */
  constructor(readonly dim: number, adapterSize: number, buckets: number, { maxRows = 65536, learnLogits = false }: { maxRows?: number; learnLogits?: boolean } = {}) {
    this.U = new Float32Array(adapterSize);
    this.V = new Float32Array(adapterSize);
    this.logits = learnLogits ? new Float32Array(buckets) : undefined;
    this.buffer = new Float32Array(maxRows * dim);
    this.slot = new Int32Array(buckets).fill(-1);
  }

  row(id: number): Float32Array {
    let s = this.slot[id]!;
    if (s < 0) {
      s = this.touchedRows.length;
      if ((s + 1) * this.dim > this.buffer.length) throw new Error('too many distinct rows in one step; raise maxRows');
      this.slot[id] = s;
      this.touchedRows.push(id);
    }
    return this.buffer.subarray(s * this.dim, (s + 1) * this.dim);
  }

  /** Touched rows and their gradients. */
  *rows(): Generator<[number, Float32Array]> {
    for (let s = 0; s < this.touchedRows.length; s++) yield [this.touchedRows[s]!, this.buffer.subarray(s * this.dim, (s + 1) * this.dim)];
  }

  has(id: number): boolean {
    return this.slot[id]! >= 0;
  }

  reset(): void {
    for (const id of this.touchedRows) this.slot[id] = -1;
    if (this.logits) for (const id of this.touchedRows) this.logits[id] = 0;
    this.buffer.fill(0, 0, this.touchedRows.length * this.dim);
    this.touchedRows = [];
    this.U.fill(0);
    this.V.fill(0);
  }
}

/** Accumulates into `grads` the gradient of a loss whose gradient w.r.t. the outputs is `dOut` [n, dim]. */
export function backwardBatch(params: EncoderParams, cache: ForwardCache, dOut: Float32Array, grads: EncoderGrads): void {
  const { dim, adapterRank: rank, U, V } = params;
  const { inputs, mean, proj, norms, out } = cache;
  const du = new Float64Array(dim);
  const dm = new Float64Array(dim);
  const uTdu = new Float64Array(Math.max(rank, 1));
  for (let i = 0; i < inputs.length; i++) {
    const base = i * dim;
    // d/du of u/|u|: (dOut − out (out·dOut)) / |u|
    let dot = 0;
    for (let d = 0; d < dim; d++) dot += out[base + d]! * dOut[base + d]!;
    const invNorm = 1 / norms[i]!;
    for (let d = 0; d < dim; d++) du[d] = (dOut[base + d]! - out[base + d]! * dot) * invNorm;
    for (let d = 0; d < dim; d++) dm[d] = du[d]!;
    const { ids, adapter } = inputs[i]!;
    if (adapter >= 0) {
      const a = adapter * dim * rank;
      uTdu.fill(0);
      for (let d = 0; d < dim; d++) {
        for (let r = 0; r < rank; r++) {
          uTdu[r]! += U[a + d * rank + r]! * du[d]!;
          grads.U[a + d * rank + r]! += du[d]! * proj[i * rank + r]!;
        }
      }
      for (let d = 0; d < dim; d++) {
        let s = 0;
        for (let r = 0; r < rank; r++) {
          s += V[a + d * rank + r]! * uTdu[r]!;
          grads.V[a + d * rank + r]! += mean[base + d]! * uTdu[r]!;
        }
        dm[d]! += s;
      }
    }
    if (ids.length === 0) continue;
    if (!params.logits) {
      const inv = 1 / ids.length;
      for (let k = 0; k < ids.length; k++) {
        const g = grads.row(ids[k]!);
        for (let d = 0; d < dim; d++) g[d]! += dm[d]! * inv;
      }
      continue;
    }
    // m = Σ w_k e_k / W:  dm/de_k = w_k / W;  dm/db_k = (w_k / W)(e_k − m)
    const { logits } = params;
    const invTotal = 1 / cache.weightSums[i]!;
    let dmDotM = 0;
    if (grads.logits) for (let d = 0; d < dim; d++) dmDotM += dm[d]! * mean[base + d]!;
    for (let k = 0; k < ids.length; k++) {
      const id = ids[k]!;
      const share = Math.exp(logits[id]!) * invTotal;
      const g = grads.row(id);
      for (let d = 0; d < dim; d++) g[d]! += dm[d]! * share;
      if (grads.logits) {
        const row = id * dim;
        let dmDotE = 0;
        for (let d = 0; d < dim; d++) dmDotE += dm[d]! * params.table[row + d]!;
        grads.logits[id]! += share * (dmDotE - dmDotM);
      }
    }
  }
}
