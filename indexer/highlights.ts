/**
 * Where a result's passage matches the query, as spans of the passage text in UTF-16 code units (what
 * `text.slice(start, end)` takes in JavaScript). Terms (bm25, hybrid): each word of the passage that normalises to a
 * query word the way the BM25 index does (search-text.ts: NFKC, case, Latin diacritics, markup), located in the
 * original text. Sentence (dense, hybrid): the passage's sentence whose vector is closest to the query's.
 */
import type { Encoder } from '../models/encoder.js';
import { tokenize } from '../text/normalize.js';
import { sentencesOf, type Span } from './passages.js';
import type { SearchMode } from './types.js';
import { dot } from './vector-store.js';

export interface Highlights {
  terms?: Span[];
  sentence?: Span;
}

/** The cost of sentence highlights: sentences embedded per passage (its first ones) and per search. */
export const HIGHLIGHT_LIMITS = { maxSentencesPerPassage: 32, maxSentencesPerSearch: 1024, maxSentenceChars: 1000 } as const;

const wordSegmenter = new Intl.Segmenter('und', { granularity: 'word' });
/** Runs between whitespace and Ethiopic word separators (which the normaliser turns into spaces): short segmenter inputs. */
const WORD_RUN = /[^\s\u1360-\u1368]+/gu;

/** Spans of the words of `text` that normalise to one of `queryWords`; `cache` remembers words already judged. */
export function termSpans(text: string, queryWords: ReadonlySet<string>, cache = new Map<string, boolean>()): Span[] {
  const spans: Span[] = [];
  for (const run of text.matchAll(WORD_RUN)) {
    for (const word of wordSegmenter.segment(run[0])) {
      if (!word.isWordLike) continue;
      let matches = cache.get(word.segment);
      if (matches === undefined) {
        matches = tokenize(word.segment).some((w) => queryWords.has(w));
        cache.set(word.segment, matches);
      }
      if (matches) spans.push({ start: run.index + word.index, end: run.index + word.index + word.segment.length });
    }
  }
  return spans;
}

interface HighlightedPassage {
  text: string;
  lang: string | null;
}

/** The sentence of each passage closest to `query`; undefined where the search's sentence budget ran out. */
async function closestSentences(passages: readonly HighlightedPassage[], query: Float32Array, encoder: Encoder): Promise<Array<Span | undefined>> {
  let budget = HIGHLIGHT_LIMITS.maxSentencesPerSearch;
  const candidates = passages.map((p) => {
    const sentences = sentencesOf(p.text, HIGHLIGHT_LIMITS.maxSentenceChars).slice(0, HIGHLIGHT_LIMITS.maxSentencesPerPassage);
    // One sentence needs no vector; more are embedded while the budget lasts.
    if (sentences.length < 2) return sentences;
    if (sentences.length > budget) return [];
    budget -= sentences.length;
    return sentences;
  });
  const toEmbed = passages.flatMap((p, i) => (candidates[i]!.length > 1 ? candidates[i]!.map((s) => ({ text: p.text.slice(s.start, s.end), lang: p.lang ?? undefined })) : []));
  const vectors = toEmbed.length ? await encoder.embed(toEmbed.map((s) => s.text), { kind: 'passage', lang: toEmbed.map((s) => s.lang) }) : [];
  let next = 0;
  return candidates.map((sentences) => {
    if (sentences.length < 2) return sentences[0];
    let best = sentences[0]!;
    let bestScore = -Infinity;
    for (const sentence of sentences) {
      const score = dot(query, vectors[next++]!);
      if (score > bestScore) [best, bestScore] = [sentence, score];
    }
    return best;
  });
}

export interface HighlightRequest {
  mode: SearchMode;
  query: string;
  /** The query's vector (undefined: the query has no features); only called for dense and hybrid. */
  queryVector: () => Promise<Float32Array | undefined>;
  /** Embeds the sentences; undefined (a collection of your own vectors): no sentence highlights. */
  encoder: Encoder | undefined;
}

/** Highlights of each passage: `terms` in the modes that match words, `sentence` in those that compare vectors. */
export async function highlightPassages(passages: readonly HighlightedPassage[], request: HighlightRequest): Promise<Highlights[]> {
  const queryWords = request.mode === 'dense' || request.mode === 'translate-dense' ? undefined : new Set(tokenize(request.query));
  const query = request.mode === 'bm25' ? undefined : await request.queryVector();
  const sentences = query === undefined || request.encoder === undefined ? [] : await closestSentences(passages, query, request.encoder);
  const judged = new Map<string, boolean>();
  return passages.map((p, i) => {
    const sentence = sentences[i];
    return { ...(queryWords ? { terms: termSpans(p.text, queryWords, judged) } : {}), ...(sentence ? { sentence } : {}) };
  });
}
