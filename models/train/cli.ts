/** The training verbs: `tafuta train` (pre-train an encoder), `tafuta adapt` (one language's adapter), `tafuta teacher build`. */
import path from 'node:path';
import type { Command } from 'commander';
import { CliError } from '../../core/cli.js';
import { nonNegativeInt, positiveInt } from '../../core/integers.js';
import type { Logger } from '../../core/logger.js';
import type { EncoderRegistry } from '../registry.js';

const MAX_EPOCHS = 1000;
/** As train.threads in config.ts. */
const MAX_TRAIN_THREADS = 16;

/** What the composition root (bin/) hands the training verbs. */
export interface TrainingCliRuntime {
  logger: Logger;
  /** Where the shipped models are: `adapt --model` defaults to its cmtp-base. */
  shippedModelsDir: string;
  /** `adapt --encoder`'s default training settings (configs/adapters.json). */
  adaptersConfig: string;
  /** Every encoder this process can load (as a server would), for `adapt --encoder`. */
  openEncoders(): Promise<EncoderRegistry>;
  /** The --models-dir directories: `adapt --encoder` writes into the first by default. */
  modelsDirs(): string[];
}

interface AdaptCliOptions {
  lang: string;
  pairs: string;
  out?: string;
  model?: string;
  encoder?: string;
  epochs?: number;
  rank?: number;
  seed?: number;
  config: string;
  cache: string;
  name?: string;
}

/** `adapt --encoder`: low-rank corrections over any loaded encoder, its vectors frozen (models/adapters). */
async function adaptAnyEncoder(options: AdaptCliOptions & { encoder: string }, runtime: TrainingCliRuntime): Promise<void> {
  if (options.model !== undefined) throw new CliError('give --model (our model, retrained) or --encoder (any encoder, frozen), not both');
  const { adaptEncoder } = await import('../adapters/cli.js');
  const { splitLanguageFlag } = await import('../adapters/languages.js');
  const langs = splitLanguageFlag(options.lang);
  const result = await adaptEncoder(
    { encoder: options.encoder, langs, pairs: options.pairs, out: options.out, name: options.name, configFile: options.config, rank: options.rank, epochs: options.epochs, seed: options.seed, cacheDir: options.cache },
    { openEncoders: runtime.openEncoders, modelsDirs: runtime.modelsDirs(), log: (message) => runtime.logger.info(message) },
  );
  const lines = result.languages.map((l) => `${l.lang}: validation MRR@10 ${l.validation.base.mrr.toFixed(3)} → ${l.validation.adapted.mrr.toFixed(3)}`);
  process.stdout.write(`${lines.join('\n')}\nwrote ${result.dir} (encoder "${result.name}"; serve it with --models-dir ${path.dirname(path.resolve(result.dir))})\n`);
}

/** Cached English teacher vectors, if the teacher cache has been built (`tafuta teacher build`). */
async function loadTeacherVectors(cacheDir: string, logger: Logger) {
  const { loadTeacherLookup } = await import('./teacher-lookup.js');
  const teacher = await loadTeacherLookup(cacheDir);
  if (!teacher) logger.warn({ cacheDir }, 'no teacher cache: training without the cross-lingual alignment objective');
  return teacher;
}

interface TrainCliOptions {
  config: string;
  out: string;
  epochs?: number;
  threads?: number;
  teacher: boolean;
  resume?: boolean;
  stopAfter?: number;
  keepCheckpoint?: string | true;
  float32Twin?: string | true;
}

async function train(options: TrainCliOptions, logger: Logger): Promise<void> {
  const { readTrainConfig, runTraining } = await import('./run.js');
  const config = readTrainConfig(options.config); // bad input is a TafutaError (exit 2); anything else is a bug (exit 1)
  if (options.epochs !== undefined) config.train.epochs = options.epochs;
  if (options.threads !== undefined) config.train.threads = options.threads;
  const keepCheckpointIn =
    options.keepCheckpoint === true ? path.join('.cache', 'checkpoints', path.basename(path.resolve(options.out))) : options.keepCheckpoint;
  if (keepCheckpointIn && path.resolve(keepCheckpointIn).startsWith(path.resolve(options.out) + path.sep)) {
    throw new CliError('--keep-checkpoint must be outside the model directory (a model ships without its checkpoint)');
  }
  const float32TwinIn = options.float32Twin === true ? path.join('.cache', 'float32-twins', path.basename(path.resolve(options.out))) : options.float32Twin;
  if (float32TwinIn && path.resolve(float32TwinIn).startsWith(path.resolve(options.out) + path.sep)) {
    throw new CliError('--float32-twin must be outside the model directory (a model ships without its twin)');
  }
  const vectors = options.teacher && config.train.tasks.cla ? await loadTeacherVectors(config.teacher.cacheDir, logger) : undefined;
  const teacher = vectors ? { vectors, cacheDir: config.teacher.cacheDir } : undefined;
  await runTraining({
    config, outDir: options.out, teacher, log: (message) => logger.info(message), resume: options.resume ?? false, stopAfter: options.stopAfter, keepCheckpointIn, float32TwinIn,
  });
}

