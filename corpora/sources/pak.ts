import { gunzipSync } from 'node:zlib';
import type { RawPair } from '../types.js';

/** Chromium .pak encodings (ui/base/resource/data_pack.cc). */
const enum PakEncoding { Binary = 0, Utf8 = 1, Utf16 = 2 }

export interface PakFile {
  version: 4 | 5;
  encoding: number;
  /** Resource id → text (aliases resolved). Binary/compressed resources are left out. */
  strings: Map<number, string>;
}

/**
 * Parses a Chromium data pack.
 * v4: u32 version, u32 count, u8 encoding, then (count+1) × {u16 id, u32 offset}.
 * v5: u32 version, u8 encoding, 3 pad, u16 count, u16 aliasCount, (count+1) × {u16 id, u32 offset},
 *     aliasCount × {u16 id, u16 entryIndex}.
 * The extra entry marks the end of the last resource. All little-endian.
 */
export function parsePak(buffer: Buffer): PakFile {
  const version = buffer.readUInt32LE(0);
  let encoding: number;
  let count: number;
  let aliasCount = 0;
  let pos: number;
  if (version === 4) {
    count = buffer.readUInt32LE(4);
    encoding = buffer.readUInt8(8);
    pos = 9;
  } else if (version === 5) {
    encoding = buffer.readUInt8(4);
    count = buffer.readUInt16LE(8);
    aliasCount = buffer.readUInt16LE(10);
    pos = 12;
  } else {
    throw new Error(`unsupported .pak version ${version}`);
  }
  const entries: Array<{ id: number; offset: number }> = [];
  for (let i = 0; i <= count; i++) {
    entries.push({ id: buffer.readUInt16LE(pos), offset: buffer.readUInt32LE(pos + 2) });
    pos += 6;
  }
  const strings = new Map<number, string>();
  const decoded: Array<string | null> = [];
  for (let i = 0; i < count; i++) {
    const entry = entries[i]!;
    const next = entries[i + 1]!;
    const text = decodeResource(buffer.subarray(entry.offset, next.offset), encoding);
    decoded.push(text);
    if (text !== null) strings.set(entry.id, text);
  }
  for (let i = 0; i < aliasCount; i++) {
    const id = buffer.readUInt16LE(pos);
    const index = buffer.readUInt16LE(pos + 2);
    pos += 4;
    const text = decoded[index];
    if (text !== undefined && text !== null) strings.set(id, text);
  }
  return { version, encoding, strings };
}

function decodeResource(bytes: Buffer, encoding: number): string | null {
  if (bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b) {
    try { bytes = gunzipSync(bytes); } catch { return null; }
  }
  // Brotli-compressed resources carry Chromium's own header; they are never UI strings.
  if (bytes.length >= 2 && bytes[0] === 0x1e && bytes[1] === 0x9b) return null;
  if (encoding === PakEncoding.Utf16) return bytes.toString('utf16le');
  const text = bytes.toString('utf8');
  // BINARY packs may still hold text; keep it only if it decodes cleanly.
  if (encoding === PakEncoding.Binary && text.includes('\uFFFD')) return null;
  return text;
}

/**
 * ICU plurals/selects in Chromium strings ("{COUNT, plural, =1 {1 tab} other {# tabs}}") are reduced to their
 * `other` branch (or last branch), so both sides read as plain text.
 */
export function flattenIcuMessage(text: string): string {
  let out = '';
  let i = 0;
  while (i < text.length) {
    const match = /\{\s*\w+\s*,\s*(?:plural|select|selectordinal)\s*,/uy;
    match.lastIndex = i;
    if (text[i] === '{' && match.test(text)) {
      const end = matchingBrace(text, i);
      if (end < 0) return out + text.slice(i);
      out += pickBranch(text.slice(match.lastIndex, end));
      i = end + 1;
    } else {
      out += text[i];
      i++;
    }
  }
  return out;
}

function matchingBrace(text: string, open: number): number {
  let depth = 0;
  for (let i = open; i < text.length; i++) {
    if (text[i] === '{') depth++;
    else if (text[i] === '}' && --depth === 0) return i;
  }
  return -1;
}

function pickBranch(body: string): string {
  const branches: Array<{ key: string; value: string }> = [];
  let i = 0;
  while (i < body.length) {
    const open = body.indexOf('{', i);
    if (open < 0) break;
    const end = matchingBrace(body, open);
    if (end < 0) break;
    const key = body.slice(i, open).trim().split(/\s+/u).pop() ?? '';
    branches.push({ key, value: body.slice(open + 1, end) });
    i = end + 1;
  }
  const chosen = branches.find((b) => b.key === 'other') ?? branches[branches.length - 1];
  return chosen ? flattenIcuMessage(chosen.value).replace(/#/gu, ' ') : '';
}

/** Pairs an LRL pack with the en-US pack by resource id; LRL strings with no English become `missingEnglish`. */
export function pairPaks(english: PakFile, translated: PakFile, meta: { lang: string; source: string; pkg: string }):
  { pairs: RawPair[]; missingEnglish: string[] } {
  const pairs: RawPair[] = [];
  const missingEnglish: string[] = [];
  for (const [id, raw] of translated.strings) {
    const text = flattenIcuMessage(raw);
    const en = english.strings.get(id);
    if (en === undefined) missingEnglish.push(text);
    else pairs.push({ en: flattenIcuMessage(en), text, lang: meta.lang, source: meta.source, pkg: meta.pkg });
  }
  return { pairs, missingEnglish };
}
