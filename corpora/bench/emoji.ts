import { sha256Hex } from '../../core/hash.js';
import { normalizeText } from '../../text/normalize.js';
import type { BeirBench, BeirDoc, BeirQuery, BeirQrel } from './beir.js';

export interface EmojiAnnotation { keywords: string[]; tts: string[] }
/** emoji → annotation, merged from cldr-annotations-full and cldr-annotations-derived-full. */
export type EmojiAnnotations = Map<string, EmojiAnnotation>;

/** Reads one annotations.json (`annotations.annotations` or `annotationsDerived.annotations`) into `into`. */
export function readAnnotations(json: unknown, into: EmojiAnnotations = new Map()): EmojiAnnotations {
  const root = json as Record<string, { annotations?: Record<string, { default?: string[]; tts?: string[] }> }>;
  const table = root['annotations']?.annotations ?? root['annotationsDerived']?.annotations ?? {};
  for (const [emoji, value] of Object.entries(table)) {
    const entry = into.get(emoji) ?? { keywords: [], tts: [] };
    entry.keywords.push(...(value.default ?? []));
    entry.tts.push(...(value.tts ?? []));
    into.set(emoji, entry);
  }
  return into;
}

/** Skin-tone variants are near-duplicate documents ("waving hand: light skin tone"); they are left out. */
const SKIN_TONE = /[\u{1F3FB}-\u{1F3FF}]/u;

export const emojiDocId = (emoji: string): string =>
  `emoji-${[...emoji].map((c) => c.codePointAt(0)!.toString(16)).join('-')}`;

export function emojiDoc(annotation: EmojiAnnotation): string {
  const name = annotation.tts[0] ?? annotation.keywords[0] ?? '';
  const keywords = annotation.keywords.filter((k) => k !== name);
  return keywords.length ? `${name}: ${keywords.join(', ')}` : name;
}

/**
 * Query = one LRL keyword (unique after normalisation); relevant = every emoji carrying it, graded 2 when it is
 * the emoji's tts name, 1 when only a keyword. Keywords identical to an English keyword of a relevant emoji
 * ("DVD", "OK") are left out: they test string matching, not translation.
 */
export function buildEmojiBench(english: EmojiAnnotations, byLang: Map<string, EmojiAnnotations>): BeirBench {
  const corpus: BeirDoc[] = [];
  const englishNorms = new Map<string, Set<string>>();
  for (const [emoji, annotation] of english) {
    if (!annotation.tts.length && !annotation.keywords.length) continue;
    if (SKIN_TONE.test(emoji) && [...emoji].length > 1) continue;
    const id = emojiDocId(emoji);
    corpus.push({ _id: id, title: '', text: emojiDoc(annotation) });
    englishNorms.set(id, new Set([...annotation.keywords, ...annotation.tts].map((k) => normalizeText(k))));
  }
  const queries: BeirQuery[] = [];
  const qrels: BeirQrel[] = [];
  for (const lang of [...byLang.keys()].sort()) {
    const byKeyword = new Map<string, { text: string; docs: Map<string, number> }>();
    for (const [emoji, annotation] of byLang.get(lang)!) {
      const docId = emojiDocId(emoji);
      if (!englishNorms.has(docId)) continue;
      const tts = new Set(annotation.tts.map((t) => normalizeText(t)));
      for (const keyword of [...annotation.tts, ...annotation.keywords]) {
        const norm = normalizeText(keyword);
        if (!norm) continue;
        const slot = byKeyword.get(norm) ?? { text: keyword, docs: new Map<string, number>() };
        byKeyword.set(norm, slot);
        slot.docs.set(docId, Math.max(slot.docs.get(docId) ?? 0, tts.has(norm) ? 2 : 1));
      }
    }
    for (const [norm, { text, docs }] of byKeyword) {
      if ([...docs.keys()].some((d) => englishNorms.get(d)?.has(norm))) continue;
      const id = `${lang}-${sha256Hex(`${lang}\0${norm}`).slice(0, 12)}`;
      queries.push({ _id: id, text, lang });
      for (const [docId, score] of docs) qrels.push({ queryId: id, docId, score });
    }
  }
  corpus.sort((a, b) => (a._id < b._id ? -1 : 1));
  queries.sort((a, b) => (a._id < b._id ? -1 : 1));
  qrels.sort((a, b) => (a.queryId < b.queryId ? -1 : a.queryId > b.queryId ? 1 : a.docId < b.docId ? -1 : 1));
  return { corpus, queries, qrels };
}
