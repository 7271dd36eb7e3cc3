/**
 * Exports encoder weights as an ONNX graph and writes the model directory that createOnnxEncoder loads.
 * Kept free of onnxruntime so the trainer can write models without loading it.
 *
 * Graph (the math of reference.ts), format version 3 — a bag of distinct features, no padding:
 *   ids int32 [n] (each text's distinct feature ids, concatenated), rows int64 [n] (the text each id belongs to),
 *   multiplicity float32 [n] (how often the id occurs in its text), counts float32 [batch] (features per text,
 *   repeats included; the graph takes only the batch size from it), adapter int64 [batch] (only with adapters)
 *   m = multiplicity (× w[ids] with pooling weights)
 *   v = ScatterND-add(zeros[batch, dim], rows, m · Gather(table, ids))   (the sum; see the ScatterND below)
 *   → v + U_a (V_aᵀ v) with U, V gathered per row from [nAdapters+1, dim, rank] stacks (row 0 all zero)
 *   → v / max(|v|, NORM_EPS) → embedding float32 [batch, dim]
 * Work is proportional to the number of distinct features (a 300-character passage repeats ~30% of its n-grams).
 * Older graphs still load (onnx-encoder.ts): version 2 took every feature with its repeats and no multiplicity;
 * version 1 padded ids and a mask to [batch, seq].
 */
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import onnxProto from 'onnx-proto';
import type { onnx as proto } from 'onnx-proto';
import { z } from 'zod';
import { TafutaError } from '../../core/errors.js';
import { sha256Hex } from '../../core/hash.js';
import { formatIssues } from '../../core/issues.js';
import type { FeatureConfig } from '../features.js';
import { formatSubwordMerges, parseSubwordMerges, SubwordSegmenter } from '../subwords.js';
import { bytesOf, floatTensorProto, int64TensorProto, intAttr, intsAttr, node, stringAttr, tensorAttr, tensorInput } from './graph-proto.js';
import { NORM_EPS, float32ToFloat16Bits, quantizeRowsInt8, validateWeights, type EncoderWeights } from './reference.js';

const { onnx } = onnxProto;
const { DataType } = onnx.TensorProto;

/** ScatterND's `reduction` attribute needs opset 16. */
export const ONNX_OPSET = 16;
export const ONNX_INPUT_IDS = 'ids';
export const ONNX_INPUT_ROWS = 'rows';
export const ONNX_INPUT_COUNTS = 'counts';
export const ONNX_INPUT_MULTIPLICITY = 'multiplicity';
export const ONNX_INPUT_ADAPTER = 'adapter';
/** Version 1 graphs only: the padding mask that sat next to [batch, seq] ids. */
export const ONNX_INPUT_MASK = 'mask';
export const ONNX_OUTPUT = 'embedding';

export type TableDtype = 'float32' | 'float16' | 'int8';

export interface ExportOptions {
  /**
   * float16 halves the file; int8 (symmetric, one scale per row) quarters it. The graph casts gathered rows back
   * to float32 (and rescales int8 rows). Default float32.
   */
  tableDtype?: TableDtype;
}

/** Stacks per-language [n, dim, rank] weights under an all-zero identity block (index 0). */
function withIdentity(values: Float32Array, blockSize: number): Float32Array {
  const out = new Float32Array(values.length + blockSize);
  out.set(values, blockSize);
  return out;
}

