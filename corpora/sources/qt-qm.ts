/**
 * Qt's compiled translation catalogs (`.qm`, written by `lrelease`), read as Qt's own loader reads them
 * (qtbase `src/corelib/kernel/qtranslator.cpp`): a 16-byte magic number, then blocks of `tag: u8, length: u32 BE,
 * payload`. The messages block (0x69) is a run of records of tagged fields ending in 0x01; each record keeps its
 * UTF-8 source text (0x06) beside the UTF-16BE translations (0x03, one per plural form), so no `.ts` is needed.
 */
import { basename, dirname, join } from 'node:path';
import type { RawPair } from '../types.js';
import { copiedFrom } from './pair-by-key.js';
import { stripMnemonic } from './gettext.js';

export const QM_MAGIC = Buffer.from('3cb86418caef9c95cd211cbf60a1bddd', 'hex');

/** Block tags (QTranslatorEntryTypes); the hash, context and numerus blocks only serve lookups. */
const BLOCK_MESSAGES = 0x69;
const BLOCK_LANGUAGE = 0xa7;

/** Field tags of one message record. */
const TAG_END = 0x01;
const TAG_SOURCE_TEXT16 = 0x02;
const TAG_TRANSLATION = 0x03;
const TAG_CONTEXT16 = 0x04;
const TAG_OBSOLETE1 = 0x05;
const TAG_SOURCE_TEXT = 0x06;
const TAG_CONTEXT = 0x07;
const TAG_COMMENT = 0x08;
/** A translation of this length is a null string (QDataStream's encoding of an unfinished form): no payload. */
const NULL_STRING = 0xffffffff;

export interface QmMessage {
  context: string;
  /** Empty when the file was stripped of source texts (`lrelease -nocompress` keeps them; some builds drop them). */
  source: string;
  comment: string;
  /** One per plural form; null for a form left untranslated. */
  translations: Array<string | null>;
}

export interface QmFile {
  /** The catalog's declared language (`<TS language="…">`), when lrelease recorded one. */
  language: string | null;
  messages: QmMessage[];
}

function utf16be(bytes: Buffer): string {
  if (bytes.length % 2) throw new Error('odd-length UTF-16 string');
  return Buffer.from(bytes).swap16().toString('utf16le');
}

/** Parses a `.qm` file. Throws on a buffer without the magic number or with a truncated block or record. */
export function parseQm(buffer: Buffer): QmFile {
  if (buffer.length < QM_MAGIC.length || !buffer.subarray(0, QM_MAGIC.length).equals(QM_MAGIC)) throw new Error('not a .qm file (bad magic number)');
  let language: string | null = null;
  let messages: Buffer | null = null;
  for (let pos = QM_MAGIC.length; pos + 5 <= buffer.length;) {
    const tag = buffer[pos]!;
    const length = buffer.readUInt32BE(pos + 1);
    pos += 5;
    if (pos + length > buffer.length) throw new Error(`block 0x${tag.toString(16)} runs past the end of the file`);
    if (tag === BLOCK_MESSAGES) messages = buffer.subarray(pos, pos + length);
    if (tag === BLOCK_LANGUAGE) language = buffer.subarray(pos, pos + length).toString('utf8') || null;
    pos += length;
  }
  return { language, messages: messages ? parseMessages(messages) : [] };
}

