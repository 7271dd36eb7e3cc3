/** `tafuta translate train`: learn the query translator of the translate modes (models/translate/train.ts). */
import path from 'node:path';
import { Command } from 'commander';
import type { Logger } from '../../core/logger.js';
import type { TempEngineRunner } from '../../indexer/engine.js';
import { fitFusionWeights, readTranslateConfig, trainTables } from './train.js';

export function translateCommand(logger: Logger, withTempEngine: TempEngineRunner): Command {
  const command = new Command('translate').description('query translation for cross-lingual BM25 (the translate and translate-hybrid modes)');
  command
    .command('train')
    .description('learn word translation tables from data/train and fit the fusion weights on held-out pairs')
    .requiredOption('--config <file>', 'translator config (configs/translate-base.json)')
    .requiredOption('--out <dir>', 'translator directory to write (translator.json + tables/)')
    .action(async (options: { config: string; out: string }) => {
      const config = readTranslateConfig(options.config);
      const log = (message: string) => logger.info(message);
      const tables = await trainTables(config, options.out, log);
      const manifest = await withTempEngine((engine) => fitFusionWeights(engine, config, tables, options.out, log), [], path.resolve(options.out));
      process.stdout.write(`wrote ${options.out}: ${Object.keys(manifest.tables).length} tables, ${manifest.bytes as number} bytes\n`);
    });
  return command;
}