/** Serialised ONNX ModelProto of the encoder graph for `weights`. */
export function exportEncoderOnnx(weights: EncoderWeights, options: ExportOptions = {}): Uint8Array {
  validateWeights(weights);
  const { buckets, dim, table, adapters } = weights;
  const dtype = options.tableDtype ?? 'float32';

  const initializer: proto.ITensorProto[] = [
    int64TensorProto('axis1', [1]),
    int64TensorProto('dim_shape', [dim]),
    floatTensorProto('norm_eps', [], Float32Array.of(NORM_EPS)),
  ];
  const nodes: proto.INodeProto[] = [];
  if (weights.featureWeights) initializer.push(floatTensorProto('feature_weight', [buckets], weights.featureWeights));
  // 'feature_vectors' [n, dim]: each (text, feature) slot's table row times the slot's weight — its multiplicity,
  // times the feature's pooling weight when the model has them — as float32.
  if (dtype === 'int8') {
    const { q, scales } = quantizeRowsInt8(table, dim);
    initializer.push(
      { name: 'table', dims: [buckets, dim], dataType: DataType.INT8, rawData: bytesOf(q) },
      floatTensorProto('table_scale', [buckets], scales),
    );
    // The slot weight rides on the per-row dequantisation scale, so the [n, dim] rows are touched once
    // (dequantised) rather than twice (dequantised, then weighted): that second pass was ~40% of the graph's time.
    // With pooling weights the scale × weight product has only initializer inputs and is folded at load.
    let rowScale = 'table_scale';
    if (weights.featureWeights) {
      nodes.push(node('Mul', ['table_scale', 'feature_weight'], 'weighted_scale'));
      rowScale = 'weighted_scale';
    }
    nodes.push(
      node('Gather', ['table', ONNX_INPUT_IDS], 'rows8'),
      node('Gather', [rowScale, ONNX_INPUT_IDS], 'row_scale'),
      node('Mul', ['row_scale', ONNX_INPUT_MULTIPLICITY], 'slot_scale'),
      // Per-axis dequantisation along axis 0 (zero point 0); measured faster in onnxruntime than Cast + Mul.
      node('DequantizeLinear', ['rows8', 'slot_scale'], 'feature_vectors', [intAttr('axis', 0)]),
    );
  } else {
    let slotWeight = ONNX_INPUT_MULTIPLICITY; // [n]
    if (weights.featureWeights) {
      nodes.push(
        node('Gather', ['feature_weight', ONNX_INPUT_IDS], 'weight'),
        node('Mul', ['weight', ONNX_INPUT_MULTIPLICITY], 'slot_weight'),
      );
      slotWeight = 'slot_weight';
    }
    if (dtype === 'float16') {
      initializer.push({ name: 'table', dims: [buckets, dim], dataType: DataType.FLOAT16, rawData: bytesOf(Uint16Array.from(table, float32ToFloat16Bits)) });
      nodes.push(node('Gather', ['table', ONNX_INPUT_IDS], 'rows16'), node('Cast', ['rows16'], 'table_vectors', [intAttr('to', DataType.FLOAT)]));
    } else {
      initializer.push(floatTensorProto('table', [buckets, dim], table));
      nodes.push(node('Gather', ['table', ONNX_INPUT_IDS], 'table_vectors'));
    }
    nodes.push(
      node('Unsqueeze', [slotWeight, 'axis1'], 'slot_weight2'), // [n, 1]
      node('Mul', ['table_vectors', 'slot_weight2'], 'feature_vectors'),
    );
  }
  nodes.push(
    node('Shape', [ONNX_INPUT_COUNTS], 'batch_shape'),
    node('Concat', ['batch_shape', 'dim_shape'], 'sum_shape', [intAttr('axis', 0)]),
    node('ConstantOfShape', ['sum_shape'], 'zeros', [tensorAttr('value', floatTensorProto('zero', [1], Float32Array.of(0)))]),
    node('Unsqueeze', [ONNX_INPUT_ROWS, 'axis1'], 'scatter_index'), // [n, 1]
    // The weighted sum, not divided by the text's total weight: the adapter is linear and the output is
    // L2-normalised, so sum and mean give the same embedding (reference.ts computes the mean) and the graph
    // saves a second scatter.
    node('ScatterND', ['zeros', 'scatter_index', 'feature_vectors'], 'pooled', [stringAttr('reduction', 'add')]),
  );
  const inputs = [
    tensorInput(ONNX_INPUT_IDS, DataType.INT32, ['features']),
    tensorInput(ONNX_INPUT_ROWS, DataType.INT64, ['features']),
    tensorInput(ONNX_INPUT_MULTIPLICITY, DataType.FLOAT, ['features']),
    tensorInput(ONNX_INPUT_COUNTS, DataType.FLOAT, ['batch']),
  ];

  let vector = 'pooled';
  if (adapters) {
    const stackDims = [adapters.langs.length + 1, dim, adapters.rank];
    initializer.push(
      floatTensorProto('adapter_u', stackDims, withIdentity(adapters.U, dim * adapters.rank)),
      floatTensorProto('adapter_v', stackDims, withIdentity(adapters.V, dim * adapters.rank)),
    );
    inputs.push(tensorInput(ONNX_INPUT_ADAPTER, DataType.INT64, ['batch']));
    nodes.push(
      node('Gather', ['adapter_u', ONNX_INPUT_ADAPTER], 'u_rows'), // [batch, dim, rank]
      node('Gather', ['adapter_v', ONNX_INPUT_ADAPTER], 'v_rows'),
      node('Unsqueeze', ['pooled', 'axis1'], 'pooled3'), // [batch, 1, dim]
      node('MatMul', ['pooled3', 'v_rows'], 'proj'), // [batch, 1, rank]
      node('Transpose', ['u_rows'], 'u_rows_t', [intsAttr('perm', [0, 2, 1])]),
      node('MatMul', ['proj', 'u_rows_t'], 'delta3'), // [batch, 1, dim]
      node('Squeeze', ['delta3', 'axis1'], 'delta'),
      node('Add', ['pooled', 'delta'], 'adapted'),
    );
    vector = 'adapted';
  }
  nodes.push(
    node('Mul', [vector, vector], 'squares'),
    node('ReduceSum', ['squares', 'axis1'], 'sum_sq', [intAttr('keepdims', 1)]),
    node('Sqrt', ['sum_sq'], 'norm'),
    node('Max', ['norm', 'norm_eps'], 'norm_safe'),
    node('Div', [vector, 'norm_safe'], ONNX_OUTPUT),
  );

  const model: proto.IModelProto = {
    irVersion: 7,
    opsetImport: [{ domain: '', version: ONNX_OPSET }],
    producerName: 'tafuta',
    graph: {
      name: 'tafuta_encoder',
      node: nodes,
      initializer,
      input: inputs,
      output: [tensorInput(ONNX_OUTPUT, DataType.FLOAT, ['batch', dim])],
    },
  };
  return onnx.ModelProto.encode(model).finish();
}

