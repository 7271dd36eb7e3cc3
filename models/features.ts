/**
 * Hashed word + character n-gram features (fastText-style): the featurisation shared by every encoder
 * we train or ship. Agglutinative forms share n-grams ("ninapenda" / "alipenda" share "pend", "enda>"),
 * which is what lets a bag-of-features encoder see morphology.
 */
import { segmentWords, normalizeText } from './text/normalize.js';

export interface FeatureConfig {
  /** Number of hash buckets (rows of the embedding table). */
  buckets: number;
  /** Character n-gram lengths, inclusive, over `<word>` with boundary marks. */
  minN: number;
  maxN: number;
  /** Also emit one feature for the whole word. */
  words: boolean;
}

export const DEFAULT_FEATURE_CONFIG: FeatureConfig = Object.freeze({ buckets: 1 << 19, minN: 3, maxN: 5, words: true });

const FNV_OFFSET = 0x811c9dc5;
const FNV_PRIME = 0x01000193;
/** Distinct seeds keep word features and n-gram features in separate hash streams. */
const WORD_SEED = fnv1aByte(FNV_OFFSET, 0x01);
const NGRAM_SEED = fnv1aByte(FNV_OFFSET, 0x02);

function fnv1aByte(hash: number, byte: number): number {
  return Math.imul(hash ^ byte, FNV_PRIME) >>> 0;
}

/** FNV-1a over the UTF-8 bytes of code points `cps[start, end)`, starting from `seed`. */
export function fnv1aCodePoints(cps: ArrayLike<number>, start: number, end: number, seed = FNV_OFFSET): number {
  let h = seed;
  for (let i = start; i < end; i++) {
    const cp = cps[i]!;
    if (cp < 0x80) {
      h = fnv1aByte(h, cp);
    } else if (cp < 0x800) {
      h = fnv1aByte(h, 0xc0 | (cp >> 6));
      h = fnv1aByte(h, 0x80 | (cp & 0x3f));
    } else if (cp < 0x10000) {
      h = fnv1aByte(h, 0xe0 | (cp >> 12));
      h = fnv1aByte(h, 0x80 | ((cp >> 6) & 0x3f));
      h = fnv1aByte(h, 0x80 | (cp & 0x3f));
    } else {
      h = fnv1aByte(h, 0xf0 | (cp >> 18));
      h = fnv1aByte(h, 0x80 | ((cp >> 12) & 0x3f));
      h = fnv1aByte(h, 0x80 | ((cp >> 6) & 0x3f));
      h = fnv1aByte(h, 0x80 | (cp & 0x3f));
    }
  }
  return h;
}

/** FNV-1a 32-bit of a string's UTF-8 bytes (the plain hash, for tests and tooling). */
export function fnv1a(text: string): number {
  const cps = Array.from(text, (c) => c.codePointAt(0)!);
  return fnv1aCodePoints(cps, 0, cps.length);
}

const BOW = '<'.codePointAt(0)!;
const EOW = '>'.codePointAt(0)!;

/** Feature ids (bucket indices, repeats kept) of one already-segmented word. */
export function wordFeatureIds(word: string, config: FeatureConfig, out: number[]): void {
  const cps: number[] = [BOW];
  for (const ch of word) cps.push(ch.codePointAt(0)!);
  cps.push(EOW);
  if (config.words) out.push(fnv1aCodePoints(cps, 1, cps.length - 1, WORD_SEED) % config.buckets);
  for (let n = config.minN; n <= config.maxN; n++) {
    if (n > cps.length) break;
    for (let i = 0; i + n <= cps.length; i++) {
      // The full "<word>" n-gram duplicates the word feature; fastText skips it the same way.
      if (config.words && n === cps.length) continue;
      out.push(fnv1aCodePoints(cps, i, i + n, NGRAM_SEED) % config.buckets);
    }
  }
}

/** Normalises, segments and hashes a text into feature ids. Empty when the text has no words. */
export function featurize(text: string, config: FeatureConfig = DEFAULT_FEATURE_CONFIG): Uint32Array {
  const ids: number[] = [];
  for (const word of segmentWords(normalizeText(text))) wordFeatureIds(word, config, ids);
  return Uint32Array.from(ids);
}
