/**
 * Training data in memory, featurised once: parallel pairs (LRL ↔ English), monolingual sentences, morphology
 * groups, and a validation split held out by English string (so a held-out meaning never appears in training).
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { sha256FileSync } from '../../core/hash.js';
import { jsonLines } from '../../core/jsonl.js';
import { featurize, type FeatureConfig } from '../features.js';
import { SubwordSegmenter, type SubwordMerge } from '../subwords.js';
import { DEFAULT_VALIDATION_MAX_FRACTION } from './config.js';
import { learnTrainingSubwords } from './subword-vocabulary.js';
import type { CodeSwitchCandidates } from './code-switch.js';
import { TafutaError } from '../../core/errors.js';

export interface TrainingPair {
  lang: number;
  /** Index into Dataset.english. */
  en: number;
  lrl: Uint32Array;
  lrlText: string;
  weight: number;
}

export interface EnglishText {
  text: string;
  ids: Uint32Array;
}

export interface MonoText {
  lang: number;
  ids: Uint32Array;
}

export interface Dataset {
  langs: string[];
  english: EnglishText[];
  train: TrainingPair[];
  validation: TrainingPair[];
  /** Training pair indices per language. */
  byLang: number[][];
  /** Groups of ≥ 2 training pairs sharing one English string (several translations: monolingual positives). */
  translationGroups: number[][];
  mono: MonoText[];
  morph: Array<{ lang: number; forms: Uint32Array[] }>;
  /** What each training pair's non-English side may swap for English words (only when code-switching is configured). */
  codeSwitch?: CodeSwitchCandidates | undefined;
  /** The features every text was made with: the configured ones, plus the subword units learned here if asked for. */
  features: FeatureConfig;
  /** The learned subword merges (when `subwords` was set). */
  subwordMerges?: SubwordMerge[] | undefined;
  /** What was read, for the model card. */
  manifest: { files: Array<{ path: string; sha256: string; records: number }>; pairs: Record<string, number>; validation: Record<string, number> };
}

export interface DatasetOptions {
  trainDir: string;
  monoDir: string;
  morphDir: string;
  langs?: string[] | undefined;
  excludeLangs: string[];
  maxPairsPerLang?: number | undefined;
  shortPairWeight: number;
  validationPerLang: number;
  /** Most of a language's English strings the validation split may take (default 0.1). */
  validationMaxFraction?: number | undefined;
  features: FeatureConfig;
  /** Learn this many BPE merges from the training pairs and add their units to the features (0: none). */
  subwordMerges?: number | undefined;
  /** Language weighting of the subword counts (as `langTemperature` weights pair sampling). */
  langTemperature?: number | undefined;
}

/** Deterministic pseudo-random fraction of a string (for splits that do not depend on file order). */
function hashFraction(text: string): number {
  return crypto.createHash('sha1').update(text).digest().readUInt32BE(0) / 2 ** 32;
}

/**
 * The English strings whose pairs a language holds out for validation: whole strings with the lowest hash fractions
 * until `validationPerLang` pairs (at most `maxFraction` of the strings). Anything trained on the same files with the
 * same quota (the query translator) holds out the same pairs, so validating one model on another's held-out pairs is fair.
 */
export function heldOutEnglish(records: ReadonlyArray<{ en: string }>, validationPerLang: number, maxFraction = DEFAULT_VALIDATION_MAX_FRACTION): Set<string> {
  const fraction = new Map([...new Set(records.map((r) => r.en))].map((en) => [en, hashFraction(en)]));
  const byFraction = [...fraction.keys()].sort((a, b) => fraction.get(a)! - fraction.get(b)!);
  const heldOut = new Set<string>();
  let heldPairs = 0;
  const pairsPerEnglish = new Map<string, number>();
  for (const r of records) pairsPerEnglish.set(r.en, (pairsPerEnglish.get(r.en) ?? 0) + 1);
  for (const en of byFraction) {
    if (heldPairs >= validationPerLang || heldOut.size >= byFraction.length * maxFraction) break;
    if (en.split(/\s+/).length < 2) continue; // validate on real phrases, not "Cancel"
    heldOut.add(en);
    heldPairs += pairsPerEnglish.get(en)!;
  }
  return heldOut;
}

/**
 * The languages a run reads from a training directory (its `<lang>.jsonl` files): `langs`, else every one, less
 * `excludeLangs`; a clear error when the directory holds no data or a requested language has no file.
 */
