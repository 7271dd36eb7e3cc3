/**
 * Hashed word + character n-gram features (fastText-style): the featurisation shared by every encoder
 * we train or ship. Agglutinative forms share n-grams ("ninapenda" / "alipenda" share "pend", "enda>"),
 * which is what lets a bag-of-features encoder see morphology.
 */
import { segmentWords, normalizeText } from '../text/normalize.js';
import type { SubwordSegmenter } from './subwords.js';

export interface FeatureConfig {
  /** Number of hash buckets (rows of the embedding table). */
  buckets: number;
  /** Character n-gram lengths, inclusive, over `<word>` with boundary marks. */
  minN: number;
  maxN: number;
  /** Also emit one feature for the whole word. */
  words: boolean;
  /** Also emit one feature per learned subword unit of "<word>" (models/subwords.ts), whole word and single characters left out. */
  subwords?: SubwordSegmenter | undefined;
}

export const DEFAULT_FEATURE_CONFIG: FeatureConfig = Object.freeze({ buckets: 1 << 19, minN: 3, maxN: 5, words: true });

const FNV_OFFSET = 0x811c9dc5;
const FNV_PRIME = 0x01000193;
/** Distinct seeds keep word features and n-gram features in separate hash streams. */
const WORD_SEED = fnv1aByte(FNV_OFFSET, 0x01);
const NGRAM_SEED = fnv1aByte(FNV_OFFSET, 0x02);
const SUBWORD_SEED = fnv1aByte(FNV_OFFSET, 0x03);

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

// Scratch buffers reused across words: the UTF-8 bytes of "<word>", where each code point starts, and the
// n-gram hashes by start position (one row per n). Featurisation is synchronous, so sharing them is safe.
let wordBytes = new Uint8Array(256);
let cpStarts = new Int32Array(128);
let gramHashes = new Uint32Array(128 * 8);

function encodeMarkedWord(word: string): number {
  if (wordBytes.length < 4 * word.length + 8) wordBytes = new Uint8Array(8 * word.length + 16);
  if (cpStarts.length < word.length + 3) cpStarts = new Int32Array(2 * word.length + 8);
  let bytes = 0;
  let cps = 0;
  cpStarts[cps++] = bytes;
  wordBytes[bytes++] = BOW;
  for (let i = 0; i < word.length; i++) {
    let cp = word.charCodeAt(i);
    if (cp >= 0xd800 && cp <= 0xdbff && i + 1 < word.length) {
      const low = word.charCodeAt(i + 1);
      if (low >= 0xdc00 && low <= 0xdfff) {
        cp = 0x10000 + ((cp - 0xd800) << 10) + (low - 0xdc00);
        i++;
      }
    }
    cpStarts[cps++] = bytes;
    if (cp < 0x80) {
      wordBytes[bytes++] = cp;
    } else if (cp < 0x800) {
      wordBytes[bytes++] = 0xc0 | (cp >> 6);
      wordBytes[bytes++] = 0x80 | (cp & 0x3f);
    } else if (cp < 0x10000) {
      wordBytes[bytes++] = 0xe0 | (cp >> 12);
      wordBytes[bytes++] = 0x80 | ((cp >> 6) & 0x3f);
      wordBytes[bytes++] = 0x80 | (cp & 0x3f);
    } else {
      wordBytes[bytes++] = 0xf0 | (cp >> 18);
      wordBytes[bytes++] = 0x80 | ((cp >> 12) & 0x3f);
      wordBytes[bytes++] = 0x80 | ((cp >> 6) & 0x3f);
      wordBytes[bytes++] = 0x80 | (cp & 0x3f);
    }
  }
  cpStarts[cps++] = bytes;
  wordBytes[bytes++] = EOW;
  cpStarts[cps] = bytes; // sentinel: the end of the last code point
  return cps;
}

/** A growable id buffer: featurisation appends here instead of to a number[] (about twice as fast). */
interface IdBuffer {
  ids: Uint32Array;
  length: number;
}

function reserve(buf: IdBuffer, more: number): void {
  if (buf.length + more <= buf.ids.length) return;
  const grown = new Uint32Array(Math.max(2 * buf.ids.length, buf.length + more));
  grown.set(buf.ids.subarray(0, buf.length));
  buf.ids = grown;
}

function appendWordFeatures(word: string, config: FeatureConfig, buf: IdBuffer): void {
  const { minN, maxN, buckets } = config;
  const cps = encodeMarkedWord(word); // code points including the two marks
  reserve(buf, 1 + (maxN - minN + 1) * cps);
  const out = buf.ids;
  let at = buf.length;
  if (config.words) {
    let h = WORD_SEED;
    for (let b = cpStarts[1]!; b < cpStarts[cps - 1]!; b++) h = fnv1aByte(h, wordBytes[b]!);
    out[at++] = h % buckets;
  }
  const rows = maxN - minN + 1;
  if (gramHashes.length < rows * cps) gramHashes = new Uint32Array(2 * rows * cps);
  for (let i = 0; i + minN <= cps; i++) {
    let h = NGRAM_SEED;
    let b = cpStarts[i]!;
    for (let n = 1; n <= maxN && i + n <= cps; n++) {
      for (const end = cpStarts[i + n]!; b < end; b++) h = fnv1aByte(h, wordBytes[b]!);
      if (n >= minN) gramHashes[(n - minN) * cps + i] = h;
    }
  }
  for (let n = minN; n <= maxN; n++) {
    if (n > cps) break;
    // The full "<word>" n-gram duplicates the word feature; fastText skips it the same way.
    if (config.words && n === cps) continue;
    const row = (n - minN) * cps;
    for (let i = 0; i + n <= cps; i++) out[at++] = gramHashes[row + i]! % buckets;
  }
  buf.length = at;
  if (config.subwords) appendSubwordFeatures(word, config.subwords, buckets, buf);
}

