/**
 * `tafuta train`: config file → dataset → joint training → an ONNX model directory whose model.json records the
 * config, the data manifest (files + sha256), training time, validation scores and the loss/weight history.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { writeOnnxEncoderDir } from '../onnx/export.js';
import { trainConfigSchema, type TrainConfig } from './config.js';
import { loadDataset } from './dataset.js';
import { toEncoderWeights } from './encoder-params.js';
import { trainParallel } from './parallel.js';
import { train, type TeacherVectors, type TrainLogEntry } from './trainer.js';

export interface RunTrainingOptions {
  config: TrainConfig;
  outDir: string;
  /** The teacher's vectors, and where its cache lives (worker threads open it themselves). */
  teacher?: { vectors: TeacherVectors; cacheDir: string } | undefined;
  log?: (message: string) => void;
}

export function readTrainConfig(file: string, overrides: Record<string, unknown> = {}): TrainConfig {
  if (!fs.existsSync(file)) throw new Error(`config file not found: ${file}`);
  let raw: unknown;
  try {
    raw = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch {
    throw new Error(`${file} is not valid JSON`);
  }
  const parsed = trainConfigSchema.safeParse({ ...(raw as object), ...overrides });
  if (!parsed.success) throw new Error(`invalid config ${file}: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  return parsed.data;
}

function formatLog(entry: TrainLogEntry): string {
  const losses = Object.entries(entry.losses).map(([k, v]) => `${k}=${v.toFixed(3)}`).join(' ');
  const weights = Object.entries(entry.weights).filter(([, w]) => w > 0).map(([k, w]) => `${k}:${w.toFixed(2)}`).join(' ');
  const val = entry.validation ? ` val.mrr10=${entry.validation.average.toFixed(3)}` : '';
  return `step ${entry.step} epoch ${entry.epoch.toFixed(2)} ${losses} acc=${entry.clAccuracy.toFixed(3)} w[${weights}] ${entry.pairsPerSecond.toFixed(0)} pairs/s${val}`;
}

export async function runTraining({ config, outDir, teacher, log = () => {} }: RunTrainingOptions) {
  const started = performance.now();
  const features = { buckets: config.model.buckets, minN: config.model.minN, maxN: config.model.maxN, words: config.model.words };
  const dataset = await loadDataset({ ...config.data, features });
  log(`data: ${dataset.train.length} training pairs, ${dataset.validation.length} validation pairs, ${dataset.langs.length} languages, ` +
    `${dataset.translationGroups.length} translation groups, ${dataset.mono.length} monolingual texts, ${dataset.morph.length} morphology groups`);
  const hooks = { onLog: (entry: TrainLogEntry) => log(formatLog(entry)) };
  const result =
    config.train.threads > 1
      ? await trainParallel(config, dataset, teacher ? { dim: teacher.vectors.dim, cacheDir: teacher.cacheDir } : undefined, config.train.threads, hooks)
      : train(config, dataset, teacher?.vectors, hooks);
  const dataManifestHash = crypto.createHash('sha256').update(JSON.stringify(dataset.manifest.files)).digest('hex');
  const manifest = await writeOnnxEncoderDir(outDir, {
    name: config.name,
    description:
      `CMTP encoder (${config.model.dim}-d, ${config.model.buckets} hashed word + char ${config.model.minN}-${config.model.maxN}-gram buckets, ` +
      `${result.params.adapterLangs.length} language adapters) trained on ${dataset.train.length} parallel pairs in ${dataset.langs.length} languages.`,
    features,
    weights: toEncoderWeights(result.params),
    tableDtype: config.export.tableDtype,
    extra: {
      trainedAt: new Date().toISOString(),
      trainingSeconds: Math.round((performance.now() - started) / 100) / 10,
      steps: result.steps,
      config,
      data: { manifestSha256: dataManifestHash, ...dataset.manifest },
      teacher: teacher ? { dim: teacher.vectors.dim, cacheDir: teacher.cacheDir } : null,
      validation: result.validation,
      history: result.history,
    },
  });
  fs.writeFileSync(path.join(outDir, 'training-log.json'), `${JSON.stringify(result.history, null, 2)}\n`);
  if (config.export.tableDtype !== 'float32') {
    // An unquantised twin (kept out of models/, never shipped), so the cost of quantisation can be measured.
    const twin = path.join('.cache', 'float32-twins', path.basename(path.resolve(outDir)));
    await writeOnnxEncoderDir(twin, {
      name: `${config.name}-float32`,
      description: `float32 twin of ${config.name}, for measuring quantisation loss`,
      features,
      weights: toEncoderWeights(result.params),
      tableDtype: 'float32',
    });
    log(`wrote ${twin} (float32 twin for quantisation measurements)`);
  }
  log(`wrote ${outDir}: validation MRR@10 ${result.validation.average.toFixed(3)} in ${result.seconds.toFixed(0)} s`);
  return { manifest, result };
}
