import { createHash } from 'node:crypto';
import { normalizeText, segmentWords, stripMarkup } from '../text/normalize.js';
import type { DropReason, MonoRecord, Pair, RawPair } from './types.js';

/** Output form of a string: markup removed, whitespace collapsed, case and diacritics kept. */
export function tidy(text: string): string {
  return stripMarkup(text.normalize('NFC')).replace(/\s+/gu, ' ').trim();
}

/** The leakage guard: normalised benchmark strings. */
export function buildGuard(strings: Iterable<string>): Set<string> {
  const guard = new Set<string>();
  for (const s of strings) {
    const norm = normalizeText(s);
    if (norm) guard.add(norm);
  }
  return guard;
}

export interface CleanOptions {
  guard: ReadonlySet<string>;
  /** Drop when the longer normalised side exceeds `maxRatio × shorter + ratioSlack` characters. */
  maxRatio: number;
  /** Additive slack so that very short strings ("OK" ↔ "Sawa") are not judged by ratio alone. */
  ratioSlack: number;
}

export const DEFAULT_CLEAN_OPTIONS: Omit<CleanOptions, 'guard'> = { maxRatio: 4, ratioSlack: 10 };

export type Verdict<T> = { keep: true; record: T } | { keep: false; reason: DropReason };

/**
 * Stateful pair filter (dedup spans every call on one cleaner, so use one cleaner per language).
 * Several translations of one English string are distinct (en, text) keys and all stay.
 */
export function createPairCleaner(options: CleanOptions): (raw: RawPair) => Verdict<Pair> {
  const seen = new Set<string>();
  return (raw) => {
    const en = tidy(raw.en);
    const text = tidy(raw.text);
    const normEn = normalizeText(en);
    const normText = normalizeText(text);
    if (!normEn || !normText) return { keep: false, reason: 'empty' };
    if (normEn === normText) return { keep: false, reason: 'untranslated' };
    const [a, b] = [[...normEn].length, [...normText].length];
    if (Math.max(a, b) > options.maxRatio * Math.min(a, b) + options.ratioSlack) return { keep: false, reason: 'length-ratio' };
    if (options.guard.has(normEn) || options.guard.has(normText)) return { keep: false, reason: 'leak' };
    const key = `${normEn}\t${normText}`;
    if (seen.has(key)) return { keep: false, reason: 'duplicate' };
    seen.add(key);
    const pair: Pair = { en, text, lang: raw.lang, source: raw.source, pkg: raw.pkg };
    if (segmentWords(normEn).length < 2) pair.short = true;
    return { keep: true, record: pair };
  };
}

/** Monolingual filter: empty, leak, duplicate. */
export function createMonoCleaner(guard: ReadonlySet<string>): (raw: MonoRecord) => Verdict<MonoRecord> {
  const seen = new Set<string>();
  return (raw) => {
    const text = tidy(raw.text);
    const norm = normalizeText(text);
    if (!norm) return { keep: false, reason: 'empty' };
    if (guard.has(norm)) return { keep: false, reason: 'leak' };
    if (seen.has(norm)) return { keep: false, reason: 'duplicate' };
    seen.add(norm);
    return { keep: true, record: { text, lang: raw.lang, source: raw.source } };
  };
}

/**
 * At most `maxPairs` pairs, chosen by the SHA-1 of each pair's text (so the sample does not depend on package or
 * file order), returned in input order; `left` holds the others.
 */
export function samplePairs(pairs: readonly Pair[], maxPairs: number): { kept: Pair[]; left: Pair[] } {
  if (pairs.length <= maxPairs) return { kept: [...pairs], left: [] };
  const rank = pairs.map((p, i) => ({ i, key: createHash('sha1').update(`${p.en}\t${p.text}`).digest('hex') }));
  rank.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : a.i - b.i));
  const chosen = new Set(rank.slice(0, maxPairs).map((r) => r.i));
  const kept: Pair[] = [];
  const left: Pair[] = [];
  pairs.forEach((p, i) => (chosen.has(i) ? kept : left).push(p));
  return { kept, left };
}
