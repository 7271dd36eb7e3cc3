/**
 * Retrieval metrics with trec_eval's definitions, as pure functions of one query's ranking and judgements.
 *
 * A ranking is a list of document ids, best first, without duplicates. Judgements map document id → graded
 * relevance; a grade > 0 is relevant. Documents absent from the judgements are not relevant.
 */

export type Judgements = ReadonlyMap<string, number>;
/** query id → judgements. */
export type Qrels = ReadonlyMap<string, Judgements>;

export const METRIC_NAMES = ['MRR@10', 'nDCG@10', 'MAP', 'R@1', 'R@10', 'R@100', 'P@5'] as const;
export type MetricName = (typeof METRIC_NAMES)[number];
export type MetricValues = Record<MetricName, number>;

function isRelevant(judgements: Judgements, id: string): boolean {
  return (judgements.get(id) ?? 0) > 0;
}

export function relevantCount(judgements: Judgements): number {
  let n = 0;
  for (const grade of judgements.values()) if (grade > 0) n++;
  return n;
}

/** 1 / rank of the first relevant document within the top `cutoff`, else 0 (trec_eval `recip_rank` with a cut). */
export function reciprocalRank(ranking: readonly string[], judgements: Judgements, cutoff = 10): number {
  const depth = Math.min(cutoff, ranking.length);
  for (let i = 0; i < depth; i++) if (isRelevant(judgements, ranking[i]!)) return 1 / (i + 1);
  return 0;
}

/** Relevant documents in the top `cutoff` / all relevant documents (trec_eval `recall_k`). */
export function recallAt(ranking: readonly string[], judgements: Judgements, cutoff: number): number {
  const total = relevantCount(judgements);
  if (total === 0) return 0;
  return ranking.slice(0, cutoff).filter((id) => isRelevant(judgements, id)).length / total;
}

/** Relevant documents in the top `cutoff` / `cutoff`, even when fewer were retrieved (trec_eval `P_k`). */
export function precisionAt(ranking: readonly string[], judgements: Judgements, cutoff: number): number {
  return ranking.slice(0, cutoff).filter((id) => isRelevant(judgements, id)).length / cutoff;
}

/**
 * Average precision over the whole ranking: the mean, over ALL relevant documents, of the precision at the rank
 * where each is retrieved; relevant documents never retrieved contribute 0 (trec_eval `map`).
 */
export function averagePrecision(ranking: readonly string[], judgements: Judgements): number {
  const total = relevantCount(judgements);
  if (total === 0) return 0;
  let found = 0;
  let sum = 0;
  ranking.forEach((id, i) => {
    if (isRelevant(judgements, id)) sum += ++found / (i + 1);
  });
  return sum / total;
}

/** Σ gain_i / log2(i + 1) over ranks i = 1..n, with gain = the grade (negative grades count as 0). */
function dcg(gains: readonly number[]): number {
  return gains.reduce((sum, gain, i) => sum + Math.max(0, gain) / Math.log2(i + 2), 0);
}

/** DCG of the top `cutoff` over the DCG of the ideal ordering of the judged grades (trec_eval `ndcg_cut_k`). */
export function ndcgAt(ranking: readonly string[], judgements: Judgements, cutoff = 10): number {
  const ideal = dcg([...judgements.values()].filter((g) => g > 0).sort((a, b) => b - a).slice(0, cutoff));
  if (ideal === 0) return 0;
  return dcg(ranking.slice(0, cutoff).map((id) => judgements.get(id) ?? 0)) / ideal;
}

/** Every reported metric for one query. */
export function queryMetrics(ranking: readonly string[], judgements: Judgements): MetricValues {
  return {
    'MRR@10': reciprocalRank(ranking, judgements, 10),
    'nDCG@10': ndcgAt(ranking, judgements, 10),
    MAP: averagePrecision(ranking, judgements),
    'R@1': recallAt(ranking, judgements, 1),
    'R@10': recallAt(ranking, judgements, 10),
    'R@100': recallAt(ranking, judgements, 100),
    'P@5': precisionAt(ranking, judgements, 5),
  };
}

export interface EvaluatedQuery {
  id: string;
  metrics: MetricValues;
}

export interface EvaluationSummary {
  /** Per-query values, in input order, for queries with at least one relevant document. */
  queries: EvaluatedQuery[];
  /** Query ids skipped because the judgements hold no relevant document for them. */
  skipped: string[];
  /** Mean of each metric over the evaluated queries (0 when there are none). */
  mean: MetricValues;
}

export function meanMetrics(rows: readonly MetricValues[]): MetricValues {
  const out = Object.fromEntries(METRIC_NAMES.map((m) => [m, 0])) as MetricValues;
  if (rows.length === 0) return out;
  for (const row of rows) for (const m of METRIC_NAMES) out[m] += row[m];
  for (const m of METRIC_NAMES) out[m] /= rows.length;
  return out;
}

/** Scores a run (query id → ranking) against qrels; queries with no relevant document are skipped and listed. */
export function evaluateRun(run: ReadonlyMap<string, readonly string[]>, qrels: Qrels, queryIds: Iterable<string> = run.keys()): EvaluationSummary {
  const queries: EvaluatedQuery[] = [];
  const skipped: string[] = [];
  for (const id of queryIds) {
    const judgements = qrels.get(id);
    if (!judgements || relevantCount(judgements) === 0) {
      skipped.push(id);
      continue;
    }
    queries.push({ id, metrics: queryMetrics(run.get(id) ?? [], judgements) });
  }
  return { queries, skipped, mean: meanMetrics(queries.map((q) => q.metrics)) };
}