export function trainingLanguages(trainDir: string, langs?: readonly string[], excludeLangs: readonly string[] = []): string[] {
  const available = fs.existsSync(trainDir)
    ? fs.readdirSync(trainDir).filter((f) => f.endsWith('.jsonl')).map((f) => f.slice(0, -'.jsonl'.length)).sort()
    : [];
  if (available.length === 0) throw new TafutaError('INPUT_FILE', `no training data in ${trainDir}; run \`tafuta data build\` first`);
  const chosen = (langs ?? available).filter((l) => !excludeLangs.includes(l));
  const missing = chosen.filter((l) => !available.includes(l));
  if (missing.length) throw new TafutaError('INPUT_FILE', `no training file for: ${missing.join(', ')} (in ${trainDir})`);
  return chosen;
}

export async function loadDataset(options: DatasetOptions): Promise<Dataset> {
  const langs = trainingLanguages(options.trainDir, options.langs, options.excludeLangs);

  const files = [];
  for (const code of langs) {
    const file = path.join(options.trainDir, `${code}.jsonl`);
    const records: Array<{ en: string; text: string; short?: boolean }> = [];
    for await (const r of jsonLines<{ en: string; text: string; short?: boolean }>(file)) records.push(r);
    files.push({ code, file, records, heldOut: heldOutEnglish(records, options.validationPerLang, options.validationMaxFraction) });
  }

  let features = options.features;
  let subwordMerges: SubwordMerge[] | undefined;
  if (options.subwordMerges) {
    const trained = files.map((f) => f.records.filter((r) => !f.heldOut.has(r.en)));
    const byLanguage = [...trained.map((records) => records.map((r) => r.text)), [...new Set(trained.flatMap((records) => records.map((r) => r.en)))]];
    subwordMerges = learnTrainingSubwords({ byLanguage }, options.subwordMerges, options.langTemperature ?? 0.5);
    features = { ...features, subwords: new SubwordSegmenter(subwordMerges) };
  }

  const english: EnglishText[] = [];
  const englishIndex = new Map<string, number>();
  const englishId = (text: string): number => {
    let i = englishIndex.get(text);
    if (i === undefined) {
      i = english.length;
      english.push({ text, ids: featurize(text, features) });
      englishIndex.set(text, i);
    }
    return i;
  };

  const train: TrainingPair[] = [];
  const validation: TrainingPair[] = [];
  const manifest: Dataset['manifest'] = { files: [], pairs: {}, validation: {} };
  for (const [lang, { code, file, records, heldOut }] of files.entries()) {
    manifest.files.push({ path: file, sha256: sha256FileSync(file), records: records.length });
    let kept = 0;
    for (const r of records) {
      const pair: TrainingPair = {
        lang,
        en: englishId(r.en),
        lrl: featurize(r.text, features),
        lrlText: r.text,
        weight: r.short ? options.shortPairWeight : 1,
      };
      if (pair.lrl.length === 0 || english[pair.en]!.ids.length === 0) continue;
      if (heldOut.has(r.en)) {
        validation.push(pair);
      } else if (options.maxPairsPerLang === undefined || kept < options.maxPairsPerLang) {
        train.push(pair);
        kept++;
      }
    }
    manifest.pairs[code] = kept;
    manifest.validation[code] = validation.filter((p) => p.lang === lang).length;
  }

  const byLang: number[][] = langs.map(() => []);
  train.forEach((p, i) => byLang[p.lang]!.push(i));
  const byEnglish = new Map<number, number[]>();
  train.forEach((p, i) => {
    const group = byEnglish.get(p.en);
    if (group) group.push(i);
    else byEnglish.set(p.en, [i]);
  });
  const translationGroups = [...byEnglish.values()].filter((g) => g.length >= 2);

  const langIndex = new Map(langs.map((l, i) => [l, i]));
  const mono: MonoText[] = [];
  const morph: Dataset['morph'] = [];
  for (const [dir, kind] of [[options.monoDir, 'mono'], [options.morphDir, 'morph']] as const) {
    if (!fs.existsSync(dir)) continue;
    for (const file of fs.readdirSync(dir).filter((f) => f.endsWith('.jsonl')).sort()) {
      const lang = langIndex.get(file.slice(0, -'.jsonl'.length));
      if (lang === undefined) continue;
      const full = path.join(dir, file);
      let records = 0;
      if (kind === 'mono') {
        for await (const r of jsonLines<{ text: string }>(full)) {
          const ids = featurize(r.text, features);
          if (ids.length) mono.push({ lang, ids });
          records++;
        }
      } else {
        for await (const r of jsonLines<{ forms: string[] }>(full)) {
          const forms = r.forms.map((f) => featurize(f, features)).filter((ids) => ids.length > 0);
          if (forms.length >= 2) morph.push({ lang, forms });
          records++;
        }
      }
      manifest.files.push({ path: full, sha256: sha256FileSync(full), records });
    }
  }
  return { langs, english, train, validation, byLang, translationGroups, mono, morph, features, subwordMerges, manifest };
}
