/**
 * A language-identifier directory: `langid.json` (format, labels, features, thresholds, config, data manifest,
 * training time, scores) beside `weights.bin` — magic "TLID", format version, shape, then per-row float32
 * scales, the float32 bias and the int8 weights (row-major). Manifest format 2 added per-length thresholds;
 * format 1 manifests (without them) still load, and the weights file format is unchanged. The manifest is not called model.json on purpose:
 * that name marks encoder directories, which the runtime loads as ONNX models.
 */
import { sha256Hex } from '../../core/hash.js';
import fs from 'node:fs';
import path from 'node:path';
import { TafutaError } from '../../core/errors.js';
import type { FeatureConfig } from '../features.js';
import { createTrainedLanguageIdentifier, type LangIdModel, type LengthThresholds, type TrainedLanguageIdentifier } from './model.js';

export const LANGID_MANIFEST = 'langid.json';
export const LANGID_WEIGHTS = 'weights.bin';
export const LANGID_FORMAT = 'tafuta-langid';
export const LANGID_FORMAT_VERSION = 2;
const READABLE_FORMAT_VERSIONS = [1, 2];
const WEIGHTS_FORMAT_VERSION = 1;
const MAGIC = 0x44494c54; // "TLID" read as a little-endian uint32
const HEADER_BYTES = 16;

export interface LangIdManifest {
  format: typeof LANGID_FORMAT;
  formatVersion: number;
  name: string;
  description: string;
  labels: string[];
  features: FeatureConfig;
  /** identify() answers only when the top probability is at least this. */
  threshold: number;
  /** Per label, the scripts its training strings use (the script mask); absent = no mask. */
  scripts?: Record<string, string[]> | undefined;
  /** Per dominant script, the threshold that replaces `threshold` for texts in it. */
  scriptThresholds?: Record<string, number> | undefined;
  /** Per script group ('default' or a script of scriptThresholds) and length bucket (format 2). */
  lengthThresholds?: LengthThresholds | undefined;
  weights: { file: string; dtype: 'int8-rowscale'; rows: number; cols: number; bytes: number; sha256: string };
  [extra: string]: unknown;
}

/** The int8 form that is saved, and the float model it stands for (exactly what a load gives back). */
export interface QuantizedLangIdModel {
  model: LangIdModel;
  scales: Float32Array;
  q: Int8Array;
}

/** Symmetric int8 per row (one scale per feature bucket); the returned model holds the dequantised weights. */
export function quantizeLangIdModel(model: LangIdModel): QuantizedLangIdModel {
  const rows = model.features.buckets;
  const cols = model.labels.length;
  const scales = new Float32Array(rows);
  const q = new Int8Array(rows * cols);
  for (let r = 0; r < rows; r++) {
    let max = 0;
    for (let c = 0; c < cols; c++) max = Math.max(max, Math.abs(model.weights[r * cols + c]!));
    scales[r] = max / 127;
    const scale = scales[r]!;
    if (scale === 0) continue;
    for (let c = 0; c < cols; c++) q[r * cols + c] = Math.max(-127, Math.min(127, Math.round(model.weights[r * cols + c]! / scale)));
  }
  return fromInt8(model.features, model.labels, scales, Float32Array.from(model.bias), q);
}

function fromInt8(features: FeatureConfig, labels: string[], scales: Float32Array, bias: Float32Array, q: Int8Array): QuantizedLangIdModel {
  const cols = labels.length;
  const weights = new Float32Array(q.length);
  for (let r = 0; r < scales.length; r++) {
    const scale = scales[r]!;
    for (let c = 0; c < cols; c++) weights[r * cols + c] = q[r * cols + c]! * scale;
  }
  return { model: { features: { ...features }, labels: [...labels], weights, bias }, scales, q };
}

function encodeWeights(quantized: QuantizedLangIdModel): Buffer {
  const rows = quantized.scales.length;
  const cols = quantized.model.labels.length;
  const buffer = Buffer.alloc(HEADER_BYTES + 4 * rows + 4 * cols + rows * cols);
  buffer.writeUInt32LE(MAGIC, 0);
  buffer.writeUInt32LE(WEIGHTS_FORMAT_VERSION, 4);
  buffer.writeUInt32LE(rows, 8);
  buffer.writeUInt32LE(cols, 12);
  let offset = HEADER_BYTES;
  for (const s of quantized.scales) offset = buffer.writeFloatLE(s, offset);
  for (const b of quantized.model.bias) offset = buffer.writeFloatLE(b, offset);
  Buffer.from(quantized.q.buffer, quantized.q.byteOffset, quantized.q.byteLength).copy(buffer, offset);
  return buffer;
}

