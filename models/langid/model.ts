/**
 * A fastText-style linear language classifier over the encoder's hashed features: the logits are a bias plus
 * the mean of one row per feature id, and a softmax turns them into language probabilities. The loss and its
 * hand-written gradient live here (checked against finite differences in the tests); the trainer applies the
 * gradient sparsely, to the rows a text touches. At prediction time a script mask (script.ts) may rule out
 * labels whose training strings never use the text's writing system.
 */
import { featurize, type FeatureConfig } from '../features.js';
import type { LanguageGuess, LanguageIdentifier } from './identifier.js';
import { wordCount } from './data.js';
import { lengthBucket, type LengthBucket } from './metrics.js';
import { allowedLabels, dominantScript } from './script.js';

export type FloatArray = Float32Array | Float64Array;

export interface LangIdModel {
  features: FeatureConfig;
  /** Class labels (ISO 639 codes), in logit order. */
  labels: string[];
  /** Row-major [features.buckets × labels.length]. */
  weights: FloatArray;
  /** [labels.length] */
  bias: FloatArray;
}

export function createLangIdModel(features: FeatureConfig, labels: string[], dtype: 'float32' | 'float64' = 'float32'): LangIdModel {
  if (new Set(labels).size !== labels.length || labels.length < 2) throw new Error('labels must be ≥ 2 distinct codes');
  const Ctor = dtype === 'float32' ? Float32Array : Float64Array;
  return { features: { ...features }, labels: [...labels], weights: new Ctor(features.buckets * labels.length), bias: new Ctor(labels.length) };
}

/** logits = bias + (1/n) Σ_i W[ids_i]. `ids` must be non-empty. Writes into `out` (length = labels). */
export function logits(model: LangIdModel, ids: ArrayLike<number>, out: Float64Array): Float64Array {
  const k = model.labels.length;
  out.fill(0);
  for (let i = 0; i < ids.length; i++) {
    const row = ids[i]! * k;
    for (let c = 0; c < k; c++) out[c]! += model.weights[row + c]!;
  }
  const inv = 1 / ids.length;
  for (let c = 0; c < k; c++) out[c] = model.bias[c]! + out[c]! * inv;
  return out;
}

/** Numerically stable softmax, in place. */
export function softmaxInPlace(z: Float64Array): Float64Array {
  let max = -Infinity;
  for (let c = 0; c < z.length; c++) if (z[c]! > max) max = z[c]!;
  let sum = 0;
  for (let c = 0; c < z.length; c++) {
    z[c] = Math.exp(z[c]! - max);
    sum += z[c]!;
  }
  for (let c = 0; c < z.length; c++) z[c]! /= sum;
  return z;
}

export function probabilities(model: LangIdModel, ids: ArrayLike<number>, out = new Float64Array(model.labels.length)): Float64Array {
  return softmaxInPlace(logits(model, ids, out));
}

/** Distinct ids of a text with their multiplicities (the gradient of a row scales with its count). */
export function countIds(ids: ArrayLike<number>): { rows: Uint32Array; counts: Uint32Array } {
  const sorted = Uint32Array.from(ids as ArrayLike<number>).sort();
  const rows: number[] = [];
  const counts: number[] = [];
  for (let i = 0; i < sorted.length; i++) {
    if (i > 0 && sorted[i] === sorted[i - 1]) counts[counts.length - 1]!++;
    else {
      rows.push(sorted[i]!);
      counts.push(1);
    }
  }
  return { rows: Uint32Array.from(rows), counts: Uint32Array.from(counts) };
}

export interface Gradient {
  loss: number;
  /** ∂L/∂z (= ∂L/∂bias), length = labels. */
  dLogits: Float64Array;
  /** Touched rows; ∂L/∂W[rows[j], c] = rowScale[j] · dLogits[c]. */
  rows: Uint32Array;
  rowScale: Float64Array;
}

/**
 * Weighted cross-entropy L = −w · log p_y and its gradient. With z = b + (1/n) Σ_i W[ids_i]:
 * ∂L/∂z_c = w (p_c − [c = y]), ∂L/∂b_c = ∂L/∂z_c, ∂L/∂W[r, c] = (count_r / n) ∂L/∂z_c.
 */
export function lossAndGradient(model: LangIdModel, ids: ArrayLike<number>, label: number, weight = 1): Gradient {
  const p = probabilities(model, ids);
  const loss = -weight * Math.log(Math.max(p[label]!, 1e-300));
  const dLogits = new Float64Array(p.length);
  for (let c = 0; c < p.length; c++) dLogits[c] = weight * (p[c]! - (c === label ? 1 : 0));
  const { rows, counts } = countIds(ids);
  const rowScale = new Float64Array(rows.length);
  for (let j = 0; j < rows.length; j++) rowScale[j] = counts[j]! / ids.length;
  return { loss, dLogits, rows, rowScale };
}

