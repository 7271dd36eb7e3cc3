/** Synthetic training data for tiny runs: a cipher language that only learning can align with English. */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { createRng } from '../../../core/rng.js';
import type { TeacherVectors } from '../../../models/train/trainer.js';

export const ENGLISH = 'water house child mother father school book road tree sun moon rain fire bread milk river mountain city village market friend teacher doctor money work food night day morning song'.split(' ');

/** A cipher language: every English word maps to an unrelated pseudo-word, so only learning can align them. */
function cipherWord(word: string, rng: ReturnType<typeof createRng>): string {
  const syllables = ['ka', 'zu', 'mbe', 'tso', 'nyi', 'gwa', 'hla', 'pho', 'ndi', 'qe'];
  return Array.from({ length: 2 + (word.length % 2) }, () => syllables[rng.int(syllables.length)]).join('');
}

/**
 * Writes `<dir>/train/xx.jsonl` (600 pairs of the cipher language "xx"); with `auxiliary`, also
 * `<dir>/mono/xx.jsonl` and `<dir>/morph/xx.jsonl` so that every training objective has data.
 */
export function writeSyntheticData(dir: string, { auxiliary = false } = {}): void {
  const rng = createRng(7);
  const lexicon = new Map(ENGLISH.map((w) => [w, cipherWord(w, rng)]));
  const lines: string[] = [];
  const seen = new Set<string>();
  while (lines.length < 600) {
    const words = Array.from({ length: 2 + rng.int(3) }, () => ENGLISH[rng.int(ENGLISH.length)]!);
    const en = words.join(' ');
    if (seen.has(en)) continue;
    seen.add(en);
    lines.push(JSON.stringify({ en, text: words.map((w) => lexicon.get(w)).join(' '), lang: 'xx', source: 'synthetic', pkg: 'test' }));
  }
  fs.mkdirSync(path.join(dir, 'train'), { recursive: true });
  fs.writeFileSync(path.join(dir, 'train', 'xx.jsonl'), `${lines.join('\n')}\n`);
  if (!auxiliary) return;
  const mono = Array.from({ length: 120 }, () =>
    JSON.stringify({ text: Array.from({ length: 3 + rng.int(4) }, () => lexicon.get(ENGLISH[rng.int(ENGLISH.length)]!)).join(' ') }),
  );
  const morph = [...lexicon.values()].map((stem) => JSON.stringify({ stem, forms: [stem, `wa${stem}`, `${stem}ni`, `ali${stem}`] }));
  for (const [kind, records] of [['mono', mono], ['morph', morph]] as const) {
    fs.mkdirSync(path.join(dir, kind), { recursive: true });
    fs.writeFileSync(path.join(dir, kind, 'xx.jsonl'), `${records.join('\n')}\n`);
  }
}

/** A deterministic stand-in for the English teacher: 8 dims from a hash of the text (so distillation is in play). */
export const SYNTHETIC_TEACHER: TeacherVectors = {
  dim: 8,
  lookup(text) {
    const bytes = crypto.createHash('sha256').update(text).digest();
    return Float32Array.from({ length: 8 }, (_, i) => bytes[i]! / 128 - 1);
  },
};
