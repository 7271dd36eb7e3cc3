/**
 * How a Hugging Face model directory is encoded with: pooling, prefixes, maximum length and ONNX file, read from
 * the model's own files (config.json, tokenizer_config.json and the sentence-transformers files modules.json,
 * <pooling>/config.json, sentence_bert_config.json, config_sentence_transformers.json) and overridden by an
 * optional `tafuta.json` next to them.
 */
import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { TafutaError } from '../../core/errors.js';
import { formatIssues } from '../../core/issues.js';

export const TRANSFORMERS_OVERRIDES_FILE = 'tafuta.json';

/** transformers.js dtypes and the ONNX file each loads (`onnx/model<suffix>.onnx`), in the order a default is looked for. */
const DTYPE_SUFFIXES = { fp32: '', q8: '_quantized', fp16: '_fp16', int8: '_int8', uint8: '_uint8', q4: '_q4' } as const;
export type TransformersDtype = keyof typeof DTYPE_SUFFIXES;
export const TRANSFORMERS_DTYPES = Object.keys(DTYPE_SUFFIXES) as TransformersDtype[];

export type Pooling = 'mean' | 'cls';

const overridesSchema = z
  .object({
    name: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._+-]{0,127}$/).optional(),
    description: z.string().optional(),
    pooling: z.enum(['mean', 'cls']).optional(),
    prefixes: z.object({ query: z.string(), passage: z.string() }).strict().optional(),
    dtype: z.enum(TRANSFORMERS_DTYPES as [TransformersDtype, ...TransformersDtype[]]).optional(),
    maxLength: z.number().int().min(2).optional(),
  })
  .strict();
export type TransformersOverrides = z.infer<typeof overridesSchema>;

export interface TransformersSettings {
  name: string;
  description: string;
  pooling: Pooling;
  /** Whether the model itself ends in a Normalize module (informative: tafuta always L2-normalises, its index is cosine). */
  modelNormalizes: boolean;
  prefixes: { query: string; passage: string };
  dtype: TransformersDtype;
  /** The ONNX file `dtype` loads, relative to the model directory. */
  onnxFile: string;
  /** Tokens per text, special tokens included; longer texts are truncated. */
  maxLength: number;
}

/** A transformers model directory: config.json + tokenizer.json + onnx/model*.onnx (ours have model.json instead). */
export function isTransformersModelDir(dir: string): boolean {
  const has = (file: string) => fs.existsSync(path.join(dir, file));
  if (has('model.json') || !has('config.json') || !has('tokenizer.json')) return false;
  return TRANSFORMERS_DTYPES.some((dtype) => has(onnxFileOf(dtype)));
}

/** A file that a clone without `git lfs pull` left as a Git LFS pointer (a few lines of text) instead of its content. */
function isLfsPointer(file: string): boolean {
  if (fs.statSync(file).size > 1024) return false;
  return fs.readFileSync(file, 'utf8').startsWith('version https://git-lfs.github.com/spec/');
}

function checkNotLfsPointer(dir: string, file: string): void {
  if (isLfsPointer(path.join(dir, file))) throw new TafutaError('INPUT_FILE', `${path.join(dir, file)} is a Git LFS pointer: run \`git lfs pull --include "${file}"\` in ${dir}`);
}

export const onnxFileOf = (dtype: TransformersDtype): string => path.join('onnx', `model${DTYPE_SUFFIXES[dtype]}.onnx`);

function readJson(file: string): unknown {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (err) {
    throw new TafutaError('INPUT_FILE', `${file}: ${(err as NodeJS.ErrnoException).code === 'ENOENT' ? 'not found' : (err as Error).message}`);
  }
}

function readOptionalJson(file: string): Record<string, unknown> | undefined {
  if (!fs.existsSync(file)) return undefined;
  const json = readJson(file);
  if (typeof json !== 'object' || json === null || Array.isArray(json)) throw new TafutaError('INPUT_FILE', `${file}: expected a JSON object`);
  return json as Record<string, unknown>;
}

const positiveInt = (value: unknown): number | undefined => (Number.isInteger(value) && (value as number) > 0 ? (value as number) : undefined);

interface SentenceTransformersModules {
  /** Undefined without a Pooling module. */
  pooling: Pooling | undefined;
  /** A pooling mode tafuta cannot run (max, last token…), with its config file. */
  unsupported?: string;
  normalizes: boolean;
}

/** Pooling and normalisation of a sentence-transformers model (modules.json). */
function sentenceTransformersModules(dir: string): SentenceTransformersModules {
  const modules = readJson(path.join(dir, 'modules.json'));
  if (!Array.isArray(modules)) throw new TafutaError('INPUT_FILE', `${path.join(dir, 'modules.json')}: expected a list of modules`);
  const typed = modules as { type?: unknown; path?: unknown }[];
  const normalizes = typed.some((m) => typeof m.type === 'string' && m.type.endsWith('.Normalize'));
  const poolingModule = typed.find((m) => typeof m.type === 'string' && m.type.endsWith('.Pooling'));
  if (!poolingModule || typeof poolingModule.path !== 'string') return { pooling: undefined, normalizes };
  const config = readOptionalJson(path.join(dir, poolingModule.path, 'config.json')) ?? {};
  if (config.pooling_mode_cls_token === true) return { pooling: 'cls', normalizes };
  if (config.pooling_mode_mean_tokens === true) return { pooling: 'mean', normalizes };
  const mode = Object.keys(config).find((key) => key.startsWith('pooling_mode_') && config[key] === true) ?? 'none';
  return { pooling: undefined, unsupported: `${path.join(dir, poolingModule.path, 'config.json')}: ${mode}`, normalizes };
}

