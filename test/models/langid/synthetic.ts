/** A synthetic 3-language task for the language-identifier tests: each language builds words from its own syllables. */
import { createRng } from '../../../core/rng.js';

export const SYLLABLES: Record<string, string[]> = {
  aa: ['ka', 'ma', 'ta', 'na', 'la'],
  bb: ['zo', 'vo', 'xo', 'qo', 'ro'],
  cc: ['ish', 'esh', 'ush', 'osh', 'ith'],
};

/** `count` strings of 1–5 words per language, seeded. */
export function syntheticStrings(count: number, seed: number): Array<{ text: string; lang: string }> {
  const rng = createRng(seed);
  const out: Array<{ text: string; lang: string }> = [];
  for (const [lang, syllables] of Object.entries(SYLLABLES)) {
    for (let i = 0; i < count; i++) {
      const words = Array.from({ length: 1 + rng.int(5) }, () => Array.from({ length: 2 + rng.int(3) }, () => syllables[rng.int(syllables.length)]!).join(''));
      out.push({ text: words.join(' '), lang });
    }
  }
  return out;
}
