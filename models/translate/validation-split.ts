/**
 * translate-hybrid's fusion weights (`tafuta translate train`) and the mode `auto` runs per language (`tafuta
 * auto-modes`) are both chosen on the pairs the encoder's training held out. So that no mode is chosen on the pairs
 * a weight was fitted on, those pairs are halved by English string (every translation of a string falls in the same
 * half): the weights are fitted on one half, the modes chosen on the other.
 */
import crypto from 'node:crypto';

export type ValidationHalf = 'fusion-weights' | 'auto-modes';

export function validationHalfOf(en: string): ValidationHalf {
  return crypto.createHash('sha256').update(en).digest()[0]! % 2 === 0 ? 'fusion-weights' : 'auto-modes';
}
