/**
 * Which mode `mode: "auto"` runs for each query language, chosen by measurement on the encoder's own validation
 * pairs — the pairs its training held out by English string (models/train/dataset.ts), the ones its validation
 * MRR is computed on — never on the benchmarks — and of those, the half translate-hybrid's fusion weights were not
 * fitted on (models/translate/validation-split.ts). Three retrieval sets are built from them, each searched in every
 * candidate mode through the engine (the path `tafuta eval` takes):
 *
 * - per language: its held-out LRL strings as queries (with their `lang`) against all held-out English strings;
 * - English: the held-out English strings as queries (`lang: "en"`) against all held-out LRL strings;
 * - unknown: the LRL queries the engine's identifier is unsure about, sent without `lang` (so with no adapter).
 *
 * A language leaves dense for a candidate that measurably beats it on that language's queries (MRR@10 higher, paired
 * randomization p < ALPHA) — the best such one. Failing that, it takes the set's pooled winner — the best candidate
 * that beats dense on the macro average over all the set's languages — unless that candidate is measurably worse than
 * dense on this language; otherwise dense, which is also the cheapest search. Pooling is there because a language's
 * few dozen validation queries cannot show a gain of a few points that all languages together can. The unknown set
 * decides the default.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Engine } from '../indexer/engine.js';
import { TafutaError } from '../core/errors.js';
import { readJsonl } from '../core/jsonl.js';
import type { AutoMode, AutoModes } from '../models/encoder.js';
import { featurize, type FeatureConfig } from '../models/features.js';
import { assertNotBenchmark } from '../models/langid/data.js';
import { loadManifestFeatures } from '../models/onnx/export.js';
import { readOnnxEncoderManifest } from '../models/onnx/onnx-encoder.js';
import { DEFAULT_VALIDATION_MAX_FRACTION } from '../models/train/config.js';
import { heldOutEnglish, trainingLanguages } from '../models/train/dataset.js';
import { validationHalfOf, type ValidationHalf } from '../models/translate/validation-split.js';
import { compareReports } from './compare.js';
import { sampleInOrder, seededRandom } from './random.js';
import { runEval, UNKNOWN_LANG, type EvalReport } from './run.js';

/** Significance level of the paired test that lets a candidate replace dense. */
export const ALPHA = 0.05;
/** The modes `auto` may pick instead of dense. */
export const AUTO_CANDIDATES = ['hybrid', 'translate-hybrid', 'translate', 'translate-dense'] as const satisfies readonly AutoMode[];
type CandidateMode = (typeof AUTO_CANDIDATES)[number];
const METRIC = 'MRR@10';
const ENGLISH = 'en';

export interface CandidateScore {
  mrr: number;
  /** candidate − dense */
  delta: number;
  /** Paired approximate randomization test against dense, two-sided. */
  p: number;
}

export interface AutoModeRow {
  /** Query language, or UNKNOWN_LANG for the queries the identifier is unsure about. */
  lang: string;
  queries: number;
  dense: number;
  candidates: Record<CandidateMode, CandidateScore>;
  mode: AutoMode;
  /** language: a candidate beat dense on this language; pooled: the set's pooled winner; dense: neither. */
  reason: 'language' | 'pooled' | 'dense';
}

/** All of a retrieval set's languages together (macro average; the paired test keeps each query in its language). */
export interface PooledComparison {
  set: string;
  queries: number;
  dense: number;
  candidates: Record<CandidateMode, CandidateScore>;
  /** The best candidate that beats dense on the macro average with p < ALPHA, if any. */
  winner: CandidateMode | undefined;
}

export interface AutoModesReport {
  encoder: { name: string; dir: string; version: string | undefined };
  command: string;
  date: string;
  rule: string;
  metric: typeof METRIC;
  alpha: number;
  seed: number;
  languageIdentifier: string;
  validation: { trainDir: string; validationPerLang: number; validationMaxFraction: number; half: ValidationHalf; pairs: number; englishStrings: number; distractors: number };
  rows: AutoModeRow[];
  /** The LRL → English set's pooled comparison (the other sets hold one language each). */
  pooled: PooledComparison | undefined;
  autoModes: AutoModes;
}

