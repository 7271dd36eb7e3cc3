/**
 * Pairing two catalogs of one program by message key (AbiWord's ids, JSON catalog keys), and the test that a
 * translation is a copy of another language's string rather than a translation.
 */
import { normalizeText, segmentWords } from '../../text/normalize.js';
import type { RawPair } from '../types.js';

/** Share of a translation's words that a fallback string must hold for the translation to count as its copy. */
export const COPIED_WORD_SHARE = 0.75;

/**
 * Whether `text` is (mostly) the fallback string: equal, or at least COPIED_WORD_SHARE of its normalised words
 * occur in it. Translators edited copies ("Posición relativa al parágrafo más cercano" against es-ES "…al párrafo
 * más cercano"), so equality alone misses them; a share rather than any overlap spares loanwords ("Makiswan lista").
 */
export function copiedFrom(text: string, fallback: string | undefined): boolean {
  if (fallback === undefined) return false;
  if (fallback.trim() === text) return true;
  const words = segmentWords(normalizeText(text));
  if (!words.length) return false;
  const known = new Set(segmentWords(normalizeText(fallback)));
  return words.filter((w) => known.has(w)).length >= COPIED_WORD_SHARE * words.length;
}

/**
 * Pairs by key, in the translated catalog's order. Empty and English-equal translations are skipped, and so is a
 * translation copied from the same key's string in any `fallbacks` catalog (`copiedFrom`): translators fill gaps with
 * a language they know (French in AbiWord's wo-SN, Spanish in quz). `clean` is applied to both sides of a kept pair
 * (AbiWord strips menu mnemonics).
 */
export function pairByKey(english: ReadonlyMap<string, string>, translated: ReadonlyMap<string, string>,
  fallbacks: ReadonlyArray<ReadonlyMap<string, string>>, meta: { lang: string; source: string; pkg: string },
  clean: (text: string) => string = (text) => text): RawPair[] {
  const pairs: RawPair[] = [];
  for (const [key, value] of translated) {
    const en = english.get(key)?.trim();
    const text = value.trim();
    if (!en || !text || en === text) continue;
    if (fallbacks.some((f) => copiedFrom(text, f.get(key)))) continue;
    pairs.push({ en: clean(en), text: clean(text), lang: meta.lang, source: meta.source, pkg: meta.pkg });
  }
  return pairs;
}
