/**
 * The one text normaliser shared by training, indexing and querying: the encoder's features (models/features.ts)
 * and BM25's search text (indexer/search-text.ts) are both built from `tokenize`.
 *
 * Software-UI and wiki text (most of our LRL data) is full of markup that carries no meaning:
 * printf placeholders, MediaWiki templates and links, HTML tags, menu accelerators. Stripping it the
 * same way everywhere keeps train-time and query-time features identical.
 */

import { fastWordSegments } from './word-break.js';

/**
 * Bump whenever `normalizeText` or `segmentWords` answers differently for any input. A database records the
 * version that computed its stored BM25 search text and recomputes that text when it differs
 * (indexer/database.ts), so queries are always tokenised the way the index was.
 */
export const TEXT_NORMALIZATION_VERSION = 1;

const HTML_ENTITIES: Record<string, string> = {
  amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: ' ',
};

const MARKUP_RULES: ReadonlyArray<readonly [RegExp, string]> = [
  // MediaWiki templates: {{PLURAL:$1|one page|$1 pages}} keeps the first alternative; {{SITENAME}} goes.
  [/\{\{[^{}|]*?:[^{}|]*\|([^{}|]*)(\|[^{}]*)?\}\}/gu, '$1'],
  [/\{\{[^{}]*\}\}/gu, ' '],
  // [[target|label]] → label, [[target]] → target, [http://x label] → label
  [/\[\[[^\]|]*\|([^\]]*)\]\]/gu, '$1'],
  [/\[\[([^\]]*)\]\]/gu, '$1'],
  [/\[(?:https?:)?\/\/\S+\s+([^\]]*)\]/gu, '$1'],
  // HTML/XML tags
  [/<\/?[A-Za-z][^<>]*>/gu, ' '],
  // printf (%s %d %1$s %(name)s %-5.2f %%), Qt (%1), shell/MediaWiki ($1), ICU/.NET ({0} {name})
  [/%(?:\d+\$)?[-+ #0]*\d*(?:\.\d+)?(?:hh|h|ll|l|L|z|j|t)?[diouxXeEfFgGcsSpn@]/gu, ' '],
  [/%\([A-Za-z_]\w*\)[-+ #0]*\d*(?:\.\d+)?[diouxXeEfFgGcsr]/gu, ' '],
  [/%%|%\d+/gu, ' '],
  [/\$\d+/gu, ' '],
  [/\{\d*\}|\{[A-Za-z_][\w.]*\}/gu, ' '],
  // literal escape sequences left in catalogs
  [/\\[ntr]/gu, ' '],
  // menu accelerators: _File, ~Save, &Open (not "rock & roll", not snake_case)
  [/(^|[^\p{L}\p{N}_])[_~&](?=\p{L})/gu, '$1'],
];

const MARKUP_TRIGGER = /[&{[<%$\\_~]/u;

/** Removes placeholders, templates, links, tags and accelerators; decodes common HTML entities. */
export function stripMarkup(text: string): string {
  // Every rule below starts at one of these characters; most passages have none, and 13 regex passes cost.
  if (!MARKUP_TRIGGER.test(text)) return text;
  let out = text.replace(/&(#\d+|#x[0-9a-fA-F]+|[a-zA-Z]+);/gu, (whole, entity: string) => {
    if (!entity.startsWith('#')) return HTML_ENTITIES[entity.toLowerCase()] ?? whole;
    const codePoint = entity[1] === 'x' || entity[1] === 'X' ? parseInt(entity.slice(2), 16) : parseInt(entity.slice(1), 10);
    // Out-of-range references (&#x110000;) and lone surrogates are not characters: leave them as text.
    const isCharacter = codePoint <= 0x10ffff && !(codePoint >= 0xd800 && codePoint <= 0xdfff);
    return isCharacter ? String.fromCodePoint(codePoint) : whole;
  });
  for (const [pattern, replacement] of MARKUP_RULES) out = out.replace(pattern, replacement);
  return out;
}

const ASCII_ONLY = /^[\x00-\x7f]*$/u;

/**
 * Drops combining marks from Latin-script letters only (Yoruba tone marks and Hausa hooks vary between
 * writers; the same word is spelled both ways). Marks on other scripts (Devanagari vowel signs, Lao, Tibetan)
 * are letters in all but name, so they stay.
 */
export function foldLatinDiacritics(text: string): string {
  if (ASCII_ONLY.test(text)) return text; // nothing to decompose
  return text
    .normalize('NFD')
    .replace(/(\p{Script=Latin})\p{Mn}+/gu, '$1')
    .normalize('NFC');
}

export interface NormalizeOptions {
  /** Remove placeholders/markup/accelerators (default true). */
  stripMarkup?: boolean;
  /** Fold Latin diacritics (default true). */
  foldDiacritics?: boolean;
}

/** NFKC → markup removal → case fold → Latin diacritic folding → whitespace collapse. */
export function normalizeText(text: string, options: NormalizeOptions = {}): string {
  let out = text.normalize('NFKC');
  if (options.stripMarkup !== false) out = stripMarkup(out);
  out = out.toLowerCase();
  if (options.foldDiacritics !== false) out = foldLatinDiacritics(out);
  // Ethiopic word space and full stop are separators, not letters.
  out = out.replace(/[\u1360-\u1368]/gu, ' ');
  return out.replace(/\s+/gu, ' ').trim();
}

const wordSegmenter = new Intl.Segmenter('und', { granularity: 'word' });

/**
 * Word units of an already-normalised text. Uses ICU word boundaries (dictionary-based for Lao, Thai,
 * Khmer, Tibetan, CJK), keeping only word-like segments; texts in space-delimited scripts take an exact
 * fast path (word-break.ts).
 */
export function segmentWords(normalized: string): string[] {
  const fast = fastWordSegments(normalized);
  if (fast) return fast;
  const words: string[] = [];
  for (const segment of wordSegmenter.segment(normalized)) {
    if (segment.isWordLike) words.push(segment.segment);
  }
  return words;
}

/** normalizeText + segmentWords. */
export function tokenize(text: string, options?: NormalizeOptions): string[] {
  return segmentWords(normalizeText(text, options));
}
