/**
 * The CMTP training loop: one joint run over all objectives, each a `TrainingTask` (tasks/):
 *   cl    symmetric InfoNCE on (LRL, English) pairs, in-batch + mined hard negatives
 *   lang  language-contrastive loss on the same batch (removes language identity)
 *   cla   distillation of both sides into the English teacher's space through a linear head
 *   mono  monolingual positives: two translations of one English string, or two feature-dropout views
 *   morph inflected forms of one stem as positives
 * Task weights come from weighting.ts; the table is updated sparsely (row Adagrad), dense parts with AdamW.
 */
import type { Dataset } from './dataset.js';
import { EncoderGrads, POOLING_LOGIT_LIMIT, backwardBatch, initEncoderParams, sifLogits, type EncoderParams } from './encoder-params.js';
import { mineHardNegatives, type HardNegatives } from './hard-negatives.js';
import { AdamW, RowAdagrad, clipFactor, type AdamWState } from './optimizer.js';
import { createPairBatchSampler, type PairBatchSampler } from './pair-batch.js';
import { createRng, type Rng } from '../../core/rng.js';
import type { TrainConfig } from './config.js';
import { runScheduledStep, StepSchedule, type ScheduleState } from './step-schedule.js';
import { enabledTasks, type StepContext, type TeacherVectors, type TrainingTask } from './tasks/index.js';
import { norm } from './tasks/task.js';
import { validate, type ValidationScores } from './validate.js';
import { createTaskWeighting, type TaskName } from './weighting.js';

export type { TeacherVectors } from './tasks/index.js';

export interface TrainLogEntry {
  step: number;
  epoch: number;
  losses: Partial<Record<TaskName, number>>;
  weights: Record<TaskName, number>;
  clAccuracy: number;
  pairsPerSecond: number;
  validation?: ValidationScores;
}

export interface TrainResult {
  params: EncoderParams;
  history: TrainLogEntry[];
  validation: ValidationScores;
  /** Global steps done (all of them, unless the run stopped early at `stopAfter`). */
  steps: number;
  seconds: number;
  /** True when the run stopped at `stopAfter`, leaving a checkpoint instead of a finished model. */
  stopped: boolean;
}

/** Everything one thread's Trainer holds besides the shared parameters. */
export interface TrainerState {
  rng: number;
  /** The code-switching sampler's state (absent in checkpoints written before augmentation existed). */
  augmentRng?: number;
  weighting: Partial<Record<TaskName, number>>;
  running: Partial<Record<TaskName, number>>;
  runningAccuracy: number;
  lastWeights: Record<TaskName, number>;
  adapterU: AdamWState;
  adapterV: AdamWState;
  head: AdamWState;
}

/** One thread's part of a snapshot; worker threads add where they are in their mining/logging schedule. */
export interface WorkerSnapshot {
  trainer: TrainerState;
  /** Absent in single-threaded checkpoints written before the schedule was shared: then derived from the step. */
  schedule?: ScheduleState;
}

/** A run between two steps: enough to continue it exactly (single thread) or as if uninterrupted (Hogwild). */
export interface TrainSnapshot {
  /** Global steps completed. */
  step: number;
  shared: SharedState;
  /** One per thread, in thread order. */
  workers: WorkerSnapshot[];
  negatives: HardNegatives | undefined;
  history: TrainLogEntry[];
}

/** When to take snapshots and what to do with them (run.ts writes them to disk). */
export interface CheckpointHook {
  /** Whether a checkpoint is due after completed step `step`. */
  due(step: number): boolean;
  /** The first step after `step` at which one is due by step count (Infinity if none). */
  nextStep(step: number): number;
  /** Milliseconds until one is due by training time (Infinity if never). */
  msUntilDue(): number;
  /** Must not keep references into the snapshot: training goes on as soon as it returns. */
  save(snapshot: TrainSnapshot): void;
}

export interface TrainHooks {
  onLog?: (entry: TrainLogEntry) => void;
  checkpoint?: CheckpointHook;
}

export interface TrainRunOptions {
  /** Continue from this snapshot instead of a fresh initialisation. */
  resume?: TrainSnapshot | undefined;
  /** Stop after this global step with a checkpoint (as an interruption would), unless the run ends first. */
  stopAfter?: number | undefined;
}

/** Where parameters live: plain arrays for one thread, SharedArrayBuffers when worker threads train together. */
export type Allocator = (length: number) => Float32Array;
export const localAllocator: Allocator = (length) => new Float32Array(length);
export const sharedAllocator: Allocator = (length) => new Float32Array(new SharedArrayBuffer(length * 4));

