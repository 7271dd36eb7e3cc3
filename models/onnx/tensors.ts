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
