/**
 * `tafuta train`: config file → dataset → joint training → an ONNX model directory whose model.json records the
 * config, the data manifest (files + sha256), training time, validation scores and the loss/weight history.
 * While it trains, checkpoints go to `<out>/checkpoint/` (see checkpoint.ts); `resume` continues from there, and
 * the checkpoint is removed (or moved elsewhere) once the model is written, so it never ships with the model.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { writeOnnxEncoderDir } from '../onnx/export.js';
import {
  CHECKPOINT_DIR,
  assertSameConfig,
  assertSameData,
  checkpointFile,
  createCheckpointSchedule,
  hasCheckpoint,
  readCheckpoint,
  readCheckpointHeader,
  writeCheckpoint,
  type CheckpointMeta,
} from './checkpoint.js';
import { TafutaError } from '../../core/errors.js';
import { trainConfigSchema, type TrainConfig } from './config.js';
import { buildCodeSwitchCandidates, readCodeSwitchTables } from './code-switch.js';
import { loadDataset, type Dataset } from './dataset.js';
import { toEncoderWeights } from './encoder-params.js';
import { trainParallel } from './parallel.js';
import { runLength, train, type CheckpointHook, type TeacherVectors, type TrainLogEntry } from './trainer.js';
import { formatIssues } from '../../core/issues.js';
import { readTranslatorManifest } from '../translate/translator.js';
import type { FeatureConfig } from '../features.js';

export interface RunTrainingOptions {
  config: TrainConfig;
  outDir: string;
  /** The teacher's vectors, and where its cache lives (worker threads open it themselves). */
  teacher?: { vectors: TeacherVectors; cacheDir: string } | undefined;
  log?: (message: string) => void;
  /** Continue from `<outDir>/checkpoint/` (same config, data and teacher, or a TafutaError says what differs). */
  resume?: boolean;
  /** Stop after this global step, leaving a checkpoint to resume from (time-sliced training). */
  stopAfter?: number | undefined;
  /** Move the checkpoint here once the model is written, instead of deleting it. */
  keepCheckpointIn?: string | undefined;
  /**
   * Also write an unquantised copy of a model with a quantised table here (never shipped), so that the cost of
   * quantisation can be measured. Default: none.
   */
  float32TwinIn?: string | undefined;
}

