/** Seeded sampling and resampling helpers for evaluation: same seed, same stream. */
import { createRng } from '../core/rng.js';

export type Random = () => number;

/** Uniform floats in [0, 1) from a 32-bit seed: the trainer's generator (core/rng.ts), so one algorithm serves both. */
export function seededRandom(seed: number): Random {
  return createRng(seed).next;
}

/** Uniform integer in [0, n). */
export function randomInt(random: Random, n: number): number {
  return Math.floor(random() * n);
}

/** `n` items drawn without replacement (a partial Fisher–Yates shuffle), in their original order. */
export function sampleInOrder<T>(items: readonly T[], n: number, random: Random): T[] {
  if (n >= items.length) return [...items];
  const indexes = items.map((_, i) => i);
  for (let i = 0; i < n; i++) {
    const j = i + randomInt(random, indexes.length - i);
    [indexes[i], indexes[j]] = [indexes[j]!, indexes[i]!];
  }
  return indexes
    .slice(0, n)
    .sort((a, b) => a - b)
    .map((i) => items[i]!);
}

/** A stable 32-bit seed from a string (FNV-1a), so per-language samples do not depend on language order. */
export function seedOf(text: string, base = 0): number {
  let h = (0x811c9dc5 ^ base) >>> 0;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193) >>> 0;
  return h;
}
