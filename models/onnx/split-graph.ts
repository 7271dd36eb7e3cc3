/**
 * Cuts a serialised ONNX model in two at one intermediate tensor: `head` computes that tensor from the graph's
 * inputs, `tail` computes the graph's outputs from it. The ONNX encoder uses this to run the pooling part of an
 * exported graph on single words (whose pooled sums it caches) and the rest (adapter, normalisation) on whole
 * texts, from the one model file the collections' encoder version is a hash of.
 */
import onnxProto from 'onnx-proto';
import type { onnx as proto } from 'onnx-proto';
import { tensorInput } from './graph-proto.js';

const { onnx } = onnxProto;

export interface SplitModel {
  head: proto.IModelProto;
  tail: proto.IModelProto;
  /** Graph inputs each half takes (the tail also takes the cut tensor, listed first). */
  headInputs: string[];
  tailInputs: string[];
}

/**
 * Splits `model` (serialised) at `tensor`, declared in both halves as float32 of `shape` (its output in the head, its input in
 * the tail). Throws when the cut is not clean: the tail may use nothing the head computes except `tensor`.
 */
export function splitOnnxModel(model: Uint8Array, tensor: string, shape: Array<string | number>): SplitModel {
  const decoded = onnx.ModelProto.decode(model);
  const graph = decoded.graph;
  if (!graph) throw new Error('ONNX model has no graph');
  const nodes = graph.node ?? [];
  const producer = new Map<string, number>();
  nodes.forEach((n, i) => n.output?.forEach((out) => producer.set(out, i)));
  if (!producer.has(tensor)) throw new Error(`ONNX graph has no tensor '${tensor}' to split at`);

  // The head: every node the cut tensor depends on.
  const inHead = new Set<number>();
  const pending = [producer.get(tensor)!];
  while (pending.length) {
    const i = pending.pop()!;
    if (inHead.has(i)) continue;
    inHead.add(i);
    for (const input of nodes[i]!.input ?? []) {
      const from = producer.get(input);
      if (from !== undefined) pending.push(from);
    }
  }
  const headNodes = nodes.filter((_, i) => inHead.has(i));
  const tailNodes = nodes.filter((_, i) => !inHead.has(i));
  const headProduced = new Set(headNodes.flatMap((n) => n.output ?? []));
  for (const n of tailNodes) {
    for (const input of n.input ?? []) {
      if (input !== tensor && headProduced.has(input)) {
        throw new Error(`cannot split at '${tensor}': node '${n.name}' also uses '${input}' from before the cut`);
      }
    }
  }

  const cut = tensorInput(tensor, onnx.TensorProto.DataType.FLOAT, shape);
  /** One half: its nodes, the initializers and graph inputs they read, and `extra` inputs / `outputs`. */
  const half = (part: proto.INodeProto[], extra: proto.IValueInfoProto[], outputs: proto.IValueInfoProto[], name: string) => {
    const uses = new Set(part.flatMap((n) => n.input ?? []));
    const graphInputs = (graph.input ?? []).filter((i) => uses.has(i.name ?? ''));
    const model: proto.IModelProto = {
      ...decoded,
      graph: {
        name: `${graph.name ?? 'graph'}_${name}`,
        node: part,
        initializer: (graph.initializer ?? []).filter((t) => uses.has(t.name ?? '')),
        input: [...extra, ...graphInputs],
        output: outputs,
      },
    };
    return { model, inputs: model.graph!.input!.map((i) => i.name ?? '') };
  };
  const head = half(headNodes, [], [cut], 'head');
  const tail = half(tailNodes, [cut], graph.output ?? [], 'tail');
  return { head: head.model, tail: tail.model, headInputs: head.inputs, tailInputs: tail.inputs };
}

export function encodeOnnxModel(model: proto.IModelProto): Uint8Array {
  return onnx.ModelProto.encode(model).finish();
}
