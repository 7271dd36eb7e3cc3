/** A training worker thread (see parallel.ts). */
import { parentPort, workerData } from 'node:worker_threads';
import type { HardNegatives } from './hard-negatives.js';
import type { WorkerInput, WorkerMessage } from './parallel.js';
import { loadTeacherLookup } from './teacher-lookup.js';
import { Trainer } from './trainer.js';

const { config, dataset, shared, counter, worker, teacherCacheDir } = workerData as WorkerInput;
const port = parentPort!;
const teacher = teacherCacheDir ? await loadTeacherLookup(teacherCacheDir) : undefined;
const trainer = new Trainer(config, dataset, teacher, shared, worker);
const onMessage = (message: WorkerMessage) => {
  if (message.type === 'negatives') trainer.hardNegatives = message.negatives as HardNegatives;
};
port.on('message', onMessage);

const post = (message: WorkerMessage) => port.postMessage(message);
let nextLog = config.train.evalEvery;
let nextMining = config.train.hardNegatives.enabled && config.train.tasks.cl ? trainer.stepsPerEpoch : Infinity;
const miningPeriod = Math.max(1, Math.round(trainer.stepsPerEpoch * config.train.hardNegatives.every));
let steps = 0;
for (;;) {
  const step = Atomics.add(counter, 0, 1) + 1;
  if (step > trainer.totalSteps) break;
  if (worker === 0 && step >= nextMining) {
    post({ type: 'negatives', negatives: trainer.mine() });
    nextMining += miningPeriod;
  }
  trainer.step(step);
  steps++;
  if (worker === 0 && (step >= nextLog || step === trainer.totalSteps)) {
    post({ type: 'log', entry: trainer.logEntry(step, true) });
    nextLog += config.train.evalEvery;
  }
  // Let messages (fresh hard negatives) in.
  if (steps % 16 === 0) await new Promise((resolve) => setImmediate(resolve));
}
post({ type: 'done', steps });
port.off('message', onMessage); // a listening port would keep this thread alive
