/**
 * The untrained baseline: a deterministic random projection of the hashed feature bag.
 *
 * Each feature bucket owns a fixed pseudo-random ±1 row generated from its id (no table is stored), and a text
 * is the mean of its rows, L2-normalised. This is the "untrained (random feature rows)" model of the
 * calibration notes: it matches surface n-gram overlap and nothing more, which is exactly what a baseline
 * should be. No randomness at run time, no files, no network.
 */
import { DEFAULT_FEATURE_CONFIG, featurize, type FeatureConfig } from './features.js';
import { l2NormalizeInPlace, type EmbedOptions, type Encoder, type EncoderInfo } from './encoder.js';

export interface HashedNgramEncoderOptions {
  dim?: number;
  features?: FeatureConfig;
  seed?: number;
}

export const HASHED_NGRAM_ENCODER_NAME = 'hashed-ngram-v1';

/** splitmix32: a small, well-mixed generator; the row of feature f is the stream seeded by (seed, f). */
function splitmix32(state: number): number {
  state = (state + 0x9e3779b9) | 0;
  let z = state;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
  return (z ^ (z >>> 16)) >>> 0;
}

export function createHashedNgramEncoder(options: HashedNgramEncoderOptions = {}): Encoder {
  const dim = options.dim ?? 256;
  const features = options.features ?? DEFAULT_FEATURE_CONFIG;
  const seed = options.seed ?? 0x7a1f;
  if (!Number.isInteger(dim) || dim <= 0 || dim % 32 !== 0) throw new Error(`dim must be a positive multiple of 32, got ${dim}`);

  const info: EncoderInfo = {
    name: HASHED_NGRAM_ENCODER_NAME,
    dim,
    description:
      `Untrained baseline: hashed words + character ${features.minN}-${features.maxN}-grams ` +
      `(${features.buckets} buckets), random ±1 projection to ${dim} dims, mean-pooled, L2-normalised. ` +
      'Matches surface overlap only; not a trained model.',
    // Its vectors are a function of these settings alone.
    version: `dim${dim}-b${features.buckets}-n${features.minN}-${features.maxN}${features.words ? '-w' : ''}-s${seed}`,
    kind: 'hashed',
  };

  function embedOne(text: string): Float32Array {
    const v = new Float32Array(dim);
    const ids = featurize(text, features);
    for (const id of ids) {
      let state = Math.imul(id, 0x27d4eb2d) ^ seed;
      for (let block = 0; block < dim; block += 32) {
        state = splitmix32(state);
        let bits = state;
        for (let j = 0; j < 32; j++, bits >>>= 1) v[block + j]! += (bits & 1) === 1 ? 1 : -1;
      }
    }
    return l2NormalizeInPlace(v);
  }

  return {
    info,
    async embed(texts: readonly string[], _options: EmbedOptions): Promise<Float32Array[]> {
      return texts.map(embedOne);
    },
  };
}
