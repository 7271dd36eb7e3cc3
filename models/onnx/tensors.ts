import * as ort from 'onnxruntime-node';

/** int64 tensor data without a BigInt per value: the low 32-bit word of each little-endian slot. */
export function int64From(values: ArrayLike<number>, length = values.length): BigInt64Array {
  const out = new BigInt64Array(length);
  const words = new Int32Array(out.buffer);
  for (let i = 0; i < length; i++) words[2 * i] = values[i]!;
  return out;
}

export function int64Tensor(values: ArrayLike<number>): ort.Tensor {
  return new ort.Tensor('int64', int64From(values), [values.length]);
}

/** The `rows` × `dim` float32 data of an encoder graph's output, or an error that says what came back instead. */
export function checkedOutput(result: ort.OnnxValue | undefined, rows: number, dim: number): Float32Array {
  if (!result || result.type !== 'float32' || result.dims.join() !== `${rows},${dim}`) {
    throw new Error(`ONNX encoder returned ${result?.type} [${result?.dims.join(', ')}], expected float32 [${rows}, ${dim}]`);
  }
  return result.data as Float32Array;
}