export const ONNX_ENCODER_FORMAT = 'tafuta-onnx-encoder';
export const ONNX_ENCODER_MANIFEST = 'model.json';

const fileNameSchema = z
  .string()
  .min(1)
  .refine((file) => path.basename(file) === file && file !== '.' && file !== '..', {
    message: 'must be a file name inside the model directory',
  });

const featureConfigSchema = z
  .object({
    buckets: z.int().positive(),
    minN: z.int().positive(),
    maxN: z.int().positive(),
    words: z.boolean(),
    /** BPE merges (merges.txt layout) whose units are features too; the sha256 is part of the encoder's version. */
    subwords: z.strictObject({ file: fileNameSchema, merges: z.int().positive(), sha256: z.string().regex(/^[0-9a-f]{64}$/) }).optional(),
  })
  .refine((f) => f.maxN >= f.minN, { message: 'maxN must be >= minN', path: ['maxN'] });

/** model.json. Unknown keys (training provenance and the like) are kept. */
export const onnxEncoderManifestSchema = z.looseObject({
  format: z.literal(ONNX_ENCODER_FORMAT),
  /** 1: padded ids + mask inputs; 2: a bag of features with repeats; 3: distinct features with multiplicities (written now). */
  formatVersion: z.union([z.literal(1), z.literal(2), z.literal(3)]),
  name: z.string().min(1),
  description: z.string(),
  dim: z.int().positive(),
  features: featureConfigSchema,
  adapters: z
    .array(z.string().min(1))
    .refine((langs) => new Set(langs).size === langs.length, { message: 'adapter languages must be unique' }),
  onnx: fileNameSchema,
  tableDtype: z.enum(['float32', 'float16', 'int8']).optional(),
  /** The measured `auto` rule (eval/auto-modes.ts); not part of the weights, so not of the encoder's version. */
  autoModes: z
    .looseObject({
      languages: z.record(z.string(), z.enum(['dense', 'hybrid', 'translate-hybrid', 'translate', 'translate-dense'])),
      default: z.enum(['dense', 'hybrid', 'translate-hybrid', 'translate', 'translate-dense']),
    })
    .optional(),
});

export type OnnxEncoderManifest = z.infer<typeof onnxEncoderManifestSchema>;

