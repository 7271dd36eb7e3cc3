/**
 * `tafuta translate train`: per-language word translation tables from the training pairs (IBM Model 1), then the
 * weight of translated BM25 against dense in `translate-hybrid`, fitted per language on held-out training pairs.
 *
 * The held-out pairs are those the encoder's trainer holds out (same files, same quota, same hash order:
 * models/train/dataset.ts), so neither model saw them. They become a small retrieval task — each held-out
 * translation is a query for its English string, among all held-out English strings plus a seeded sample of
 * training English strings as distractors — run through the engine in both modes and fused at each grid weight.
 * No benchmark is read.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { z } from 'zod';
import type { Engine } from '../../indexer/engine.js';
import { reciprocalRankFusion } from '../../indexer/fusion.js';
import { reciprocalRank } from '../../eval/metrics.js';
import { sampleInOrder, seededRandom } from '../../eval/random.js';
import { runEval, type RankedDocument } from '../../eval/run.js';
import { sha256FileSync } from '../../core/hash.js';
import { jsonLines } from '../../core/jsonl.js';
import { heldOutEnglish } from '../train/dataset.js';
import { learnTranslationTable, serializeTable } from './table.js';
import { validationHalfOf } from './validation-split.js';
import { TRANSLATOR_FORMAT, TRANSLATOR_FORMAT_VERSION, TRANSLATOR_MANIFEST, type TranslatorManifest } from './translator.js';
import { formatIssues } from '../../core/issues.js';

export const translateConfigSchema = z.object({
  name: z.string().min(1),
  description: z.string().default('Word translation tables (IBM Model 1) for probabilistic structured queries.'),
  seed: z.int().default(1),
  data: z.object({
    trainDir: z.string().default('data/train'),
    /** Must equal the encoder config's, so the two models hold out the same pairs. */
    validationPerLang: z.int().min(1).default(100),
    langs: z.array(z.string()).optional(),
  }).prefault({}),
  tables: z.object({
    iterations: z.int().min(1).default(5),
    nullWord: z.boolean().default(true),
    maxWords: z.int().min(1).default(40),
    maxTranslations: z.int().min(1).default(5),
    minProbability: z.number().min(0).max(1).default(0.05),
  }).prefault({}),
  borrowFrom: z.record(z.string(), z.array(z.string())).default({}),
  fusion: z.object({
    /** The encoder whose dense ranking is fused (must be loaded in the engine). */
    encoder: z.string().default('cmtp-base'),
    /** Training English strings added to the validation corpus as distractors. */
    distractors: z.int().min(0).default(6000),
    /** Weights tried: 0, 1/steps, …, 1. */
    steps: z.int().min(1).default(10),
    /** Languages with fewer validation queries take the weight fitted on all languages together. */
    minQueries: z.int().min(1).default(30),
  }).prefault({}),
});
export type TranslateConfig = z.infer<typeof translateConfigSchema>;

export function readTranslateConfig(file: string): TranslateConfig {
  if (!fs.existsSync(file)) throw new Error(`config file not found: ${file}`);
  const parsed = translateConfigSchema.safeParse(JSON.parse(fs.readFileSync(file, 'utf8')));
  if (!parsed.success) throw new Error(`invalid config ${file}: ${formatIssues(parsed.error)}`);
  return parsed.data;
}

interface PairRecord {
  en: string;
  text: string;
}

interface HeldOutPair extends PairRecord {
  lang: string;
}

export interface TableTrainingResult {
  manifest: TranslatorManifest;
  heldOut: HeldOutPair[];
  trainingEnglish: string[];
}

