/**
 * Dynamic task weighting, anchored on the main contrastive task (CL):
 *   w_cl = schedule_cl,   w_k = share × prior_k × schedule_k × |g_cl| / |g_k|   for every auxiliary task k
 *  - gradient-norm balancing (GradNorm-style, on the shared output vectors, EMA-smoothed): each auxiliary's
 *    gradient is scaled to a fixed share of CL's, so a task with tiny gradients (the language loss) is heard and
 *    one with large gradients cannot take over — balancing to *equal* norms let regularisers drown CL;
 *  - prior: tasks with less data weigh more (∝ (N_max / N_k)^¼, at most 4×), so small sets are not ignored;
 *  - schedule: CL rises over training (0.5 → 1.5) while the auxiliaries fade (1.5 → 0.5): they shape the space
 *    early, CL decides the end state.
 * "static" gives every task weight 1, for the ablation.
 */
export type TaskName = 'cl' | 'lang' | 'cla' | 'mono' | 'morph';

export interface TaskWeighting {
  weights(progress: number): Record<TaskName, number>;
  /** Report the norm of a task's gradient w.r.t. the output vectors this step. */
  observe(task: TaskName, gradNorm: number): void;
  /** The smoothed gradient norms, all the state there is (for checkpoints). */
  state(): Partial<Record<TaskName, number>>;
  restore(state: Partial<Record<TaskName, number>>): void;
}

const EMA = 0.95;
/** Target size of an auxiliary task's gradient relative to CL's, before prior and schedule. */
const AUX_SHARE = 0.25;

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
    state: () => Object.fromEntries(norms),
    restore(state) {
      norms.clear();
      for (const [task, norm] of Object.entries(state) as Array<[TaskName, number]>) norms.set(task, norm);
    },
    weights(progress) {
      const out = { cl: 0, lang: 0, cla: 0, mono: 0, morph: 0 } as Record<TaskName, number>;
      if (mode === 'static') {
        for (const t of tasks) out[t] = 1;
        return out;
      }
      const p = Math.min(1, Math.max(0, progress));
      const clNorm = norms.get('cl');
      for (const t of tasks) {
        if (t === 'cl') {
          out.cl = 0.5 + p;
          continue;
        }
        const own = norms.get(t);
        const balance = clNorm !== undefined && own !== undefined ? AUX_SHARE * (clNorm / own) : AUX_SHARE;
        out[t] = Math.min(20, Math.max(0.01, prior.get(t)! * (1.5 - p) * balance));
      }
      return out;
    },
  };
}