export interface Prediction {
  lang: string;
  probability: number;
}

/** Zeroes the labels not `allowed` and renormalises (a softmax over the allowed labels only), in place. */
export function maskInPlace(p: Float64Array, allowed: ArrayLike<number> | undefined): Float64Array {
  if (!allowed) return p;
  let sum = 0;
  for (let c = 0; c < p.length; c++) {
    if (!allowed[c]) p[c] = 0;
    sum += p[c]!;
  }
  if (sum > 0) for (let c = 0; c < p.length; c++) p[c]! /= sum;
  return p;
}

/** The most probable (allowed) label of already-featurised ids (undefined for no features). */
export function predictIds(model: LangIdModel, ids: ArrayLike<number>, scratch = new Float64Array(model.labels.length), allowed?: ArrayLike<number>): Prediction | undefined {
  if (ids.length === 0) return undefined;
  const p = maskInPlace(probabilities(model, ids, scratch), allowed);
  let best = 0;
  for (let c = 1; c < p.length; c++) if (p[c]! > p[best]!) best = c;
  return { lang: model.labels[best]!, probability: p[best]! };
}

/** Key of `lengthThresholds` for texts whose script has no threshold of its own. */
export const DEFAULT_THRESHOLD_GROUP = 'default';

/**
 * Per threshold group (a script with its own threshold, or DEFAULT_THRESHOLD_GROUP) and length bucket: the
 * threshold that replaces the group's length-blind one for texts of that many words.
 */
export type LengthThresholds = Readonly<Record<string, Readonly<Partial<Record<LengthBucket, number>>>>>;

export interface IdentifierThresholds {
  /** Default threshold (texts whose script has none of its own). */
  threshold: number;
  /** Per dominant script: the mask renormalises over fewer labels (2 for Ethiopic), so one threshold does not fit all. */
  scriptThresholds?: Readonly<Record<string, number>> | undefined;
  /** Per script group and length bucket: a one-word query is far less certain than a sentence at the same p. */
  lengthThresholds?: LengthThresholds | undefined;
}

/**
 * The threshold of a text written mostly in `script` with `words()` words: its script's (else the default) for its
 * length bucket when there is one, else its script's length-blind one, else the default.
 */
export function thresholdOf(thresholds: IdentifierThresholds, script: string | undefined, words: () => number): number {
  const scriptThreshold = script !== undefined ? thresholds.scriptThresholds?.[script] : undefined;
  const group = scriptThreshold !== undefined ? script! : DEFAULT_THRESHOLD_GROUP;
  return thresholds.lengthThresholds?.[group]?.[lengthBucket(words())] ?? scriptThreshold ?? thresholds.threshold;
}

export interface TrainedLanguageIdentifier extends LanguageIdentifier {
  readonly model: LangIdModel;
  /** Default threshold (texts whose script has none of its own). */
  readonly threshold: number;
  /** The threshold that applies to a text (thresholdOf its dominant script and word count). */
  thresholdFor(text: string): number;
  /** The top label whatever its probability (undefined only for texts without features). */
  predict(text: string): Prediction | undefined;
  /** Full distribution, by label (undefined for texts without features). */
  distribution(text: string): Record<string, number> | undefined;
}

/**
 * The seam implementation: `identify` answers only when the top probability reaches `threshold`, so callers
 * fall back to "no adapter" when the model is unsure or the text has no features. With `scripts` (the scripts
 * each label's training strings use), labels that never write the text's dominant script are ruled out first.
 */
export function createTrainedLanguageIdentifier(
  model: LangIdModel,
  options: IdentifierThresholds & {
    name: string;
    scripts?: Readonly<Record<string, readonly string[]>> | undefined;
  },
): TrainedLanguageIdentifier {
  const scratch = new Float64Array(model.labels.length);
  const thresholdFor = (text: string): number => thresholdOf(options, dominantScript(text), () => wordCount(text));
  const allowed = (text: string) => allowedLabels(model.labels, options.scripts, dominantScript(text));
  const predict = (text: string): Prediction | undefined => predictIds(model, featurize(text, model.features), scratch, allowed(text));
  return {
    name: options.name,
    model,
    threshold: options.threshold,
    thresholdFor,
    predict,
    identify(text: string): LanguageGuess | undefined {
      const top = predict(text);
      if (top === undefined || top.probability < thresholdFor(text)) return undefined;
      return { lang: top.lang, confidence: top.probability };
    },
    distribution(text: string) {
      const ids = featurize(text, model.features);
      if (ids.length === 0) return undefined;
      const p = maskInPlace(probabilities(model, ids), allowed(text));
      return Object.fromEntries(model.labels.map((l, c) => [l, p[c]!]));
    },
  };
}
