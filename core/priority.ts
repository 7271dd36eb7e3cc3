/**
 * A bulk import's CPU priority. `tafuta index` next to a `tafuta serve` on the same cores otherwise takes them at
 * the server's expense: searches answered during an import went from a p99 of seconds to ≈ 140 ms with the import
 * at niceness 10 on a loaded 2-core machine (docs/benchmarks.md §2.5), while the import took 107 s instead of 84 s.
 */
import os from 'node:os';

/** The lowest priority (highest niceness) there is. */
export const MAX_NICENESS = 19;

type PrioritySystem = Pick<typeof os, 'getPriority' | 'setPriority'>;

/**
 * Lowers this process's CPU priority by `by` niceness steps, at most to MAX_NICENESS; returns the niceness now in
 * force, or undefined when the system refused. On Linux the niceness is per thread and threads inherit it when they
 * start: call this before starting the encoder's workers and the ANN library's threads.
 */
export function lowerCpuPriority(by: number, system: PrioritySystem = os): number | undefined {
  try {
    const current = system.getPriority();
    if (by <= 0 || current >= MAX_NICENESS) return current;
    const wanted = Math.min(MAX_NICENESS, current + by);
    system.setPriority(wanted);
    return wanted;
  } catch {
    return undefined;
  }
}