/** The data part of an encoder's recorded training config: what its validation split was cut from. */
export interface ValidationData {
  trainDir: string;
  langs?: string[] | undefined;
  excludeLangs?: string[] | undefined;
  validationPerLang: number;
  /** Absent in models trained before it existed: the default then. */
  validationMaxFraction?: number | undefined;
}

interface ValidationPair {
  lang: string;
  en: string;
  text: string;
}

/** The encoder's validation pairs, rebuilt from its recorded data config exactly as its training held them out. */
export function validationPairs(data: ValidationData, features: FeatureConfig): ValidationPair[] {
  assertNotBenchmark(data.trainDir);
  const langs = trainingLanguages(data.trainDir, data.langs, data.excludeLangs);
  const pairs: ValidationPair[] = [];
  for (const lang of langs) {
    const records = readJsonl<{ en: string; text: string }>(path.join(data.trainDir, `${lang}.jsonl`));
    const heldOut = heldOutEnglish(records, data.validationPerLang, data.validationMaxFraction);
    for (const r of records) {
      // The trainer drops pairs either side of which has no features; so does its validation.
      if (heldOut.has(r.en) && featurize(r.text, features).length > 0 && featurize(r.en, features).length > 0) pairs.push({ lang, en: r.en, text: r.text });
    }
  }
  return pairs;
}

/**
 * A seeded sample of the English strings the encoder trained on (none of any language's held-out strings): added
 * to the English side so that finding a string's match is not a pick among a few hundred, where dense is at its
 * ceiling and no mode can show a difference (the benchmarks search thousands of passages).
 */
export function englishDistractors(data: ValidationData, count: number, seed: number): string[] {
  if (count === 0) return [];
  const langs = trainingLanguages(data.trainDir, data.langs, data.excludeLangs);
  const heldOut = new Set<string>();
  const training = new Set<string>();
  for (const lang of langs) {
    const records = readJsonl<{ en: string; text: string }>(path.join(data.trainDir, `${lang}.jsonl`));
    for (const en of heldOutEnglish(records, data.validationPerLang, data.validationMaxFraction)) heldOut.add(en);
    for (const r of records) training.add(r.en);
  }
  const candidates = [...training].filter((en) => !heldOut.has(en)).sort();
  return sampleInOrder(candidates, Math.min(count, candidates.length), seededRandom(seed));
}

interface RetrievalSet {
  name: string;
  corpus: Array<{ _id: string; text: string; lang: string }>;
  queries: Array<{ _id: string; text: string; lang?: string }>;
  qrels: Array<[string, string]>;
}

/** Per-language LRL → English, English → LRL, and the unsure LRL queries without a language. */
function retrievalSets(pairs: readonly ValidationPair[], distractors: readonly string[], isUnsure: (text: string) => boolean): RetrievalSet[] {
  const englishIds = new Map<string, string>();
  for (const p of pairs) if (!englishIds.has(p.en)) englishIds.set(p.en, `en-${englishIds.size}`);
  const englishCorpus = [
    ...[...englishIds].map(([text, id]) => ({ _id: id, text, lang: ENGLISH })),
    ...distractors.map((text, i) => ({ _id: `distractor-${i}`, text, lang: ENGLISH })),
  ];
  const lrlIds = pairs.map((p, i) => `${p.lang}-${i}`);
  const lrlQueries = pairs.map((p, i) => ({ _id: lrlIds[i]!, text: p.text, lang: p.lang }));
  const toEnglish = pairs.map((p, i): [string, string] => [lrlIds[i]!, englishIds.get(p.en)!]);
  const unsure = new Set(lrlQueries.filter((q) => isUnsure(q.text)).map((q) => q._id));
  return [
    { name: 'lrl-to-en', corpus: englishCorpus, queries: lrlQueries, qrels: toEnglish },
    {
      name: 'en-to-lrl',
      corpus: pairs.map((p, i) => ({ _id: lrlIds[i]!, text: p.text, lang: p.lang })),
      queries: [...englishIds].map(([text, id]) => ({ _id: id, text, lang: ENGLISH })),
      qrels: toEnglish.map(([lrl, en]): [string, string] => [en, lrl]),
    },
    {
      name: 'unsure',
      corpus: englishCorpus,
      queries: lrlQueries.filter((q) => unsure.has(q._id)).map(({ _id, text }) => ({ _id, text })),
      qrels: toEnglish.filter(([lrl]) => unsure.has(lrl)),
    },
  ];
}