/** Everything the threads of one run share: parameters and the table optimiser's row accumulators. */
export interface SharedState {
  params: EncoderParams;
  head: Float32Array;
  adagrad: Float32Array;
  /** Adagrad accumulators of learned pooling logits ([buckets]; empty unless pooling is 'attention'). */
  poolingAdagrad: Float32Array;
}

/** How often each feature id occurs in the training texts (both sides of every pair, monolingual text). */
function featureCounts(dataset: Dataset, buckets: number): Float64Array {
  const counts = new Float64Array(buckets);
  const add = (ids: Uint32Array) => {
    for (let k = 0; k < ids.length; k++) counts[ids[k]!]!++;
  };
  for (const pair of dataset.train) add(pair.lrl);
  for (const english of dataset.english) add(english.ids);
  for (const text of dataset.mono) add(text.ids);
  return counts;
}

export function initSharedState(config: TrainConfig, dataset: Dataset, teacherDim: number | undefined, allocate: Allocator): SharedState {
  const { model } = config;
  const rng = createRng(config.seed);
  const adapterLangs = model.adapters ? dataset.langs.filter((_, l) => dataset.byLang[l]!.length >= model.adapterMinPairs) : [];
  const params = initEncoderParams({ buckets: model.buckets, dim: model.dim, adapterLangs, adapterRank: model.adapterRank }, rng, model.initScale, allocate);
  const head = allocate(config.train.tasks.cla && teacherDim !== undefined ? model.dim * teacherDim : 0);
  for (let i = 0; i < head.length; i++) head[i] = rng.normal() / Math.sqrt(model.dim);
  if (model.pooling === 'sif') params.logits = sifLogits(featureCounts(dataset, model.buckets), model.sifA, allocate);
  if (model.pooling === 'attention') params.logits = allocate(model.buckets); // all 0: starts as mean pooling
  return { params, head, adagrad: allocate(model.buckets), poolingAdagrad: allocate(model.pooling === 'attention' ? model.buckets : 0) };
}

/** How long a run is: steps per epoch (one pass over the pairs in batches) and in all. */
export function runLength(config: TrainConfig, dataset: Dataset): { stepsPerEpoch: number; totalSteps: number } {
  const stepsPerEpoch = Math.max(1, Math.ceil(dataset.train.length / config.train.batchSize));
  return { stepsPerEpoch, totalSteps: Math.max(1, Math.round(stepsPerEpoch * config.train.epochs)) };
}

/** One thread's view of a training run: its own sampler, dense-optimiser moments and scratch, shared parameters. */
export class Trainer {
  readonly params: EncoderParams;
  readonly stepsPerEpoch: number;
  readonly totalSteps: number;
  readonly adapterOf: (lang: number) => number;
  /** The enabled tasks, in the order a step runs them. */
  readonly tasks: readonly TrainingTask[];
  private readonly rng: Rng;
  /** Code-switching draws from its own stream, so switching it on leaves the batches the same. */
  private readonly augmentRng: Rng;
  private readonly pairBatches: PairBatchSampler;
  private readonly head: Float32Array;
  private readonly tableOptimizer: RowAdagrad;
  private readonly poolingAdagrad: Float32Array;
  private readonly adapterOptimizerU: AdamW;
  private readonly adapterOptimizerV: AdamW;
  private readonly headOptimizer: AdamW;
  private readonly weighting: ReturnType<typeof createTaskWeighting>;
  private readonly grads: EncoderGrads;
  private negatives: HardNegatives | undefined;
  private readonly running: Partial<Record<TaskName, number>> = {};
  private runningAccuracy = 0;
  private lastWeights: Record<TaskName, number> = { cl: 0, lang: 0, cla: 0, mono: 0, morph: 0 };
  private loggedAt = performance.now();
  private pairsSinceLog = 0;

