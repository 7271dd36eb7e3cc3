/**
 * Small builders for ONNX protobuf pieces (nodes, attributes, tensors, typed inputs), shared by the exporter
 * (export.ts) and the load-time graph surgery (split-graph.ts, word-pooling.ts). Free of onnxruntime.
 */
import onnxProto from 'onnx-proto';
import type { onnx as proto } from 'onnx-proto';

const { onnx } = onnxProto;
const { DataType } = onnx.TensorProto;
const { AttributeType } = onnx.AttributeProto;

export function bytesOf(view: ArrayBufferView): Uint8Array {
  return new Uint8Array(view.buffer, view.byteOffset, view.byteLength);
}

export function floatTensorProto(name: string, dims: number[], values: Float32Array): proto.ITensorProto {
  return { name, dims, dataType: DataType.FLOAT, rawData: bytesOf(values) };
}

export function int64TensorProto(name: string, values: number[]): proto.ITensorProto {
  return { name, dims: [values.length], dataType: DataType.INT64, rawData: bytesOf(BigInt64Array.from(values, BigInt)) };
}

/** A node with one output, named after it. */
export function node(opType: string, input: string[], output: string, attribute: proto.IAttributeProto[] = []): proto.INodeProto {
  return { opType, input, output: [output], name: output, attribute };
}

export const intAttr = (name: string, i: number): proto.IAttributeProto => ({ name, type: AttributeType.INT, i });
export const stringAttr = (name: string, text: string): proto.IAttributeProto => ({ name, type: AttributeType.STRING, s: new TextEncoder().encode(text) });
export const tensorAttr = (name: string, t: proto.ITensorProto): proto.IAttributeProto => ({ name, type: AttributeType.TENSOR, t });
export const intsAttr = (name: string, ints: number[]): proto.IAttributeProto => ({ name, type: AttributeType.INTS, ints });

/** A typed tensor input or output; a string dim is symbolic. */
export function tensorInput(name: string, elemType: number, dims: (string | number)[]): proto.IValueInfoProto {
  const dim = dims.map((d) => (typeof d === 'string' ? { dimParam: d } : { dimValue: d }));
  return { name, type: { tensorType: { elemType, shape: { dim } } } };
}
