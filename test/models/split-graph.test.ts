import { test } from 'node:test';
import assert from 'node:assert/strict';
import { exportEncoderOnnx } from '../../models/onnx/export.js';
import { splitOnnxModel } from '../../models/onnx/split-graph.js';

const dim = 4;
const buckets = 16;
const model = exportEncoderOnnx({
  buckets,
  dim,
  table: new Float32Array(buckets * dim).fill(0.5),
  adapters: { langs: ['sw'], rank: 2, U: new Float32Array(dim * 2), V: new Float32Array(dim * 2) },
});

test('splits an encoder graph at the pooled sum: the head takes the features, the tail the sum and the adapter', () => {
  const split = splitOnnxModel(model, 'pooled', ['batch', dim]);
  assert.deepEqual([...split.headInputs].sort(), ['counts', 'ids', 'multiplicity', 'rows']);
  assert.deepEqual(split.tailInputs, ['pooled', 'adapter']);
  assert.deepEqual(split.head.graph?.output?.map((o) => o.name), ['pooled']);
  assert.deepEqual(split.tail.graph?.output?.map((o) => o.name), ['embedding']);
  const headInit = new Set(split.head.graph?.initializer?.map((t) => t.name));
  const tailInit = new Set(split.tail.graph?.initializer?.map((t) => t.name));
  assert.ok(headInit.has('table') && !tailInit.has('table'), 'the table goes with the head only');
  assert.ok(tailInit.has('adapter_u') && !headInit.has('adapter_u'));
});

test('refuses a tensor that is not there and a cut the tail would reach across', () => {
  assert.throws(() => splitOnnxModel(model, 'nope', ['batch', dim]), /no tensor 'nope'/);
  // 'pooled3' is the adapter's reshaped input; the tail's Add still needs 'pooled' itself.
  assert.throws(() => splitOnnxModel(model, 'pooled3', ['batch', 1, dim]), /also uses 'pooled' from before the cut/);
});
