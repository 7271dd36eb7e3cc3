/**
 * `tafuta train` killed with SIGKILL after a checkpoint, then `--resume`d, writes the same model.onnx as an
 * uninterrupted run (single thread); a resume with another config exits with code 2 and says what differs.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';
import { checkpointFile, readCheckpointHeader } from '../../../models/train/checkpoint.js';
import { writeSyntheticData } from './synthetic-data.js';

const CLI = fileURLToPath(new URL('../../../bin/tafuta.js', import.meta.url));
const env = { ...process.env, TAFUTA_LOG_LEVEL: 'warn' };

function writeConfig(dir: string, data: string, epochs: number): string {
  const file = path.join(dir, `tiny-${epochs}.json`);
  fs.writeFileSync(file, JSON.stringify({
    name: 'tiny-crash',
    seed: 9,
    data: { trainDir: path.join(data, 'train'), monoDir: path.join(data, 'mono'), morphDir: path.join(data, 'morph'), validationPerLang: 60 },
    model: { buckets: 2048, dim: 16, adapterMinPairs: 100, adapterRank: 2 },
    train: {
      epochs, batchSize: 32, auxBatchSize: 8, lr: 0.3, tau: 0.1, evalEvery: 25, threads: 1,
      hardNegatives: { perBatch: 8, topM: 4 },
      checkpoint: { everySteps: 5, everyMinutes: 0 },
    },
    export: { tableDtype: 'float32' },
  }));
  return file;
}

function tafuta(...args: string[]) {
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', env });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

test('a run killed after a checkpoint and resumed writes the model of an uninterrupted run', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tafuta-crash-train-'));
  writeSyntheticData(path.join(dir, 'data'), { auxiliary: true });
  const config = writeConfig(dir, path.join(dir, 'data'), 12);
  const straight = path.join(dir, 'straight');
  const ok = tafuta('train', '--config', config, '--out', straight, '--no-teacher');
  assert.equal(ok.code, 0, ok.stderr);

  const out = path.join(dir, 'crashed');
  const child = spawn(process.execPath, [CLI, 'train', '--config', config, '--out', out, '--no-teacher'], { env, stdio: 'ignore' });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  // Kill it as soon as a checkpoint past the first epoch (hard negatives mined) is on disk.
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (fs.existsSync(checkpointFile(out)) && readCheckpointHeader(checkpointFile(out)).step >= 20) break;
    assert.ok(Date.now() < deadline, 'no checkpoint within a minute');
    if (child.exitCode !== null) assert.fail('the run finished before it could be killed: make it longer');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  child.kill('SIGKILL');
  assert.equal((await exited).signal, 'SIGKILL');
  assert.ok(!fs.existsSync(path.join(out, 'model.json')), 'killed before the model was written');
  const killedAt = readCheckpointHeader(checkpointFile(out)).step;

  const refused = tafuta('train', '--config', writeConfig(dir, path.join(dir, 'data'), 13), '--out', out, '--no-teacher', '--resume');
  assert.equal(refused.code, 2);
  assert.match(refused.stderr, /cannot resume from .*checkpoint\.bin: the config differs .*train\.epochs: 12 → 13/);
  const again = tafuta('train', '--config', config, '--out', out, '--no-teacher');
  assert.equal(again.code, 2, 'a fresh run does not overwrite the checkpoint of an unfinished one');
  assert.match(again.stderr, /continue it with --resume, or delete it to start over/);

  const resumed = tafuta('train', '--config', config, '--out', out, '--no-teacher', '--resume');
  assert.equal(resumed.code, 0, resumed.stderr);
  assert.ok(fs.readFileSync(path.join(out, 'model.onnx')).equals(fs.readFileSync(path.join(straight, 'model.onnx'))), `same model.onnx after a kill at step ${killedAt}`);
  assert.ok(!fs.existsSync(path.join(out, 'checkpoint')));
  const manifest = JSON.parse(fs.readFileSync(path.join(out, 'model.json'), 'utf8')) as { resumes: Array<{ step: number }> };
  assert.deepEqual(manifest.resumes.map((r) => r.step), [killedAt]);
});
