/**
 * Symmetric InfoNCE with in-batch negatives and optional extra negatives.
 *
 * A is [n, d], B is [m, d] with m ≥ n; the positive of A_i is B_i, every other row of B is a negative for it
 * (rows n..m−1 are extra, e.g. mined hard negatives). The reverse direction (B_i → A) uses the first n rows.
 *   S = A Bᵀ / τ,   loss = Σ_i w_i (CE(S_i·, i) + CE(S_·i[0..n), i)) / (2 Σ w)
 */
export interface InfoNceResult {
  loss: number;
  dA: Float32Array;
  dB: Float32Array;
  /** Share of rows i whose positive has the highest score in S_i· (a cheap training accuracy). */
  accuracy: number;
}

export function infoNce(A: Float32Array, B: Float32Array, n: number, m: number, dim: number, tau: number, weights?: Float32Array): InfoNceResult {
  if (m < n) throw new Error('InfoNCE needs at least as many B rows as A rows');
  const S = new Float64Array(n * m);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < m; j++) {
      let s = 0;
      for (let d = 0; d < dim; d++) s += A[i * dim + d]! * B[j * dim + d]!;
      S[i * m + j] = s / tau;
    }
  }
  let totalWeight = 0;
  for (let i = 0; i < n; i++) totalWeight += weights ? weights[i]! : 1;
  const dS = new Float64Array(n * m);
  let loss = 0;
  let correct = 0;
  for (let i = 0; i < n; i++) {
    const w = (weights ? weights[i]! : 1) / (2 * totalWeight);
    // row i over all m columns
    let max = -Infinity;
    for (let j = 0; j < m; j++) max = Math.max(max, S[i * m + j]!);
    let sum = 0;
    for (let j = 0; j < m; j++) sum += Math.exp(S[i * m + j]! - max);
    loss += w * (Math.log(sum) + max - S[i * m + i]!);
    let best = true;
    for (let j = 0; j < m; j++) {
      dS[i * m + j]! += w * (Math.exp(S[i * m + j]! - max) / sum - (i === j ? 1 : 0));
      if (j !== i && S[i * m + j]! >= S[i * m + i]!) best = false;
    }
    if (best) correct++;
    // column i over the first n rows
    max = -Infinity;
    for (let k = 0; k < n; k++) max = Math.max(max, S[k * m + i]!);
    sum = 0;
    for (let k = 0; k < n; k++) sum += Math.exp(S[k * m + i]! - max);
    loss += w * (Math.log(sum) + max - S[i * m + i]!);
    for (let k = 0; k < n; k++) dS[k * m + i]! += w * (Math.exp(S[k * m + i]! - max) / sum - (k === i ? 1 : 0));
  }
  const dA = new Float32Array(n * dim);
  const dB = new Float32Array(m * dim);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < m; j++) {
      const g = dS[i * m + j]! / tau;
      if (g === 0) continue;
      for (let d = 0; d < dim; d++) {
        dA[i * dim + d]! += g * B[j * dim + d]!;
        dB[j * dim + d]! += g * A[i * dim + d]!;
      }
    }
  }
  return { loss, dA, dB, accuracy: n ? correct / n : 0 };
}
