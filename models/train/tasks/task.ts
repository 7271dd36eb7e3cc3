/**
 * A training objective as a strategy (fastText's losses are the model): the Trainer asks each enabled task for its
 * loss and gradients and leaves the weighting, clipping and the optimisers to itself.
 */
import type { Rng } from '../../../core/rng.js';
import type { TrainConfig } from '../config.js';
import type { Dataset } from '../dataset.js';
import type { EncoderGrads, EncoderParams } from '../encoder-params.js';
import type { PairBatch } from '../pair-batch.js';
import type { TaskName } from '../weighting.js';

export interface TeacherVectors {
  dim: number;
  /** Teacher vector of an English string, or undefined if not cached. */
  lookup(text: string): Float32Array | undefined;
}

/** What decides whether a task takes part in a run. */
export interface TaskSetup {
  config: TrainConfig;
  dataset: Dataset;
  teacher: TeacherVectors | undefined;
  /** Length of the distillation head (0 when the run has none). */
  headLength: number;
}

/** What one step gives every task: the shared parameters, this thread's gradients and sampler, the pair batch. */
export interface StepContext {
  config: TrainConfig;
  dataset: Dataset;
  teacher: TeacherVectors | undefined;
  params: EncoderParams;
  /** Sparse gradients of the encoder, for tasks that backpropagate their own batch. */
  grads: EncoderGrads;
  head: Float32Array;
  headGrad: Float32Array;
  rng: Rng;
  adapterOf: (lang: number) => number;
  batch: PairBatch;
}

export interface TaskOutcome {
  loss: number;
  /** Norm of the task's unweighted gradient w.r.t. the output vectors (for the dynamic weighting). */
  gradNorm: number;
  /** Top-1 accuracy of the contrastive task, for the log. */
  accuracy?: number;
}

export interface TrainingTask {
  readonly name: TaskName;
  /**
   * 'pairs': adds its weighted gradient to the pair batch's output gradients (`batch.dL`, `batch.dE`), which the
   * Trainer backpropagates once after all such tasks; 'own': samples, encodes and backpropagates a batch of its own.
   */
  readonly input: 'pairs' | 'own';
  enabled(setup: TaskSetup): boolean;
  /** How many training items the task has (tasks with less data weigh more). */
  dataSize(dataset: Dataset): number;
  /** Computes the loss and accumulates `weight` × its gradient; undefined when this batch gave it nothing to do. */
  step(context: StepContext, weight: number): TaskOutcome | undefined;
}

export function norm(a: Float32Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * a[i]!;
  return Math.sqrt(s);
}

export function addScaled(target: Float32Array, source: Float32Array, scale: number, offset = 0): void {
  for (let i = 0; i < source.length; i++) target[offset + i]! += scale * source[i]!;
}
