/**
 * Language-contrastive loss: any other sentence should be as similar to the LRL side of a pair as to its English
 * side, so that a vector says what a text means and not which language it is in.
 *   loss = mean over i ≠ j of (E_j·L_i − E_j·E_i)²
 * E = English sides [n, d], L = LRL sides [n, d] (unit vectors). `anchors` limits the j's to a subset (the loss is
 * O(n²d); a random subset of anchors gives an unbiased estimate at a fraction of the cost).
 */
export interface LanguageLossResult {
  loss: number;
  dE: Float32Array;
  dL: Float32Array;
}

export function languageLoss(E: Float32Array, L: Float32Array, n: number, dim: number, anchors?: readonly number[]): LanguageLossResult {
  const dE = new Float32Array(n * dim);
  const dL = new Float32Array(n * dim);
  const js = anchors ?? Array.from({ length: n }, (_, j) => j);
  const pairs = js.reduce((count, j) => count + (j < n ? n - 1 : n), 0);
  if (n < 2 || pairs === 0) return { loss: 0, dE, dL };
  let loss = 0;
  for (let i = 0; i < n; i++) {
    for (const j of js) {
      if (i === j) continue;
      let delta = 0;
      for (let d = 0; d < dim; d++) delta += E[j * dim + d]! * (L[i * dim + d]! - E[i * dim + d]!);
      loss += (delta * delta) / pairs;
      const g = (2 * delta) / pairs;
      for (let d = 0; d < dim; d++) {
        dE[j * dim + d]! += g * (L[i * dim + d]! - E[i * dim + d]!);
        dL[i * dim + d]! += g * E[j * dim + d]!;
        dE[i * dim + d]! -= g * E[j * dim + d]!;
      }
    }
  }
  return { loss, dE, dL };
}
