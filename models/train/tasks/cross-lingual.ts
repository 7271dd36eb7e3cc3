/** cl: symmetric InfoNCE on (other language, English) pairs, against in-batch and mined hard negatives. */
import { infoNce } from '../losses/infonce.js';
import { addScaled, norm, type TrainingTask } from './task.js';

export const crossLingualTask: TrainingTask = {
  name: 'cl',
  input: 'pairs',
  enabled: ({ config }) => config.train.tasks.cl,
  dataSize: (dataset) => dataset.train.length,
  step({ config, params, batch }, weight) {
    const { pairs, lrl, en, dL, dE } = batch;
    const r = infoNce(lrl.out, en.out, pairs.length, en.inputs.length, params.dim, config.train.tau, Float32Array.from(pairs, (p) => p.weight));
    addScaled(dL, r.dA, weight);
    addScaled(dE, r.dB, weight);
    return { loss: r.loss, gradNorm: Math.hypot(norm(r.dA), norm(r.dB)), accuracy: r.accuracy };
  },
};
