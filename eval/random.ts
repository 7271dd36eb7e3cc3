/** A small seeded generator (mulberry32) for reproducible sampling and resampling: same seed, same stream. */
export type Random = () => number;

/** Uniform floats in [0, 1) from a 32-bit seed. */
export function seededRandom(seed: number): Random {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
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
