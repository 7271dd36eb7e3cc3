/**
 * debconf templates (the `templates` member of a .deb's control archive, debconf-devel(7)): RFC 822-like stanzas
 * whose `Description` (a short line, then an extended text in ` .`-separated paragraphs) and `Choices` carry their
 * translations in the same stanza as `Description-<locale>.UTF-8` / `Choices-<locale>.UTF-8`. The installer's l10n
 * teams translated these for languages no gettext catalog covers (Tibetan, Wolof).
 */
import { po } from 'gettext-parser';
import { isFuzzy } from './gettext.js';
import type { RawPair } from '../types.js';

/** Field name → its lines: the value after the colon, then each continuation line without its leading space. */
export type TemplateStanza = Map<string, string[]>;

/** Stanzas of a templates file, in order. Lines before any field name and `#` comments are ignored. */
export function parseTemplates(text: string): TemplateStanza[] {
  const stanzas: TemplateStanza[] = [];
  for (const block of text.replace(/\r\n/gu, '\n').split(/\n[ \t]*\n/u)) {
    const stanza: TemplateStanza = new Map();
    let current: string[] | null = null;
    for (const line of block.split('\n')) {
      if (line.startsWith('#')) continue;
      if (/^[ \t]/u.test(line)) {
        current?.push(line.slice(1));
        continue;
      }
      const field = /^([^:\s]+):[ \t]?(.*)$/u.exec(line);
      current = field ? [field[2]!] : null;
      if (field) stanza.set(field[1]!, current!);
    }
    if (stanza.size) stanzas.push(stanza);
  }
  return stanzas;
}

/** An extended description's paragraphs (separated by a ` .` line), each joined onto one line. */
export function paragraphs(lines: readonly string[]): string[] {
  const out: string[] = [];
  let current: string[] = [];
  for (const line of lines) {
    if (line.trim() === '.') {
      if (current.length) out.push(current.join(' '));
      current = [];
    } else if (line.trim()) {
      current.push(line.trim());
    }
  }
  if (current.length) out.push(current.join(' '));
  return out;
}

/** `Choices` items: comma-separated, `\,` escaping a comma inside an item. */
export function splitChoices(value: string): string[] {
  return value.split(/(?<!\\),[ \t]*/u).map((c) => c.replace(/\\,/gu, ',').trim());
}

type PushPair = (en: string, text: string) => void;

/** A pusher of trimmed pairs into `pairs`, skipping a side that is blank. */
function trimmedPusher(pairs: RawPair[], meta: Omit<RawPair, 'en' | 'text'>): PushPair {
  return (en, text) => {
    if (en.trim() && text.trim()) pairs.push({ en: en.trim(), text: text.trim(), lang: meta.lang, source: meta.source, pkg: meta.pkg });
  };
}

/** A `Choices` list and its translation, item by item when the counts match and the English is not filled in at run time (`${choices}`). */
function pushChoices(push: PushPair, english: string, translated: string): void {
  if (english.includes('${')) return;
  const items = splitChoices(english);
  const translatedItems = splitChoices(translated);
  if (items.length === translatedItems.length) items.forEach((c, i) => push(c, translatedItems[i]!));
}

const TRANSLATED_FIELD = /^(Description|Choices)-([A-Za-z]+(?:_[A-Za-z]+)?(?:@[A-Za-z]+)?)(?:\.UTF-8)?$/u;

/**
 * Pairs of one templates file: each short description with its translation; the extended description paragraph by
 * paragraph when both sides have as many, else as a whole; `Choices` item by item when the counts match and the
 * English list is not filled in at run time (`${choices}`).
 */
export function pairTemplates(stanzas: readonly TemplateStanza[], langOf: (locale: string) => string | null, meta: { source: string; pkg: string }): RawPair[] {
  const pairs: RawPair[] = [];
  for (const stanza of stanzas) {
    const description = stanza.get('Description');
    if (!description) continue;
    const choices = stanza.get('Choices')?.[0] ?? '';
    for (const [name, lines] of stanza) {
      const field = TRANSLATED_FIELD.exec(name);
      const lang = field && langOf(field[2]!);
      if (!lang) continue;
      const push = trimmedPusher(pairs, { lang, source: meta.source, pkg: meta.pkg });
      if (field[1] === 'Description') {
        push(description[0]!, lines[0]!);
        const english = paragraphs(description.slice(1));
        const translated = paragraphs(lines.slice(1));
        if (english.length === translated.length) english.forEach((p, i) => push(p, translated[i]!));
        else if (english.length && translated.length) push(english.join(' '), translated.join(' '));
      } else {
        pushChoices(push, choices, lines[0]!);
      }
    }
  }
  return pairs;
}

/**
 * Pairs of a po-debconf catalog (a source package's `debian/po/<locale>.po`, from which the build merges the
 * templates' translations): each translated, non-fuzzy msgid with its msgstr, the msgid being a short description,
 * one paragraph of an extended one or (extracted comment `Choices`) a choice or comma-separated list of them, paired
 * item by item as in `pairTemplates`. Throws on text that is not a catalog.
 */
export function pairDebconfPo(input: Buffer | string, meta: Omit<RawPair, 'en' | 'text'>): RawPair[] {
  const pairs: RawPair[] = [];
  const push = trimmedPusher(pairs, meta);
  for (const context of Object.values(po.parse(input).translations)) {
    for (const entry of Object.values(context)) {
      const text = entry.msgstr[0];
      if (entry.msgid === '' || !text || isFuzzy(entry)) continue;
      if (entry.comments?.extracted?.split('\n').includes('Choices')) pushChoices(push, entry.msgid, text);
      else push(entry.msgid, text);
    }
  }
  return pairs;
}