/** Learns and writes every language's table and a manifest whose fusion weights are still the default. */
export async function trainTables(config: TranslateConfig, outDir: string, log: (message: string) => void): Promise<TableTrainingResult> {
  const started = performance.now();
  const available = fs.readdirSync(config.data.trainDir).filter((f) => f.endsWith('.jsonl')).map((f) => f.slice(0, -'.jsonl'.length)).sort();
  const langs = config.data.langs ?? available;
  fs.mkdirSync(path.join(outDir, 'tables'), { recursive: true });
  const manifest: TranslatorManifest = {
    format: TRANSLATOR_FORMAT,
    formatVersion: TRANSLATOR_FORMAT_VERSION,
    name: config.name,
    description: config.description,
    borrowFrom: config.borrowFrom,
    tables: {},
    fusion: { weights: {}, defaultWeight: 0.5 },
    config,
    data: { files: [] as Array<{ path: string; sha256: string; records: number }>, pairs: {} as Record<string, number>, validation: {} as Record<string, number> },
  };
  const data = manifest.data as { files: Array<{ path: string; sha256: string; records: number }>; pairs: Record<string, number>; validation: Record<string, number> };
  const heldOut: HeldOutPair[] = [];
  const trainingEnglish = new Set<string>();
  for (const lang of langs) {
    const file = path.join(config.data.trainDir, `${lang}.jsonl`);
    const records: PairRecord[] = [];
    for await (const r of jsonLines<PairRecord>(file)) records.push({ en: r.en, text: r.text });
    data.files.push({ path: file, sha256: sha256FileSync(file), records: records.length });
    const held = heldOutEnglish(records, config.data.validationPerLang);
    const train = records.filter((r) => !held.has(r.en));
    for (const r of records) if (held.has(r.en)) heldOut.push({ ...r, lang });
    for (const r of train) trainingEnglish.add(r.en);
    const tableStarted = performance.now();
    const table = learnTranslationTable(train, config.tables);
    const bytes = serializeTable(table);
    const tableFile = path.join('tables', `${lang}.tsv.gz`);
    fs.writeFileSync(path.join(outDir, tableFile), bytes);
    const entries = [...table.values()].reduce((n, terms) => n + terms.length, 0);
    manifest.tables[lang] = { file: tableFile, words: table.size, entries, bytes: bytes.length, sha256: crypto.createHash('sha256').update(bytes).digest('hex') };
    data.pairs[lang] = train.length;
    data.validation[lang] = records.length - train.length;
    log(`${lang}: ${train.length} pairs → ${table.size} words, ${entries} translations, ${(bytes.length / 1024).toFixed(0)} KiB in ${((performance.now() - tableStarted) / 1000).toFixed(1)} s`);
  }
  manifest.trainingSeconds = Math.round((performance.now() - started) / 100) / 10;
  manifest.bytes = Object.values(manifest.tables).reduce((n, t) => n + t.bytes, 0);
  writeManifest(outDir, manifest);
  return { manifest, heldOut, trainingEnglish: [...trainingEnglish].sort() };
}

export function writeManifest(outDir: string, manifest: TranslatorManifest): void {
  fs.writeFileSync(path.join(outDir, TRANSLATOR_MANIFEST), `${JSON.stringify(manifest, null, 2)}\n`);
}

/** The held-out pairs as a BEIR directory (corpus, queries `q<i>` with their language, qrels/validation.tsv); returns the corpus ids. */
function writeValidationBench(dir: string, heldOut: readonly HeldOutPair[], distractors: readonly string[]): Map<string, string> {
  const english = [...new Set([...heldOut.map((p) => p.en), ...distractors])];
  const idOf = new Map(english.map((en, i) => [en, `e${i}`]));
  fs.mkdirSync(path.join(dir, 'qrels'), { recursive: true });
  fs.writeFileSync(path.join(dir, 'corpus.jsonl'), english.map((text) => JSON.stringify({ _id: idOf.get(text), text })).join('\n'));
  fs.writeFileSync(path.join(dir, 'queries.jsonl'), heldOut.map((p, i) => JSON.stringify({ _id: `q${i}`, text: p.text, lang: p.lang })).join('\n'));
  fs.writeFileSync(path.join(dir, 'qrels', 'validation.tsv'), heldOut.map((p, i) => `q${i}\t${idOf.get(p.en)}\t1`).join('\n'));
  return idOf;
}

