import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { normalizeText, tokenize } from '../../text/normalize.js';
import type { BeirBench, BeirDoc, BeirQuery, BeirQrel } from './beir.js';
import { sha256Hex } from '../../core/hash.js';

export const MIN_QUERY_WORDS = 6;

/** sha1 of the message key, first hex digit 0–7 → dev, 8–f → held-out test (never written). */
export function mediawikiSplit(key: string): 'dev' | 'test' {
  const first = createHash('sha1').update(key, 'utf8').digest('hex')[0]!;
  return parseInt(first, 16) < 8 ? 'dev' : 'test';
}

const opaque = (salt: string, value: string): string =>
  sha256Hex(`${salt}\0${value}`).slice(0, 16);

/**
 * One corpus document per distinct (normalised) English text — several keys share "Edit" or "Cancel", and a
 * query must have one right answer. The id hashes the text, so it says nothing about keys or their half.
 */
export const mediawikiDocId = (englishText: string): string => `mw-${opaque('doc', normalizeText(englishText))}`;
export const mediawikiQueryId = (lang: string, key: string): string => `${lang}-${opaque(`query:${lang}`, key)}`;

export interface MediawikiMessages {
  english: Map<string, string>;
  /** lang → key → message */
  translated: Map<string, Map<string, string>>;
}

function readMessages(json: unknown): Map<string, string> {
  const out = new Map<string, string>();
  for (const [key, value] of Object.entries(json as Record<string, unknown>)) {
    if (key !== '@metadata' && typeof value === 'string' && value.trim()) out.set(key, value);
  }
  return out;
}

/** Every `i18n` directory under root that has an en.json; for each, en.json and `<lang>.json` for wanted langs. */
export async function loadMediawikiMessages(root: string, langs: readonly string[]): Promise<MediawikiMessages> {
  const messages: MediawikiMessages = { english: new Map(), translated: new Map() };
  const entries = await readdir(root, { recursive: true, withFileTypes: true });
  const dirs = entries
    .filter((e) => e.isFile() && e.name === 'en.json' && /(^|\/)i18n(\/|$)/u.test(e.parentPath))
    .map((e) => e.parentPath)
    .sort();
  for (const dir of dirs) {
    // Keys repeated across directories keep their first message (sorted order, so the build is stable).
    const addAll = (into: Map<string, string>, from: Map<string, string>): void => {
      for (const [k, v] of from) if (!into.has(k)) into.set(k, v);
    };
    addAll(messages.english, readMessages(JSON.parse(await readFile(join(dir, 'en.json'), 'utf8'))));
    for (const lang of langs) {
      let text: string;
      try { text = await readFile(join(dir, `${lang}.json`), 'utf8'); } catch { continue; }
      const into = messages.translated.get(lang) ?? new Map<string, string>();
      messages.translated.set(lang, into);
      addAll(into, readMessages(JSON.parse(text)));
    }
  }
  return messages;
}

/** Keys of one language that make a query: translated (differs from English) and ≥ MIN_QUERY_WORDS words. */
function queryKeys(messages: MediawikiMessages, lang: string): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  for (const [key, text] of messages.translated.get(lang) ?? []) {
    const en = messages.english.get(key);
    if (en === undefined) continue;
    if (tokenize(text).length < MIN_QUERY_WORDS) continue;
    if (normalizeText(text) === normalizeText(en)) continue;
    out.push([key, text]);
  }
  return out;
}

/** The dev benchmark: all English messages as corpus (whatever the split), dev-half LRL messages as queries. */
export function buildMediawikiBench(messages: MediawikiMessages): BeirBench {
  const docs = new Map<string, BeirDoc>();
  for (const key of [...messages.english.keys()].sort()) {
    const text = messages.english.get(key)!;
    const id = mediawikiDocId(text);
    if (!docs.has(id)) docs.set(id, { _id: id, title: '', text });
  }
  const corpus = [...docs.values()].sort((a, b) => (a._id < b._id ? -1 : 1));
  const queries: BeirQuery[] = [];
  const qrels: BeirQrel[] = [];
  for (const lang of [...messages.translated.keys()].sort()) {
    for (const [key, text] of queryKeys(messages, lang)) {
      if (mediawikiSplit(key) !== 'dev') continue;
      const id = mediawikiQueryId(lang, key);
      queries.push({ _id: id, text, lang });
      qrels.push({ queryId: id, docId: mediawikiDocId(messages.english.get(key)!), score: 1 });
    }
  }
  const order = (a: { _id: string }, b: { _id: string }): number => (a._id < b._id ? -1 : a._id > b._id ? 1 : 0);
  queries.sort(order);
  qrels.sort((a, b) => order({ _id: a.queryId }, { _id: b.queryId }));
  return { corpus, queries, qrels };
}

/**
 * Strings the leakage guard must cover: the English corpus and the query texts of BOTH halves, so that the
 * held-out test half stays clean too. Kept in memory only; never written or reported individually.
 */
export function mediawikiGuardStrings(messages: MediawikiMessages): string[] {
  const out = [...messages.english.values()];
  for (const lang of messages.translated.keys()) for (const [, text] of queryKeys(messages, lang)) out.push(text);
  return out;
}
