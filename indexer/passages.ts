/**
 * Splits long documents into passages: sentence-aware, bounded length, with a small overlap so a fact that
 * straddles a boundary is still found whole in one passage.
 */

export interface PassageSplitConfig {
  /** Upper bound on passage length in characters (UTF-16 units). */
  maxChars: number;
  /** Up to this many characters of trailing whole sentences are repeated at the start of the next passage. */
  overlapChars: number;
}

export const DEFAULT_PASSAGE_SPLIT: PassageSplitConfig = Object.freeze({ maxChars: 1000, overlapChars: 200 });

export interface PassageSpan {
  text: string;
  /** Offsets into the original document text. */
  start: number;
  end: number;
}

interface Span {
  start: number;
  end: number;
}

const sentenceSegmenter = new Intl.Segmenter('und', { granularity: 'sentence' });
const wordSegmenter = new Intl.Segmenter('und', { granularity: 'word' });

/** Cuts one over-long span at word boundaries (or hard, for a single giant token) into pieces ≤ maxChars. */
function cutLongSpan(text: string, span: Span, maxChars: number): Span[] {
  const pieces: Span[] = [];
  let start = span.start;
  let lastBoundary = start;
  for (const seg of wordSegmenter.segment(text.slice(span.start, span.end))) {
    const segStart = span.start + seg.index;
    const segEnd = segStart + seg.segment.length;
    if (segEnd - start > maxChars) {
      const cut = lastBoundary > start ? lastBoundary : start + maxChars;
      pieces.push({ start, end: cut });
      start = cut;
      while (segEnd - start > maxChars) {
        pieces.push({ start, end: start + maxChars });
        start += maxChars;
      }
    }
    lastBoundary = segEnd;
  }
  if (span.end > start) pieces.push({ start, end: span.end });
  return pieces;
}

function sentenceSpans(text: string, maxChars: number): Span[] {
  const spans: Span[] = [];
  for (const seg of sentenceSegmenter.segment(text)) {
    const span = { start: seg.index, end: seg.index + seg.segment.length };
    if (span.end - span.start > maxChars) spans.push(...cutLongSpan(text, span, maxChars));
    else spans.push(span);
  }
  return spans;
}

/** Trims whitespace off a span, keeping offsets true to the original text. */
function trimSpan(text: string, start: number, end: number): Span {
  while (start < end && /\s/u.test(text[start]!)) start++;
  while (end > start && /\s/u.test(text[end - 1]!)) end--;
  return { start, end };
}

export function splitPassages(text: string, config: PassageSplitConfig = DEFAULT_PASSAGE_SPLIT): PassageSpan[] {
  if (config.maxChars < 1 || config.overlapChars < 0 || config.overlapChars >= config.maxChars) {
    throw new Error('passage split needs maxChars ≥ 1 and 0 ≤ overlapChars < maxChars');
  }
  const sentences = sentenceSpans(text, config.maxChars);
  const passages: PassageSpan[] = [];
  let first = 0;
  while (first < sentences.length) {
    let last = first;
    while (last + 1 < sentences.length && sentences[last + 1]!.end - sentences[first]!.start <= config.maxChars) last++;
    const { start, end } = trimSpan(text, sentences[first]!.start, sentences[last]!.end);
    if (end > start) passages.push({ text: text.slice(start, end), start, end });
    if (last + 1 >= sentences.length) break;
    // Overlap: step back over trailing sentences that fit in overlapChars, but always make progress.
    let next = last + 1;
    while (next - 1 > first && sentences[last]!.end - sentences[next - 1]!.start <= config.overlapChars) next--;
    first = next;
  }
  return passages;
}
