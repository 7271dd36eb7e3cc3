/** `tafuta translate train`: learn the query translator of the translate modes (train.ts), then fit its fusion weights. */
import { Command } from 'commander';
import type { Logger } from '../../core/logger.js';
import type { TranslatorManifest } from './translator.js';
import { readTranslateConfig, trainTables, type TableTrainingResult, type TranslateConfig } from './train.js';

/**
 * Fits the translate-hybrid weights on the held-out pairs and rewrites the manifest in `outDir`: it needs an
 * engine and the evaluation, so the composition root hands it in (eval/fusion-weights.ts).
 */
export type FitFusionWeights = (config: TranslateConfig, tables: TableTrainingResult, outDir: string, log: (message: string) => void, modelDirs: readonly string[]) => Promise<TranslatorManifest>;

/** Throws a clear error for a `--model` directory that holds no model (checked before the tables are learnt). */
export type CheckModelDirs = (dirs: readonly string[]) => void;

export function translateCommand(logger: Logger, fitFusionWeights: FitFusionWeights, checkModelDirs: CheckModelDirs): Command {
  const command = new Command('translate').description('query translation for cross-lingual BM25 (the translate and translate-hybrid modes)');
  command
    .command('train')
    .description('learn word translation tables from data/train and fit the fusion weights on held-out pairs')
    .requiredOption('--config <file>', 'translator config (configs/translate-base.json)')
    .requiredOption('--out <dir>', 'translator directory to write (translator.json + tables/)')
    .option('--model <dir>', 'encoder model directory to load besides the shipped ones, when fusion.encoder is not shipped')
    .action(async (options: { config: string; out: string; model?: string }) => {
      const config = readTranslateConfig(options.config);
      const modelDirs = options.model ? [options.model] : [];
      checkModelDirs(modelDirs);
      const log = (message: string) => logger.info(message);
      const tables = await trainTables(config, options.out, log);
      const manifest = await fitFusionWeights(config, tables, options.out, log, modelDirs);
      process.stdout.write(`wrote ${options.out}: ${Object.keys(manifest.tables).length} tables, ${manifest.bytes as number} bytes\n`);
    });
  return command;
}