export function readTrainConfig(file: string, overrides: Record<string, unknown> = {}): TrainConfig {
  if (!fs.existsSync(file)) throw new TafutaError('INPUT_FILE', `config file not found: ${file}`);
  let raw: unknown;
  try {
    raw = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch {
    throw new TafutaError('INPUT_FILE', `${file} is not valid JSON`);
  }
  const parsed = trainConfigSchema.safeParse({ ...(raw as object), ...overrides });
  if (!parsed.success) throw new TafutaError('INVALID_ARGUMENT', `invalid config ${file}: ${formatIssues(parsed.error)}`);
  return parsed.data;
}

function formatLog(entry: TrainLogEntry): string {
  const losses = Object.entries(entry.losses).map(([k, v]) => `${k}=${v.toFixed(3)}`).join(' ');
  const weights = Object.entries(entry.weights).filter(([, w]) => w > 0).map(([k, w]) => `${k}:${w.toFixed(2)}`).join(' ');
  const val = entry.validation ? ` val.mrr10=${entry.validation.average.toFixed(3)}` : '';
  return `step ${entry.step} epoch ${entry.epoch.toFixed(2)} ${losses} acc=${entry.clAccuracy.toFixed(3)} w[${weights}] ${entry.pairsPerSecond.toFixed(0)} pairs/s${val}`;
}

/** The sha256 recorded in model.json (and checked on resume) for the files a dataset was read from. */
export function dataManifestSha256(manifest: Dataset['manifest']): string {
  return crypto.createHash('sha256').update(JSON.stringify(manifest.files)).digest('hex');
}

/**
 * With `augment.codeSwitch`, works out what each training pair may swap and attaches it to the dataset; returns
 * what the model card records (the tables' checksums and how many training words are switchable per language).
 */
function attachCodeSwitching(config: TrainConfig, dataset: Dataset, features: FeatureConfig, log: (message: string) => void) {
  const options = config.augment?.codeSwitch;
  if (!options) return undefined;
  const trainDir = path.resolve(config.data.trainDir);
  const trainFiles = dataset.manifest.files.filter((f) => path.resolve(path.dirname(f.path)) === trainDir);
  const tablesOf = readCodeSwitchTables(options.tables, trainFiles, config.data, options.borrow);
  const switched = (lang: string) => lang !== 'en' && (options.langs === undefined || options.langs.includes(lang));
  dataset.codeSwitch = buildCodeSwitchCandidates(dataset, (lang) => (switched(lang) ? tablesOf(lang) : []), { minProbability: options.minProbability, features });
  const coverage = dataset.codeSwitch.coverage;
  log(`code-switching at rate ${options.rate}: switchable words ${Object.entries(coverage).filter(([, c]) => c.switchable > 0).map(([l, c]) => `${l} ${((100 * c.switchable) / c.words).toFixed(0)}%`).join(' ')}`);
  const tables = readTranslatorManifest(options.tables).tables;
  return { tables: Object.fromEntries(Object.entries(tables).map(([lang, t]) => [lang, t.sha256])), coverage };
}

export async function runTraining({ config, outDir, teacher, log = () => {}, resume = false, stopAfter, keepCheckpointIn, float32TwinIn }: RunTrainingOptions) {
  const started = performance.now();
  const ckptFile = checkpointFile(outDir);
  if (resume && !hasCheckpoint(outDir)) {
    throw new TafutaError('INVALID_ARGUMENT', `nothing to resume: no checkpoint at ${ckptFile}`, { checkpoint: ckptFile });
  }
  if (!resume && hasCheckpoint(outDir)) {
    throw new TafutaError('INVALID_ARGUMENT', `${ckptFile} holds the checkpoint of an unfinished run: continue it with --resume, or delete it to start over`, {
      checkpoint: ckptFile,
    });
  }
  const header = resume ? readCheckpointHeader(ckptFile) : undefined;
  if (header) assertSameConfig(header, config, ckptFile); // before the (slow) data load

  const configured = { buckets: config.model.buckets, minN: config.model.minN, maxN: config.model.maxN, words: config.model.words };
  const dataset = await loadDataset({ ...config.data, features: configured, subwordMerges: config.model.subwordMerges });
  const features = dataset.features;
  if (dataset.subwordMerges) log(`subwords: ${dataset.subwordMerges.length} BPE merges learned from the training pairs`);
  log(`data: ${dataset.train.length} training pairs, ${dataset.validation.length} validation pairs, ${dataset.langs.length} languages, ` +
    `${dataset.translationGroups.length} translation groups, ${dataset.mono.length} monolingual texts, ${dataset.morph.length} morphology groups`);
  const codeSwitch = attachCodeSwitching(config, dataset, features, log);
  const dataManifestHash = dataManifestSha256(dataset.manifest);
  const meta: CheckpointMeta = {
    config,
    data: { manifestSha256: dataManifestHash, files: dataset.manifest.files },
    teacher: teacher ? { dim: teacher.vectors.dim } : null,
    trainingSeconds: 0,
    resumes: [],
  };
  if (header) assertSameData(header, meta.data, meta.teacher, ckptFile);
  const checkpoint = header ? readCheckpoint(ckptFile) : undefined;
  if (checkpoint) {
    meta.trainingSeconds = checkpoint.header.trainingSeconds;
    meta.resumes = [...checkpoint.header.resumes, { step: checkpoint.snapshot.step, at: new Date().toISOString() }];
    if (stopAfter !== undefined && stopAfter <= checkpoint.snapshot.step) {
      throw new TafutaError('INVALID_ARGUMENT', `cannot stop after step ${stopAfter}: the checkpoint is already at step ${checkpoint.snapshot.step}`);
    }
    log(`resuming from ${ckptFile} at step ${checkpoint.snapshot.step} (epoch ${checkpoint.header.epoch.toFixed(2)})`);
  }

  const { stepsPerEpoch, totalSteps } = runLength(config, dataset);
  const schedule = createCheckpointSchedule(config.train.checkpoint, { stepsPerEpoch, totalSteps });
  const checkpointHook: CheckpointHook = {
    due: (step) => schedule.stepDue(step) || schedule.msUntilDue() <= 0,
    nextStep: (step) => schedule.nextStep(step),
    msUntilDue: () => schedule.msUntilDue(),
    save(snapshot) {
      const t = performance.now();
      writeCheckpoint(outDir, snapshot, { ...meta, trainingSeconds: meta.trainingSeconds + (t - started) / 1000 }, stepsPerEpoch);
      schedule.saved();
      log(`checkpoint at step ${snapshot.step} (epoch ${(snapshot.step / stepsPerEpoch).toFixed(2)}) in ${((performance.now() - t) / 1000).toFixed(1)} s: ${ckptFile}`);
    },
  };
  const hooks = { onLog: (entry: TrainLogEntry) => log(formatLog(entry)), checkpoint: checkpointHook };
  const options = { resume: checkpoint?.snapshot, stopAfter };
  const result =
    config.train.threads > 1
      ? await trainParallel(config, dataset, teacher ? { dim: teacher.vectors.dim, cacheDir: teacher.cacheDir } : undefined, config.train.threads, hooks, options)
      : train(config, dataset, teacher?.vectors, hooks, options);
  if (result.stopped) {
    log(`stopped after step ${result.steps} of ${totalSteps}; continue with --resume (checkpoint ${ckptFile})`);
    return { manifest: undefined, result };
  }
  const manifest = await writeOnnxEncoderDir(outDir, {
    name: config.name,
    description:
      `CMTP encoder (${config.model.dim}-d, ${config.model.buckets} hashed word + char ${config.model.minN}-${config.model.maxN}-gram` +
      `${dataset.subwordMerges ? ` + ${dataset.subwordMerges.length}-merge subword` : ''} buckets, ` +
      `${result.params.adapterLangs.length} language adapters) trained on ${dataset.train.length} parallel pairs in ${dataset.langs.length} languages.`,
    features,
    weights: toEncoderWeights(result.params),
    tableDtype: config.export.tableDtype,
    extra: {
      trainedAt: new Date().toISOString(),
      trainingSeconds: Math.round((meta.trainingSeconds + (performance.now() - started) / 1000) * 10) / 10,
      steps: result.steps,
      ...(meta.resumes.length ? { resumes: meta.resumes } : {}),
      config,
      data: { manifestSha256: dataManifestHash, ...dataset.manifest },
      teacher: teacher ? { dim: teacher.vectors.dim, cacheDir: teacher.cacheDir } : null,
      ...(codeSwitch ? { augment: { codeSwitch } } : {}),
      validation: result.validation,
      history: result.history,
    },
  });
  fs.writeFileSync(path.join(outDir, 'training-log.json'), `${JSON.stringify(result.history, null, 2)}\n`);
  if (float32TwinIn !== undefined) {
    if (config.export.tableDtype === 'float32') log('no float32 twin written: the model itself is float32');
    else {
      await writeOnnxEncoderDir(float32TwinIn, {
        name: `${config.name}-float32`,
        description: `float32 twin of ${config.name}, for measuring quantisation loss`,
        features,
        weights: toEncoderWeights(result.params),
        tableDtype: 'float32',
      });
      log(`wrote ${float32TwinIn} (float32 twin for quantisation measurements)`);
    }
  }
  // The model is complete: the checkpoint must not ship with it.
  const ckptDir = path.join(outDir, CHECKPOINT_DIR);
  if (keepCheckpointIn && hasCheckpoint(outDir)) {
    fs.mkdirSync(path.dirname(path.resolve(keepCheckpointIn)), { recursive: true });
    fs.rmSync(keepCheckpointIn, { recursive: true, force: true });
    try {
      fs.renameSync(ckptDir, keepCheckpointIn);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EXDEV') throw error;
      fs.cpSync(ckptDir, keepCheckpointIn, { recursive: true }); // another filesystem
    }
    log(`kept the last checkpoint in ${keepCheckpointIn}`);
  }
  fs.rmSync(ckptDir, { recursive: true, force: true });
  log(`wrote ${outDir}: validation MRR@10 ${result.validation.average.toFixed(3)} in ${result.seconds.toFixed(0)} s`);
  return { manifest, result };
}
