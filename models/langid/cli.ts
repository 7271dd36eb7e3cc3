/** `tafuta langid train | eval`: train the language identifier from a config; score it on benchmark query strings. */
import fs from 'node:fs';
import path from 'node:path';
import { Command } from 'commander';
import { TafutaError } from '../../core/errors.js';
import type { Logger } from '../../core/logger.js';
import { createHeuristicLanguageIdentifier } from './identifier.js';
import { readLangIdConfig, type LangIdConfig } from './config.js';
import { trainingKeys } from './data.js';
import { evaluateIdentifiers, formatReport, readBenchStrings, summarize } from './eval.js';
import { hasLangIdModel, loadLanguageIdentifier, readLangIdManifest, writeLangIdManifest } from './io.js';
import { recalibrateLangIdModel, runLangIdTraining } from './train.js';

interface EvalOptions {
  model: string;
  bench: string;
  report: string;
  record: boolean;
}

/** The command line that reproduces an eval (defaults left out). */
function evalCommandLine(o: EvalOptions): string {
  const parts = ['node dist/bin/tafuta.js langid eval', `--model ${o.model}`];
  if (o.bench !== 'data/bench') parts.push(`--bench ${o.bench}`);
  if (o.report !== 'docs/langid.md') parts.push(`--report ${o.report}`);
  return parts.join(' ');
}

export function runLangIdEval(o: EvalOptions, log: (message: string) => void): void {
  if (!hasLangIdModel(o.model)) throw new TafutaError('INPUT_FILE', `--model ${o.model}: no langid.json there (train one with \`tafuta langid train\`)`);
  const manifest = readLangIdManifest(o.model);
  const trained = loadLanguageIdentifier(o.model);
  const heuristic = createHeuristicLanguageIdentifier();
  const strings = readBenchStrings(o.bench);
  const dataConfig = (manifest.config as LangIdConfig).data;
  // Only to flag evaluation strings that also occur in the training data; the eval runs without it.
  const keys = fs.existsSync(dataConfig.trainDir) ? trainingKeys(dataConfig) : new Set<string>();
  if (!fs.existsSync(dataConfig.trainDir)) log(`no training data at ${dataConfig.trainDir}: the "seen" column will read 0`);
  const started = performance.now();
  const summary = summarize(evaluateIdentifiers(strings, { trained, lengthBlind: loadLanguageIdentifier(o.model, { lengthBlind: true }), heuristic }, keys), evalCommandLine(o));
  log(`langid eval: ${strings.length} strings in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  fs.mkdirSync(path.dirname(path.resolve(o.report)), { recursive: true });
  fs.writeFileSync(o.report, formatReport(summary, manifest, heuristic.name, o.model));
  if (o.record) {
    const { perLangLength: _detail, shortQueries: _shortDetail, ...recorded } = summary;
    writeLangIdManifest(o.model, { ...manifest, evaluation: { bench: o.bench, report: o.report, ...recorded } });
  }
  const o1 = summary.overall;
  process.stdout.write(
    `langid eval on ${summary.strings} strings (macro over languages): trained top-1 ${(100 * o1.trained.top1).toFixed(1)}%, ` +
      `at its thresholds: coverage ${(100 * o1.trained.coverage).toFixed(1)}%, precision ${(100 * o1.trained.precision).toFixed(1)}%; ` +
      `heuristic coverage ${(100 * o1.heuristic.coverage).toFixed(1)}%, precision ${(100 * o1.heuristic.precision).toFixed(1)}%. Report: ${o.report}\n`,
  );
}

export function langidCommand(logger: Logger): Command {
  const command = new Command('langid').description('the trained language identifier used for query routing (adapter choice)').showHelpAfterError().exitOverride();
  command
    .command('train')
    .description('train the linear language identifier on data/train (never on benchmarks) into a model directory')
    .requiredOption('--config <file>', 'langid config (configs/langid.json)')
    .requiredOption('--out <dir>', 'model directory to write (langid.json + weights.bin)')
    .showHelpAfterError()
    .exitOverride()
    .action((options: { config: string; out: string }) => {
      const config = readLangIdConfig(options.config);
      const result = runLangIdTraining({ config, outDir: options.out, log: (message) => logger.info(message) });
      const held = result.manifest.heldOut as { macro: { top1: number; coverage: number; precision: number } };
      process.stdout.write(
        `trained ${config.name} (${result.manifest.labels.length} languages) in ${result.seconds.toFixed(1)} s: held-out top-1 ${(100 * held.macro.top1).toFixed(1)}% (macro), ` +
          `threshold ${result.threshold.threshold} → coverage ${(100 * held.macro.coverage).toFixed(1)}%, precision ${(100 * held.macro.precision).toFixed(1)}%; ` +
          `weights ${(result.manifest.weights.bytes / 1e6).toFixed(2)} MB in ${options.out}\n`,
      );
    });
  command
    .command('calibrate')
    .description("choose a trained identifier's thresholds again (per script and length) on the held-out slice of data/train; weights unchanged")
    .option('--model <dir>', 'language-identifier directory', 'models/langid-base')
    .showHelpAfterError()
    .exitOverride()
    .action((options: { model: string }) => {
      const { calibration } = recalibrateLangIdModel(options.model, (message) => logger.info(message));
      process.stdout.write(
        `thresholds of ${options.model}: default ${calibration.threshold.threshold}, per script ${JSON.stringify(calibration.scriptThresholds)}, ` +
          `per script group and length ${JSON.stringify(calibration.lengthThresholds)}\n`,
      );
    });
  command
    .command('eval')
    .description('score a trained identifier and the heuristic on benchmark query strings; write the Markdown report')
    .option('--model <dir>', 'language-identifier directory', 'models/langid-base')
    .option('--bench <dir>', 'root of the benchmarks (each with queries.jsonl)', 'data/bench')
    .option('--report <file>', 'Markdown report to write', 'docs/langid.md')
    .option('--no-record', 'do not record the summary in the model manifest')
    .showHelpAfterError()
    .exitOverride()
    .action((options: EvalOptions) => runLangIdEval(options, (message) => logger.info(message)));
  return command;
}
