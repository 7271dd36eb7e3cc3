/**
 * The encoder math in plain TypeScript: the ONNX graph of export.ts computes exactly this.
 * The trainer uses it for its forward pass and the parity test holds the exported graph to it.
 *
 *   v   = sum_f table[f] / max(#features, COUNT_EPS)      (masked mean; 0 for a text with no features)
 *         or sum_f w[f] table[f] / max(sum_f w[f], COUNT_EPS) with per-feature pooling weights w (SIF / attention)
 *   v  += U_l (V_lᵀ v)                                    (low-rank language adapter; none for adapter 0)
 *   out = v / max(|v|, NORM_EPS)
 */

export interface EncoderAdapters {
  /** Languages in graph order: language langs[i] is adapter index i + 1 (index 0 is the identity). */
  langs: string[];
  rank: number;
  /** Row-major [langs.length, dim, rank]. */
  U: Float32Array;
  /** Row-major [langs.length, dim, rank]. */
  V: Float32Array;
}

export interface EncoderWeights {
  buckets: number;
  dim: number;
  /** Row-major [buckets, dim]. */
  table: Float32Array;
  /** [buckets] positive pooling weight per feature; absent = plain mean pooling. */
  featureWeights?: Float32Array | undefined;
  adapters?: EncoderAdapters | undefined;
}

export const COUNT_EPS = 1e-9;
export const NORM_EPS = 1e-12;

function positiveInt(value: number, what: string): void {
  if (!Number.isInteger(value) || value <= 0) throw new Error(`${what} must be a positive integer, got ${value}`);
}

/** Throws a descriptive error when the shapes of `weights` do not agree. */
export function validateWeights(weights: EncoderWeights): void {
  const { buckets, dim, table, adapters } = weights;
  positiveInt(buckets, 'buckets');
  positiveInt(dim, 'dim');
  if (table.length !== buckets * dim) throw new Error(`table has ${table.length} values, expected buckets*dim = ${buckets * dim}`);
  const { featureWeights } = weights;
  if (featureWeights) {
    if (featureWeights.length !== buckets) throw new Error(`featureWeights has ${featureWeights.length} values, expected buckets = ${buckets}`);
    if (!featureWeights.every((w) => Number.isFinite(w) && w > 0)) throw new Error('featureWeights must be finite and positive');
  }
  if (!adapters) return;
  positiveInt(adapters.rank, 'adapter rank');
  if (adapters.langs.length === 0) throw new Error('adapters.langs is empty; omit adapters instead');
  if (new Set(adapters.langs).size !== adapters.langs.length) throw new Error('adapters.langs has duplicates');
  if (adapters.langs.some((l) => l.length === 0)) throw new Error('adapters.langs has an empty language');
  const expected = adapters.langs.length * dim * adapters.rank;
  for (const [key, m] of [['U', adapters.U], ['V', adapters.V]] as const) {
    if (m.length !== expected) throw new Error(`adapters.${key} has ${m.length} values, expected langs*dim*rank = ${expected}`);
  }
}

/** Adapter index of a language under `weights`: 0 (identity) for undefined or languages without an adapter. */
export function adapterIndexOf(adapters: EncoderAdapters | undefined, lang: string | undefined): number {
  if (!adapters || lang === undefined) return 0;
  return adapters.langs.indexOf(lang) + 1;
}

