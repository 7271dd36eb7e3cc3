/**
 * The language-identifier seam, and a small deterministic heuristic behind it: writing system first (Ethiopic,
 * Lao, Tibetan… settle it), then stop-word overlap for Latin-script languages. It answers `undefined` rather
 * than guess when the evidence is thin, and callers fall back to "no adapter". The trained identifier
 * (this folder's model.ts, shipped as models/langid-base/) replaces it at run time when present; see docs/langid.md.
 */
import { createRequire } from 'node:module';
import { tokenize } from '../../text/normalize.js';

export interface LanguageGuess {
  lang: string;
  confidence: number;
}

export interface LanguageIdentifier {
  readonly name: string;
  identify(text: string): LanguageGuess | undefined;
}

const SCRIPT_LANGUAGES: ReadonlyArray<readonly [RegExp, string]> = [
  [/\p{Script=Ethiopic}/u, 'am'],
  [/\p{Script=Lao}/u, 'lo'],
  [/\p{Script=Tibetan}/u, 'bo'],
  [/\p{Script=Mongolian}/u, 'mn'],
];

/** Latin-script languages we have stop-word lists for (stopwords-iso); English is capped to its commonest words. */
const STOPWORD_LANGUAGES = ['en', 'sw', 'ha', 'yo', 'so', 'zu', 'st'] as const;
const ENGLISH_CORE = new Set(
  'the of and to in is it that for on with as was be by this are or from at an not have has but which you all can will your file new open save'.split(' '),
);

function loadStopwords(): Map<string, Set<string>> {
  const require = createRequire(import.meta.url);
  const lists = require('stopwords-iso') as Record<string, string[]>;
  const table = new Map<string, Set<string>>();
  for (const lang of STOPWORD_LANGUAGES) {
    const words = lang === 'en' ? [...ENGLISH_CORE] : (lists[lang] ?? []);
    // Single letters ("a", "e") are shared by half the list; they are not evidence.
    table.set(lang, new Set(words.flatMap((w) => tokenize(w)).filter((w) => w.length > 1)));
  }
  return table;
}

export function createHeuristicLanguageIdentifier(): LanguageIdentifier {
  const stopwords = loadStopwords();
  return {
    name: 'heuristic-script-stopwords-v1',
    identify(text: string): LanguageGuess | undefined {
      for (const [pattern, lang] of SCRIPT_LANGUAGES) {
        if (pattern.test(text)) return { lang, confidence: 0.9 };
      }
      const words = tokenize(text);
      if (words.length === 0) return undefined;
      let best: string | undefined;
      let bestHits = 0;
      let secondHits = 0;
      for (const [lang, set] of stopwords) {
        let hits = 0;
        for (const w of words) if (set.has(w)) hits++;
        if (hits > bestHits) {
          secondHits = bestHits;
          bestHits = hits;
          best = lang;
        } else if (hits > secondHits) {
          secondHits = hits;
        }
      }
      if (best === undefined || bestHits === secondHits) return undefined;
      const confidence = (bestHits - secondHits) / words.length;
      return confidence >= 0.1 ? { lang: best, confidence: Math.min(1, confidence) } : undefined;
    },
  };
}

/** Characters a document's language is identified from: enough for the identifier, the same cost for 1 MB. */
export const DOCUMENT_LANGUAGE_SAMPLE_CHARS = 3000;

/**
 * What a document's language is identified from: the whole text when short, else three slices (start, middle,
 * end), each without the words its edges cut, so that a long document's opening boilerplate does not decide alone.
 */
export function documentLanguageSample(text: string): string {
  if (text.length <= DOCUMENT_LANGUAGE_SAMPLE_CHARS) return text;
  const slice = Math.floor((DOCUMENT_LANGUAGE_SAMPLE_CHARS - 2) / 3); // three slices and two newlines
  return [0, Math.floor((text.length - slice) / 2), text.length - slice]
    .map((start) => {
      let piece = text.slice(start, start + slice);
      if (start > 0) piece = piece.replace(/^\S*\s/u, '');
      if (start + slice < text.length) piece = piece.replace(/\s\S*$/u, '');
      return piece;
    })
    .join('\n');
}

/** A document's language, identified once from a bounded sample of it. */
export function identifyDocumentLanguage(identifier: LanguageIdentifier, text: string): LanguageGuess | undefined {
  return identifier.identify(documentLanguageSample(text));
}
