/**
 * Word boundaries (Unicode UAX #29) for the common case, without ICU.
 *
 * Intl.Segmenter was most of the encoder's featurisation time. Almost all of our text is in scripts whose
 * words are delimited by spaces and punctuation (Latin, Cyrillic, Ethiopic), where UAX #29 reduces to a few rules:
 * letters, digits and '_' stick together (WB5, WB8–WB10, WB13a/b); a single ':' '·' '.' ''' '’' '‘' between
 * letters stays inside the word (WB6/7: "k:a", "e.g", "don't"); a single ',' ';' '.' ''' '’' '‘' between digits
 * stays inside the number (WB11/12: "1,000.5"); everything else breaks. `fastWordSegments` answers only for
 * texts made entirely of characters whose word-break class it knows and returns undefined otherwise, so the
 * caller falls back to ICU. It must agree with Intl.Segmenter exactly (the features of a trained model depend
 * on it): test/models/word-break.test.ts checks that on fuzzed strings and real text.
 */

const Cls = {
  Other: 0,
  Letter: 1,
  Digit: 2,
  ExtendNumLet: 3,
  /** Joins letters only. */
  MidLetter: 4,
  /** Joins digits only. */
  MidNum: 5,
  /** Joins letters or digits (MidNumLet and Single_Quote). */
  MidNumLet: 6,
} as const;

/** Letters of the blocks we handle (other letters, marks and unassigned code points are not known). */
const KNOWN_LETTER = /^[\p{L}]$/u;

function isKnownLetterBlock(cp: number): boolean {
  return (
    // Latin-1 letters, Latin Extended-A/B, IPA, and the modifier letters (Uzbek oʻ gʻ, the glottal stop ʼ of Hausa
    // and Quechua)
    (cp >= 0x00c0 && cp <= 0x02ff && cp !== 0x00d7 && cp !== 0x00f7) ||
    (cp >= 0x1e00 && cp <= 0x1eff) || // Latin Extended Additional (ẹ ọ ṣ …)
    (cp >= 0x0400 && cp <= 0x0481) || // Cyrillic, before the combining titlo marks
    (cp >= 0x048a && cp <= 0x052f) ||
    (cp >= 0x1200 && cp <= 0x135a) // Ethiopic syllables
  );
}

/**
 * Latin-1 and General Punctuation symbols that are plain separators for UAX #29 (class Other: a break on both
 * sides): dashes, typographic quotes, «», ¿¡, §, °, ellipsis, daggers, primes… Checked one by one against
 * Intl.Segmenter in every joining context (see test/models/word-break.test.ts); without them a passage with
 * one "‐" went to ICU, which made word segmentation 5× slower on such texts.
 */
const OTHER_PUNCTUATION: ReadonlyArray<readonly [number, number]> = [
  [0x00a1, 0x00a9], [0x00ab, 0x00ac], [0x00ae, 0x00b1], [0x00b4, 0x00b4], [0x00b6, 0x00b6], [0x00bb, 0x00bb], [0x00bf, 0x00bf],
  [0x00d7, 0x00d7], [0x00f7, 0x00f7],
  [0x2010, 0x2017], [0x201a, 0x2023], [0x2025, 0x2026], [0x2030, 0x203e], [0x2041, 0x2043], [0x2045, 0x2053], [0x2055, 0x205e],
];

function isOtherPunctuation(cp: number): boolean {
  for (const [lo, hi] of OTHER_PUNCTUATION) if (cp >= lo && cp <= hi) return true;
  return false;
}

/** Word-break class, or -1 when this character needs ICU. */
function computeClassOf(cp: number): number {
  if (cp < 0x80) {
    if ((cp >= 0x61 && cp <= 0x7a) || (cp >= 0x41 && cp <= 0x5a)) return Cls.Letter;
    if (cp >= 0x30 && cp <= 0x39) return Cls.Digit;
    switch (cp) {
      case 0x5f: return Cls.ExtendNumLet; // _
      case 0x3a: return Cls.MidLetter; // :
      case 0x2c: case 0x3b: return Cls.MidNum; // , ;
      case 0x2e: case 0x27: return Cls.MidNumLet; // . '
      case 0x20: return Cls.Other;
    }
    // Other printable ASCII punctuation and symbols break on both sides; control characters go to ICU.
    return cp > 0x20 && cp < 0x7f ? Cls.Other : -1;
  }
  if (cp === 0x00b7) return Cls.MidLetter; // ·
  if (cp === 0x2018 || cp === 0x2019) return Cls.MidNumLet; // ‘ ’
  if (isKnownLetterBlock(cp)) return KNOWN_LETTER.test(String.fromCodePoint(cp)) ? Cls.Letter : -1;
  return isOtherPunctuation(cp) ? Cls.Other : -1;
}

// computeClassOf for every BMP code unit, filled on first use (the letter test is a regex per call otherwise).
const UNKNOWN = -2;
const classCache = new Int8Array(0x10000).fill(UNKNOWN);

function classOf(unit: number): number {
  let c = classCache[unit]!;
  if (c === UNKNOWN) classCache[unit] = c = computeClassOf(unit);
  return c;
}

const isWordChar = (c: number) => c === Cls.Letter || c === Cls.Digit || c === Cls.ExtendNumLet;

/**
 * The word-like segments of `text` as Intl.Segmenter('und', { granularity: 'word' }) finds them, or undefined
 * when the text contains a character this fast path does not classify.
 */
export function fastWordSegments(text: string): string[] | undefined {
  const n = text.length;
  const classes = new Int8Array(n);
  for (let i = 0; i < n; i++) {
    const unit = text.charCodeAt(i);
    // Everything we classify is in the BMP and not a surrogate.
    if (unit >= 0xd800 && unit <= 0xdfff) return undefined;
    const c = classOf(unit);
    if (c < 0) return undefined;
    classes[i] = c;
  }
  const words: string[] = [];
  let i = 0;
  while (i < n) {
    if (!isWordChar(classes[i]!)) {
      i++;
      continue;
    }
    const start = i;
    let hasLetterOrDigit = false;
    for (;;) {
      const c = classes[i]!;
      if (c !== Cls.ExtendNumLet) hasLetterOrDigit = true;
      i++;
      if (i >= n) break;
      const next = classes[i]!;
      if (isWordChar(next)) continue;
      // A single middle character joins two letters (WB6/7) or two digits (WB11/12).
      if (i + 1 < n) {
        const after = classes[i + 1]!;
        if (c === Cls.Letter && after === Cls.Letter && (next === Cls.MidLetter || next === Cls.MidNumLet)) {
          i++;
          continue;
        }
        if (c === Cls.Digit && after === Cls.Digit && (next === Cls.MidNum || next === Cls.MidNumLet)) {
          i++;
          continue;
        }
      }
      break;
    }
    // ICU gives a lone '_' no word status, but a run of two or more of them counts as a word.
    if (hasLetterOrDigit || i - start >= 2) words.push(text.slice(start, i));
  }
  return words;
}
