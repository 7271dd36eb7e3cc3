/** The shared shape of the auxiliary tasks: InfoNCE between two views of the same thing, on a batch of their own. */
import { backwardBatch, forwardBatch, type EncoderInput } from '../encoder-params.js';
import { infoNce } from '../losses/infonce.js';
import { norm, type StepContext, type TaskOutcome } from './task.js';

export type ViewPair = [EncoderInput, EncoderInput];

export function contrastViewPairs({ config, params, grads }: StepContext, weight: number, makePair: () => ViewPair): TaskOutcome {
  const left: EncoderInput[] = [];
  const right: EncoderInput[] = [];
  for (let i = 0; i < config.train.auxBatchSize; i++) {
    const [a, b] = makePair();
    left.push(a);
    right.push(b);
  }
  const a = forwardBatch(params, left);
  const b = forwardBatch(params, right);
  const r = infoNce(a.out, b.out, left.length, left.length, params.dim, config.train.tau);
  const gradNorm = Math.hypot(norm(r.dA), norm(r.dB));
  for (const g of [r.dA, r.dB]) for (let i = 0; i < g.length; i++) g[i]! *= weight;
  backwardBatch(params, a, r.dA, grads);
  backwardBatch(params, b, r.dB, grads);
  return { loss: r.loss, gradNorm };
}