/** The dtype to load: the override, else fp32 when onnx/model.onnx is there, else the first variant there (LFS pointers do not count). */
function chooseDtype(dir: string, requested: TransformersDtype | undefined): TransformersDtype {
  const present = TRANSFORMERS_DTYPES.filter((dtype) => fs.existsSync(path.join(dir, onnxFileOf(dtype))) && !isLfsPointer(path.join(dir, onnxFileOf(dtype))));
  if (requested !== undefined) {
    if (!present.includes(requested)) {
      throw new TafutaError('INPUT_FILE', `${dir}: dtype ${requested} needs ${onnxFileOf(requested)}, which is missing (present: ${present.join(', ') || 'none'})`);
    }
    return requested;
  }
  const first = present[0];
  if (first === undefined) throw new TafutaError('INPUT_FILE', `${dir}: no onnx/model*.onnx file`);
  return first;
}

/** RoBERTa-like models number positions from pad_token_id + 1 (XLM-R: 514 positions, 512 tokens). */
const POSITIONS_AFTER_PADDING = new Set(['roberta', 'xlm-roberta', 'camembert', 'mpnet']);

/** How many tokens the position table covers. */
function usablePositions(config: Record<string, unknown>): number | undefined {
  const positions = positiveInt(config.max_position_embeddings);
  if (positions === undefined || !POSITIONS_AFTER_PADDING.has(String(config.model_type))) return positions;
  const pad = Number.isInteger(config.pad_token_id) ? (config.pad_token_id as number) : 1;
  return positions - pad - 1;
}

export function readTransformersSettings(dir: string): TransformersSettings {
  const overridesFile = path.join(dir, TRANSFORMERS_OVERRIDES_FILE);
  const parsed = overridesSchema.safeParse(readOptionalJson(overridesFile) ?? {});
  if (!parsed.success) throw new TafutaError('INPUT_FILE', `${overridesFile} is invalid: ${formatIssues(parsed.error)}`);
  const overrides = parsed.data;
  const config = readOptionalJson(path.join(dir, 'config.json')) ?? {};
  const tokenizerConfig = readOptionalJson(path.join(dir, 'tokenizer_config.json')) ?? {};
  const stConfig = readOptionalJson(path.join(dir, 'sentence_bert_config.json')) ?? {};
  const stPrompts = (readOptionalJson(path.join(dir, 'config_sentence_transformers.json'))?.prompts ?? {}) as Record<string, unknown>;
  const st = fs.existsSync(path.join(dir, 'modules.json')) ? sentenceTransformersModules(dir) : undefined;
  if (st?.unsupported !== undefined && overrides.pooling === undefined) {
    throw new TafutaError('INPUT_FILE', `pooling ${st.unsupported} is not supported (mean or cls); set "pooling" in ${TRANSFORMERS_OVERRIDES_FILE}`);
  }

  const positions = usablePositions(config);
  const declared = overrides.maxLength ?? positiveInt(stConfig.max_seq_length) ?? positiveInt(tokenizerConfig.model_max_length) ?? positions;
  if (declared === undefined) throw new TafutaError('INPUT_FILE', `${dir}: no maximum length (config.json max_position_embeddings, or "maxLength" in ${TRANSFORMERS_OVERRIDES_FILE})`);
  // tokenizer_config.json says 1e30 when it does not know; the position table is the hard limit.
  const maxLength = positions === undefined ? declared : Math.min(declared, positions);
  const prompt = (value: unknown) => (typeof value === 'string' ? value : '');
  const dtype = chooseDtype(dir, overrides.dtype);
  checkNotLfsPointer(dir, 'tokenizer.json');
  const modelType = typeof config.model_type === 'string' ? config.model_type : 'transformer';
  const pooling = overrides.pooling ?? st?.pooling ?? 'mean';
  const modelNormalizes = st?.normalizes ?? false;
  return {
    name: overrides.name ?? path.basename(path.resolve(dir)),
    description:
      overrides.description ??
      `Hugging Face ${modelType} encoder (transformers.js, ${dtype}): ${pooling} pooling, at most ${maxLength} tokens, ` +
        `L2-normalised${modelNormalizes ? '' : ' by tafuta (the model has no Normalize module)'}.`,
    pooling,
    modelNormalizes,
    prefixes: overrides.prefixes ?? { query: prompt(stPrompts.query), passage: prompt(stPrompts.passage ?? stPrompts.document) },
    dtype,
    onnxFile: onnxFileOf(dtype),
    maxLength,
  };
}
