import { mo } from 'gettext-parser';
import type { GetTextTranslations } from 'gettext-parser';
import type { RawPair } from '../types.js';

/** msgids that carry translator names/addresses, not translations. */
const CREDIT_MSGIDS = new Set([
  'translator-credits', 'translator_credits', 'translator credits',
  'your names', 'your emails', 'name of translators', 'email of translators',
]);

/**
 * Menu mnemonics inside a word ("Ne_w", "Sa~ve", "O&pen"): the shared normaliser only removes them at the
 * start of a word, and changing it would alter query-time behaviour, so catalogs get this extra step. Only a
 * string with exactly one marker is touched, which spares snake_case identifiers with several underscores.
 */
export function stripMnemonic(text: string): string {
  for (const marker of ['_', '~', '&']) {
    const count = text.split(marker).length - 1;
    if (count !== 1) continue;
    const out = text.replace(new RegExp(`(?<=\\p{L})[${marker}](?=\\p{L})`, 'u'), '');
    if (out !== text) return out;
  }
  return text;
}

export interface CatalogMeta {
  lang: string;
  source: string;
  pkg: string;
}

/**
 * Pairs from a parsed gettext table: msgid ↔ msgstr[0], msgid_plural ↔ msgstr[1] (when the language has a
 * second form). msgctxt only disambiguates entries, so it is not part of the pair. Fuzzy entries (present in
 * .po input; msgfmt already leaves them out of .mo) and empty translations are skipped.
 */
export function pairsFromTable(table: GetTextTranslations, meta: CatalogMeta): RawPair[] {
  const pairs: RawPair[] = [];
  const push = (en: string | undefined, text: string | undefined): void => {
    if (!en || !text) return;
    pairs.push({ en: stripMnemonic(en), text: stripMnemonic(text), lang: meta.lang, source: meta.source, pkg: meta.pkg });
  };
  for (const context of Object.values(table.translations)) {
    for (const entry of Object.values(context)) {
      if (entry.msgid === '') continue; // header
      if (CREDIT_MSGIDS.has(entry.msgid.trim().toLowerCase())) continue;
      if (isFuzzy(entry)) continue;
      push(entry.msgid, entry.msgstr[0]);
      if (entry.msgid_plural) push(entry.msgid_plural, entry.msgstr[1]);
    }
  }
  return pairs;
}

/** A catalog entry flagged `#, fuzzy` (a translation its translator has not confirmed). */
export function isFuzzy(entry: { comments?: { flag?: string } }): boolean {
  return entry.comments?.flag?.split(',').some((flag) => flag.trim() === 'fuzzy') ?? false;
}

/** Parses a binary .mo catalog. Throws on a buffer that is not one. */
export function parseMo(buffer: Buffer, meta: CatalogMeta): RawPair[] {
  const table = mo.parse(buffer, 'utf-8');
  if (!table) throw new Error(`not a .mo file (${meta.pkg})`);
  return pairsFromTable(table, meta);
}
