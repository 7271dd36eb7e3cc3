/**
 * CLDR JSON files other than the language/territory names (dates, currencies, units, character labels, scripts…):
 * every string leaf is keyed by its path below `main.<locale>`, and a translation is paired with the English string
 * at the same path ("dateFields.fields.day.relative-type-1": "tomorrow" ↔ "gobe").
 */
import type { RawPair } from '../types.js';

/**
 * Width variants that only abbreviate the long form ("km", "Thu") teach symbols, not words; date and time
 * patterns ("EEEE, MMMM d, y") are format codes.
 */
const SKIPPED_SEGMENTS = new Set(['short', 'narrow', 'abbreviated', 'identity',
  'dateFormats', 'timeFormats', 'dateTimeFormats', 'dateTimeFormats-atTime', 'availableFormats', 'appendItems',
  'intervalFormats', 'dateSkeletons', 'timeSkeletons']);

/** String leaves of `main.<locale>` by dotted path; alternative spellings (`-alt-`) are left out. */
export function cldrStrings(json: unknown): Map<string, string> {
  const main = (json as { main?: Record<string, unknown> }).main;
  const out = new Map<string, string>();
  const walk = (node: unknown, path: string[]): void => {
    if (typeof node === 'string') {
      out.set(path.join('.'), node);
      return;
    }
    if (node === null || typeof node !== 'object') return;
    for (const [key, value] of Object.entries(node)) {
      if (SKIPPED_SEGMENTS.has(key) || key.includes('-alt-') || key.startsWith('_')) continue;
      walk(value, [...path, key]);
    }
  };
  for (const locale of Object.values(main ?? {})) walk(locale, []);
  return out;
}

/** A word of three letters or more once `{0}`-style placeholders are gone: unit symbols and digits alone fail. */
function hasWord(text: string): boolean {
  return /\p{L}{3}/u.test(text.replace(/\{\d+\}/gu, ' '));
}

/**
 * Pairs by path. A translated value equal to the English one is CLDR's fallback showing through (the full
 * packages carry inherited values), so it is skipped here rather than counted as "untranslated" by the cleaner.
 */
export function pairCldrByPath(english: ReadonlyMap<string, string>, translated: ReadonlyMap<string, string>,
  meta: { lang: string; source: string; pkg: string }): RawPair[] {
  const pairs: RawPair[] = [];
  for (const [path, text] of translated) {
    const en = english.get(path);
    if (!en || en === text || !hasWord(en) || !hasWord(text)) continue;
    pairs.push({ en, text, lang: meta.lang, source: meta.source, pkg: meta.pkg });
  }
  return pairs;
}
