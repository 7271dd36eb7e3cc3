/**
 * The k best of a stream of hits, in the order searches return them: score descending, then label ascending. Equal
 * to pushing every hit and taking `sort(byScoreThenLabel).slice(0, k)` when labels are distinct, at the cost of one
 * comparison for most hits (a search offers ~1,000 scored recent passages to keep 10).
 */
import type { VectorHit } from './vector-store.js';

/** The order of search results: best score first, ties by the smaller label (every hit list agrees on it). */
export function byScoreThenLabel(a: VectorHit, b: VectorHit): number {
  return b.score - a.score || a.label - b.label;
}

export class TopHits {
  private readonly labels: Float64Array;
  private readonly scores: Float64Array;
  private count = 0;

  constructor(readonly k: number) {
    this.labels = new Float64Array(Math.max(0, k));
    this.scores = new Float64Array(Math.max(0, k));
  }

  /** Whether offer() would keep this hit now: fewer than k are held, or it ranks before the last of them. */
  admits(label: number, score: number): boolean {
    const k = this.k;
    return this.count < k || (k > 0 && TopHits.before(score, label, this.scores[k - 1]!, this.labels[k - 1]!));
  }

  /** Keeps the hit if it is among the k best offered so far (labels must not be offered twice). */
  offer(label: number, score: number): void {
    const k = this.k;
    let at = this.count;
    if (at === k) {
      if (k === 0 || !TopHits.before(score, label, this.scores[k - 1]!, this.labels[k - 1]!)) return;
      at = k - 1;
    } else {
      this.count++;
    }
    while (at > 0 && TopHits.before(score, label, this.scores[at - 1]!, this.labels[at - 1]!)) {
      this.scores[at] = this.scores[at - 1]!;
      this.labels[at] = this.labels[at - 1]!;
      at--;
    }
    this.scores[at] = score;
    this.labels[at] = label;
  }

  /** The hits kept, best first. */
  hits(): VectorHit[] {
    const out: VectorHit[] = new Array(this.count);
    for (let i = 0; i < this.count; i++) out[i] = { label: this.labels[i]!, score: this.scores[i]! };
    return out;
  }

  private static before(score: number, label: number, otherScore: number, otherLabel: number): boolean {
    return score > otherScore || (score === otherScore && label < otherLabel);
  }
}