function writeBeir(dir: string, set: RetrievalSet): void {
  fs.mkdirSync(path.join(dir, 'qrels'), { recursive: true });
  const jsonl = (rows: readonly object[]) => rows.map((r) => JSON.stringify(r)).join('\n') + '\n';
  fs.writeFileSync(path.join(dir, 'corpus.jsonl'), jsonl(set.corpus.map((d) => ({ ...d, title: '' }))));
  fs.writeFileSync(path.join(dir, 'queries.jsonl'), jsonl(set.queries));
  fs.writeFileSync(path.join(dir, 'qrels', 'dev.tsv'), ['query-id\tcorpus-id\tscore', ...set.qrels.map(([q, d]) => `${q}\t${d}\t1`)].join('\n') + '\n');
}

function bestBeatingDense(scores: Record<CandidateMode, CandidateScore>): CandidateMode | undefined {
  const winners = AUTO_CANDIDATES.filter((mode) => scores[mode].delta > 0 && scores[mode].p < ALPHA);
  return winners.reduce<CandidateMode | undefined>((best, m) => (best === undefined || scores[m].mrr > scores[best].mrr ? m : best), undefined);
}

/** Per query language: each candidate against dense, and the mode chosen (see the rule at the top of this file). */
export function decideAutoModes(
  dense: EvalReport,
  candidates: Record<CandidateMode, EvalReport>,
  seed: number,
  set = 'validation',
): { rows: AutoModeRow[]; pooled: PooledComparison } {
  const comparisons = AUTO_CANDIDATES.map((mode) => new Map(compareReports(dense, candidates[mode], { metrics: [METRIC], seed })[0]!.rows.map((r) => [r.lang, r])));
  const scoresOf = (lang: string) => Object.fromEntries(AUTO_CANDIDATES.map((mode, i) => {
    const row = comparisons[i]!.get(lang)!;
    return [mode, { mrr: row.b, delta: row.delta, p: row.pRandomization }];
  })) as Record<CandidateMode, CandidateScore>;
  const average = comparisons[0]!.get('avg')!;
  const pooledScores = scoresOf('avg');
  const pooled: PooledComparison = { set, queries: average.n, dense: average.a, candidates: pooledScores, winner: bestBeatingDense(pooledScores) };
  const rows = [...comparisons[0]!.values()]
    .filter((r) => r.lang !== 'avg')
    .map((r): AutoModeRow => {
      const scores = scoresOf(r.lang);
      const own = bestBeatingDense(scores);
      const base = { lang: r.lang, queries: r.n, dense: r.a, candidates: scores };
      if (own) return { ...base, mode: own, reason: 'language' };
      const worseHere = pooled.winner !== undefined && scores[pooled.winner].delta < 0 && scores[pooled.winner].p < ALPHA;
      if (pooled.winner && !worseHere) return { ...base, mode: pooled.winner, reason: 'pooled' };
      return { ...base, mode: 'dense', reason: 'dense' };
    });
  return { rows, pooled };
}

export interface MeasureAutoModesOptions {
  engine: Engine;
  /** The encoder's model directory (model.json with the training config). */
  modelDir: string;
  seed?: number;
  /** Training English strings added to the English side (englishDistractors). */
  distractors?: number;
  command: string;
  log?: (message: string) => void;
}

