/** The seam between text and vectors: every encoder (baseline, CMTP, ONNX) implements this. */

export type EmbedKind = 'query' | 'passage';

export interface EmbedOptions {
  kind: EmbedKind;
  /** One language for the whole batch, or one per text (undefined = unknown). Routes language adapters. */
  lang?: string | readonly (string | undefined)[] | undefined;
}

/** What `mode: "auto"` runs for a query language, measured per language (eval/auto-modes.ts). */
export type AutoMode = 'dense' | 'hybrid' | 'translate-hybrid' | 'translate' | 'translate-dense';

export interface AutoModes {
  /** Per query language. */
  languages: Record<string, AutoMode>;
  /** Queries whose language is unknown (identifier unsure) or not in `languages`. */
  default: AutoMode;
}

/** hashed = the untrained baseline, cmtp-onnx = our exported models (model.json), transformers = Hugging Face models, adapted = any of these with language adapters (adapted-encoder.json). */
export type EncoderKind = 'hashed' | 'cmtp-onnx' | 'transformers' | 'adapted';

export interface EncoderInfo {
  name: string;
  dim: number;
  /** Human-readable: what the encoder is and how it was trained (or that it is untrained). */
  description: string;
  /** Languages that have a dedicated adapter, if any. */
  adapters?: string[];
  /** The measured `auto` rule, when the model carries one (else `auto` follows the adapters). */
  autoModes?: AutoModes;
  /**
   * Identifies the weights (e.g. a hash of the model file): vectors of two versions of one encoder name are not
   * comparable, so collections remember the version they were indexed with.
   */
  version?: string;
  kind?: EncoderKind;
  /** The model directory it was loaded from (none for the built-in baseline). */
  source?: string;
}

/** What an encoder that truncates its input reads: tokens per text (as it would embed it as a passage), and the most it takes. */
export interface TokenLimit {
  maxTokens: number;
  countTokens(texts: readonly string[]): number[];
}

export interface Encoder {
  readonly info: EncoderInfo;
  /** Returns one L2-normalised vector of length `info.dim` per text. */
  embed(texts: readonly string[], options: EmbedOptions): Promise<Float32Array[]>;
  /** For encoders that truncate long input (transformers): the engine splits passages so that none is truncated. */
  readonly tokenLimit?: TokenLimit;
  close?(): Promise<void>;
}

/** Language of text i under EmbedOptions.lang. */
export function langAt(lang: EmbedOptions['lang'], i: number): string | undefined {
  if (lang === undefined || typeof lang === 'string') return lang;
  return lang[i];
}

export function l2NormalizeInPlace(v: Float32Array): Float32Array {
  let sum = 0;
  for (let i = 0; i < v.length; i++) sum += v[i]! * v[i]!;
  if (sum > 0) {
    const inv = 1 / Math.sqrt(sum);
    for (let i = 0; i < v.length; i++) v[i]! *= inv;
  }
  return v;
}
