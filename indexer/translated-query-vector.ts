/**
 * Mode 'translate-dense': the query's vector moved towards its English translation. Each query word's weighted English
 * terms (the translation tables of mode 'translate') are embedded as English words; their probability-weighted sum over
 * the query's words, normalised, is added to the normalised query vector with equal weight. Dense search then runs on
 * the result. The encoder maps English best — it is the side every adapter aligns to — so the translation carries what
 * the encoder does not know of a low-resource word, and the query's own vector what the tables miss.
 */
import { l2NormalizeInPlace, type Encoder } from '../models/encoder.js';
import type { QueryTranslator } from '../models/translate/translator.js';
import { normalisedSum } from './vector-store.js';

const ENGLISH = 'en';

/** Σ over the query's words of Σ weight · embed(term), normalised; undefined when no term has features. */
export async function translationVector(encoder: Encoder, translator: QueryTranslator, query: string, lang: string | undefined): Promise<Float32Array | undefined> {
  const words = translator.translate(query, lang);
  const terms = [...new Set(words.flatMap((word) => word.map((t) => t.term)))];
  if (terms.length === 0) return undefined;
  const vectors = await encoder.embed(terms, { kind: 'query', lang: ENGLISH });
  const vectorOf = new Map(terms.map((term, i) => [term, vectors[i]!]));
  const sum = new Float32Array(encoder.info.dim);
  for (const word of words) {
    for (const { term, weight } of word) {
      const v = vectorOf.get(term)!;
      for (let d = 0; d < sum.length; d++) sum[d]! += weight * v[d]!;
    }
  }
  return sum.some((x) => x !== 0) ? l2NormalizeInPlace(sum) : undefined;
}

/** normalise(query + translation); either alone when the other has no features; undefined when neither has. */
export function combinedQueryVector(query: Float32Array | undefined, translation: Float32Array | undefined): Float32Array | undefined {
  if (!query || !translation) return query ?? translation;
  return normalisedSum(query, translation);
}