export async function measureAutoModes(options: MeasureAutoModesOptions): Promise<AutoModesReport> {
  const { engine, modelDir } = options;
  const seed = options.seed ?? 1;
  const log = options.log ?? (() => {});
  const manifest = await readOnnxEncoderManifest(modelDir);
  const encoder = engine.encoders.get(manifest.name);
  if (!encoder) throw new TafutaError('UNKNOWN_ENCODER', `encoder "${manifest.name}" of ${modelDir} is not loaded`);
  const data = (manifest.config as { data?: ValidationData } | undefined)?.data;
  if (!data) throw new TafutaError('INPUT_FILE', `${modelDir}/model.json records no training config: nothing to rebuild its validation pairs from`);
  const pairs = validationPairs(data, await loadManifestFeatures(modelDir, manifest)).filter((p) => validationHalfOf(p.en) === 'auto-modes');
  const distractors = englishDistractors(data, options.distractors ?? 0, seed);
  const sets = retrievalSets(pairs, distractors, (text) => engine.languageIdentifier.identify(text) === undefined);
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'tafuta-auto-modes-'));
  const rows: AutoModeRow[] = [];
  let pooled: PooledComparison | undefined;
  try {
    for (const set of sets) {
      if (set.queries.length === 0) continue;
      const benchDir = path.join(work, set.name);
      writeBeir(benchDir, set);
      const run = async (mode: AutoMode) => (await runEval({ engine, benchDir, bench: set.name, encoder: manifest.name, mode, k: 100, seed })).report;
      const dense = await run('dense');
      const candidates = {} as Record<(typeof AUTO_CANDIDATES)[number], EvalReport>;
      for (const mode of AUTO_CANDIDATES) candidates[mode] = await run(mode);
      const decided = decideAutoModes(dense, candidates, seed, set.name);
      // English → LRL decides English only; LRL → English every other language.
      rows.push(...decided.rows.filter((r) => (set.name === 'en-to-lrl') === (r.lang === ENGLISH)));
      if (set.name === 'lrl-to-en') pooled = decided.pooled;
      log(`auto modes: ${set.name}, ${set.queries.length} queries, pooled winner ${decided.pooled.winner ?? 'none'}: ${decided.rows.map((r) => `${r.lang} ${r.mode}`).join(', ')}`);
    }
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
  rows.sort((a, b) => (a.lang < b.lang ? -1 : a.lang > b.lang ? 1 : 0));
  const unknown = rows.find((r) => r.lang === UNKNOWN_LANG);
  const autoModes: AutoModes = {
    languages: Object.fromEntries(rows.filter((r) => r.lang !== UNKNOWN_LANG).map((r) => [r.lang, r.mode])),
    default: unknown?.mode ?? 'dense',
  };
  return {
    encoder: { name: manifest.name, dir: modelDir, version: encoder.info.version },
    command: options.command,
    date: new Date().toISOString(),
    rule:
      `per query language: of ${AUTO_CANDIDATES.join(', ')}, the best whose ${METRIC} beats dense on that language with paired randomization p < ${ALPHA}; ` +
      `else the best that beats dense on the macro average over all languages (p < ${ALPHA}) unless it is worse than dense on that language (p < ${ALPHA}); else dense; ` +
      `"${UNKNOWN_LANG}" (identifier unsure, no adapter) sets the default (dense when no query was unsure)`,
    metric: METRIC,
    alpha: ALPHA,
    seed,
    languageIdentifier: engine.languageIdentifier.name,
    validation: { trainDir: data.trainDir, validationPerLang: data.validationPerLang, validationMaxFraction: data.validationMaxFraction ?? DEFAULT_VALIDATION_MAX_FRACTION, half: 'auto-modes', pairs: pairs.length, englishStrings: sets[0]!.corpus.length - distractors.length, distractors: distractors.length },
    rows,
    pooled,
    autoModes,
  };
}

const signed = (x: number) => `${x >= 0 ? '+' : ''}${x.toFixed(3)}`;
const candidateCells = (scores: Record<CandidateMode, CandidateScore>) =>
  AUTO_CANDIDATES.map((m) => `${scores[m].mrr.toFixed(3)} | ${signed(scores[m].delta)} | ${scores[m].p < 0.001 ? '<0.001' : scores[m].p.toFixed(3)}`).join(' | ');

