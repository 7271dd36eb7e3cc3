/**
 * Collections of your own vectors (encoder "none"): documents and search requests bring their vectors, nothing is
 * encoded. Each document is one passage (its whole text) with its vector. Vectors are compared by cosine like an
 * encoder's, so they are stored and searched L2-normalised (as Qdrant does for cosine).
 */
import { TafutaError } from '../core/errors.js';
import type { PassageSplitConfig } from './passages.js';
import { LIMITS } from './schemas.js';
import { ENCODER_NONE, type CollectionRecord, type DocumentInput } from './types.js';

/** Splitting that keeps every document whole: one passage, whose vector is the document's. */
export const WHOLE_DOCUMENT: PassageSplitConfig = Object.freeze({ maxChars: LIMITS.maxDocumentChars, overlapChars: 0 });

/**
 * A vector whose squared length is this close to 1 is stored as given: float32 rounding moves a unit vector's by
 * about 1e-7, so an exported vector indexes again bit for bit (and is recognised as unchanged).
 */
const UNIT_TOLERANCE = 1e-6;

export function hasOwnVectors(collection: { encoder: string }): boolean {
  return collection.encoder === ENCODER_NONE;
}

/**
 * The unit vector stored or searched for `values`, which must hold `dim` finite numbers, not all zero. `what` names
 * the vector in errors ('document "x"', 'the search vector').
 */
export function unitVectorOf(values: readonly number[], dim: number, what: string): Float32Array {
  if (values.length !== dim) {
    throw new TafutaError('INVALID_ARGUMENT', `${what}: vector has ${values.length} numbers, and the collection's vectors have ${dim} (its dim)`);
  }
  let largest = 0;
  for (const x of values) {
    if (!Number.isFinite(x)) throw new TafutaError('INVALID_ARGUMENT', `${what}: vector entries must be finite numbers`);
    largest = Math.max(largest, Math.abs(x));
  }
  if (largest === 0) throw new TafutaError('INVALID_ARGUMENT', `${what}: vector is all zeros, which has no direction to compare by cosine`);
  const given = Float32Array.from(values);
  let squared = 0;
  for (const x of given) squared += x * x;
  if (Math.abs(squared - 1) <= UNIT_TOLERANCE) return given;
  // Scaled by the largest entry first, so that neither 1e300 nor 1e-300 overflows or underflows on the way.
  let norm = 0;
  for (const x of values) norm += (x / largest) ** 2;
  norm = Math.sqrt(norm);
  return Float32Array.from(values, (x) => x / largest / norm);
}

/** A document's own unit vector: required in a collection with encoder "none", refused by every other. */
export function ownVectorOf(collection: CollectionRecord, document: DocumentInput): Float32Array | undefined {
  const what = `document "${document.id}"`;
  if (!hasOwnVectors(collection)) {
    if (document.vector === undefined) return undefined;
    throw new TafutaError(
      'INVALID_ARGUMENT',
      `${what}: collection "${collection.name}" encodes its documents with "${collection.encoder}"; only a collection created with encoder "${ENCODER_NONE}" takes their vectors`,
    );
  }
  if (document.vector === undefined) {
    throw new TafutaError('INVALID_ARGUMENT', `${what}: collection "${collection.name}" holds your own vectors (encoder "${ENCODER_NONE}"): every document needs a vector of ${collection.dim} numbers`);
  }
  return unitVectorOf(document.vector, collection.dim, what);
}
