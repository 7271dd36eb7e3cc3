/** Reciprocal-rank fusion (Cormack et al., 2009): score = Σ 1 / (k + rank), rank starting at 1. */
export const RRF_K = 60;

export function reciprocalRankFusion(lists: ReadonlyArray<ReadonlyArray<{ label: number }>>, k = RRF_K): Array<{ label: number; score: number }> {
  const scores = new Map<number, number>();
  for (const list of lists) {
    list.forEach(({ label }, i) => scores.set(label, (scores.get(label) ?? 0) + 1 / (k + i + 1)));
  }
  return [...scores.entries()]
    .map(([label, score]) => ({ label, score }))
    .sort((a, b) => b.score - a.score || a.label - b.label);
}
