/**
 * Language codes as clients send them, reduced to the one form tafuta stores, routes adapters by and filters on:
 * the ISO 639-1 code when the language has one ("swa", "sw-KE", "SW" → "sw"), else its ISO 639-3 code ("quz").
 * ISO 639-2 bibliographic codes ("fre", "ger") are accepted too. Region and script subtags are dropped: adapters,
 * the identifier and filters all work per language.
 */
import { iso6393 } from 'iso-639-3';

/** Any ISO 639-1, 639-2/B, 639-2/T or 639-3 code (lower case) → the canonical code. */
const CANONICAL = new Map<string, string>();
for (const language of iso6393) {
  // mis, mul, und, zxx: "no language" is said by leaving lang out.
  if (language.type === 'special') continue;
  const canonical = language.iso6391 ?? language.iso6393;
  for (const code of [language.iso6393, language.iso6391, language.iso6392B, language.iso6392T]) {
    if (code !== undefined && !CANONICAL.has(code)) CANONICAL.set(code, canonical);
  }
}

/** A language tag: a 2–3 letter primary subtag, optionally followed by subtags ("sw", "swa", "sw-KE", "zh_Hant"). */
const TAG = /^([A-Za-z]{2,3})(?:[-_][A-Za-z0-9]{1,8})*$/;

/** The canonical code of a language tag, or undefined when its primary subtag is no ISO 639 language. */
export function canonicalLanguage(tag: string): string | undefined {
  const primary = TAG.exec(tag)?.[1];
  return primary === undefined ? undefined : CANONICAL.get(primary.toLowerCase());
}
