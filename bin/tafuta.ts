#!/usr/bin/env node
/**
 * The `tafuta` command, the composition root: it builds the process's runtime (logger, engine factory, terminal)
 * and hands it to the folders, each of which registers its own verbs. A new verb is one register call below.
 */
import path from 'node:path';
import { Command, CommanderError } from 'commander';
import { exitFor } from '../core/cli.js';
import type { Logger } from '../core/logger.js';
import { registerDataCommands } from '../corpora/cli.js';
import { autoModesCommand, evalCommand } from '../eval/cli.js';
import { fusionWeightFitter } from '../eval/fusion-weights.js';
import { registerCollectionCommands, registerIndexingCommands } from '../indexer/cli.js';
import { langidCommand } from '../models/langid/cli.js';
import { registerTrainingCommands, type TrainingCliRuntime } from '../models/train/cli.js';
import { registerFetchModelCommand, type FetchModelCliRuntime } from '../models/transformers/cli.js';
import { createEncoderRegistry } from '../models/registry.js';
import { translateCommand } from '../models/translate/cli.js';
import { registerServerCommands, type ServerCliRuntime } from '../server/cli.js';
import {
  PACKAGE_ROOT, SHIPPED_MODELS_DIR, assertModelDirs, checkDatabaseAtStart, createEngine, createLogger, loadEncoders, modelsDirsFromEnv, packageVersion, tempEngineRunner,
} from './runtime.js';
import { startProgress } from './terminal.js';

const DEFAULT_DATA_DIR = process.env.TAFUTA_DATA_DIR ?? '.tafuta/data';
const DEMO_CORPUS = path.join(PACKAGE_ROOT, 'demo', 'corpus.jsonl');

type CliRuntime = ServerCliRuntime & TrainingCliRuntime & FetchModelCliRuntime;

export function buildProgram(logger: Logger = createLogger()): Command {
  /** Set by --quiet (before any action runs): no progress bar, no info lines. */
  let quiet = false;
  const program = new Command('tafuta')
    .description('Dense semantic search for low-resource languages')
    .version(packageVersion())
    .option('-q, --quiet', 'only warnings and errors on stderr: no progress bar, no info lines')
    .option('--models-dir <dir>', 'also load every model directory in DIR, ours or Hugging Face ones (repeatable; sets TAFUTA_MODELS_DIR)', (dir: string, dirs: string[]) => [...dirs, dir], [])
    .hook('preAction', () => {
      const { quiet: quietOption, modelsDir } = program.opts<{ quiet?: boolean; modelsDir: string[] }>();
      quiet = quietOption === true;
      // Through the environment, so that cluster workers and every createEngine see the same directories.
      if (modelsDir.length > 0) process.env.TAFUTA_MODELS_DIR = modelsDir.join(path.delimiter);
      if (quiet && 'level' in logger) (logger as { level: string }).level = 'warn';
    })
    .showHelpAfterError()
    .exitOverride(); // set before adding commands so they inherit it: main() maps usage errors to exit code 2

  const runtime: CliRuntime = {
    logger,
    openEngine: (dataDir, options) => createEngine({ dataDir, logger, ...options }),
    // None when quiet or piped: there the log says what happens.
    progressBar: (format, initialPayload) => (quiet || !process.stderr.isTTY ? undefined : startProgress(format, initialPayload)),
    defaultDataDir: DEFAULT_DATA_DIR,
    checkDatabase: (dataDir) => checkDatabaseAtStart(dataDir, logger),
    version: packageVersion(),
    demoCorpus: DEMO_CORPUS,
    shippedModelsDir: SHIPPED_MODELS_DIR,
    adaptersConfig: path.join(PACKAGE_ROOT, 'configs', 'adapters.json'),
    openEncoders: async () => createEncoderRegistry(await loadEncoders({ logger })),
    modelsDirs: modelsDirsFromEnv,
  };
  const withTempEngine = tempEngineRunner(logger);

  // In the order `tafuta --help` lists them.
  registerIndexingCommands(program, runtime);
  registerServerCommands(program, runtime);
  registerCollectionCommands(program, runtime);
  registerTrainingCommands(program, runtime);
  registerDataCommands(program);
  registerFetchModelCommand(program, runtime);
  program.addCommand(evalCommand(logger, withTempEngine));
  program.addCommand(autoModesCommand(logger, withTempEngine));
  program.addCommand(langidCommand(logger));
  program.addCommand(translateCommand(logger, fusionWeightFitter(withTempEngine), assertModelDirs));
  return program;
}

export async function main(argv: string[]): Promise<number> {
  let logger: Logger;
  try {
    logger = createLogger();
  } catch (error) {
    process.stderr.write(`tafuta: ${(error as Error).message}\n`);
    return 2;
  }
  try {
    await buildProgram(logger).parseAsync(argv);
    return 0;
  } catch (error) {
    if (error instanceof CommanderError) {
      // Commander has already printed the usage message; help and --version are not errors.
      return error.exitCode === 0 ? 0 : 2;
    }
    const exit = exitFor(error);
    if (!exit.expected) logger.error({ err: error }, 'failed');
    process.stderr.write(`${exit.message}\n`);
    return exit.code;
  }
}

process.exitCode = await main(process.argv);