/** Reads and validates `modelDir/model.json`. */
export async function readOnnxEncoderManifest(modelDir: string): Promise<OnnxEncoderManifest> {
  const file = path.join(modelDir, ONNX_ENCODER_MANIFEST);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    const reason = (err as NodeJS.ErrnoException).code === 'ENOENT' ? 'not found' : String(err);
    throw new TafutaError('INPUT_FILE', `ONNX encoder manifest ${file}: ${reason}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new TafutaError('INPUT_FILE', `ONNX encoder manifest ${file} is not valid JSON: ${(err as Error).message}`);
  }
  const parsed = onnxEncoderManifestSchema.safeParse(json);
  if (!parsed.success) throw new TafutaError('INPUT_FILE', `ONNX encoder manifest ${file} is invalid: ${formatIssues(parsed.error)}`);
  return parsed.data;
}

const SUBWORDS_FILE = 'subwords.txt';

/** The manifest's features as the featuriser takes them: the subword merges read from their file and checked. */
export async function loadManifestFeatures(modelDir: string, manifest: OnnxEncoderManifest): Promise<FeatureConfig> {
  const { subwords, ...plain } = manifest.features;
  if (!subwords) return plain;
  const file = path.join(modelDir, subwords.file);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    throw new TafutaError('INPUT_FILE', `subword merges ${file} (named by ${ONNX_ENCODER_MANIFEST}) cannot be read: ${(err as Error).message}`);
  }
  const sha256 = sha256Hex(text);
  if (sha256 !== subwords.sha256) throw new TafutaError('INPUT_FILE', `subword merges ${file}: sha256 ${sha256} differs from ${subwords.sha256} in ${ONNX_ENCODER_MANIFEST}`);
  let merges;
  try {
    merges = parseSubwordMerges(text, file);
  } catch (err) {
    throw new TafutaError('INPUT_FILE', (err as Error).message);
  }
  if (merges.length !== subwords.merges) throw new TafutaError('INPUT_FILE', `subword merges ${file}: ${merges.length} merges, ${ONNX_ENCODER_MANIFEST} says ${subwords.merges}`);
  return { ...plain, subwords: new SubwordSegmenter(merges) };
}

export interface WriteOnnxEncoderDirOptions extends ExportOptions {
  name: string;
  description: string;
  features: FeatureConfig;
  weights: EncoderWeights;
  /** Extra manifest keys, e.g. training provenance. */
  extra?: Record<string, unknown>;
}

/** Writes to a temporary name, then renames, so readers never see a half-written file. */
async function writeFileAtomic(file: string, data: Uint8Array | string): Promise<void> {
  const tmp = `${file}.${randomBytes(6).toString('hex')}.tmp`;
  try {
    await writeFile(tmp, data);
    await rename(tmp, file);
  } catch (err) {
    await rm(tmp, { force: true });
    throw err;
  }
}

/** Writes `model.onnx` then `model.json` into `dir` (created if needed); returns the manifest. */
export async function writeOnnxEncoderDir(dir: string, options: WriteOnnxEncoderDirOptions): Promise<OnnxEncoderManifest> {
  const { weights, features } = options;
  if (features.buckets !== weights.buckets) {
    throw new Error(`features.buckets (${features.buckets}) differs from the table's ${weights.buckets} rows`);
  }
  const subwordsText = features.subwords ? formatSubwordMerges(features.subwords.merges) : undefined;
  const manifest = onnxEncoderManifestSchema.parse({
    ...options.extra,
    format: ONNX_ENCODER_FORMAT,
    formatVersion: 3,
    name: options.name,
    description: options.description,
    dim: weights.dim,
    features: {
      buckets: features.buckets,
      minN: features.minN,
      maxN: features.maxN,
      words: features.words,
      ...(subwordsText !== undefined
        ? { subwords: { file: SUBWORDS_FILE, merges: features.subwords!.merges.length, sha256: sha256Hex(subwordsText) } }
        : {}),
    },
    adapters: weights.adapters?.langs ?? [],
    onnx: 'model.onnx',
    tableDtype: options.tableDtype ?? 'float32',
  });
  const bytes = exportEncoderOnnx(weights, options);
  await mkdir(dir, { recursive: true });
  // The manifest goes last: a model.json on disk always points at a complete model.onnx.
  await writeFileAtomic(path.join(dir, manifest.onnx), bytes);
  if (subwordsText !== undefined) await writeFileAtomic(path.join(dir, SUBWORDS_FILE), subwordsText);
  await writeFileAtomic(path.join(dir, ONNX_ENCODER_MANIFEST), `${JSON.stringify(manifest, null, 2)}\n`);
  return manifest;
}
