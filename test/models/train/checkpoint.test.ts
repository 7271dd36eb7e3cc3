/**
 * Checkpoint + resume: a single-threaded run stopped at checkpoints and resumed ends bit-identical to an
 * uninterrupted one; a resume with another config, other data or another teacher is refused with the reason;
 * a damaged file is detected; a Hogwild run pauses, checkpoints and resumes to the end.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { isTafutaError } from '../../../core/errors.js';
import { checkpointFile, createCheckpointSchedule, readCheckpoint, readCheckpointHeader } from '../../../models/train/checkpoint.js';
import { trainConfigSchema, type TrainConfig } from '../../../models/train/config.js';
import { AdamW } from '../../../models/train/optimizer.js';
import { createRng } from '../../../core/rng.js';
import { runTraining } from '../../../models/train/run.js';
import type { TrainLogEntry } from '../../../models/train/trainer.js';
import { createTaskWeighting } from '../../../models/train/weighting.js';
import { SYNTHETIC_TEACHER, writeSyntheticData } from './synthetic-data.js';

const DATA = fs.mkdtempSync(path.join(os.tmpdir(), 'tafuta-ckpt-data-'));
writeSyntheticData(DATA, { auxiliary: true });

function tinyConfig(overrides: { epochs?: number; threads?: number; everySteps?: number; data?: string; pooling?: 'mean' | 'attention' } = {}): TrainConfig {
  const data = overrides.data ?? DATA;
  return trainConfigSchema.parse({
    name: 'tiny-ckpt',
    seed: 5,
    data: { trainDir: path.join(data, 'train'), monoDir: path.join(data, 'mono'), morphDir: path.join(data, 'morph'), validationPerLang: 60 },
    model: { buckets: 2048, dim: 16, adapterMinPairs: 100, adapterRank: 2, pooling: overrides.pooling ?? 'mean' },
    train: {
      epochs: overrides.epochs ?? 3,
      batchSize: 32,
      auxBatchSize: 8,
      claBatchSize: 8,
      lr: 0.3,
      tau: 0.1,
      evalEvery: 10,
      threads: overrides.threads ?? 1,
      hardNegatives: { perBatch: 8, topM: 4 },
      checkpoint: { everySteps: overrides.everySteps ?? 7, everyMinutes: 0, epochEnd: true },
    },
    export: { tableDtype: 'float32' },
  });
}

// The distillation head and its optimiser are in play.
const teacher = { vectors: SYNTHETIC_TEACHER, cacheDir: 'fake-teacher' };

const outDir = (name: string) => fs.mkdtempSync(path.join(os.tmpdir(), `tafuta-ckpt-${name}-`));
const same = (a: Float32Array, b: Float32Array) => a.length === b.length && Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(Buffer.from(b.buffer, b.byteOffset, b.byteLength));
const withoutTiming = (history: TrainLogEntry[]) => history.map(({ pairsPerSecond: _ignored, ...rest }) => rest);

async function rejection(promise: Promise<unknown>): Promise<Error & { code?: string; details?: { mismatch?: string } }> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  assert.fail('expected the run to be refused');
}

test('a run stopped at checkpoints and resumed twice ends with exactly the weights of an uninterrupted run', async () => {
  const config = tinyConfig();
  const straightDir = outDir('straight');
  const straight = await runTraining({ config, outDir: straightDir, teacher });
  assert.equal(straight.result.stopped, false);
  assert.ok(!fs.existsSync(path.join(straightDir, 'checkpoint')), 'the checkpoint is removed once the model is written');

  const dir = outDir('resumed');
  const logs: string[] = [];
  const first = await runTraining({ config, outDir: dir, teacher, stopAfter: 11, log: (m) => logs.push(m) });
  assert.equal(first.result.stopped, true);
  assert.equal(first.result.steps, 11);
  assert.equal(first.manifest, undefined);
  assert.ok(!fs.existsSync(path.join(dir, 'model.json')), 'no model from a stopped run');
  assert.ok(logs.some((m) => /checkpoint at step 7 /.test(m)), 'a checkpoint by step count on the way');
  assert.equal(readCheckpointHeader(checkpointFile(dir)).step, 11);
  assert.deepEqual(fs.readdirSync(path.join(dir, 'checkpoint')), ['checkpoint.bin'], 'no temporary files left');

  // Stop again after hard negatives have been mined (at the end of epoch 1), with other checkpoint settings
  // (allowed: they do not change what is learnt).
  const second = await runTraining({ config: tinyConfig({ everySteps: 5 }), outDir: dir, teacher, resume: true, stopAfter: 30 });
  assert.equal(second.result.steps, 30);
  const mid = readCheckpoint(checkpointFile(dir));
  const stepsPerEpoch = Math.round(mid.header.step / mid.header.epoch);
  assert.ok(stepsPerEpoch > 11 && stepsPerEpoch < 30, `one stop before mining, one after (${stepsPerEpoch} steps per epoch)`);
  assert.ok(mid.snapshot.negatives && mid.snapshot.negatives.candidates.size > 0, 'the mined hard negatives are in the checkpoint');
  assert.deepEqual(mid.header.resumes.map((r) => r.step), [11]);

  const last = await runTraining({ config, outDir: dir, teacher, resume: true });
  assert.equal(last.result.stopped, false);
  assert.equal(last.result.steps, straight.result.steps);
  for (const key of ['table', 'U', 'V'] as const) {
    assert.ok(same(last.result.params[key], straight.result.params[key]), `${key} is bit-identical`);
  }
  assert.deepEqual(withoutTiming(last.result.history), withoutTiming(straight.result.history), 'same losses, weights and validation at every log');
  assert.deepEqual(last.result.validation, straight.result.validation);
  assert.ok(fs.readFileSync(path.join(dir, 'model.onnx')).equals(fs.readFileSync(path.join(straightDir, 'model.onnx'))), 'same model.onnx bytes');
  const manifest = JSON.parse(fs.readFileSync(path.join(dir, 'model.json'), 'utf8')) as { resumes: Array<{ step: number }>; steps: number };
  assert.deepEqual(manifest.resumes.map((r) => r.step), [11, 30]);
  assert.ok(!fs.existsSync(path.join(dir, 'checkpoint')), 'the checkpoint does not ship with the model');
});

test('attention pooling: logits and their optimiser state are checkpointed; a resumed run ends bit-identical', async () => {
  const config = tinyConfig({ epochs: 1, pooling: 'attention' });
  const straight = await runTraining({ config, outDir: outDir('attn-straight'), teacher });
  const dir = outDir('attn-resumed');
  await runTraining({ config, outDir: dir, teacher, stopAfter: 5 });
  const last = await runTraining({ config, outDir: dir, teacher, resume: true });
  const logits = straight.result.params.logits!;
  assert.ok(logits.some((x) => x !== 0), 'the pooling logits were learnt');
  assert.ok(same(last.result.params.logits!, logits), 'logits are bit-identical');
  assert.ok(same(last.result.params.table, straight.result.params.table), 'table is bit-identical');
});

test('resume is refused with the reason when the config, the data or the teacher differ, or there is nothing to resume', async () => {
  const own = fs.mkdtempSync(path.join(os.tmpdir(), 'tafuta-ckpt-data-'));
  writeSyntheticData(own, { auxiliary: true });
  const ownConfig = (overrides: Parameters<typeof tinyConfig>[0] = {}) => tinyConfig({ ...overrides, data: own });
  const dir = outDir('mismatch');
  await assert.rejects(runTraining({ config: ownConfig(), outDir: dir, teacher, resume: true }), /nothing to resume: no checkpoint at/);
  await runTraining({ config: ownConfig(), outDir: dir, teacher, stopAfter: 4 });
  const file = checkpointFile(dir);

  const fresh = await rejection(runTraining({ config: ownConfig(), outDir: dir, teacher }));
  assert.match(fresh.message, /holds the checkpoint of an unfinished run: continue it with --resume, or delete it/);

  const config = await rejection(runTraining({ config: ownConfig({ epochs: 4 }), outDir: dir, teacher, resume: true }));
  assert.ok(isTafutaError(config));
  assert.equal(config.code, 'INVALID_ARGUMENT');
  assert.equal(config.details?.mismatch, 'config');
  assert.match(config.message, /config differs .*train\.epochs: 3 → 4/);

  const noTeacher = await rejection(runTraining({ config: ownConfig(), outDir: dir, resume: true }));
  assert.equal(noTeacher.details?.mismatch, 'teacher');
  assert.match(noTeacher.message, /trained with a 8-d teacher, this run has no teacher/);

  const trainFile = path.join(own, 'train', 'xx.jsonl');
  const original = fs.readFileSync(trainFile);
  fs.appendFileSync(trainFile, `${JSON.stringify({ en: 'one more line', text: 'kazu mbe' })}\n`);
  const data = await rejection(runTraining({ config: ownConfig(), outDir: dir, teacher, resume: true }));
  assert.equal(data.details?.mismatch, 'data');
  assert.match(data.message, /training data differs .*xx\.jsonl changed/);
  fs.writeFileSync(trainFile, original);

  assert.equal(readCheckpointHeader(file).step, 4, 'refusals leave the checkpoint alone');
  const done = await runTraining({ config: ownConfig(), outDir: dir, teacher, resume: true });
  assert.equal(done.result.stopped, false);
});

test('a damaged checkpoint is detected, not trained from', async () => {
  const dir = outDir('corrupt');
  await runTraining({ config: tinyConfig(), outDir: dir, teacher, stopAfter: 3 });
  const file = checkpointFile(dir);
  const bytes = fs.readFileSync(file);
  bytes[bytes.length - 5]! ^= 0xff;
  fs.writeFileSync(file, bytes);
  await assert.rejects(runTraining({ config: tinyConfig(), outDir: dir, teacher, resume: true }), (error: Error & { code?: string }) => {
    assert.equal(error.code, 'INPUT_FILE');
    assert.match(error.message, /not a usable training checkpoint \(checksum mismatch\)/);
    return true;
  });
  fs.writeFileSync(file, 'not a checkpoint at all');
  await assert.rejects(runTraining({ config: tinyConfig(), outDir: dir, teacher, resume: true }), /not a checkpoint file/);
});

test('a Hogwild run (2 threads) pauses for checkpoints, stops, and resumes to the end', async () => {
  const config = tinyConfig({ threads: 2, epochs: 2 });
  const dir = outDir('hogwild');
  const first = await runTraining({ config, outDir: dir, stopAfter: 20 });
  assert.equal(first.result.stopped, true);
  assert.equal(first.result.steps, 20);
  const { header, snapshot } = readCheckpoint(checkpointFile(dir));
  assert.equal(header.step, 20);
  assert.equal(snapshot.workers.length, 2);
  assert.ok(snapshot.workers.every((w) => w.schedule && w.trainer.adapterU.t > 0), 'both threads trained and sent their state');
  // Worker 0 mines at the first step >= 17 it claims; if the other thread claimed 17..20 first, mining is still due
  // in worker 0's schedule and happens after the resume. Either way it is not lost.
  const miningDue = snapshot.workers[0]!.schedule?.nextMining;
  assert.ok(snapshot.negatives || (miningDue !== null && miningDue !== undefined && miningDue <= 20), 'hard negatives (due after epoch 1, step 17) are kept or still due');

  const kept = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'tafuta-ckpt-kept-')), 'last');
  const last = await runTraining({ config, outDir: dir, resume: true, keepCheckpointIn: kept });
  assert.equal(last.result.stopped, false);
  assert.equal(last.result.steps, 34);
  const steps = last.result.history.map((e) => e.step);
  assert.ok(steps.every((s, i) => i === 0 || s > steps[i - 1]!), `history continues across the resume: ${steps.join(' ')}`);
  assert.ok(steps.at(-1) === 34 && steps.some((s) => s <= 20) && steps.some((s) => s > 20), `history steps ${steps.join(" ")}`);
  assert.ok(last.result.validation.average > 0.2, `validation ${last.result.validation.average}`);
  assert.ok(!fs.existsSync(path.join(dir, 'checkpoint')));
  assert.ok(fs.existsSync(path.join(kept, 'checkpoint.bin')), 'kept outside the model directory on request');
});

test('checkpoint schedule: every N steps, at epoch ends, after N minutes, never at the last step', () => {
  let now = 0;
  const schedule = createCheckpointSchedule({ everySteps: 7, everyMinutes: 10, epochEnd: true }, { stepsPerEpoch: 10, totalSteps: 30 }, () => now);
  assert.deepEqual([7, 10, 14, 20, 21, 28].filter((s) => schedule.stepDue(s)), [7, 10, 14, 20, 21, 28]);
  assert.equal(schedule.stepDue(30), false);
  assert.equal(schedule.stepDue(8), false);
  assert.equal(schedule.nextStep(7), 10);
  assert.equal(schedule.nextStep(28), Infinity);
  assert.equal(schedule.msUntilDue(), 600_000);
  now = 700_000;
  assert.equal(schedule.msUntilDue(), 0);
  schedule.saved();
  assert.equal(schedule.msUntilDue(), 600_000);
  const off = createCheckpointSchedule({ everySteps: 0, everyMinutes: 0, epochEnd: false }, { stepsPerEpoch: 10, totalSteps: 30 });
  assert.equal(off.nextStep(0), Infinity);
  assert.equal(off.msUntilDue(), Infinity);
});

test('the RNG, the task weighting and AdamW restore their state exactly', () => {
  const rng = createRng(42);
  rng.normal();
  const saved = rng.state();
  const expected = [rng.next(), rng.int(1000), rng.normal()];
  const other = createRng(1);
  other.restore(saved);
  assert.deepEqual([other.next(), other.int(1000), other.normal()], expected);

  const weighting = createTaskWeighting('dynamic', { cl: 1000, lang: 1000, morph: 10 }, ['cl', 'lang', 'morph']);
  weighting.observe('cl', 1.7);
  weighting.observe('lang', 0.03);
  weighting.observe('cl', 2.1);
  const copy = createTaskWeighting('dynamic', { cl: 1000, lang: 1000, morph: 10 }, ['cl', 'lang', 'morph']);
  copy.restore(JSON.parse(JSON.stringify(weighting.state())) as ReturnType<typeof weighting.state>);
  assert.deepEqual(copy.weights(0.4), weighting.weights(0.4));

  const a = new AdamW(4, 0.01);
  const b = new AdamW(4, 0.01);
  const pa = Float32Array.of(1, 2, 3, 4);
  const grad = Float32Array.of(0.1, -0.2, 0.3, -0.4);
  a.step(pa, grad);
  const state = a.state;
  b.restore({ t: state.t, m: state.m.slice(), v: state.v.slice() });
  const pb = pa.slice();
  a.step(pa, grad);
  b.step(pb, grad);
  assert.deepEqual(pb, pa);
  assert.throws(() => b.restore({ t: 1, m: new Float32Array(3), v: new Float32Array(3) }), /does not fit/);
});