  constructor(
    private readonly config: TrainConfig,
    private readonly dataset: Dataset,
    private readonly teacher: TeacherVectors | undefined,
    shared: SharedState,
    worker = 0,
  ) {
    const { model, train: t } = config;
    this.rng = createRng(config.seed + 7919 * (worker + 1));
    this.augmentRng = createRng((config.seed ^ 0x5bd1e995) + 7919 * (worker + 1));
    this.params = shared.params;
    this.head = shared.head;
    const adapterIndex = new Map(this.params.adapterLangs.map((l, i) => [dataset.langs.indexOf(l), i]));
    this.adapterOf = (lang) => adapterIndex.get(lang) ?? -1;
    this.tableOptimizer = new RowAdagrad(model.buckets, model.dim, t.lr, 1e-8, shared.adagrad);
    this.poolingAdagrad = shared.poolingAdagrad;
    this.adapterOptimizerU = new AdamW(this.params.U.length, t.denseLr);
    this.adapterOptimizerV = new AdamW(this.params.V.length, t.denseLr);
    this.headOptimizer = new AdamW(this.head.length, t.denseLr);
    this.tasks = enabledTasks({ config, dataset, teacher, headLength: this.head.length });
    this.weighting = createTaskWeighting(
      t.weighting,
      Object.fromEntries(this.tasks.map((task) => [task.name, task.dataSize(dataset)])),
      this.tasks.map((task) => task.name),
    );
    this.grads = new EncoderGrads(model.dim, this.params.U.length, model.buckets, { learnLogits: model.pooling === 'attention' });
    this.pairBatches = createPairBatchSampler(config, dataset, this.adapterOf, this.rng, this.augmentRng);
    ({ stepsPerEpoch: this.stepsPerEpoch, totalSteps: this.totalSteps } = runLength(config, dataset));
  }

  saveState(): TrainerState {
    return {
      rng: this.rng.state(),
      augmentRng: this.augmentRng.state(),
      weighting: this.weighting.state(),
      running: { ...this.running },
      runningAccuracy: this.runningAccuracy,
      lastWeights: { ...this.lastWeights },
      adapterU: this.adapterOptimizerU.state,
      adapterV: this.adapterOptimizerV.state,
      head: this.headOptimizer.state,
    };
  }

  restoreState(state: TrainerState): void {
    this.rng.restore(state.rng);
    if (state.augmentRng !== undefined) this.augmentRng.restore(state.augmentRng);
    this.weighting.restore(state.weighting);
    for (const key of Object.keys(this.running) as TaskName[]) delete this.running[key];
    Object.assign(this.running, state.running);
    this.runningAccuracy = state.runningAccuracy;
    this.lastWeights = { ...state.lastWeights };
    this.adapterOptimizerU.restore(state.adapterU);
    this.adapterOptimizerV.restore(state.adapterV);
    this.headOptimizer.restore(state.head);
  }

  get hardNegatives(): HardNegatives | undefined {
    return this.negatives;
  }

  set hardNegatives(negatives: HardNegatives | undefined) {
    this.negatives = negatives;
  }

  /** Mines hard negatives with the current parameters (the schedule decides when). */
  mine(): HardNegatives {
    this.negatives = mineHardNegatives(this.params, this.dataset, this.adapterOf, { topM: this.config.train.hardNegatives.topM, maxPairs: 50_000 }, this.rng);
    return this.negatives;
  }

  validate(): ValidationScores {
    return validate(this.params, this.dataset, this.adapterOf);
  }

  logEntry(step: number, withValidation: boolean): TrainLogEntry {
    const now = performance.now();
    const entry: TrainLogEntry = {
      step,
      epoch: step / this.stepsPerEpoch,
      losses: { ...this.running },
      weights: this.lastWeights,
      clAccuracy: this.runningAccuracy,
      pairsPerSecond: this.pairsSinceLog / ((now - this.loggedAt) / 1000),
      ...(withValidation ? { validation: this.validate() } : {}),
    };
    this.loggedAt = performance.now();
    this.pairsSinceLog = 0;
    return entry;
  }

  /**
   * One optimisation step (global step number `step` of `totalSteps`): the pair batch is encoded once, the tasks that
   * read it add their gradients, it is backpropagated, then the tasks with batches of their own run; one clipped update.
   */
  step(step: number): void {
    const { params, grads } = this;
    const weights = this.weighting.weights(step / this.totalSteps);
    this.lastWeights = weights;
    grads.reset();
    const batch = this.pairBatches.sample(params, this.negatives);
    const context: StepContext = {
      config: this.config, dataset: this.dataset, teacher: this.teacher, params, grads, head: this.head,
      headGrad: new Float32Array(this.head.length), rng: this.rng, adapterOf: this.adapterOf, batch,
    };
    const losses: Partial<Record<TaskName, number>> = {};
    const run = (task: TrainingTask) => {
      const outcome = task.step(context, weights[task.name]);
      if (!outcome) return;
      losses[task.name] = outcome.loss;
      this.weighting.observe(task.name, outcome.gradNorm);
      if (outcome.accuracy !== undefined) this.runningAccuracy = 0.9 * this.runningAccuracy + 0.1 * outcome.accuracy;
    };
    for (const task of this.tasks) if (task.input === 'pairs') run(task);
    backwardBatch(params, batch.lrl, batch.dL, grads);
    backwardBatch(params, batch.en, batch.dE, grads);
    for (const task of this.tasks) if (task.input === 'own') run(task);
    this.update(context.headGrad);

    for (const [task, value] of Object.entries(losses) as Array<[TaskName, number]>) {
      this.running[task] = this.running[task] === undefined ? value : 0.95 * this.running[task]! + 0.05 * value;
    }
    this.pairsSinceLog += batch.pairs.length;
  }