function parseMessages(block: Buffer): QmMessage[] {
  const out: QmMessage[] = [];
  let current: QmMessage = { context: '', source: '', comment: '', translations: [] };
  let pos = 0;
  const field = (): Buffer => {
    if (pos + 4 > block.length) throw new Error(`message field at byte ${pos} is truncated`);
    const length = block.readUInt32BE(pos);
    pos += 4;
    if (length === NULL_STRING) return Buffer.alloc(0);
    if (pos + length > block.length) throw new Error(`message field at byte ${pos - 4} runs past the messages block`);
    pos += length;
    return block.subarray(pos - length, pos);
  };
  while (pos < block.length) {
    const tag = block[pos++]!;
    switch (tag) {
      case TAG_END:
        out.push(current);
        current = { context: '', source: '', comment: '', translations: [] };
        break;
      case TAG_TRANSLATION: {
        const isNull = pos + 4 <= block.length && block.readUInt32BE(pos) === NULL_STRING;
        const bytes = field();
        current.translations.push(isNull ? null : utf16be(bytes));
        break;
      }
      case TAG_SOURCE_TEXT: current.source = field().toString('utf8'); break;
      case TAG_CONTEXT: current.context = field().toString('utf8'); break;
      case TAG_COMMENT: current.comment = field().toString('utf8'); break;
      case TAG_SOURCE_TEXT16: current.source = utf16be(field()); break;
      case TAG_CONTEXT16: current.context = utf16be(field()); break;
      case TAG_OBSOLETE1: pos += 4; break;
      default: throw new Error(`unknown message tag 0x${tag.toString(16)} at byte ${pos - 1}`);
    }
  }
  return out;
}

/**
 * The locale a `.qm` path is named for: the directory above `LC_MESSAGES` (KDE), else the file name's last
 * `_`/`.`/`-`-separated token, or the last two when the last is a region or script (`app_bo`, `bo_CN`,
 * `scribus.so`, `mscore_mn_MN`, `qshutdown-uz`). Null when neither looks like a language code.
 */
export function qmLocale(path: string): string | null {
  const dir = dirname(path);
  if (basename(dir) === 'LC_MESSAGES') return basename(dirname(dir));
  const tokens = basename(path, '.qm').split(/[_.-]/u);
  const last = tokens[tokens.length - 1] ?? '';
  const lang = (token: string | undefined): boolean => token !== undefined && /^[a-z]{2,3}(@[a-z]+)?$/u.test(token);
  if (lang(last)) return last;
  const previous = tokens[tokens.length - 2];
  if (tokens.length >= 2 && /^([A-Z]{2}|[A-Z][a-z]{3})(@[a-z]+)?$/u.test(last) && lang(previous)) return `${previous}_${last}`;
  return null;
}

/**
 * What a catalog is a translation of, with the locale taken out of its path: the same key for `app_bo.qm` and
 * `app_zh_CN.qm` in one directory, or for `bo/LC_MESSAGES/x.qm` and `ru/LC_MESSAGES/x.qm`.
 */
export function qmCatalogKey(path: string, locale: string): string {
  const dir = dirname(path);
  if (basename(dir) === 'LC_MESSAGES') return join(dirname(dirname(dir)), '*', 'LC_MESSAGES', basename(path));
  return join(dir, `${basename(path, '.qm').slice(0, -locale.length)}*.qm`);
}

/**
 * Source text ↔ first translation of each message (the singular; the other plural forms pair with no English
 * of their own). Records without a source text, empty or null translations, and translations copied from the same
 * source text's translation in a `fallbacks` catalog (`copiedFrom`: Russian left in the Kyrgyz and Uzbek catalogs,
 * Spanish in the Quechua one) are skipped.
 */
export function pairsFromQm(file: QmFile, fallbacks: readonly QmFile[], meta: { lang: string; source: string; pkg: string }): RawPair[] {
  const fallbackTexts = fallbacks.map((f) => {
    const bySource = new Map<string, string>();
    for (const m of f.messages) if (m.translations[0] && !bySource.has(m.source)) bySource.set(m.source, m.translations[0]);
    return bySource;
  });
  const pairs: RawPair[] = [];
  for (const message of file.messages) {
    const text = message.translations[0]?.trim();
    if (!message.source.trim() || !text) continue;
    if (fallbackTexts.some((f) => copiedFrom(text, f.get(message.source)))) continue;
    pairs.push({ en: stripMnemonic(message.source), text: stripMnemonic(text), lang: meta.lang, source: meta.source, pkg: meta.pkg });
  }
  return pairs;
}