export function formatAutoModesMarkdown(report: AutoModesReport): string {
  const lines = [
    `# auto mode per query language — ${report.encoder.name}`,
    '',
    `<!-- generated by \`${report.command}\`; do not edit by hand -->`,
    '',
    `Rule: ${report.rule}. Measured ${report.date} on ${report.validation.pairs} of the encoder's validation pairs ` +
      `(held out of its training data by English string, ${report.validation.validationPerLang} per language, at most ${report.validation.validationMaxFraction} of a language's strings; of those, the half translate-hybrid's fusion weights were not fitted on; ${report.validation.englishStrings} English strings, searched among ${report.validation.distractors} more English strings of the training data), ` +
      `language identifier ${report.languageIdentifier}, seed ${report.seed}. Languages: their LRL strings as queries against the English strings; ` +
      `en: the English strings as queries against the LRL strings; ${UNKNOWN_LANG}: the LRL queries the identifier is unsure about, sent without a language.`,
    '',
    `${report.metric} per mode; each candidate's Δ against dense and p (paired randomization).`,
    '',
    `| lang | queries | dense | ${AUTO_CANDIDATES.map((m) => `${m} | Δ | p`).join(' | ')} | auto | why |`,
    `| --- | ---: | ---: | ${AUTO_CANDIDATES.map(() => '---: | ---: | ---:').join(' | ')} | --- | --- |`,
    ...report.rows.map((r) => `| ${r.lang} | ${r.queries} | ${r.dense.toFixed(3)} | ${candidateCells(r.candidates)} | ${r.mode} | ${r.reason} |`),
    ...(report.pooled
      ? [`| *all LRLs (macro)* | ${report.pooled.queries} | ${report.pooled.dense.toFixed(3)} | ${candidateCells(report.pooled.candidates)} | ${report.pooled.winner ?? '—'} | pooled winner |`]
      : []),
    '',
    'why: *language* — the mode beat dense on that language; *pooled* — the pooled winner (last row), not worse than dense on that language; *dense* — neither.',
    '',
    `Default (unknown or unmeasured languages): **${report.autoModes.default}**.`,
    '',
  ];
  return lines.join('\n');
}

/** What a model's training config fixes apart from its name, seed and validation split: the recipe. */
function recipeOf(config: unknown): string {
  const { name: _name, seed: _seed, data, ...rest } = (config ?? {}) as { name?: unknown; seed?: unknown; data?: Record<string, unknown> };
  const { validationPerLang: _perLang, validationMaxFraction: _fraction, ...dataRest } = data ?? {};
  const sorted = (value: unknown): unknown =>
    Array.isArray(value) ? value.map(sorted) : value && typeof value === 'object' ? Object.fromEntries(Object.entries(value).sort(([a], [b]) => (a < b ? -1 : 1)).map(([k, v]) => [k, sorted(v)])) : value;
  return JSON.stringify(sorted({ ...rest, data: dataRest }));
}

/** A model directory's model.json, or a clear error naming the directory. */
function readModelJson(dir: string): Record<string, unknown> {
  const file = path.join(dir, 'model.json');
  if (!fs.existsSync(file)) throw new TafutaError('INPUT_FILE', `${dir}: no model.json there (not a trained tafuta model)`);
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, unknown>;
  } catch (error) {
    throw new TafutaError('INPUT_FILE', `${file}: not valid JSON (${(error as Error).message})`);
  }
}

function assertRecipeOf(measuredDir: string, measuredConfig: unknown, targetDir: string, targetConfig: unknown): void {
  if (recipeOf(measuredConfig) !== recipeOf(targetConfig)) {
    throw new TafutaError('INVALID_ARGUMENT', `${targetDir} was not trained with the recipe of ${measuredDir} (their training configs differ beyond name, seed and validation split): its auto modes must be measured on a model of its own recipe`);
  }
}

/** Refuses to carry one model's measured auto modes to a model of another recipe. */
export function assertSameRecipe(measuredDir: string, targetDir: string): void {
  assertRecipeOf(measuredDir, readModelJson(measuredDir).config, targetDir, readModelJson(targetDir).config);
}

/**
 * Stores the choice in a model's model.json: the measured encoder's own, or that of another model of the same recipe
 * (same training config but for name, seed and validation split) — a replica trained with a larger validation split
 * decides for the shipped model, which cannot give up that much training data. Its version hashes model.onnx only,
 * so collections need no re-index.
 */
export function writeAutoModes(modelDir: string, report: AutoModesReport): void {
  const file = path.join(modelDir, 'model.json');
  const manifest = readModelJson(modelDir);
  const measuredOn = path.resolve(report.encoder.dir) === path.resolve(modelDir) ? undefined : report.encoder.name;
  if (measuredOn !== undefined) assertRecipeOf(report.encoder.dir, readModelJson(report.encoder.dir).config, modelDir, manifest.config);
  manifest.autoModes = { ...report.autoModes, rule: report.rule, measured: report.date, command: report.command, ...(measuredOn ? { measuredOn } : {}) };
  fs.writeFileSync(`${file}.tmp`, `${JSON.stringify(manifest, null, 2)}\n`);
  fs.renameSync(`${file}.tmp`, file);
}
