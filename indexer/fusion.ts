/**
 * Reciprocal-rank fusion (Cormack et al., 2009): score = Σ weight / (k + rank), rank starting at 1; each list weighs
 * 1 unless `weights` says otherwise.
 */
export const RRF_K = 60;

export function reciprocalRankFusion(lists: ReadonlyArray<ReadonlyArray<{ label: number }>>, k = RRF_K, weights?: readonly number[]): Array<{ label: number; score: number }> {
  const scores = new Map<number, number>();
  lists.forEach((list, l) => {
    const weight = weights?.[l] ?? 1;
    if (weight === 0) return;
    list.forEach(({ label }, i) => scores.set(label, (scores.get(label) ?? 0) + weight / (k + i + 1)));
  });
  return [...scores.entries()]
    .map(([label, score]) => ({ label, score }))
    .sort((a, b) => b.score - a.score || a.label - b.label);
}
