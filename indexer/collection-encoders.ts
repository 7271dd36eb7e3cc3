/**
 * Which encoder a collection uses: the one a new collection records, the loaded one of an existing collection's
 * name, and whether its vectors can still be compared with the loaded encoder's (ENCODER_CHANGED when not).
 */
import type { EncoderRegistry } from '../models/registry.js';
import type { Encoder, EncoderInfo } from '../models/encoder.js';
import { TafutaError } from '../core/errors.js';
import { hasOwnVectors } from './own-vectors.js';
import { LIMITS } from './schemas.js';
import { ENCODER_NONE, type CollectionRecord } from './types.js';

/** How a collection's recorded encoder differs from the loaded one, in words; undefined when they match. */
export function encoderChange(collection: CollectionRecord, info: EncoderInfo): string | undefined {
  if (collection.dim !== info.dim) return `a ${collection.dim}-d "${collection.encoder}", and the loaded one is ${info.dim}-d`;
  if (collection.encoderVersion !== null && info.version !== undefined && collection.encoderVersion !== info.version) {
    return `"${collection.encoder}" version ${collection.encoderVersion}, and the loaded one is version ${info.version}`;
  }
  return undefined;
}

/** The loaded encoder of the collection's name, whatever its version (UNKNOWN_ENCODER when none is loaded). */
export function loadedEncoderOf(encoders: EncoderRegistry, collection: CollectionRecord): Encoder {
  const encoder = encoders.get(collection.encoder);
  if (!encoder) {
    throw new TafutaError('UNKNOWN_ENCODER', `collection "${collection.name}" uses encoder "${collection.encoder}", which is not loaded`);
  }
  return encoder;
}

/** The collection's encoder; undefined for a collection of your own vectors (encoder "none"). */
export function encoderFor(encoders: EncoderRegistry, collection: CollectionRecord): Encoder | undefined {
  if (hasOwnVectors(collection)) return undefined;
  const encoder = loadedEncoderOf(encoders, collection);
  const changed = encoderChange(collection, encoder.info);
  if (changed) {
    throw new TafutaError(
      'ENCODER_CHANGED',
      `collection "${collection.name}" was indexed with ${changed}: its vectors cannot be compared with the loaded encoder's; run "tafuta reindex -c ${collection.name}" (or load the old model)`,
      { collection: collection.name, encoder: collection.encoder },
    );
  }
  return encoder;
}

/** What a new collection records as its encoder: a loaded one (by default the default), or "none" with a dim. */
export function newCollectionEncoder(
  encoders: EncoderRegistry,
  options: { encoder?: string | undefined; dim?: number | undefined },
): EncoderInfo | { name: string; dim: number } {
  if (options.encoder === ENCODER_NONE) {
    const { dim } = options;
    if (dim === undefined || !Number.isInteger(dim) || dim < 1 || dim > LIMITS.maxVectorDim) {
      throw new TafutaError('INVALID_ARGUMENT', `encoder "${ENCODER_NONE}" (your own vectors) needs dim, the length of the vectors: an integer from 1 to ${LIMITS.maxVectorDim}`);
    }
    return { name: ENCODER_NONE, dim };
  }
  if (options.dim !== undefined) throw new TafutaError('INVALID_ARGUMENT', `dim goes with encoder "${ENCODER_NONE}" only: an encoder's vectors have the encoder's dim`);
  const encoderName = options.encoder ?? encoders.defaultName;
  const encoder = encoders.get(encoderName);
  if (!encoder) {
    throw new TafutaError('UNKNOWN_ENCODER', `encoder "${encoderName}" is not loaded; available: ${[...encoders.list().map((e) => e.name), ENCODER_NONE].join(', ')}`);
  }
  return encoder.info;
}
