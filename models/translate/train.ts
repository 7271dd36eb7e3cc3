/**
 * `tafuta translate train`, first half: per-language word translation tables from the training pairs (IBM Model 1).
 * It also returns the held-out pairs — those the encoder's trainer holds out (same files, same quota, same hash
 * order: models/train/dataset.ts), so neither model saw them — on which eval/fusion-weights.ts then fits the weight
 * of translated BM25 against dense in `translate-hybrid`.
 */
import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { sha256FileSync, sha256Hex } from '../../core/hash.js';
import { jsonLines } from '../../core/jsonl.js';
import { validationMaxFractionSchema } from '../train/config.js';
import { heldOutEnglish, trainingLanguages } from '../train/dataset.js';
import { learnTranslationTable, serializeTable } from './table.js';
import { TRANSLATOR_FORMAT, TRANSLATOR_FORMAT_VERSION, TRANSLATOR_MANIFEST, type TranslatorManifest } from './translator.js';
import { formatIssues } from '../../core/issues.js';
import { TafutaError } from '../../core/errors.js';

export const translateConfigSchema = z.object({
  name: z.string().min(1),
  description: z.string().default('Word translation tables (IBM Model 1) for probabilistic structured queries.'),
  seed: z.int().default(1),
  data: z.object({
    trainDir: z.string().default('data/train'),
    /** Must equal the encoder config's, so the two models hold out the same pairs. */
    validationPerLang: z.int().min(1).default(100),
    /** Must equal the encoder config's too (see validationPerLang). */
    validationMaxFraction: validationMaxFractionSchema,
    langs: z.array(z.string()).optional(),
  }).prefault({}),
  tables: z.object({
    iterations: z.int().min(1).default(5),
    nullWord: z.boolean().default(true),
    maxWords: z.int().min(1).default(40),
    maxTranslations: z.int().min(1).default(5),
    minProbability: z.number().min(0).max(1).default(0.05),
    /** Score translations by agreement of both directions, t(e | f) · t(f | e) (table.ts). */
    symmetric: z.boolean().optional(),
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
  if (!fs.existsSync(file)) throw new TafutaError('INPUT_FILE', `config file not found: ${file}`);
  const parsed = translateConfigSchema.safeParse(JSON.parse(fs.readFileSync(file, 'utf8')));
  if (!parsed.success) throw new TafutaError('INVALID_ARGUMENT', `invalid config ${file}: ${formatIssues(parsed.error)}`);
  return parsed.data;
}

interface PairRecord {
  en: string;
  text: string;
}

export interface HeldOutPair extends PairRecord {
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
  const langs = trainingLanguages(config.data.trainDir, config.data.langs);
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
    const held = heldOutEnglish(records, config.data.validationPerLang, config.data.validationMaxFraction);
    const train = records.filter((r) => !held.has(r.en));
    for (const r of records) if (held.has(r.en)) heldOut.push({ ...r, lang });
    for (const r of train) trainingEnglish.add(r.en);
    const tableStarted = performance.now();
    const table = learnTranslationTable(train, config.tables);
    const bytes = serializeTable(table);
    const tableFile = path.join('tables', `${lang}.tsv.gz`);
    fs.writeFileSync(path.join(outDir, tableFile), bytes);
    const entries = [...table.values()].reduce((n, terms) => n + terms.length, 0);
    manifest.tables[lang] = { file: tableFile, words: table.size, entries, bytes: bytes.length, sha256: sha256Hex(bytes) };
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
