import { tokenize } from '../text/normalize.js';

/** The text BM25 indexes and matches: normalised words separated by single spaces. */
export function searchTextOf(text: string): string {
  return tokenize(text).join(' ');
}

/**
 * An FTS5 MATCH expression from free text: every word quoted (so user input can never be FTS syntax),
 * OR-ed together — BM25 ranks documents matching more and rarer words higher. Undefined when no words.
 */
export function ftsQueryOf(text: string): string | undefined {
  return ftsQueryOfWords(tokenize(text));
}

/** ftsQueryOf for words already normalised: each quoted, OR-ed. */
export function ftsQueryOfWords(words: Iterable<string>): string | undefined {
  const distinct = [...new Set(words)];
  if (distinct.length === 0) return undefined;
  return distinct.map(ftsPhraseOf).join(' OR ');
}

/** One normalised word as an FTS5 string (quoted, so it can never be FTS syntax). */
export function ftsPhraseOf(word: string): string {
  return `"${word.replaceAll('"', '""')}"`;
}

/** The words of an expression ftsQueryOfWords made (the inverse; stores without FTS5 read it back). */
export function wordsOfFtsQuery(match: string): string[] {
  return [...match.matchAll(/"((?:[^"]|"")*)"/g)].map((m) => m[1]!.replaceAll('""', '"'));
}
