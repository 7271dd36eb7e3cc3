/** A training worker thread (see parallel.ts). */
import { parentPort, workerData } from 'node:worker_threads';
import { CLAIMED, PAUSE_AT, type WorkerInput, type WorkerMessage } from './parallel.js';
import { loadTeacherLookup } from './teacher-lookup.js';
import { runScheduledStep, StepSchedule } from './step-schedule.js';
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
const schedule = new StepSchedule(config, trainer.stepsPerEpoch, trainer.totalSteps, Atomics.load(control, CLAIMED), resume?.schedule);
const snapshot = (): WorkerSnapshot => ({ trainer: trainer.saveState(), schedule: schedule.state() });

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
  // Worker 0 mines and logs; the others only step.
  runScheduledStep(trainer, step, worker === 0 ? schedule : undefined, {
    mined: (mined) => post({ type: 'negatives', negatives: mined }),
    logged: (entry) => {
      post({ type: 'log', entry });
      lastLogged = step;
    },
  });
  steps++;
  // Let messages (fresh hard negatives) in.
  if (steps % 16 === 0) await new Promise((resolve) => setImmediate(resolve));
}
// Another thread ran the last step: the main thread completes this entry (validation) once every thread is done.
if (worker === 0 && finished && lastLogged < trainer.totalSteps) post({ type: 'final', entry: trainer.logEntry(trainer.totalSteps, false) });
post({ type: 'done', steps });
port.off('message', onMessage); // a listening port would keep this thread alive
