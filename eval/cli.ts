/** `tafuta eval`: run a benchmark (`--bench`), compare two reports (`--compare`), or correlate graded pairs (`--pairs`). */
import fs from 'node:fs';
import path from 'node:path';
import { Command, InvalidArgumentError, Option } from 'commander';
import type { Engine, TempEngineRunner } from '../indexer/engine.js';
import { TafutaError } from '../core/errors.js';
import { requireEncoder } from '../models/registry.js';
import { integerOption } from '../core/integers.js';
import type { Logger } from '../core/logger.js';
import { SEARCH_MODES, type RequestedSearchMode } from '../indexer/types.js';
import { compareReports, formatComparison } from './compare.js';
import { METRIC_NAMES, type MetricName } from './metrics.js';
import { correlatePairs, readPairs } from './pairs.js';
import { formatMarkdown, readReport, writeEvalOutputs } from './report.js';
import { runEval } from './run.js';
import { assertSameRecipe, formatAutoModesMarkdown, measureAutoModes, writeAutoModes } from './auto-modes.js';

interface EvalCliOptions {
  bench?: string;
  corpus?: string;
  queries?: string;
  qrels?: string;
  split: string;
  encoder?: string;
  model?: string[];
  translator?: string;
  mode: RequestedSearchMode;
  k: number;
  langs?: string[];
  maxQueries?: number;
  seed: number;
  out?: string;
  compare?: string[];
  metrics: MetricName[];
  resamples: number;
  pairs?: string;
}


const list = (value: string): string[] => value.split(',').map((s) => s.trim()).filter(Boolean);

function metricList(value: string): MetricName[] {
  const names = list(value);
  const unknown = names.filter((n) => !(METRIC_NAMES as readonly string[]).includes(n));
  if (unknown.length) throw new InvalidArgumentError(`unknown metric(s) ${unknown.join(', ')}; known: ${METRIC_NAMES.join(', ')}`);
  return names as MetricName[];
}

/**
 * An engine on a fresh temp directory, removed afterwards: an eval never touches a user's data. `translatorDir`
 * replaces the shipped query translator (evaluating a fresh `tafuta translate train`).
 */
/** --encoder, else the first --model directory's encoder, else the server default. */
function evalEncoder(o: EvalCliOptions, engine: Engine): string {
  if (o.encoder) return o.encoder;
  const first = o.model?.[0];
  const fromModel = first === undefined ? undefined : engine.encoders.list().find((e) => e.source === path.resolve(first));
  return fromModel?.name ?? engine.encoders.defaultName;
}

/** The canonical command line for a run, recorded in its report so the results page can show it. */
function reproduceCommand(o: EvalCliOptions, encoder: string): string {
  const parts = ['npx tafuta eval'];
  if (o.bench) parts.push(`--bench ${o.bench}`);
  for (const key of ['corpus', 'queries', 'qrels'] as const) if (o[key]) parts.push(`--${key} ${o[key]}`);
  if (o.split !== 'dev') parts.push(`--split ${o.split}`);
  for (const dir of o.model ?? []) parts.push(`--model ${dir}`);
  if (o.translator) parts.push(`--translator ${o.translator}`);
  parts.push(`--encoder ${encoder}`, `--mode ${o.mode}`, `--k ${o.k}`);
  if (o.langs) parts.push(`--langs ${o.langs.join(',')}`);
  if (o.maxQueries) parts.push(`--max-queries ${o.maxQueries}`, `--seed ${o.seed}`);
  if (o.out) parts.push(`--out ${o.out}`);
  return parts.join(' ');
}

async function runBenchmark(o: EvalCliOptions, logger: Logger, withTempEngine: TempEngineRunner): Promise<void> {
  if (!o.bench && !(o.corpus && o.queries && o.qrels)) {
    throw new TafutaError('INVALID_ARGUMENT', 'give --bench DIR, or all of --corpus, --queries and --qrels (or --compare A B, or --pairs FILE)');
  }
  await withTempEngine(async (engine) => {
    const encoder = evalEncoder(o, engine);
    const result = await runEval({
      engine,
      benchDir: o.bench,
      files: { corpus: o.corpus, queries: o.queries, qrels: o.qrels },
      split: o.split,
      encoder,
      mode: o.mode,
      k: o.k,
      langs: o.langs,
      maxQueriesPerLang: o.maxQueries,
      seed: o.seed,
      onProgress: ({ phase, done, total }) => logger.info({ phase, done, total }, 'eval progress'),
    });
    result.report.config.command = reproduceCommand(o, encoder);
    process.stdout.write(formatMarkdown(result.report));
    if (o.out) for (const file of writeEvalOutputs(result, o.out)) process.stdout.write(`wrote ${file}\n`);
  }, o.model, o.translator);
}

async function runPairs(o: EvalCliOptions, withTempEngine: TempEngineRunner): Promise<void> {
  const pairs = readPairs(o.pairs!);
  await withTempEngine(async (engine) => {
    const name = evalEncoder(o, engine);
    const encoder = requireEncoder(engine.encoders, name);
    const result = await correlatePairs(encoder, pairs);
    process.stdout.write(`Spearman ρ = ${result.spearman.toFixed(4)} over ${result.pairs} pairs (${result.encoder})\n`);
    if (o.out) {
      fs.mkdirSync(path.dirname(path.resolve(o.out)), { recursive: true });
      fs.writeFileSync(`${o.out}.json`, `${JSON.stringify({ ...result, file: o.pairs, date: new Date().toISOString() }, null, 2)}\n`);
      process.stdout.write(`wrote ${o.out}.json\n`);
    }
  }, o.model);
}

