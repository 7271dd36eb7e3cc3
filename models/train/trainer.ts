/**
 * The CMTP training loop: one joint run over all objectives.
 *   cl    symmetric InfoNCE on (LRL, English) pairs, in-batch + mined hard negatives
 *   lang  language-contrastive loss on the same batch (removes language identity)
 *   cla   distillation of both sides into the English teacher's space through a linear head
 *   mono  monolingual positives: two translations of one English string, or two feature-dropout views
 *   morph inflected forms of one stem as positives
 * Task weights come from weighting.ts; the table is updated sparsely (row Adagrad), dense parts with AdamW.
 */
import { codeSwitchIds } from './code-switch.js';
import type { Dataset, Pair } from './dataset.js';
import {
  EncoderGrads, POOLING_LOGIT_LIMIT, backwardBatch, forwardBatch, initEncoderParams, sifLogits, type EncoderInput, type EncoderParams,
} from './encoder-params.js';
import { mineHardNegatives, sampleNegative, type HardNegatives } from './hard-negatives.js';
import { distillLoss } from './losses/distill.js';
import { infoNce } from './losses/infonce.js';
import { languageLoss } from './losses/language.js';
import { AdamW, RowAdagrad, clipFactor, type AdamWState } from './optimizer.js';
import { createRng, type Rng } from '../../core/rng.js';
import type { TrainConfig } from './config.js';
import { validate, type ValidationScores } from './validate.js';
import { createTaskWeighting, type TaskName } from './weighting.js';

export interface TeacherVectors {
  dim: number;
  /** Teacher vector of an English string, or undefined if not cached. */
  lookup(text: string): Float32Array | undefined;
}

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
  schedule?: { nextLog: number; nextMining: number | null };
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

/** Anchor sentences per batch for the language-contrastive loss (an unbiased subsample of all n). */
const LANGUAGE_LOSS_ANCHORS = 32;

function norm(a: Float32Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * a[i]!;
  return Math.sqrt(s);
}

function addScaled(target: Float32Array, source: Float32Array, scale: number, offset = 0): void {
  for (let i = 0; i < source.length; i++) target[offset + i]! += scale * source[i]!;
}

function dropout(ids: Uint32Array, p: number, rng: Rng): Uint32Array {
  if (p <= 0 || ids.length <= 2) return ids;
  const kept = ids.filter(() => rng.next() >= p);
  return kept.length ? kept : ids;
}

