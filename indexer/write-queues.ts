/**
 * In-process writes to one collection run one at a time (encoding is async, so two batches could otherwise
 * interleave their reads and commits); writes to different collections run side by side.
 */
export class WriteQueues {
  /** The tail of each collection's chain; removed once it settles with nothing queued behind it. */
  private readonly tails = new Map<string, Promise<unknown>>();

  /** Runs `work` after every write queued for `name` before it has settled (whether it succeeded or failed). */
  run<T>(name: string, work: () => Promise<T>): Promise<T> {
    const run = (this.tails.get(name) ?? Promise.resolve()).then(work, work);
    const tail = run.catch(() => undefined);
    this.tails.set(name, tail);
    void tail.then(() => {
      if (this.tails.get(name) === tail) this.tails.delete(name);
    });
    return run;
  }

  /** Resolves once no write is queued or running. */
  async whenIdle(): Promise<void> {
    while (this.tails.size > 0) await Promise.all(this.tails.values());
  }
}
