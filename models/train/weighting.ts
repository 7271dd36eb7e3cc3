/**
 * Dynamic task weighting: w_k = prior_k × balance_k × schedule_k.
 *  - prior: tasks with less data weigh more (∝ (N_max / N_k)^¼), so small auxiliary sets are not drowned out;
 *  - balance: gradient-norm balancing on the shared output vectors (GradNorm-style): a task whose gradient is
 *    persistently larger than the others' is scaled down, an EMA keeps it smooth;
 *  - schedule: the contrastive (CL) weight rises over training while the auxiliaries fade, so they shape the
 *    space early and CL decides the end state.
 * "static" gives every task weight 1, for the ablation.
 */
export type TaskName = 'cl' | 'lang' | 'cla' | 'mono' | 'morph';

export interface TaskWeighting {
  weights(progress: number): Record<TaskName, number>;
  /** Report the norm of a task's gradient w.r.t. the output vectors this step. */
  observe(task: TaskName, gradNorm: number): void;
}

const EMA = 0.95;

export function createTaskWeighting(mode: 'dynamic' | 'static', dataSizes: Partial<Record<TaskName, number>>, tasks: TaskName[]): TaskWeighting {
  const norms = new Map<TaskName, number>();
  const maxSize = Math.max(1, ...tasks.map((t) => dataSizes[t] ?? 0));
  const prior = new Map<TaskName, number>(tasks.map((t) => [t, Math.min(4, (maxSize / Math.max(1, dataSizes[t] ?? maxSize)) ** 0.25)]));
  return {
    observe(task, gradNorm) {
      if (!Number.isFinite(gradNorm) || gradNorm <= 0) return;
      const previous = norms.get(task);
      norms.set(task, previous === undefined ? gradNorm : EMA * previous + (1 - EMA) * gradNorm);
    },
    weights(progress) {
      const out = { cl: 0, lang: 0, cla: 0, mono: 0, morph: 0 } as Record<TaskName, number>;
      if (mode === 'static') {
        for (const t of tasks) out[t] = 1;
        return out;
      }
      const known = tasks.filter((t) => norms.has(t));
      const meanNorm = known.length ? known.reduce((s, t) => s + norms.get(t)!, 0) / known.length : 1;
      const p = Math.min(1, Math.max(0, progress));
      for (const t of tasks) {
        const balance = norms.has(t) ? Math.min(10, Math.max(0.1, meanNorm / norms.get(t)!)) : 1;
        const schedule = t === 'cl' ? 0.5 + p : 1.5 - p;
        out[t] = prior.get(t)! * balance * schedule;
      }
      return out;
    },
  };
}