/** Writes the directory (created if missing) and returns the manifest written. */
export function saveLangIdModel(
  dir: string,
  quantized: QuantizedLangIdModel,
  meta: { name: string; description: string; threshold: number } & Record<string, unknown>,
): LangIdManifest {
  const { model } = quantized;
  fs.mkdirSync(dir, { recursive: true });
  const bytes = encodeWeights(quantized);
  fs.writeFileSync(path.join(dir, LANGID_WEIGHTS), bytes);
  const { name, description, threshold, ...extra } = meta;
  const manifest: LangIdManifest = {
    format: LANGID_FORMAT,
    formatVersion: LANGID_FORMAT_VERSION,
    name,
    description,
    labels: model.labels,
    features: model.features,
    threshold,
    weights: {
      file: LANGID_WEIGHTS,
      dtype: 'int8-rowscale',
      rows: model.features.buckets,
      cols: model.labels.length,
      bytes: bytes.length,
      sha256: sha256Hex(bytes),
    },
    ...extra,
  };
  writeLangIdManifest(dir, manifest);
  return manifest;
}

export function writeLangIdManifest(dir: string, manifest: LangIdManifest): void {
  const file = path.join(dir, LANGID_MANIFEST);
  fs.writeFileSync(`${file}.tmp`, `${JSON.stringify(manifest, null, 1)}\n`);
  fs.renameSync(`${file}.tmp`, file);
}

export function hasLangIdModel(dir: string): boolean {
  return fs.existsSync(path.join(dir, LANGID_MANIFEST));
}

export function readLangIdManifest(dir: string): LangIdManifest {
  const file = path.join(dir, LANGID_MANIFEST);
  let manifest: LangIdManifest;
  try {
    manifest = JSON.parse(fs.readFileSync(file, 'utf8')) as LangIdManifest;
  } catch (error) {
    throw new TafutaError('INPUT_FILE', `cannot read ${file}: ${(error as Error).message}`);
  }
  if (manifest.format !== LANGID_FORMAT) throw new TafutaError('INPUT_FILE', `${file}: not a language-identifier manifest`);
  if (!READABLE_FORMAT_VERSIONS.includes(manifest.formatVersion)) {
    throw new TafutaError('INPUT_FILE', `${file}: format version ${manifest.formatVersion}, this build reads ${READABLE_FORMAT_VERSIONS.join(' and ')}`);
  }
  return manifest;
}

export function loadLangIdModel(dir: string): { quantized: QuantizedLangIdModel; manifest: LangIdManifest } {
  const manifest = readLangIdManifest(dir);
  const file = path.join(dir, manifest.weights.file);
  const bytes = fs.readFileSync(file);
  const bad = (why: string): never => {
    throw new TafutaError('INPUT_FILE', `${file}: ${why}`);
  };
  if (bytes.length < HEADER_BYTES || bytes.readUInt32LE(0) !== MAGIC) bad('not a langid weights file');
  if (bytes.readUInt32LE(4) !== WEIGHTS_FORMAT_VERSION) bad(`weights format version ${bytes.readUInt32LE(4)}`);
  const rows = bytes.readUInt32LE(8);
  const cols = bytes.readUInt32LE(12);
  if (rows !== manifest.features.buckets || cols !== manifest.labels.length) bad(`shape ${rows}×${cols} does not match the manifest`);
  if (bytes.length !== HEADER_BYTES + 4 * rows + 4 * cols + rows * cols) bad('truncated');
  if (sha256Hex(bytes) !== manifest.weights.sha256) bad('sha256 does not match the manifest');
  const scales = new Float32Array(rows);
  const bias = new Float32Array(cols);
  let offset = HEADER_BYTES;
  for (let r = 0; r < rows; r++, offset += 4) scales[r] = bytes.readFloatLE(offset);
  for (let c = 0; c < cols; c++, offset += 4) bias[c] = bytes.readFloatLE(offset);
  const q = new Int8Array(rows * cols);
  q.set(new Int8Array(bytes.buffer, bytes.byteOffset + offset, rows * cols));
  return { quantized: fromInt8(manifest.features, manifest.labels, scales, bias, q), manifest };
}

/**
 * The identifier stored in `dir` (langid.json + weights.bin), with the manifest's script mask and thresholds;
 * `lengthBlind` leaves out the per-length thresholds (to compare with the rule before them).
 */
export function loadLanguageIdentifier(dir: string, options: { lengthBlind?: boolean } = {}): TrainedLanguageIdentifier {
  const { quantized, manifest } = loadLangIdModel(dir);
  return createTrainedLanguageIdentifier(quantized.model, {
    name: `${manifest.name} (linear, ${manifest.labels.length} languages)`,
    threshold: manifest.threshold,
    scripts: manifest.scripts,
    scriptThresholds: manifest.scriptThresholds,
    lengthThresholds: options.lengthBlind ? undefined : manifest.lengthThresholds,
  });
}
