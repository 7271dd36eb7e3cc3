/** lang: the language-contrastive loss on the pair batch, which removes language identity from the vectors. */
import { languageLoss } from '../losses/language.js';
import { addScaled, norm, type TrainingTask } from './task.js';

/** Anchor sentences per batch (an unbiased subsample of all n). */
const LANGUAGE_LOSS_ANCHORS = 32;

export const languageTask: TrainingTask = {
  name: 'lang',
  input: 'pairs',
  enabled: ({ config }) => config.train.tasks.lang,
  dataSize: (dataset) => dataset.train.length,
  step({ params, rng, batch }, weight) {
    const { dim } = params;
    const n = batch.pairs.length;
    const anchors = Array.from({ length: Math.min(n, LANGUAGE_LOSS_ANCHORS) }, () => rng.int(n));
    const r = languageLoss(batch.en.out.subarray(0, n * dim), batch.lrl.out, n, dim, anchors);
    addScaled(batch.dE, r.dE, weight);
    addScaled(batch.dL, r.dL, weight);
    return { loss: r.loss, gradNorm: Math.hypot(norm(r.dE), norm(r.dL)) };
  },
};