/** One text's embedding from its feature ids (bucket indices, repeats counted) and adapter index. */
export function referenceForward(weights: EncoderWeights, ids: ArrayLike<number>, adapterIndex = 0): Float32Array {
  const { buckets, dim, table, adapters, featureWeights } = weights;
  const v = new Float64Array(dim);
  let total = 0;
  for (let i = 0; i < ids.length; i++) {
    const id = ids[i]!;
    if (!Number.isInteger(id) || id < 0 || id >= buckets) throw new Error(`feature id ${id} outside [0, ${buckets})`);
    const row = id * dim;
    const w = featureWeights ? featureWeights[id]! : 1;
    total += w;
    for (let d = 0; d < dim; d++) v[d]! += w * table[row + d]!;
  }
  const count = Math.max(total, COUNT_EPS);
  for (let d = 0; d < dim; d++) v[d]! /= count;

  if (adapterIndex !== 0) {
    if (!adapters || !Number.isInteger(adapterIndex) || adapterIndex < 0 || adapterIndex > adapters.langs.length) {
      throw new Error(`adapter index ${adapterIndex} out of range`);
    }
    const { rank, U, V } = adapters;
    const base = (adapterIndex - 1) * dim * rank;
    const proj = new Float64Array(rank);
    for (let d = 0; d < dim; d++) {
      for (let r = 0; r < rank; r++) proj[r]! += v[d]! * V[base + d * rank + r]!;
    }
    for (let d = 0; d < dim; d++) {
      let delta = 0;
      for (let r = 0; r < rank; r++) delta += U[base + d * rank + r]! * proj[r]!;
      v[d]! += delta;
    }
  }

  let sumSq = 0;
  for (let d = 0; d < dim; d++) sumSq += v[d]! * v[d]!;
  const norm = Math.max(Math.sqrt(sumSq), NORM_EPS);
  const out = new Float32Array(dim);
  for (let d = 0; d < dim; d++) out[d] = v[d]! / norm;
  return out;
}

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

/** IEEE binary16 bits of a number, rounding to nearest even (overflow → ±Infinity). */
export function float32ToFloat16Bits(x: number): number {
  f32[0] = x;
  const bits = u32[0]!;
  const sign = (bits >>> 16) & 0x8000;
  const exp = (bits >>> 23) & 0xff;
  let mant = bits & 0x7fffff;
  if (exp === 0xff) return sign | 0x7c00 | (mant !== 0 ? 0x200 : 0);
  const e = exp - 127 + 15;
  if (e >= 0x1f) return sign | 0x7c00;
  if (e <= 0) {
    if (e < -10) return sign;
    mant |= 0x800000;
    const shift = 14 - e;
    const halfway = 1 << (shift - 1);
    const rem = mant & ((1 << shift) - 1);
    let half = mant >>> shift;
    if (rem > halfway || (rem === halfway && (half & 1) === 1)) half++;
    return sign | half;
  }
  // A carry out of the mantissa correctly bumps the exponent (up to Infinity).
  let half = (e << 10) | (mant >>> 13);
  const rem = mant & 0x1fff;
  if (rem > 0x1000 || (rem === 0x1000 && (half & 1) === 1)) half++;
  return sign | half;
}

export function float16BitsToFloat32(h: number): number {
  const sign = (h & 0x8000) !== 0 ? -1 : 1;
  const exp = (h >>> 10) & 0x1f;
  const mant = h & 0x3ff;
  if (exp === 0) return sign * mant * 2 ** -24;
  if (exp === 0x1f) return mant !== 0 ? NaN : sign * Infinity;
  return sign * (1 + mant / 1024) * 2 ** (exp - 15);
}

/** The table as a float16 export stores it, widened back to float32 (what the fp16 graph computes with). */
export function roundToFloat16(values: Float32Array): Float32Array {
  return values.map((x) => float16BitsToFloat32(float32ToFloat16Bits(x)));
}

/**
 * Symmetric int8 quantisation with one scale per row (row i ≈ q[i] × scales[i]). Per-row scales keep rare rows,
 * which are small, from being crushed by the large ones.
 */
export function quantizeRowsInt8(table: Float32Array, dim: number): { q: Int8Array; scales: Float32Array } {
  const rows = table.length / dim;
  const q = new Int8Array(table.length);
  const scales = new Float32Array(rows);
  for (let r = 0; r < rows; r++) {
    let max = 0;
    for (let d = 0; d < dim; d++) max = Math.max(max, Math.abs(table[r * dim + d]!));
    const scale = max > 0 ? max / 127 : 1;
    scales[r] = scale;
    for (let d = 0; d < dim; d++) q[r * dim + d] = Math.round(table[r * dim + d]! / scale);
  }
  return { q, scales };
}

/** The float table an int8 export actually serves (for parity tests and quantisation-loss measurements). */
export function roundToInt8Rows(table: Float32Array, dim: number): Float32Array {
  const { q, scales } = quantizeRowsInt8(table, dim);
  return Float32Array.from(q, (v, i) => v * scales[Math.floor(i / dim)]!);
}
