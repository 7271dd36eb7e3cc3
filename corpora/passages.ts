/**
 * Synthetic prose positives: several messages of one catalog joined into one passage on each side, so the encoder
 * sees texts as long as a paragraph (udhr articles) and not only UI strings. Built from pairs the cleaner already
 * kept, so every piece has passed the leakage guard.
 */
import { createHash } from 'node:crypto';
import { segmentWords, normalizeText } from '../text/normalize.js';
import type { Pair, RawPair } from './types.js';

export interface PassageOptions {
  /** Messages per passage. */
  size: number;
  /** Only messages with at least this many English words (sentence-like strings, not "Cancel"). */
  minEnglishWords: number;
}

const sha1 = (text: string): string => createHash('sha1').update(text).digest('hex');

/** Ends a piece with a full stop unless it already ends in punctuation, so joined messages read as sentences. */
function asSentence(text: string): string {
  return /[\p{P}]$/u.test(text) ? text : `${text}.`;
}

/**
 * Per (language, source, package): the eligible pairs in SHA-1 order of their English side (a .mo catalog is
 * sorted by msgid, so catalog neighbours would mostly start with the same word), cut into runs of `size`; a
 * shorter last run is dropped. The output order follows the first appearance of each group in the input.
 */
export function synthesizePassages(pairs: readonly Pair[], options: PassageOptions): RawPair[] {
  const groups = new Map<string, Pair[]>();
  for (const pair of pairs) {
    if (segmentWords(normalizeText(pair.en)).length < options.minEnglishWords) continue;
    const key = `${pair.lang}\t${pair.source}\t${pair.pkg}`;
    const group = groups.get(key) ?? [];
    group.push(pair);
    groups.set(key, group);
  }
  const passages: RawPair[] = [];
  for (const group of groups.values()) {
    const ordered = group
      .map((pair) => ({ pair, key: sha1(`${pair.en}\t${pair.text}`) }))
      .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0))
      .map((r) => r.pair);
    for (let i = 0; i + options.size <= ordered.length; i += options.size) {
      const run = ordered.slice(i, i + options.size);
      passages.push({
        en: run.map((p) => asSentence(p.en)).join(' '),
        text: run.map((p) => asSentence(p.text)).join(' '),
        lang: run[0]!.lang,
        source: 'passages',
        pkg: run[0]!.pkg,
      });
    }
  }
  return passages;
}
