/**
 * Cross-lingual alignment into the English teacher's space: a linear head W [dim, teacherDim] maps student vectors
 * X [n, dim] to the teacher's; loss = mean_i |X_i W − T_i|². The head exists only for training, so the pivot space
 * shapes the encoder without forcing its dimension or geometry to be the teacher's.
 */
export interface DistillResult {
  loss: number;
  dX: Float32Array;
  dW: Float32Array;
}

export function distillLoss(X: Float32Array, T: Float32Array, W: Float32Array, n: number, dim: number, teacherDim: number): DistillResult {
  const dX = new Float32Array(n * dim);
  const dW = new Float32Array(dim * teacherDim);
  if (n === 0) return { loss: 0, dX, dW };
  let loss = 0;
  const residual = new Float64Array(teacherDim);
  for (let i = 0; i < n; i++) {
    residual.fill(0);
    for (let d = 0; d < dim; d++) {
      const x = X[i * dim + d]!;
      if (x === 0) continue;
      for (let t = 0; t < teacherDim; t++) residual[t]! += x * W[d * teacherDim + t]!;
    }
    for (let t = 0; t < teacherDim; t++) {
      residual[t]! -= T[i * teacherDim + t]!;
      loss += (residual[t]! * residual[t]!) / n;
    }
    for (let d = 0; d < dim; d++) {
      let s = 0;
      const x = X[i * dim + d]!;
      for (let t = 0; t < teacherDim; t++) {
        const g = (2 * residual[t]!) / n;
        s += g * W[d * teacherDim + t]!;
        dW[d * teacherDim + t]! += g * x;
      }
      dX[i * dim + d] = s;
    }
  }
  return { loss, dX, dW };
}
