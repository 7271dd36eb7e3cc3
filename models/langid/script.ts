/**
 * Writing systems, as a mask on the classifier's output: a text written in Lao script is not Tigrinya, however
 * its (hashed, possibly colliding, possibly unseen) n-grams vote. Which scripts each language uses is counted
 * on its training strings, so the mask is learned from the same data as the weights, not written by hand.
 */

/** Scripts told apart; letters of any other script count as 'Other'. */
const SCRIPTS: ReadonlyArray<readonly [string, RegExp]> = [
  'Latin', 'Cyrillic', 'Ethiopic', 'Arabic', 'Lao', 'Tibetan', 'Mongolian', 'Greek', 'Armenian', 'Georgian', 'Hebrew',
  'Devanagari', 'Bengali', 'Thai', 'Khmer', 'Myanmar', 'Han', 'Hiragana', 'Katakana', 'Hangul', 'Tifinagh', 'Vai',
].map((name) => [name, new RegExp(`^\\p{Script=${name}}$`, 'u')] as const);
const LETTER = /^\p{L}$/u;

/** The script most of a text's letters are written in (undefined: no letters). Ties go to the earlier script. */
export function dominantScript(text: string): string | undefined {
  const counts = new Map<string, number>();
  for (const ch of text) {
    if (!LETTER.test(ch)) continue;
    const script = SCRIPTS.find(([, pattern]) => pattern.test(ch))?.[0] ?? 'Other';
    counts.set(script, (counts.get(script) ?? 0) + 1);
  }
  let best: string | undefined;
  let bestCount = 0;
  for (const [script, count] of counts) {
    if (count > bestCount) {
      best = script;
      bestCount = count;
    }
  }
  return best;
}

/** Per label, the scripts of at least `minShare` of its strings (sorted), from per-label script counts. */
export function labelScripts(counts: ReadonlyMap<string, ReadonlyMap<string, number>>, minShare: number): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const [label, perScript] of counts) {
    const total = [...perScript.values()].reduce((a, b) => a + b, 0);
    out[label] = [...perScript.entries()].filter(([, n]) => total > 0 && n / total >= minShare).map(([s]) => s).sort();
  }
  return out;
}

/**
 * Which labels a text may get: those whose training strings use the text's dominant script. Undefined (no
 * restriction) when the text has no letters or no label uses its script.
 */
export function allowedLabels(labels: readonly string[], scripts: Readonly<Record<string, readonly string[]>> | undefined, script: string | undefined): Uint8Array | undefined {
  if (!scripts || script === undefined) return undefined;
  const allowed = Uint8Array.from(labels, (l) => (scripts[l]?.includes(script) ? 1 : 0));
  return allowed.some((a) => a === 1) ? allowed : undefined;
}
