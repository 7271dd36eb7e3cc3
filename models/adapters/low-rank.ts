/**
 * The low-rank language correction over a frozen encoder's output: v′ = normalize(v + U (Vᵀ v)), U and V of
 * [dim, rank] row-major. U starts at zero, so an untrained adapter is the identity (the base encoder's vector).
 * Unlike our own encoder's adapters (models/onnx/reference.ts, applied before the final normalisation) this one
 * sees only the base's unit vector: that is all a black-box encoder gives.
 */
import { l2NormalizeInPlace } from '../encoder.js';

export interface LowRankAdapter {
  dim: number;
  rank: number;
  U: Float32Array;
  V: Float32Array;
}

/** What backward needs of one forward row: the projection h = Vᵀv and the norm of w = v + U h. */
export interface AdapterForward {
  out: Float32Array;
  h: Float32Array;
  norm: Float32Array;
}

/** v′ for rows `vectors` ([n, dim]); the input is not modified. */
export function applyAdapterRows(adapter: LowRankAdapter, vectors: Float32Array, n: number): AdapterForward {
  const { dim, rank, U, V } = adapter;
  const out = new Float32Array(n * dim);
  const h = new Float32Array(n * rank);
  const norm = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const v = vectors.subarray(i * dim, (i + 1) * dim);
    const hi = h.subarray(i * rank, (i + 1) * rank);
    for (let d = 0; d < dim; d++) {
      const x = v[d]!;
      if (x === 0) continue;
      for (let r = 0; r < rank; r++) hi[r]! += V[d * rank + r]! * x;
    }
    const w = out.subarray(i * dim, (i + 1) * dim);
    let sum = 0;
    for (let d = 0; d < dim; d++) {
      let x = v[d]!;
      for (let r = 0; r < rank; r++) x += U[d * rank + r]! * hi[r]!;
      w[d] = x;
      sum += x * x;
    }
    norm[i] = Math.sqrt(sum);
    if (sum > 0) for (let d = 0; d < dim; d++) w[d]! /= norm[i]!;
  }
  return { out, h, norm };
}

/** One vector through the adapter (serving). A zero vector (a text without features) stays zero. */
export function applyAdapter(adapter: LowRankAdapter, v: Float32Array): Float32Array {
  if (!v.some((x) => x !== 0)) return v;
  return l2NormalizeInPlace(applyAdapterRows(adapter, v, 1).out);
}

/**
 * Gradients of U and V from dL/dv′ of each row. Through the normalisation: dw = (g − v′ (v′·g)) / ‖w‖; then
 * dU += dw hᵀ, dh = Uᵀ dw, dV += v dhᵀ.
 */
export function adapterBackward(adapter: LowRankAdapter, vectors: Float32Array, forward: AdapterForward, dOut: Float32Array, n: number, dU: Float32Array, dV: Float32Array): void {
  const { dim, rank, U } = adapter;
  const dw = new Float32Array(dim);
  const dh = new Float32Array(rank);
  for (let i = 0; i < n; i++) {
    const y = forward.out.subarray(i * dim, (i + 1) * dim);
    const g = dOut.subarray(i * dim, (i + 1) * dim);
    const norm = forward.norm[i]!;
    if (norm === 0) continue;
    let dot = 0;
    for (let d = 0; d < dim; d++) dot += y[d]! * g[d]!;
    for (let d = 0; d < dim; d++) dw[d] = (g[d]! - y[d]! * dot) / norm;
    const hi = forward.h.subarray(i * rank, (i + 1) * rank);
    dh.fill(0);
    for (let d = 0; d < dim; d++) {
      const x = dw[d]!;
      for (let r = 0; r < rank; r++) {
        dU[d * rank + r]! += x * hi[r]!;
        dh[r]! += U[d * rank + r]! * x;
      }
    }
    const v = vectors.subarray(i * dim, (i + 1) * dim);
    for (let d = 0; d < dim; d++) {
      const x = v[d]!;
      if (x === 0) continue;
      for (let r = 0; r < rank; r++) dV[d * rank + r]! += x * dh[r]!;
    }
  }
}
