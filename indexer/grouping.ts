/**
 * Search results grouped by document (Qdrant's groups, Elasticsearch's collapse): one result per document, its best
 * passage, with how many of its passages were among the passages the search looked at.
 */

export interface PassageHit {
  label: number;
  score: number;
}

export interface DocumentHit extends PassageHit {
  /** How many of the document's passages were among the candidates (the best one included). */
  matchedPassages: number;
}

/**
 * Candidate depths, in passages. A grouped search stops at the first that holds enough documents: the depth does
 * not depend on the page asked for, so a page and a deeper search that settle on one depth agree exactly.
 */
export const GROUP_DEPTHS = [128, 256, 512, 1024, 2048, 4096] as const;

/** Hits in rank order → the first (best) hit of each document, in the same order. */
export function groupByDocument(hits: readonly PassageHit[], documentOf: ReadonlyMap<number, number>): DocumentHit[] {
  const groups = new Map<number, DocumentHit>();
  for (const hit of hits) {
    const document = documentOf.get(hit.label);
    if (document === undefined) continue; // deleted since it was ranked
    const group = groups.get(document);
    if (group) group.matchedPassages++;
    else groups.set(document, { label: hit.label, score: hit.score, matchedPassages: 1 });
  }
  return [...groups.values()];
}

/**
 * The best `wanted` documents: ranks passages ever deeper along GROUP_DEPTHS until they hold `wanted` documents,
 * the candidates run out, or the deepest is reached (then fewer are returned).
 */
export async function searchDocuments(
  rankPassages: (depth: number) => Promise<PassageHit[]>,
  wanted: number,
  documentsOf: (labels: readonly number[]) => Promise<ReadonlyMap<number, number>>,
): Promise<DocumentHit[]> {
  // Depths that cannot hold `wanted` documents are skipped: every search would have passed them anyway.
  const depths = GROUP_DEPTHS.filter((depth, i) => depth >= wanted || i === GROUP_DEPTHS.length - 1);
  let groups: DocumentHit[] = [];
  for (const depth of depths) {
    const hits = await rankPassages(depth);
    groups = groupByDocument(hits, await documentsOf(hits.map((h) => h.label)));
    if (groups.length >= wanted || hits.length < depth) break;
  }
  return groups.slice(0, wanted);
}
