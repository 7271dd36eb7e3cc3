/**
 * Training on several cores: worker threads run the same step loop on one set of parameters in
 * SharedArrayBuffers, without locks (Hogwild!, Recht et al. 2011): updates are sparse, so two threads rarely touch
 * the same row at once and an occasional lost update does not matter. Each worker claims global step numbers from
 * a shared counter; worker 0 also mines hard negatives (shared with the others) and logs. Unlike `train`, a
 * multi-threaded run is not bit-for-bit reproducible: thread timing decides the order of updates.
 */
import { Worker } from 'node:worker_threads';
import type { TrainConfig } from './config.js';
import type { Dataset } from './dataset.js';
import { initSharedState, sharedAllocator, Trainer, type SharedState, type TrainHooks, type TrainLogEntry, type TrainResult } from './trainer.js';
import { validate } from './validate.js';

export interface WorkerInput {
  config: TrainConfig;
  dataset: Dataset;
  shared: SharedState;
  counter: Int32Array;
  worker: number;
  teacherCacheDir: string | undefined;
}

export type WorkerMessage =
  | { type: 'log'; entry: TrainLogEntry }
  | { type: 'negatives'; negatives: unknown }
  | { type: 'done'; steps: number };

export async function trainParallel(
  config: TrainConfig,
  dataset: Dataset,
  teacher: { dim: number; cacheDir: string } | undefined,
  threads: number,
  hooks: TrainHooks = {},
): Promise<TrainResult> {
  const started = performance.now();
  const shared = initSharedState(config, dataset, teacher?.dim, sharedAllocator);
  const counter = new Int32Array(new SharedArrayBuffer(4));
  const history: TrainLogEntry[] = [];
  const workers = Array.from({ length: threads }, (_, worker) => {
    const workerData: WorkerInput = { config, dataset, shared, counter, worker, teacherCacheDir: teacher?.cacheDir };
    return new Worker(new URL('./worker.js', import.meta.url), { workerData });
  });
  await Promise.all(
    workers.map(
      (w, i) =>
        new Promise<void>((resolve, reject) => {
          w.on('message', (message: WorkerMessage) => {
            if (message.type === 'log') {
              history.push(message.entry);
              hooks.onLog?.(message.entry);
            } else if (message.type === 'negatives') {
              workers.forEach((other, j) => j !== i && other.postMessage(message));
            }
          });
          w.on('error', reject);
          w.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`training worker ${i} exited with code ${code}`))));
        }),
    ),
  );
  const trainer = new Trainer(config, dataset, undefined, shared);
  return {
    params: shared.params,
    history,
    validation: validate(shared.params, dataset, trainer.adapterOf),
    steps: trainer.totalSteps,
    seconds: (performance.now() - started) / 1000,
  };
}
