/**
 * Training on several cores: worker threads run the same step loop on one set of parameters in
 * SharedArrayBuffers, without locks (Hogwild!, Recht et al. 2011): updates are sparse, so two threads rarely touch
 * the same row at once and an occasional lost update does not matter. Each worker claims global step numbers from
 * a shared counter; worker 0 also mines hard negatives (shared with the others) and logs. Unlike `train`, a
 * multi-threaded run is not bit-for-bit reproducible: thread timing decides the order of updates.
 *
 * Checkpoints: workers claim no step beyond a shared "pause at" step. The main thread sets it to the next step a
 * checkpoint is due at (or to the steps done so far, when one is due by time), waits until every worker has paused
 * and sent its own state, writes the snapshot while nothing moves, then lets them go on (or stop, at `stopAfter`).
 */
import { Worker } from 'node:worker_threads';
import type { TrainConfig } from './config.js';
import type { Dataset } from './dataset.js';
import type { HardNegatives } from './hard-negatives.js';
import {
  initSharedState,
  sharedAllocator,
  Trainer,
  type SharedState,
  type TrainHooks,
  type TrainLogEntry,
  type TrainResult,
  type TrainRunOptions,
  type WorkerSnapshot,
} from './trainer.js';
import { validate } from './validate.js';

/** Slots of the shared control array. */
export const CLAIMED = 0;
export const PAUSE_AT = 1;

export interface WorkerInput {
  config: TrainConfig;
  dataset: Dataset;
  shared: SharedState;
  /** [CLAIMED] global steps claimed so far, [PAUSE_AT] no step beyond this one is claimed until told to resume. */
  control: Int32Array;
  worker: number;
  teacherCacheDir: string | undefined;
  resume: WorkerSnapshot | undefined;
  negatives: HardNegatives | undefined;
}

export type WorkerMessage =
  | { type: 'log'; entry: TrainLogEntry }
  /** Worker 0's losses and weights at the end, when another thread ran the last step (no validation yet). */
  | { type: 'final'; entry: TrainLogEntry }
  | { type: 'negatives'; negatives: HardNegatives }
  | { type: 'paused'; state: WorkerSnapshot }
  | { type: 'resume' }
  | { type: 'stop' }
  | { type: 'done'; steps: number };

/** A copy of `state` in SharedArrayBuffers (a snapshot read from disk lives in ordinary memory). */
function toShared(state: SharedState): SharedState {
  const copy = (a: Float32Array) => {
    const b = sharedAllocator(a.length);
    b.set(a);
    return b;
  };
  const { params } = state;
  return {
    params: { ...params, table: copy(params.table), U: copy(params.U), V: copy(params.V), ...(params.logits ? { logits: copy(params.logits) } : {}) },
    head: copy(state.head),
    adagrad: copy(state.adagrad),
    poolingAdagrad: copy(state.poolingAdagrad),
  };
}

export async function trainParallel(
  config: TrainConfig,
  dataset: Dataset,
  teacher: { dim: number; cacheDir: string } | undefined,
  threads: number,
  hooks: TrainHooks = {},
  { resume, stopAfter }: TrainRunOptions = {},
): Promise<TrainResult> {
  const started = performance.now();
  if (resume && resume.workers.length !== threads) throw new Error(`a snapshot of ${resume.workers.length} threads cannot resume a run on ${threads}`);
  const shared = resume ? toShared(resume.shared) : initSharedState(config, dataset, teacher?.dim, sharedAllocator);
  const trainer = new Trainer(config, dataset, undefined, shared);
  const total = trainer.totalSteps;
  const stopAt = Math.min(stopAfter ?? Infinity, total);
  const checkpoint = hooks.checkpoint;
  const nextPause = (done: number) => Math.min(checkpoint?.nextStep(done) ?? Infinity, stopAt);
  const control = new Int32Array(new SharedArrayBuffer(8));
  control[CLAIMED] = resume?.step ?? 0;
  control[PAUSE_AT] = nextPause(control[CLAIMED]);
  const history: TrainLogEntry[] = [...(resume?.history ?? [])];
  let negatives = resume?.negatives;
  let final: TrainLogEntry | undefined;

  const paused = new Map<number, WorkerSnapshot>();
  const exited = new Set<number>();
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  const armTimer = () => {
    clearTimeout(timer);
    const ms = checkpoint?.msUntilDue() ?? Infinity;
    if (!Number.isFinite(ms)) return;
    // Pause as soon as possible: no step beyond those already claimed.
    timer = setTimeout(() => Atomics.store(control, PAUSE_AT, Math.min(Atomics.load(control, PAUSE_AT), Atomics.load(control, CLAIMED))), ms);
    timer.unref();
  };
  armTimer();

  const workers = Array.from({ length: threads }, (_, worker) => {
    const workerData: WorkerInput = {
      config, dataset, shared, control, worker, teacherCacheDir: teacher?.cacheDir, resume: resume?.workers[worker], negatives,
    };
    return new Worker(new URL('./worker.js', import.meta.url), { workerData });
  });

  /** Once every worker has paused (or finished), checkpoint and let them go on, or stop. */
  const whenAllPaused = () => {
    if (paused.size === 0 || paused.size + exited.size < threads) return;
    const step = Atomics.load(control, CLAIMED);
    const stopping = step >= stopAt && step < total;
    if (step < total && checkpoint) {
      const snapshots = workers.map((_, i) => paused.get(i)!);
      checkpoint.save({ step, shared, workers: snapshots, negatives, history });
      armTimer();
    }
    if (stopping) stopped = true;
    Atomics.store(control, PAUSE_AT, nextPause(step));
    for (const i of paused.keys()) workers[i]!.postMessage({ type: stopping ? 'stop' : 'resume' } satisfies WorkerMessage);
    paused.clear();
  };

  try {
    await Promise.all(
      workers.map(
        (w, i) =>
          new Promise<void>((resolve, reject) => {
            w.on('message', (message: WorkerMessage) => {
              if (message.type === 'log') {
                history.push(message.entry);
                hooks.onLog?.(message.entry);
              } else if (message.type === 'final') {
                final = message.entry;
              } else if (message.type === 'negatives') {
                negatives = message.negatives;
                workers.forEach((other, j) => j !== i && other.postMessage(message));
              } else if (message.type === 'paused') {
                paused.set(i, message.state);
                whenAllPaused();
              }
            });
            w.on('error', reject);
            w.on('exit', (code) => {
              exited.add(i);
              if (code !== 0) return reject(new Error(`training worker ${i} exited with code ${code}`));
              whenAllPaused();
              resolve();
            });
          }),
      ),
    );
  } catch (error) {
    await Promise.all(workers.map((w) => w.terminate()));
    throw error;
  } finally {
    clearTimeout(timer);
  }
  const steps = Math.min(Atomics.load(control, CLAIMED), total);
  const validation = validate(shared.params, dataset, trainer.adapterOf);
  if (final && !stopped) {
    const entry = { ...final, validation };
    history.push(entry);
    hooks.onLog?.(entry);
  }
  return {
    params: shared.params,
    history,
    validation,
    steps,
    seconds: (performance.now() - started) / 1000,
    stopped,
  };
}
