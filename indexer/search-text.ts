import { tokenize } from '../models/text/normalize.js';

/** The text BM25 indexes and matches: normalised words separated by single spaces. */
export function searchTextOf(text: string): string {
  return tokenize(text).join(' ');
}

/**
 * An FTS5 MATCH expression from free text: every word quoted (so user input can never be FTS syntax),
 * OR-ed together — BM25 ranks documents matching more and rarer words higher. Undefined when no words.
 */
export function ftsQueryOf(text: string): string | undefined {
  const words = [...new Set(tokenize(text))];
  if (words.length === 0) return undefined;
  return words.map((w) => `"${w.replaceAll('"', '""')}"`).join(' OR ');
}