function runCompare(o: EvalCliOptions): void {
  const files = o.compare!;
  if (files.length !== 2) throw new TafutaError('INVALID_ARGUMENT', `--compare takes exactly two reports, got ${files.length}`);
  const [a, b] = files.map(readReport) as [ReturnType<typeof readReport>, ReturnType<typeof readReport>];
  const comparisons = compareReports(a, b, { metrics: o.metrics, resamples: o.resamples });
  if (comparisons.every((c) => c.rows.length === 0)) throw new TafutaError('INPUT_FILE', 'the two reports share no query ids');
  process.stdout.write(formatComparison(a, b, comparisons));
}

export function evalCommand(logger: Logger, withTempEngine: TempEngineRunner): Command {
  return new Command('eval')
    .description('evaluate retrieval on a BEIR benchmark; compare two reports; correlate graded pairs')
    .option('--bench <dir>', 'BEIR directory: corpus.jsonl, queries.jsonl, qrels/<split>.tsv')
    .option('--corpus <file>', 'corpus.jsonl (overrides the benchmark directory)')
    .option('--queries <file>', 'queries.jsonl {_id, text, lang?}')
    .option('--qrels <file>', 'qrels TSV: query-id, corpus-id, score')
    .option('--split <name>', 'qrels split', 'dev')
    .option('-e, --encoder <name>', 'encoder (default: the server default)')
    .option('--model <dir...>', 'also load these model directories, ours (model.json) or Hugging Face ones (config.json + tokenizer.json + onnx/); the first is evaluated unless --encoder says otherwise')
    .option('--translator <dir>', 'query translator for the translate modes (default: models/translate-base)')
    .addOption(new Option('-m, --mode <mode>', 'retrieval mode').choices([...SEARCH_MODES]).default('dense'))
    .option('-k, --k <n>', 'passages retrieved per query', integerOption(1, 1000), 100)
    .option('--langs <list>', 'only these query languages (comma-separated)', list)
    .option('--max-queries <n>', 'at most N queries per language (seeded sample)', integerOption(1, 1e9))
    .option('--seed <n>', 'seed for --max-queries sampling', integerOption(0, 2 ** 32 - 1), 42)
    .option('-o, --out <base>', 'write <base>.json (report), <base>.run (TREC run) and <base>.md')
    .option('--compare <reports...>', 'compare two JSON reports (A B): deltas B − A with p-values')
    .addOption(new Option('--metrics <list>', 'metrics shown by --compare').argParser(metricList).default(['MRR@10', 'nDCG@10', 'MAP'], 'MRR@10,nDCG@10,MAP'))
    .option('--resamples <n>', 'bootstrap resamples / sign flips for --compare', integerOption(100, 1_000_000), 10_000)
    .option('--pairs <file>', "graded pairs TSV (text1, text2, score): Spearman's ρ of cosine vs score")
    .showHelpAfterError()
    .exitOverride()
    .action(async (options: EvalCliOptions) => {
      if (options.compare) return runCompare(options);
      if (options.pairs) return runPairs(options, withTempEngine);
      return runBenchmark(options, logger, withTempEngine);
    });
}

interface AutoModesCliOptions {
  model: string;
  translator?: string;
  out?: string;
  write: boolean;
  writeTo?: string;
  seed: number;
  distractors: number;
}

export function autoModesCommand(logger: Logger, withTempEngine: TempEngineRunner): Command {
  return new Command('auto-modes')
    .description("measure dense against hybrid, translate-hybrid, translate and translate-dense per query language on an encoder's validation pairs (never the benchmarks): the rule of mode \"auto\"")
    .option('--model <dir>', 'encoder model directory (model.json with its training config)', 'models/cmtp-base')
    .option('--translator <dir>', 'query translator for the translate modes (default: models/translate-base)')
    .option('-o, --out <base>', 'write <base>.json and <base>.md')
    .option('--write', "store the choice in the model's model.json (no re-index: the encoder version hashes model.onnx only)", false)
    .option('--write-to <dir>', 'store the choice in another model of the same recipe (e.g. the shipped model, measured on a replica with a larger validation split)')
    .option('--seed <n>', 'seed of the paired tests and of the distractor sample', integerOption(0, 2 ** 32 - 1), 1)
    .option('--distractors <n>', 'English strings of the training data added to the English side, so that dense is not at its ceiling', integerOption(0, 1_000_000), 6000)
    .showHelpAfterError()
    .exitOverride()
    .action(async (o: AutoModesCliOptions) => {
      const command = ['npx tafuta auto-modes', `--model ${o.model}`, ...(o.translator ? [`--translator ${o.translator}`] : []), ...(o.out ? [`--out ${o.out}`] : []), ...(o.write ? ['--write'] : []), ...(o.writeTo ? [`--write-to ${o.writeTo}`] : []), `--seed ${o.seed}`, `--distractors ${o.distractors}`].join(' ');
      if (o.writeTo) assertSameRecipe(o.model, o.writeTo);
      await withTempEngine(
        async (engine) => {
          const report = await measureAutoModes({ engine, modelDir: o.model, seed: o.seed, distractors: o.distractors, command, log: (message) => logger.info(message) });
          const markdown = formatAutoModesMarkdown(report);
          process.stdout.write(markdown);
          if (o.out) {
            fs.mkdirSync(path.dirname(path.resolve(o.out)), { recursive: true });
            fs.writeFileSync(`${o.out}.json`, `${JSON.stringify(report, null, 2)}\n`);
            fs.writeFileSync(`${o.out}.md`, markdown);
            process.stdout.write(`wrote ${o.out}.json and ${o.out}.md\n`);
          }
          for (const target of [...(o.write ? [o.model] : []), ...(o.writeTo ? [o.writeTo] : [])]) {
            writeAutoModes(target, report);
            process.stdout.write(`stored autoModes in ${target}/model.json\n`);
          }
        },
        [o.model],
        o.translator,
      );
    });
}
