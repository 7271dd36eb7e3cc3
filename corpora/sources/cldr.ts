import type { RawPair } from '../types.js';

export type LocaleNameKind = 'languages' | 'territories';

/** Reads `main.<locale>.localeDisplayNames.<kind>` from a cldr-localenames-full JSON file. */
export function localeNames(json: unknown, kind: LocaleNameKind): Map<string, string> {
  const main = (json as { main?: Record<string, { localeDisplayNames?: Record<string, Record<string, string>> }> }).main;
  const names = new Map<string, string>();
  for (const locale of Object.values(main ?? {})) {
    for (const [code, name] of Object.entries(locale.localeDisplayNames?.[kind] ?? {})) {
      // "-alt-short"/"-alt-variant" entries are alternative spellings of the same code; keep the main one.
      if (!code.includes('-alt-')) names.set(code, name);
    }
  }
  return names;
}

/** Pairs English and LRL display names by code (word-level anchors such as "Swahili" ↔ "Kiswahili"). */
export function pairLocaleNames(english: Map<string, string>, translated: Map<string, string>,
  meta: { lang: string; source: string; pkg: string }): RawPair[] {
  const pairs: RawPair[] = [];
  for (const [code, text] of translated) {
    const en = english.get(code);
    if (en) pairs.push({ en, text, lang: meta.lang, source: meta.source, pkg: meta.pkg });
  }
  return pairs;
}
