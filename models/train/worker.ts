/** A training worker thread (see parallel.ts). */
import { parentPort, workerData } from 'node:worker_threads';
import { CLAIMED, PAUSE_AT, type WorkerInput, type WorkerMessage } from './parallel.js';
import { loadTeacherLookup } from './teacher-lookup.js';
import { Trainer, type WorkerSnapshot } from './trainer.js';

const { config, dataset, shared, control, worker, teacherCacheDir, resume, negatives } = workerData as WorkerInput;
const port = parentPort!;
const teacher = teacherCacheDir ? await loadTeacherLookup(teacherCacheDir) : undefined;
const trainer = new Trainer(config, dataset, teacher, shared, worker);
if (resume) trainer.restoreState(resume.trainer);
trainer.hardNegatives = negatives;

let proceed: ((command: 'resume' | 'stop') => void) | undefined;
const onMessage = (message: WorkerMessage) => {
  if (message.type === 'negatives') trainer.hardNegatives = message.negatives;
  else if (message.type === 'resume' || message.type === 'stop') proceed?.(message.type);
};
port.on('message', onMessage);

const post = (message: WorkerMessage) => port.postMessage(message);
const miningPeriod = Math.max(1, Math.round(trainer.stepsPerEpoch * config.train.hardNegatives.every));
let nextLog = resume?.schedule?.nextLog ?? config.train.evalEvery;
let nextMining = resume?.schedule ? (resume.schedule.nextMining ?? Infinity) : config.train.hardNegatives.enabled && config.train.tasks.cl ? trainer.stepsPerEpoch : Infinity;
const snapshot = (): WorkerSnapshot => ({
  trainer: trainer.saveState(),
  schedule: { nextLog, nextMining: Number.isFinite(nextMining) ? nextMining : null },
});

let steps = 0;
let lastLogged = 0;
let finished = false;
for (;;) {
  const claimed = Atomics.load(control, CLAIMED);
  if (claimed >= trainer.totalSteps) {
    finished = true;
    break;
  }
  if (claimed >= Atomics.load(control, PAUSE_AT)) {
    // A checkpoint (or a stop) is due: hand over this thread's state and wait until it has been written.
    const command = await new Promise<'resume' | 'stop'>((resolve) => {
      proceed = resolve;
      post({ type: 'paused', state: snapshot() });
    });
    proceed = undefined;
    if (command === 'stop') break;
    continue;
  }
  if (Atomics.compareExchange(control, CLAIMED, claimed, claimed + 1) !== claimed) continue;
  const step = claimed + 1;
  if (worker === 0 && step >= nextMining) {
    post({ type: 'negatives', negatives: trainer.mine() });
    nextMining += miningPeriod;
  }
  trainer.step(step);
  steps++;
  if (worker === 0 && (step >= nextLog || step === trainer.totalSteps)) {
    post({ type: 'log', entry: trainer.logEntry(step, true) });
    lastLogged = step;
    nextLog += config.train.evalEvery;
  }
  // Let messages (fresh hard negatives) in.
  if (steps % 16 === 0) await new Promise((resolve) => setImmediate(resolve));
}
// Another thread ran the last step: the main thread completes this entry (validation) once every thread is done.
if (worker === 0 && finished && lastLogged < trainer.totalSteps) post({ type: 'final', entry: trainer.logEntry(trainer.totalSteps, false) });
post({ type: 'done', steps });
port.off('message', onMessage); // a listening port would keep this thread alive