  private update(headGrad: Float32Array): void {
    const { grads, params } = this;
    let sq = 0;
    const logitGrads = grads.logits;
    for (const [row, g] of grads.rows()) sq += norm(g) ** 2 + (logitGrads ? logitGrads[row]! ** 2 : 0);
    sq += norm(grads.U) ** 2 + norm(grads.V) ** 2 + norm(headGrad) ** 2;
    const clip = clipFactor(Math.sqrt(sq), this.config.train.maxGradNorm);
    const poolingLr = this.config.train.poolingLr;
    for (const [row, g] of grads.rows()) {
      if (clip !== 1) for (let d = 0; d < g.length; d++) g[d]! *= clip;
      this.tableOptimizer.step(params.table, row, g);
      if (logitGrads && params.logits) {
        // Scalar Adagrad per feature, kept inside ±POOLING_LOGIT_LIMIT.
        const g1 = logitGrads[row]! * clip;
        const acc = (this.poolingAdagrad[row]! += g1 * g1);
        const next = params.logits[row]! - (poolingLr * g1) / (Math.sqrt(acc) + 1e-8);
        params.logits[row] = Math.min(POOLING_LOGIT_LIMIT, Math.max(-POOLING_LOGIT_LIMIT, next));
      }
    }
    if (params.U.length) {
      this.adapterOptimizerU.step(params.U, grads.U, clip);
      this.adapterOptimizerV.step(params.V, grads.V, clip);
    }
    if (this.head.length) this.headOptimizer.step(this.head, headGrad, clip);
  }
}

/**
 * Single-threaded training: deterministic for a given seed and data, and a run resumed from a snapshot ends with
 * exactly the weights of an uninterrupted one.
 */
export function train(
  config: TrainConfig,
  dataset: Dataset,
  teacher: TeacherVectors | undefined,
  hooks: TrainHooks = {},
  { resume, stopAfter }: TrainRunOptions = {},
): TrainResult {
  const started = performance.now();
  const shared = resume?.shared ?? initSharedState(config, dataset, teacher?.dim, localAllocator);
  const trainer = new Trainer(config, dataset, teacher, shared);
  if (resume) {
    if (resume.workers.length !== 1) throw new Error(`a snapshot of ${resume.workers.length} threads cannot resume a single-threaded run`);
    trainer.restoreState(resume.workers[0]!.trainer);
    trainer.hardNegatives = resume.negatives;
  }
  const schedule = new StepSchedule(config, trainer.stepsPerEpoch, trainer.totalSteps, resume?.step, resume?.workers[0]!.schedule);
  const history: TrainLogEntry[] = [...(resume?.history ?? [])];
  const stopAt = Math.min(stopAfter ?? Infinity, trainer.totalSteps);
  const result = (steps: number, stopped: boolean): TrainResult => ({
    params: trainer.params, history, validation: trainer.validate(), steps, seconds: (performance.now() - started) / 1000, stopped,
  });
  const logged = (entry: TrainLogEntry) => {
    history.push(entry);
    hooks.onLog?.(entry);
  };
  for (let step = (resume?.step ?? 0) + 1; step <= trainer.totalSteps; step++) {
    runScheduledStep(trainer, step, schedule, { logged });
    if (step === trainer.totalSteps) break;
    if (step >= stopAt || hooks.checkpoint?.due(step)) {
      hooks.checkpoint?.save({ step, shared, workers: [{ trainer: trainer.saveState(), schedule: schedule.state() }], negatives: trainer.hardNegatives, history });
    }
    if (step >= stopAt) return result(step, true);
  }
  return result(trainer.totalSteps, false);
}
