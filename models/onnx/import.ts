/**
 * Reads an exported encoder back into weights (the inverse of export.ts), so a shipped model can be extended —
 * e.g. `tafuta adapt` adds one language's adapter without retraining the table. Quantised tables come back as the
 * exact float values they serve, so re-exporting in the same dtype is lossless.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import onnxProto from 'onnx-proto';
import type { onnx as proto } from 'onnx-proto';
import { float16BitsToFloat32, type EncoderWeights } from './reference.js';
import { ONNX_ENCODER_MANIFEST, readOnnxEncoderManifest, type OnnxEncoderManifest } from './export.js';
import { TafutaError } from '../../core/errors.js';

const { onnx } = onnxProto;
const DataType = onnx.TensorProto.DataType;

function raw(t: proto.ITensorProto): Uint8Array {
  const bytes = t.rawData;
  if (!bytes || bytes.length === 0) throw new TafutaError('INPUT_FILE', `initializer ${t.name} has no raw data`);
  return Uint8Array.from(bytes); // aligned copy
}

function floats(t: proto.ITensorProto): Float32Array {
  const bytes = raw(t);
  switch (t.dataType) {
    case DataType.FLOAT:
      return new Float32Array(bytes.buffer);
    case DataType.FLOAT16:
      return Float32Array.from(new Uint16Array(bytes.buffer), float16BitsToFloat32);
    default:
      throw new TafutaError('INPUT_FILE', `initializer ${t.name} has unsupported type ${t.dataType}`);
  }
}

export async function readEncoderModel(modelDir: string): Promise<{ manifest: OnnxEncoderManifest; weights: EncoderWeights }> {
  const manifest = await readOnnxEncoderManifest(modelDir);
  let model: proto.ModelProto;
  try {
    model = onnx.ModelProto.decode(await readFile(path.join(modelDir, manifest.onnx)));
  } catch (error) {
    throw new TafutaError('INPUT_FILE', `${path.join(modelDir, manifest.onnx)} (named by ${ONNX_ENCODER_MANIFEST}) cannot be read as an ONNX model: ${(error as Error).message}`);
  }
  const byName = new Map((model.graph?.initializer ?? []).map((t) => [t.name!, t]));
  const get = (name: string) => {
    const t = byName.get(name);
    if (!t) throw new TafutaError('INPUT_FILE', `${modelDir}: the graph has no initializer "${name}"`);
    return t;
  };
  const tableTensor = get('table');
  const [buckets, dim] = (tableTensor.dims ?? []).map(Number) as [number, number];
  let table: Float32Array;
  if (tableTensor.dataType === DataType.INT8) {
    const q = new Int8Array(raw(tableTensor).buffer);
    const scales = floats(get('table_scale'));
    table = Float32Array.from(q, (v, i) => v * scales[Math.floor(i / dim)]!);
  } else {
    table = floats(tableTensor);
  }
  const weights: EncoderWeights = { buckets, dim, table };
  const featureWeights = byName.get('feature_weight');
  if (featureWeights) weights.featureWeights = floats(featureWeights);
  if (manifest.adapters.length) {
    const u = get('adapter_u');
    const rank = Number(u.dims![2]);
    const block = dim * rank;
    // Index 0 of the stacked tensors is the identity; the languages follow in manifest order.
    weights.adapters = { langs: manifest.adapters, rank, U: floats(u).slice(block), V: floats(get('adapter_v')).slice(block) };
  }
  return { manifest, weights };
}
