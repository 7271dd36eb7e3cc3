/** cla: distillation of the pair batch into the English teacher's space through a linear head. */
import { distillLoss } from '../losses/distill.js';
import { addScaled, norm, type TrainingTask } from './task.js';

export const distillationTask: TrainingTask = {
  name: 'cla',
  input: 'pairs',
  enabled: ({ config, teacher, headLength }) => config.train.tasks.cla && teacher !== undefined && headLength > 0,
  dataSize: (dataset) => dataset.train.length,
  step({ config, dataset, teacher, params, head, headGrad, batch }, weight) {
    const { dim } = params;
    const rows = batch.pairs
      .slice(0, config.train.claBatchSize)
      .map((p, i) => [i, teacher!.lookup(dataset.english[p.en]!.text)] as const)
      .filter((x): x is readonly [number, Float32Array] => x[1] !== undefined);
    if (!rows.length) return undefined;
    const r = rows.length;
    const teacherDim = teacher!.dim;
    const L = batch.lrl.out;
    const E = batch.en.out;
    // Rows 0..r-1 are the English sides; rows r..2r-1, when distilled, the other language's.
    const sides = config.train.claSides === 'both' ? 2 : 1;
    const X = new Float32Array(sides * r * dim);
    const T = new Float32Array(sides * r * teacherDim);
    rows.forEach(([i, vector], k) => {
      X.set(E.subarray(i * dim, (i + 1) * dim), k * dim);
      T.set(vector, k * teacherDim);
      if (sides === 2) {
        X.set(L.subarray(i * dim, (i + 1) * dim), (r + k) * dim);
        T.set(vector, (r + k) * teacherDim);
      }
    });
    const result = distillLoss(X, T, head, sides * r, dim, teacherDim);
    rows.forEach(([i], k) => {
      addScaled(batch.dE, result.dX.subarray(k * dim, (k + 1) * dim), weight, i * dim);
      if (sides === 2) addScaled(batch.dL, result.dX.subarray((r + k) * dim, (r + k + 1) * dim), weight, i * dim);
    });
    addScaled(headGrad, result.dW, weight);
    return { loss: result.loss, gradNorm: norm(result.dX) };
  },
};
