/**
 * What is due around a global step besides the step itself: mining hard negatives before it (after the first
 * epoch, then every `hardNegatives.every` epochs) and a log entry with validation after it (every `evalEvery`
 * steps and at the last). The single-threaded loop and Hogwild worker 0 both run steps through `runScheduledStep`;
 * a worker may not see every step number (others claim some), so a due point is taken at the first step at or after
 * it. Checkpoints are the caller's: a single thread writes them itself, Hogwild pauses every thread first.
 */
import type { TrainConfig } from './config.js';
import type { HardNegatives } from './hard-negatives.js';
import type { Trainer, TrainLogEntry } from './trainer.js';

/** The next mining and log steps, as checkpoints store them (null: no mining in this run). */
export interface ScheduleState {
  nextLog: number;
  nextMining: number | null;
}

export class StepSchedule {
  private nextLog: number;
  private nextMining: number;
  private readonly miningPeriod: number;

  /** `saved` continues a checkpoint's schedule; without it, the schedule is that of an uninterrupted run after `done` steps. */
  constructor(
    private readonly config: TrainConfig,
    private readonly stepsPerEpoch: number,
    private readonly totalSteps: number,
    done = 0,
    saved?: ScheduleState | undefined,
  ) {
    const { evalEvery, hardNegatives, tasks } = config.train;
    this.miningPeriod = Math.max(1, Math.round(stepsPerEpoch * hardNegatives.every));
    if (saved) {
      this.nextLog = saved.nextLog;
      this.nextMining = saved.nextMining ?? Infinity;
      return;
    }
    this.nextLog = (Math.floor(done / evalEvery) + 1) * evalEvery;
    const mines = hardNegatives.enabled && tasks.cl;
    const after = done < stepsPerEpoch ? stepsPerEpoch : stepsPerEpoch + (Math.floor((done - stepsPerEpoch) / this.miningPeriod) + 1) * this.miningPeriod;
    this.nextMining = mines ? after : Infinity;
  }

  /** Whether to mine before `step`; when so, the next mining moves on by one period. */
  miningDue(step: number): boolean {
    if (step < this.nextMining) return false;
    this.nextMining += this.miningPeriod;
    return true;
  }

  /** Whether to log after `step`; when so, the next log moves on by `evalEvery`. */
  logDue(step: number): boolean {
    if (step < this.nextLog && step !== this.totalSteps) return false;
    this.nextLog += this.config.train.evalEvery;
    return true;
  }

  state(): ScheduleState {
    return { nextLog: this.nextLog, nextMining: Number.isFinite(this.nextMining) ? this.nextMining : null };
  }
}

/** What a scheduled step reports to its loop. */
export interface ScheduledStepEvents {
  mined?: (negatives: HardNegatives) => void;
  logged?: (entry: TrainLogEntry) => void;
}

/** One global step with what is due around it; without a schedule (Hogwild workers but 0), just the step. */
export function runScheduledStep(trainer: Trainer, step: number, schedule: StepSchedule | undefined, events: ScheduledStepEvents = {}): void {
  if (schedule?.miningDue(step)) {
    const negatives = trainer.mine();
    events.mined?.(negatives);
  }
  trainer.step(step);
  if (schedule?.logDue(step)) {
    const entry = trainer.logEntry(step, true);
    events.logged?.(entry);
  }
}