export function registerTrainingCommands(program: Command, runtime: TrainingCliRuntime): void {
  const { logger } = runtime;
  program
    .command('train')
    .description('pre-train a CMTP encoder from a config file into a model directory (ONNX + model.json)')
    .requiredOption('--config <file>', 'training config (see configs/)')
    .requiredOption('--out <dir>', 'model directory to write')
    .option('--epochs <n>', 'override train.epochs', positiveInt(MAX_EPOCHS))
    .option('--threads <n>', 'override train.threads (1 = reproducible single thread)', positiveInt(MAX_TRAIN_THREADS))
    .option('--no-teacher', 'train without the English teacher (no cross-lingual alignment objective)')
    .option('--resume', 'continue an interrupted run from <out>/checkpoint (same config, data and teacher)')
    .option('--stop-after <step>', 'stop after this global step, leaving a checkpoint to --resume from', positiveInt(100_000_000))
    .option('--keep-checkpoint [dir]', 'keep the last checkpoint once the model is written (default .cache/checkpoints/<out name>; never inside <out>)')
    .option('--float32-twin [dir]', 'also write an unquantised copy of an int8/float16 model, to measure the cost of quantisation (default .cache/float32-twins/<out name>; never inside <out>)')
    .action((options: TrainCliOptions) => train(options, logger));

  program
    .command('adapt')
    .description("few-shot: train language adapters from a few hundred pairs into a new model directory: of our model (--model, everything else frozen) or over any loaded encoder (--encoder, its vectors frozen)")
    .requiredOption('--lang <code>', 'language of the pairs (with --encoder: several separated by commas, --pairs then a directory of <lang>.jsonl)')
    .requiredOption('--pairs <file>', 'JSONL {en, text} or TSV english<TAB>translation')
    .option('--out <dir>', 'model directory to write (the source is not modified); with --encoder default <first --models-dir>/<name>')
    .option('--model <dir>', 'our model to adapt (default the shipped cmtp-base)')
    .option('--encoder <name>', 'any loaded encoder (hashed-ngram-v1, cmtp-base, a --models-dir model, an adapted one to add languages to): low-rank corrections of its output')
    .option('--epochs <n>', 'passes over the pairs (with --encoder: the most, stopping early on validation)', positiveInt(MAX_EPOCHS))
    .option('--rank <n>', "adapter rank (default: the model's, or configs/adapters.json)", positiveInt(256))
    .option('--seed <n>', 'with --encoder: seed (default configs/adapters.json)', nonNegativeInt(2 ** 31 - 1))
    .option('--config <file>', 'with --encoder: training settings', runtime.adaptersConfig)
    .option('--cache <dir>', 'with --encoder: where the embedded pairs are cached', path.join('.cache', 'adapter-embeddings'))
    .option('--name <name>', 'name of the adapted model (default: <source>+<lang>)')
    .action(async (options: AdaptCliOptions) => {
      if (options.encoder !== undefined) return adaptAnyEncoder({ ...options, encoder: options.encoder }, runtime);
      const model = options.model ?? path.join(runtime.shippedModelsDir, 'cmtp-base');
      if (options.out === undefined) throw new CliError('give --out DIR');
      const { adaptLanguage } = await import('./adapt.js');
      const { adapterLanguagesOf, splitLanguageFlag } = await import('../adapters/languages.js');
      if (path.resolve(options.out) === path.resolve(model)) throw new CliError('--out must differ from --model');
      const langs = adapterLanguagesOf(splitLanguageFlag(options.lang));
      if (langs.length > 1) throw new CliError(`--model adapts one language at a time (--lang names ${langs.length}); --encoder takes several`);
      const lang = langs[0]!;
      // Bad input (pairs, model files) is a TafutaError (exit 2); anything else is a bug (exit 1).
      const result = await adaptLanguage({ modelDir: model, outDir: options.out, lang, pairsFile: options.pairs, epochs: options.epochs, name: options.name, rank: options.rank });
      process.stdout.write(`adapter for "${lang}" trained on ${result.pairs} pairs in ${result.seconds.toFixed(1)} s (final loss ${result.loss.toFixed(3)}); wrote ${options.out}\n`);
    });

  program
    .command('teacher')
    .description('the English teacher (USE-lite) for cross-lingual alignment')
    .command('build')
    .description('embed every unique English string of the training data once and cache the vectors on disk')
    .option('--train <dir>', 'training data directory', 'data/train')
    .option('--cache <dir>', 'teacher cache directory', '.cache/teacher')
    .option('--skip-short', 'skip English strings of fewer than two words')
    .action(async (options: { train: string; cache: string; skipShort?: boolean }) => {
      const { buildTeacherCache, createTeacherProgress } = await import('../teacher/build.js');
      const progress = createTeacherProgress();
      try {
        const result = await buildTeacherCache({ trainDir: options.train, cacheDir: options.cache, skipShort: options.skipShort ?? false, onProgress: progress.update });
        process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
      } finally {
        progress.stop();
      }
    });
}