// Hashes of each word's units (before the modulo), per segmenter: featurising the same words again is the common case.
const subwordHashes = new WeakMap<SubwordSegmenter, Map<string, Uint32Array>>();
const SUBWORD_HASH_CACHE = 1 << 17;

function unitHashes(word: string, segmenter: SubwordSegmenter): Uint32Array {
  let cache = subwordHashes.get(segmenter);
  if (!cache) subwordHashes.set(segmenter, (cache = new Map()));
  let hashes = cache.get(word);
  if (hashes) return hashes;
  const units = segmenter.segment(`<${word}>`);
  const kept: number[] = [];
  // One unit is the whole word, which the word feature stands for; single characters say too little.
  if (units.length > 1) {
    for (const unit of units) {
      const cps = Array.from(unit, (c) => c.codePointAt(0)!);
      if (cps.length > 1) kept.push(fnv1aCodePoints(cps, 0, cps.length, SUBWORD_SEED));
    }
  }
  hashes = Uint32Array.from(kept);
  if (cache.size >= SUBWORD_HASH_CACHE) cache.clear();
  cache.set(word, hashes);
  return hashes;
}

function appendSubwordFeatures(word: string, segmenter: SubwordSegmenter, buckets: number, buf: IdBuffer): void {
  const hashes = unitHashes(word, segmenter);
  reserve(buf, hashes.length);
  for (let i = 0; i < hashes.length; i++) buf.ids[buf.length++] = hashes[i]! % buckets;
}

/**
 * Feature ids (bucket indices, repeats kept) of one already-segmented word: the word itself, then its
 * character n-grams of "<word>" by length and position. FNV-1a runs over UTF-8 bytes; n-grams starting at the
 * same position share their prefix hash, so each start is hashed once up to maxN code points.
 */
export function wordFeatureIds(word: string, config: FeatureConfig, out: number[]): void {
  wordScratch.length = 0;
  appendWordFeatures(word, config, wordScratch);
  for (let i = 0; i < wordScratch.length; i++) out.push(wordScratch.ids[i]!);
}

// Shared by the synchronous functions here and copied out before they return.
const wordScratch: IdBuffer = { ids: new Uint32Array(256), length: 0 };
const scratch: IdBuffer = { ids: new Uint32Array(4096), length: 0 };

function featurizeIntoScratch(text: string, config: FeatureConfig): void {
  scratch.length = 0;
  for (const word of segmentWords(normalizeText(text))) appendWordFeatures(word, config, scratch);
}

/** Normalises, segments and hashes a text into feature ids (repeats kept, in order). Empty when the text has no words. */
export function featurize(text: string, config: FeatureConfig = DEFAULT_FEATURE_CONFIG): Uint32Array {
  featurizeIntoScratch(text, config);
  return scratch.ids.slice(0, scratch.length);
}

/**
 * Features of each word in `words` (repeats kept), laid out back to back: word i's ids are
 * `ids[offsets[i], offsets[i + 1])`. Every feature belongs to one word, so a text's features are the
 * concatenation of its words' features; this is what lets an encoder cache per-word sums.
 */
export function featurizeWords(words: readonly string[], config: FeatureConfig): { ids: Uint32Array; offsets: Uint32Array } {
  scratch.length = 0;
  const offsets = new Uint32Array(words.length + 1);
  for (let i = 0; i < words.length; i++) {
    appendWordFeatures(words[i]!, config, scratch);
    offsets[i + 1] = scratch.length;
  }
  return { ids: scratch.ids.slice(0, scratch.length), offsets };
}

/** A text's features as a bag: each distinct id once, with how often it occurs. */
export interface FeatureBag {
  /** Distinct feature ids in order of first occurrence. */
  ids: Uint32Array;
  /** multiplicity[i]: occurrences of ids[i]; the multiplicities sum to `count`. */
  multiplicity: Float32Array;
  /** Features including repeats (`featurize(text).length`). */
  count: number;
}

// Where each bucket sits in the bag being built: slot[id] is valid when stamp[id] === generation. One pair of
// arrays per bucket count, so deduplication is O(features) with no clearing between texts.
const dedupTables = new Map<number, { slot: Int32Array; stamp: Uint32Array; generation: number }>();
let bagIds = new Uint32Array(4096);
let bagCounts = new Float32Array(4096);

/** featurize(), with repeated ids merged: the pooled mean is the same and the encoder does ~30% less work on passages. */
export function featureBag(text: string, config: FeatureConfig = DEFAULT_FEATURE_CONFIG): FeatureBag {
  featurizeIntoScratch(text, config);
  let table = dedupTables.get(config.buckets);
  if (!table) {
    table = { slot: new Int32Array(config.buckets), stamp: new Uint32Array(config.buckets), generation: 0 };
    dedupTables.set(config.buckets, table);
  }
  if (++table.generation > 0xfffffffe) {
    table.stamp.fill(0);
    table.generation = 1;
  }
  const { slot, stamp, generation } = table;
  if (bagIds.length < scratch.length) {
    bagIds = new Uint32Array(2 * scratch.length);
    bagCounts = new Float32Array(2 * scratch.length);
  }
  const ids = bagIds;
  const counts = bagCounts;
  let distinct = 0;
  for (let i = 0; i < scratch.length; i++) {
    const id = scratch.ids[i]!;
    if (stamp[id] === generation) {
      counts[slot[id]!]! += 1;
    } else {
      stamp[id] = generation;
      slot[id] = distinct;
      ids[distinct] = id;
      counts[distinct++] = 1;
    }
  }
  return { ids: ids.slice(0, distinct), multiplicity: counts.slice(0, distinct), count: scratch.length };
}
