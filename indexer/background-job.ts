/**
 * A collection index's background job: one at a time, it adopts a graph another process saved when one is due, compacts
 * the graph, and moves pending passages into it in slices of SLICE_MS with a turn of the event loop between them; it
 * waits while a save reads the graph. Whoever waits for the graph to catch up is woken after each slice and at the end.
 */
import { yieldToEventLoop } from './graph-filling.js';

/** What the job does, step by step, on the index it works for (CollectionIndex). */
export interface JobSteps {
  /** Passages pending or a compaction due. */
  hasWork(): boolean;
  /** A save reading the graph now: the job waits for it to settle. */
  saving(): Promise<void> | undefined;
  /** The index was dropped or is closing: the job stops. */
  abandoned(): boolean;
  /** Resolves to whether it adopted a graph another process saved, when one is due; undefined when none is. */
  adoptIfDue(): Promise<boolean> | undefined;
  /** One step of work: a whole compaction (itself in slices), else one slice of pending inserts. */
  step(): Promise<void> | void;
  /** A job starts when new passages were read: another process may have saved them (SavedGraphAdoption.lookSoon). */
  starting(): void;
  /** The job did some work and left none (time to save). */
  caughtUp(): void;
  failed(error: unknown): void;
}

export class BackgroundJob {
  private readonly steps: JobSteps;
  private job: Promise<void> | undefined;
  /** Resolved after each slice of the job and when it ends. */
  private progressWaiters: Array<() => void> = [];

  constructor(steps: JobSteps) {
    this.steps = steps;
  }

  get running(): boolean {
    return this.job !== undefined;
  }

  /** Starts the job unless it runs, the index is abandoned, or there is nothing to do. */
  start(): void {
    if (this.job || this.steps.abandoned() || !this.steps.hasWork()) return;
    this.job = this.run().finally(() => {
      this.job = undefined;
      // A sync between the job's last slice and this callback found the job still running and left its passages
      // pending: start again for them, or whoever waits in catchUp would find no job and the graph behind.
      this.start();
      this.reportProgress();
    });
    this.job.catch((error: unknown) => this.steps.failed(error));
  }

  /** Resolves after the job's next slice, or when it ends. */
  nextProgress(): Promise<void> {
    return new Promise<void>((resolve) => this.progressWaiters.push(resolve));
  }

  private async run(): Promise<void> {
    const { steps } = this;
    let worked = false;
    steps.starting();
    for (;;) {
      for (let saving = steps.saving(); saving; saving = steps.saving()) await saving.catch(() => undefined);
      if (steps.abandoned()) return;
      const adopting = steps.adoptIfDue();
      if (adopting) {
        if (await adopting) worked = true;
        if (steps.abandoned()) return;
      }
      if (!steps.hasWork()) break;
      const stepping = steps.step();
      if (stepping) await stepping;
      worked = true;
      // Over as soon as nothing is left, not a turn later: whoever waits for it may save next.
      if (!steps.hasWork()) break;
      this.reportProgress();
      await yieldToEventLoop();
    }
    if (worked) steps.caughtUp();
  }

  private reportProgress(): void {
    const waiters = this.progressWaiters;
    this.progressWaiters = [];
    for (const resolve of waiters) resolve();
  }
}
