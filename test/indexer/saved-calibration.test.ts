import { test } from 'node:test';
import assert from 'node:assert/strict';
import { calibrationToKeep, type GraphBuild, type SavedCalibration } from '../../indexer/saved-calibration.js';

const BUILD: GraphBuild = { library: 'usearch', scalar: 'f16', params: { M: 16, efConstruction: 200 } };
const at = (passages: number, ef = 256) => ({ ef, recall: 0.99, passages, queries: 200, target: 0.98, seconds: 1 });
const saved = (passages: number, build = BUILD, collectionId: number | undefined = 1): SavedCalibration => ({ calibration: at(passages, 512), collectionId, build });
const graph = (passages: number, build = BUILD) => ({ collectionId: 1, build, passages });

test('a saved calibration that holds for the collection is kept when the graph has none, or one measured at fewer passages', () => {
  assert.deepEqual(calibrationToKeep(undefined, saved(100_000), graph(110_000)), { keep: at(100_000, 512) });
  assert.deepEqual(calibrationToKeep(at(90_000), saved(100_000), graph(110_000)), { keep: at(100_000, 512) }, 'the later measurement');
  assert.deepEqual(calibrationToKeep(at(50_000), saved(100_000), graph(110_000)), { keep: at(100_000, 512) }, "the graph's own no longer holds");
  assert.deepEqual(calibrationToKeep(undefined, saved(100_000), graph(90_000)), { keep: at(100_000, 512) }, 'measured at more passages than the graph has now: holds');
});

test("the graph's own calibration, the same one, or another collection's file: the graph keeps its own, nothing is dropped", () => {
  assert.deepEqual(calibrationToKeep(at(100_000, 512), saved(100_000), graph(110_000)), { keep: at(100_000, 512) });
  assert.deepEqual(calibrationToKeep(undefined, saved(100_000, BUILD, 2), graph(110_000)), { keep: undefined }, "a dropped namesake's file");
  const kept = calibrationToKeep(at(100_000), saved(100_000), graph(110_000));
  assert.deepEqual(kept.keep, at(100_000), 'a tie: its own');
  assert.match(kept.dropped!.reason, /own calibration, measured at 100000 passages/);
});

test('a saved calibration that no longer holds, or was measured on a graph built otherwise, is dropped with the reason', () => {
  const grown = calibrationToKeep(undefined, saved(100_000), graph(125_001));
  assert.equal(grown.keep, undefined);
  assert.deepEqual(grown.dropped, { ...at(100_000, 512), reason: 'measured at 100000 passages, holds up to 125000: the collection has 125001' });
  for (const other of [{ ...BUILD, scalar: 'i8' }, { ...BUILD, library: 'hnswlib', scalar: 'f32' }, { ...BUILD, params: { M: 32, efConstruction: 200 } }] as GraphBuild[]) {
    const choice = calibrationToKeep(at(50_000), saved(100_000, other), graph(110_000));
    assert.deepEqual(choice.keep, at(50_000));
    assert.match(choice.dropped!.reason, /^measured on a graph built otherwise/);
  }
});
