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

export interface Span {
  start: number;
  end: number;
}

type Segmenter = Pick<Intl.Segmenter, 'segment'>;

/** How text is cut into sentences and words: the segmenters, and how much text each is handed at once. */
export interface Segmentation {
  sentences: Segmenter;
  words: Segmenter;
  /**
   * Characters handed to a segmenter at once. Intl.Segmenter's word iteration is quadratic in the length of the
   * string it segments on Node 20 (100,000 characters: 1 s; 150,000: 11 s), so it only ever sees bounded windows.
   */
  window: number;
}

export const DEFAULT_SEGMENTATION: Segmentation = Object.freeze({
  sentences: new Intl.Segmenter('und', { granularity: 'sentence' }),
  words: new Intl.Segmenter('und', { granularity: 'word' }),
  window: 2048,
});

/**
 * The segment ends in (start, end], in order, found window by window, each as segmenting the whole text would place
 * it. Only boundaries at least `context` characters from a window's edges are trusted (the segmenters look only a
 * few characters around a boundary, and the last segment may be cut by the edge): the next window starts at the
 * last trusted one. A window with no trusted boundary lies within one long segment; the next one then starts
 * 2 × `context` before its edge, and trusts only boundaries beyond the part this one already ruled out. Every window moves on by at least half its length, or
 * ends at `end`, or is followed by one that does: each character is segmented about twice at most.
 */
function* boundariesOf(segmenter: Segmenter, text: string, start: number, end: number, window: number): Generator<number> {
  const context = Math.min(32, Math.floor(window / 8));
  let pos = start;
  /** Boundaries up to here were ruled out by an earlier window. */
  let trustedAfter = start;
  while (pos < end) {
    let windowEnd = Math.min(end, pos + window);
    if (windowEnd < end && windowEnd - pos > 1 && isHighSurrogate(text.charCodeAt(windowEnd - 1))) windowEnd--;
    let lastYielded = -1;
    let lastStart = -1;
    for (const seg of segmenter.segment(text.slice(pos, windowEnd))) {
      const segEnd = pos + seg.index + seg.segment.length;
      if (windowEnd < end && segEnd > windowEnd - context) {
        lastStart = pos + seg.index;
        break;
      }
      if (segEnd > trustedAfter) yield (lastYielded = segEnd);
    }
    if (windowEnd === end) return;
    if (lastStart === lastYielded) {
      pos = trustedAfter = lastStart; // a true boundary: a clean start
    } else {
      pos = Math.max(pos + 1, windowEnd - 2 * context);
      trustedAfter = windowEnd - context;
    }
  }
}

const isHighSurrogate = (unit: number) => unit >= 0xd800 && unit <= 0xdbff;

/** Cuts one over-long span at word boundaries (or hard, for a single giant token) into pieces ≤ maxChars. */
function cutLongSpan(text: string, span: Span, maxChars: number, segmentation: Segmentation, into: Span[]): void {
  let start = span.start;
  let lastBoundary = start;
  for (const segEnd of boundariesOf(segmentation.words, text, span.start, span.end, segmentation.window)) {
    if (segEnd - start > maxChars) {
      const cut = lastBoundary > start ? lastBoundary : start + maxChars;
      into.push({ start, end: cut });
      start = cut;
      while (segEnd - start > maxChars) {
        into.push({ start, end: start + maxChars });
        start += maxChars;
      }
    }
    lastBoundary = segEnd;
  }
  if (span.end > start) into.push({ start, end: span.end });
}

function sentenceSpans(text: string, maxChars: number, segmentation: Segmentation): Span[] {
  const spans: Span[] = [];
  let start = 0;
  for (const end of boundariesOf(segmentation.sentences, text, 0, text.length, segmentation.window)) {
    if (end - start > maxChars) cutLongSpan(text, { start, end }, maxChars, segmentation, spans);
    else spans.push({ start, end });
    start = end;
  }
  return spans;
}

/** Trims whitespace off a span, keeping offsets true to the original text. */
function trimSpan(text: string, start: number, end: number): Span {
  while (start < end && /\s/u.test(text[start]!)) start++;
  while (end > start && /\s/u.test(text[end - 1]!)) end--;
  return { start, end };
}

/** The sentences of a text as trimmed spans (a sentence over maxChars is cut at word boundaries), in order. */
export function sentencesOf(text: string, maxChars: number, segmentation: Segmentation = DEFAULT_SEGMENTATION): Span[] {
  return sentenceSpans(text, maxChars, segmentation)
    .map(({ start, end }) => trimSpan(text, start, end))
    .filter(({ start, end }) => end > start);
}

export function splitPassages(
  text: string,
  config: PassageSplitConfig = DEFAULT_PASSAGE_SPLIT,
  segmentation: Segmentation = DEFAULT_SEGMENTATION,
): PassageSpan[] {
  if (config.maxChars < 1 || config.overlapChars < 0 || config.overlapChars >= config.maxChars) {
    throw new Error('passage split needs maxChars ≥ 1 and 0 ≤ overlapChars < maxChars');
  }
  const sentences = sentenceSpans(text, config.maxChars, segmentation);
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
