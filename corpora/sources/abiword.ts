/**
 * AbiWord's interface strings (Debian `abiword-common`, `usr/share/abiword-3.0/strings/<locale>.strings`): one XML
 * file per locale whose `<Strings class="…">` elements carry every message as an attribute (`DLG_Cancel="Neenal"`),
 * paired across locales by attribute name. AbiWord has Wolof and Quechua translations that no gettext catalog has.
 */
import { normalizeText, segmentWords } from '../../text/normalize.js';
import type { RawPair } from '../types.js';
import { stripMnemonic } from './gettext.js';

const XML_ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

function decodeEntities(value: string): string {
  return value.replace(/&(#x[0-9a-fA-F]+|#\d+|[a-z]+);/gu, (whole, entity: string) => {
    if (entity.startsWith('#x')) return String.fromCodePoint(parseInt(entity.slice(2), 16));
    if (entity.startsWith('#')) return String.fromCodePoint(parseInt(entity.slice(1), 10));
    return XML_ENTITIES[entity] ?? whole;
  });
}

/** Attributes that describe a `<Strings>` element rather than hold a message. */
const NOT_MESSAGES = new Set(['class']);

/**
 * Message id → text over every `<Strings>` element of one file. Attributes are read one after another from the
 * tag's name on, because a value may contain a raw `>`. Throws on a file with no `<Strings>` element.
 */
export function parseAbiStrings(xml: string): Map<string, string> {
  const text = xml.replace(/<!--[\s\S]*?-->/gu, '');
  const messages = new Map<string, string>();
  const attribute = /\s*([A-Za-z_][\w.-]*)\s*=\s*"([^"]*)"/uy;
  let elements = 0;
  for (let start = text.indexOf('<Strings'); start >= 0; start = text.indexOf('<Strings', start)) {
    elements++;
    start += '<Strings'.length;
    attribute.lastIndex = start;
    for (let m = attribute.exec(text); m; m = attribute.exec(text)) {
      if (!NOT_MESSAGES.has(m[1]!)) messages.set(m[1]!, decodeEntities(m[2]!));
      start = attribute.lastIndex;
    }
  }
  if (!elements) throw new Error('not an AbiWord strings file (no <Strings> element)');
  return messages;
}

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
 * Pairs by message id, in the translated file's order. Empty translations are skipped, and so is a translation
 * copied from the same id's string in any `fallbacks` file (`copiedFrom`): translators filled gaps with a language
 * they knew (French in wo-SN, Spanish in quz), and English variants are the untranslated string itself.
 */
export function pairAbiStrings(english: ReadonlyMap<string, string>, translated: ReadonlyMap<string, string>,
  fallbacks: ReadonlyArray<ReadonlyMap<string, string>>, meta: { lang: string; source: string; pkg: string }): RawPair[] {
  const pairs: RawPair[] = [];
  for (const [id, value] of translated) {
    const en = english.get(id);
    const text = value.trim();
    if (!en?.trim() || !text) continue;
    if (en.trim() === text || fallbacks.some((f) => copiedFrom(text, f.get(id)))) continue;
    pairs.push({ en: stripMnemonic(en), text: stripMnemonic(text), lang: meta.lang, source: meta.source, pkg: meta.pkg });
  }
  return pairs;
}