/** MRR@10 of the weighted RRF of the two rankings, per query. */
function fusedReciprocalRanks(queries: ReadonlyArray<{ id: string; relevant: string }>, translated: ReadonlyMap<string, RankedDocument[]>, dense: ReadonlyMap<string, RankedDocument[]>, weight: number): number[] {
  return queries.map(({ id, relevant }) => {
    const lists = [translated.get(id) ?? [], dense.get(id) ?? []];
    const docids = [...new Set(lists.flat().map((d) => d.docid))];
    const labelOf = new Map(docids.map((d, i) => [d, i]));
    const fused = reciprocalRankFusion(lists.map((list) => list.map((d) => ({ label: labelOf.get(d.docid)! }))), undefined, [weight, 1 - weight]);
    return reciprocalRank(fused.map((f) => docids[f.label]!), new Map([[relevant, 1]]));
  });
}

const mean = (xs: readonly number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : 0);
const round3 = (x: number) => Math.round(x * 1000) / 1000;

/** Fits the per-language fusion weights on the fusion-weights half of the held-out pairs and records them (with the validation scores). */
export async function fitFusionWeights(engine: Engine, config: TranslateConfig, tables: TableTrainingResult, outDir: string, log: (message: string) => void): Promise<TranslatorManifest> {
  const heldOutEnglishStrings = new Set(tables.heldOut.map((p) => p.en));
  // The other half of the held-out pairs is where `tafuta auto-modes` decides whether translate-hybrid is worth it.
  const fitted = tables.heldOut.filter((p) => validationHalfOf(p.en) === 'fusion-weights');
  const candidates = tables.trainingEnglish.filter((en) => !heldOutEnglishStrings.has(en));
  const distractors = sampleInOrder(candidates, Math.min(config.fusion.distractors, candidates.length), seededRandom(config.seed));
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tafuta-translate-validation-'));
  try {
    const corpusIds = writeValidationBench(dir, fitted, distractors);
    const runs: Record<'dense' | 'translate', Map<string, RankedDocument[]>> = { dense: new Map(), translate: new Map() };
    for (const mode of ['dense', 'translate'] as const) {
      const { run } = await runEval({ engine, benchDir: dir, split: 'validation', encoder: config.fusion.encoder, mode, k: 100 });
      runs[mode] = run;
    }
    const queriesByLang = new Map<string, Array<{ id: string; relevant: string }>>();
    fitted.forEach((p, i) => {
      const list = queriesByLang.get(p.lang) ?? [];
      list.push({ id: `q${i}`, relevant: corpusIds.get(p.en)! });
      queriesByLang.set(p.lang, list);
    });
    const grid = Array.from({ length: config.fusion.steps + 1 }, (_, i) => i / config.fusion.steps);
    // Per language and weight: mean reciprocal rank. The pooled choice maximises the macro average over languages.
    const scores = new Map([...queriesByLang].map(([lang, queries]) => [lang, grid.map((w) => mean(fusedReciprocalRanks(queries, runs.translate, runs.dense, w)))]));
    const macro = grid.map((_, g) => mean([...scores.values()].map((s) => s[g]!)));
    const best = (values: readonly number[]) => values.indexOf(Math.max(...values));
    const defaultWeight = grid[best(macro)]!;
    const weights: Record<string, number> = {};
    const validation: Record<string, { queries: number; dense: number; translate: number; fused: number; weight: number }> = {};
    for (const [lang, values] of [...scores].sort(([a], [b]) => (a < b ? -1 : 1))) {
      const queries = queriesByLang.get(lang)!.length;
      const weight = queries >= config.fusion.minQueries ? grid[best(values)]! : defaultWeight;
      weights[lang] = weight;
      validation[lang] = { queries, dense: round3(values[0]!), translate: round3(values[grid.length - 1]!), fused: round3(values[grid.indexOf(weight)]!), weight };
      log(`${lang}: ${queries} validation queries, MRR@10 dense ${validation[lang].dense} translate ${validation[lang].translate} → weight ${weight}: ${validation[lang].fused}`);
    }
    const manifest: TranslatorManifest = {
      ...tables.manifest,
      fusion: { weights, defaultWeight },
      validation: { pairs: 'the fusion-weights half of the held-out pairs (models/translate/validation-split.ts)', corpus: corpusIds.size, encoder: config.fusion.encoder, macro: { dense: round3(macro[0]!), translate: round3(macro[grid.length - 1]!), fused: round3(macro[grid.indexOf(defaultWeight)]!) }, languages: validation },
    };
    writeManifest(outDir, manifest);
    return manifest;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