/** Language sampler with p_l ∝ n_l^T. */
function languageSampler(sizes: number[], temperature: number, rng: Rng): () => number {
  const weights = sizes.map((n) => (n > 0 ? n ** temperature : 0));
  const total = weights.reduce((a, b) => a + b, 0);
  return () => {
    let r = rng.next() * total;
    for (let i = 0; i < weights.length; i++) {
      r -= weights[i]!;
      if (r <= 0 && weights[i]! > 0) return i;
    }
    return weights.findLastIndex((w) => w > 0);
  };
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
  private readonly rng: Rng;
  /** Code-switching draws from its own stream, so switching it on leaves the batches the same. */
  private readonly augmentRng: Rng;
  private readonly switchRate: number;
  private readonly head: Float32Array;
  private readonly tableOptimizer: RowAdagrad;
  private readonly poolingAdagrad: Float32Array;
  private readonly adapterOptimizerU: AdamW;
  private readonly adapterOptimizerV: AdamW;
  private readonly headOptimizer: AdamW;
  private readonly tasks: TaskName[];
  private readonly weighting: ReturnType<typeof createTaskWeighting>;
  private readonly grads: EncoderGrads;
  private readonly sampleLang: () => number;
  private readonly useCla: boolean;
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
    this.switchRate = dataset.codeSwitch ? (config.augment?.codeSwitch?.rate ?? 0) : 0;
    this.params = shared.params;
    this.head = shared.head;
    const adapterIndex = new Map(this.params.adapterLangs.map((l, i) => [dataset.langs.indexOf(l), i]));
    this.adapterOf = (lang) => adapterIndex.get(lang) ?? -1;
    this.tableOptimizer = new RowAdagrad(model.buckets, model.dim, t.lr, 1e-8, shared.adagrad);
    this.poolingAdagrad = shared.poolingAdagrad;
    this.adapterOptimizerU = new AdamW(this.params.U.length, t.denseLr);
    this.adapterOptimizerV = new AdamW(this.params.V.length, t.denseLr);
    this.headOptimizer = new AdamW(this.head.length, t.denseLr);
    this.useCla = t.tasks.cla && teacher !== undefined && this.head.length > 0;
    this.tasks = [];
    if (t.tasks.cl) this.tasks.push('cl');
    if (t.tasks.lang) this.tasks.push('lang');
    if (this.useCla) this.tasks.push('cla');
    if (t.tasks.mono && (dataset.translationGroups.length || dataset.mono.length)) this.tasks.push('mono');
    if (t.tasks.morph && dataset.morph.length) this.tasks.push('morph');
    const pairs = dataset.train.length;
    this.weighting = createTaskWeighting(
      t.weighting,
      { cl: pairs, lang: pairs, cla: pairs, mono: dataset.translationGroups.length + dataset.mono.length, morph: dataset.morph.length },
      this.tasks,
    );
    this.grads = new EncoderGrads(model.dim, this.params.U.length, model.buckets, { learnLogits: model.pooling === 'attention' });
    this.sampleLang = languageSampler(dataset.byLang.map((b) => b.length), config.data.langTemperature, this.rng);
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

  /** Mines hard negatives with the current parameters (the caller decides when). */
  mine(): HardNegatives {
    this.negatives = mineHardNegatives(this.params, this.dataset, this.adapterOf, { topM: this.config.train.hardNegatives.topM, maxPairs: 50_000 }, this.rng);
    return this.negatives;
  }

  /** Steps at which hard negatives are (re-)mined: after the first epoch, then every `every` epochs. */
  isMiningStep(step: number): boolean {
    const hn = this.config.train.hardNegatives;
    if (!hn.enabled || !this.config.train.tasks.cl || step < this.stepsPerEpoch) return false;
    const period = Math.max(1, Math.round(this.stepsPerEpoch * hn.every));
    return (step - this.stepsPerEpoch) % period === 0;
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

  /** One optimisation step (global step number `step` of `totalSteps`). */
  step(step: number): void {
    const { train: t } = this.config;
    const { dataset, params, rng, grads, tasks } = this;
    const dim = params.dim;
    const weights = this.weighting.weights(step / this.totalSteps);
    this.lastWeights = weights;
    grads.reset();
    const headGrad = new Float32Array(this.head.length);
    const losses: Partial<Record<TaskName, number>> = {};

    // --- cross-lingual batch: cl, lang, cla share one forward pass ---
    const batch: number[] = [];
    const seenEnglish = new Set<number>();
    for (let tries = 0; batch.length < t.batchSize && tries < t.batchSize * 4; tries++) {
      const members = dataset.byLang[this.sampleLang()]!;
      const pairIndex = members[rng.int(members.length)]!;
      const en = dataset.train[pairIndex]!.en;
      if (seenEnglish.has(en)) continue; // the same English twice would be a false negative
      seenEnglish.add(en);
      batch.push(pairIndex);
    }
    const extra: number[] = [];
    if (this.negatives) {
      for (const pairIndex of batch) {
        if (extra.length >= t.hardNegatives.perBatch) break;
        const c = this.negatives.candidates.get(pairIndex);
        if (!c) continue;
        const e = sampleNegative(c, t.hardNegatives.temperature, rng);
        if (!seenEnglish.has(e)) {
          seenEnglish.add(e);
          extra.push(e);
        }
      }
    }
    const n = batch.length;
    const pairs = batch.map((i) => dataset.train[i]!);
    const lrlCache = forwardBatch(params, pairs.map((p, k) => ({ ids: this.lrlIds(batch[k]!, p), adapter: this.adapterOf(p.lang) })));
    const enInputs: EncoderInput[] = [...pairs.map((p) => p.en), ...extra].map((e) => ({ ids: dataset.english[e]!.ids, adapter: -1 }));
    const enCache = forwardBatch(params, enInputs);
    const dL = new Float32Array(n * dim);
    const dE = new Float32Array(enInputs.length * dim);

    if (tasks.includes('cl')) {
      const r = infoNce(lrlCache.out, enCache.out, n, enInputs.length, dim, t.tau, Float32Array.from(pairs, (p) => p.weight));
      losses.cl = r.loss;
      this.runningAccuracy = 0.9 * this.runningAccuracy + 0.1 * r.accuracy;
      this.weighting.observe('cl', Math.hypot(norm(r.dA), norm(r.dB)));
      addScaled(dL, r.dA, weights.cl);
      addScaled(dE, r.dB, weights.cl);
    }
    if (tasks.includes('lang')) {
      const anchors = Array.from({ length: Math.min(n, LANGUAGE_LOSS_ANCHORS) }, () => rng.int(n));
      const r = languageLoss(enCache.out.subarray(0, n * dim), lrlCache.out, n, dim, anchors);
      losses.lang = r.loss;
      this.weighting.observe('lang', Math.hypot(norm(r.dE), norm(r.dL)));
      addScaled(dE, r.dE, weights.lang);
      addScaled(dL, r.dL, weights.lang);
    }
    if (this.useCla) this.distill(pairs, lrlCache.out, enCache.out, dL, dE, headGrad, weights.cla, losses);
    backwardBatch(params, lrlCache, dL, grads);
    backwardBatch(params, enCache, dE, grads);

    if (tasks.includes('mono')) this.auxiliary('mono', weights.mono, losses, () => this.monoPair());
    if (tasks.includes('morph')) {
      this.auxiliary('morph', weights.morph, losses, () => {
        const group = dataset.morph[rng.int(dataset.morph.length)]!;
        const i = rng.int(group.forms.length);
        const j = (i + 1 + rng.int(group.forms.length - 1)) % group.forms.length;
        return [{ ids: group.forms[i]!, adapter: this.adapterOf(group.lang) }, { ids: group.forms[j]!, adapter: this.adapterOf(group.lang) }];
      });
    }
    this.update(headGrad);

    for (const [task, value] of Object.entries(losses) as Array<[TaskName, number]>) {
      this.running[task] = this.running[task] === undefined ? value : 0.95 * this.running[task]! + 0.05 * value;
    }
    this.pairsSinceLog += n;
  }

  /** A pair's non-English features, code-switched when configured. */
  private lrlIds(pairIndex: number, pair: Pair): Uint32Array {
    const candidates = this.dataset.codeSwitch;
    return candidates && this.switchRate > 0 ? codeSwitchIds(candidates, pairIndex, pair.lrl, this.switchRate, this.augmentRng) : pair.lrl;
  }

  private distill(
    pairs: Pair[], L: Float32Array, E: Float32Array, dL: Float32Array, dE: Float32Array, headGrad: Float32Array, weight: number,
    losses: Partial<Record<TaskName, number>>,
  ): void {
    const teacher = this.teacher!;
    const dim = this.params.dim;
    const rows = pairs
      .slice(0, this.config.train.claBatchSize)
      .map((p, i) => [i, teacher.lookup(this.dataset.english[p.en]!.text)] as const)
      .filter((x): x is readonly [number, Float32Array] => x[1] !== undefined);
    if (!rows.length) return;
    const r = rows.length;
    // Rows 0..r-1 are the English sides; rows r..2r-1, when distilled, the other language's.
    const sides = this.config.train.claSides === 'both' ? 2 : 1;
    const X = new Float32Array(sides * r * dim);
    const T = new Float32Array(sides * r * teacher.dim);
    rows.forEach(([i, vector], k) => {
      X.set(E.subarray(i * dim, (i + 1) * dim), k * dim);
      T.set(vector, k * teacher.dim);
      if (sides === 2) {
        X.set(L.subarray(i * dim, (i + 1) * dim), (r + k) * dim);
        T.set(vector, (r + k) * teacher.dim);
      }
    });
    const result = distillLoss(X, T, this.head, sides * r, dim, teacher.dim);
    losses.cla = result.loss;
    this.weighting.observe('cla', norm(result.dX));
    rows.forEach(([i], k) => {
      addScaled(dE, result.dX.subarray(k * dim, (k + 1) * dim), weight, i * dim);
      if (sides === 2) addScaled(dL, result.dX.subarray((r + k) * dim, (r + k + 1) * dim), weight, i * dim);
    });
    addScaled(headGrad, result.dW, weight);
  }

  /** Two translations of one English string, or two feature-dropout views of one sentence. */
  private monoPair(): [EncoderInput, EncoderInput] {
    const { dataset, rng } = this;
    const useGroups = dataset.translationGroups.length > 0 && (dataset.mono.length === 0 || rng.next() < 0.5);
    if (useGroups) {
      const group = dataset.translationGroups[rng.int(dataset.translationGroups.length)]!;
      const i = rng.int(group.length);
      const j = (i + 1 + rng.int(group.length - 1)) % group.length;
      const a = dataset.train[group[i]!]!;
      const b = dataset.train[group[j]!]!;
      return [{ ids: a.lrl, adapter: this.adapterOf(a.lang) }, { ids: b.lrl, adapter: this.adapterOf(b.lang) }];
    }
    const text = dataset.mono[rng.int(dataset.mono.length)]!;
    const p = this.config.train.dropout;
    return [{ ids: dropout(text.ids, p, rng), adapter: this.adapterOf(text.lang) }, { ids: dropout(text.ids, p, rng), adapter: this.adapterOf(text.lang) }];
  }

  private auxiliary(task: TaskName, weight: number, losses: Partial<Record<TaskName, number>>, makePair: () => [EncoderInput, EncoderInput]): void {
    const left: EncoderInput[] = [];
    const right: EncoderInput[] = [];
    for (let i = 0; i < this.config.train.auxBatchSize; i++) {
      const [a, b] = makePair();
      left.push(a);
      right.push(b);
    }
    const dim = this.params.dim;
    const a = forwardBatch(this.params, left);
    const b = forwardBatch(this.params, right);
    const r = infoNce(a.out, b.out, left.length, left.length, dim, this.config.train.tau);
    losses[task] = r.loss;
    this.weighting.observe(task, Math.hypot(norm(r.dA), norm(r.dB)));
    for (const g of [r.dA, r.dB]) for (let i = 0; i < g.length; i++) g[i]! *= weight;
    backwardBatch(this.params, a, r.dA, this.grads);
    backwardBatch(this.params, b, r.dB, this.grads);
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
  const history: TrainLogEntry[] = [...(resume?.history ?? [])];
  const stopAt = Math.min(stopAfter ?? Infinity, trainer.totalSteps);
  const result = (steps: number, stopped: boolean): TrainResult => ({
    params: trainer.params, history, validation: trainer.validate(), steps, seconds: (performance.now() - started) / 1000, stopped,
  });
  for (let step = (resume?.step ?? 0) + 1; step <= trainer.totalSteps; step++) {
    if (trainer.isMiningStep(step)) trainer.mine();
    trainer.step(step);
    if (step % config.train.evalEvery === 0 || step === trainer.totalSteps) {
      const entry = trainer.logEntry(step, true);
      history.push(entry);
      hooks.onLog?.(entry);
    }
    if (step === trainer.totalSteps) break;
    if (step >= stopAt || hooks.checkpoint?.due(step)) {
      hooks.checkpoint?.save({ step, shared, workers: [{ trainer: trainer.saveState() }], negatives: trainer.hardNegatives, history });
    }
    if (step >= stopAt) return result(step, true);
  }
  return result(trainer.totalSteps, false);
}
