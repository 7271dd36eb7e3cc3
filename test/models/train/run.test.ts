/** runTraining's outputs: the float32 twin of a quantised model is written only when asked for. */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { trainConfigSchema } from '../../../models/train/config.js';
import { runTraining } from '../../../models/train/run.js';
import { writeSyntheticData } from './synthetic-data.js';

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'tafuta-run-'));
after(() => fs.rmSync(root, { recursive: true, force: true }));
writeSyntheticData(path.join(root, 'data'));
// The twin used to be written under ./.cache: run where that is visible and harmless.
process.chdir(root);

const config = trainConfigSchema.parse({
  name: 'tiny-int8',
  seed: 3,
  data: { trainDir: path.join(root, 'data', 'train'), monoDir: path.join(root, 'data', 'mono'), morphDir: path.join(root, 'data', 'morph'), validationPerLang: 60 },
  model: { buckets: 1024, dim: 16, adapterMinPairs: 100, adapterRank: 2 },
  train: { epochs: 1, batchSize: 32, auxBatchSize: 8, lr: 0.3, tau: 0.1, evalEvery: 50, threads: 1, hardNegatives: { perBatch: 8, topM: 4 } },
  export: { tableDtype: 'int8' },
});

const manifestOf = (dir: string) => JSON.parse(fs.readFileSync(path.join(dir, 'model.json'), 'utf8')) as { name: string; tableDtype: string };

test('an int8 model is written alone unless a float32 twin is asked for, and then the twin is float32', async () => {
  const alone = path.join(root, 'alone');
  await runTraining({ config, outDir: alone });
  assert.equal(manifestOf(alone).tableDtype, 'int8');
  assert.equal(fs.existsSync(path.join(root, '.cache')), false, 'no twin under ./.cache');
  assert.deepEqual(fs.readdirSync(root).sort(), ['alone', 'data'], 'nothing else written');

  const twin = path.join(root, 'twins', 'with-twin');
  const withTwin = path.join(root, 'with-twin');
  await runTraining({ config, outDir: withTwin, float32TwinIn: twin });
  assert.equal(manifestOf(withTwin).tableDtype, 'int8');
  assert.deepEqual([manifestOf(twin).name, manifestOf(twin).tableDtype], ['tiny-int8-float32', 'float32']);
  assert.ok(fs.statSync(path.join(twin, 'model.onnx')).size > fs.statSync(path.join(withTwin, 'model.onnx')).size, 'the twin holds the unquantised table');
});
