/**
 * Labelled strings for the language identifier, from the training data only: the LRL side of every parallel
 * pair (labelled by its language), the English side ('en'), and optionally monolingual sentences. Strings are
 * deduplicated per label on their normalised form; a hash of that form holds out a slice per label (used to
 * pick the confidence threshold), so the same string never lands in both halves. Benchmarks are refused.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { wordFeatureIds, type FeatureConfig } from '../features.js';
import { normalizeText, segmentWords } from '../../text/normalize.js';
import { createRng, shuffle } from '../../core/rng.js';
import { TafutaError } from '../../core/errors.js';
import { sha256FileSync } from '../../core/hash.js';
import { readJsonl } from '../../core/jsonl.js';
import type { LangIdConfig } from './config.js';
import { dominantScript, labelScripts } from './script.js';

export const ENGLISH = 'en';

export interface Example {
  label: number;
  /** Feature ids of the whole text (what `featurize` returns). */
  ids: Uint32Array;
  /** End offset in `ids` of each word's features, for word spans. */
  wordEnds: Uint32Array;
  weight: number;
  /** Dominant script of the text (script.ts), for the script mask. */
  script?: string | undefined;
}

export interface LangIdDataset {
  labels: string[];
  train: Example[];
  heldOut: Example[];
  /** Per label, the scripts its training strings use (undefined when the script mask is off). */
  scripts: Record<string, string[]> | undefined;
  manifest: {
    files: Array<{ path: string; sha256: string; records: number }>;
    /** Per label: distinct strings, dropped as English-like, held out, trained on (after the cap), weight. */
    counts: Record<string, { distinct: number; englishLike: number; heldOut: number; train: number; mono: number; weight: number }>;
  };
}

/** Feature ids of a text, word by word (their concatenation equals `featurize(text, config)`). */
export function featurizeWords(text: string, config: FeatureConfig): { ids: Uint32Array; wordEnds: Uint32Array } {
  const ids: number[] = [];
  const ends: number[] = [];
  for (const word of segmentWords(normalizeText(text))) {
    wordFeatureIds(word, config, ids);
    ends.push(ids.length);
  }
  return { ids: Uint32Array.from(ids), wordEnds: Uint32Array.from(ends) };
}

/** Number of words of a text as the featuriser sees them. */
export function wordCount(text: string): number {
  return segmentWords(normalizeText(text)).length;
}

function hashFraction(key: string): number {
  return crypto.createHash('sha1').update(key, 'utf8').digest().readUInt32BE(0) / 2 ** 32;
}

/** Benchmarks are evaluation-only: a data directory inside one is refused outright. */
export function assertNotBenchmark(dir: string): void {
  if (path.resolve(dir).split(path.sep).includes('bench')) {
    throw new TafutaError('INVALID_ARGUMENT', `${dir}: benchmark data (data/bench) is evaluation-only and never trained on`);
  }
}

/** Languages with a `<lang>.jsonl` in the training directory. */
export function trainLanguages(trainDir: string): string[] {
  if (!fs.existsSync(trainDir)) throw new TafutaError('INPUT_FILE', `no training directory ${trainDir}`);
  return fs
    .readdirSync(trainDir)
    .filter((f) => f.endsWith('.jsonl'))
    .map((f) => f.slice(0, -'.jsonl'.length))
    .sort();
}

/** Raw labelled strings (text, label) in file order, plus what was read. */
function readLabelledStrings(config: LangIdConfig['data']) {
  assertNotBenchmark(config.trainDir);
  assertNotBenchmark(config.monoDir);
  const langs = config.langs ?? trainLanguages(config.trainDir);
  if (langs.includes(ENGLISH)) throw new TafutaError('INVALID_ARGUMENT', "data.langs lists 'en': English comes from the pairs' English side");
  const files: LangIdDataset['manifest']['files'] = [];
  const lrl = new Map<string, string[]>(langs.map((l) => [l, []]));
  const mono = new Map<string, string[]>(langs.map((l) => [l, []]));
  const english: string[] = [];
  for (const lang of langs) {
    const file = path.join(config.trainDir, `${lang}.jsonl`);
    if (!fs.existsSync(file)) throw new TafutaError('INPUT_FILE', `no training file ${file}`);
    const records = readJsonl(file);
    files.push({ path: file, sha256: sha256FileSync(file), records: records.length });
    for (const r of records) {
      if (typeof r.en === 'string') english.push(r.en);
      if (typeof r.text === 'string') lrl.get(lang)!.push(r.text);
    }
    const monoFile = path.join(config.monoDir, `${lang}.jsonl`);
    if (config.maxMonoPerLang > 0 && fs.existsSync(monoFile)) {
      const sentences = readJsonl(monoFile);
      files.push({ path: monoFile, sha256: sha256FileSync(monoFile), records: sentences.length });
      for (const r of sentences) if (typeof r.text === 'string' && (r.lang === undefined || r.lang === lang)) mono.get(lang)!.push(r.text);
    }
  }
  return { langs, files, lrl, mono, english };
}

/** Normalised forms of every string the identifier could have been trained on (to flag eval strings seen in training). */
export function trainingKeys(config: LangIdConfig['data']): Set<string> {
  const { lrl, mono, english } = readLabelledStrings(config);
  const keys = new Set<string>();
  for (const list of [english, ...lrl.values(), ...mono.values()]) for (const s of list) keys.add(normalizeText(s));
  return keys;
}

export function buildLangIdDataset(config: LangIdConfig): LangIdDataset {
  const { langs, files, lrl, mono, english } = readLabelledStrings(config.data);
  const labels = [ENGLISH, ...langs];
  const englishKeys = new Set(english.map((s) => normalizeText(s)));
  const rng = createRng(config.seed);
  const counts: LangIdDataset['manifest']['counts'] = {};
  const perLabel: Array<{ train: Example[]; heldOut: Example[] }> = [];

  labels.forEach((label, index) => {
    const strings = label === ENGLISH ? english : lrl.get(label)!;
    const monoStrings = label === ENGLISH ? [] : mono.get(label)!.slice(0, config.data.maxMonoPerLang);
    const seen = new Set<string>();
    let englishLike = 0;
    const distinct: Array<{ text: string; key: string; mono: boolean }> = [];
    for (const [text, isMono] of [...strings.map((s) => [s, false] as const), ...monoStrings.map((s) => [s, true] as const)]) {
      const key = normalizeText(text);
      if (!key || seen.has(key)) continue;
      seen.add(key);
      if (label !== ENGLISH && config.data.dropEnglishLike && englishKeys.has(key)) {
        englishLike++;
        continue;
      }
      distinct.push({ text, key, mono: isMono });
    }
    const held: Array<{ text: string; fraction: number }> = [];
    let pool: typeof distinct = [];
    for (const item of distinct) {
      const fraction = hashFraction(item.key);
      if (fraction < config.data.heldOutFraction) held.push({ text: item.text, fraction });
      else pool.push(item);
    }
    held.sort((a, b) => a.fraction - b.fraction);
    pool = shuffle(pool, rng).slice(0, config.data.maxPerLang);
    const toExample = (text: string): Example | undefined => {
      const { ids, wordEnds } = featurizeWords(text, config.features);
      return ids.length ? { label: index, ids, wordEnds, weight: 1, script: dominantScript(text) } : undefined;
    };
    const train = pool.map((p) => toExample(p.text)).filter((e): e is Example => e !== undefined);
    const heldOut = held
      .slice(0, config.data.maxHeldOutPerLang)
      .map((h) => toExample(h.text))
      .filter((e): e is Example => e !== undefined);
    perLabel.push({ train, heldOut });
    counts[label] = { distinct: distinct.length, englishLike, heldOut: heldOut.length, train: train.length, mono: pool.filter((p) => p.mono).length, weight: 1 };
  });

  // Balance: weight_l = (mean n / n_l)^power, capped, so small languages are not drowned by large ones.
  const sizes = perLabel.map((p) => p.train.length);
  const mean = sizes.reduce((a, b) => a + b, 0) / sizes.length;
  perLabel.forEach((p, index) => {
    const n = Math.max(1, sizes[index]!);
    const weight = Math.min(config.data.maxWeight, Math.pow(mean / n, config.data.balancePower));
    for (const e of p.train) e.weight = weight;
    counts[labels[index]!]!.weight = Number(weight.toFixed(4));
  });
  const scriptCounts = new Map(labels.map((l) => [l, new Map<string, number>()]));
  perLabel.forEach((p, index) => {
    const perScript = scriptCounts.get(labels[index]!)!;
    for (const e of p.train) if (e.script !== undefined) perScript.set(e.script, (perScript.get(e.script) ?? 0) + 1);
  });
  for (const label of labels) {
    if (counts[label]!.train === 0) throw new TafutaError('INPUT_FILE', `no training strings for '${label}'`);
  }
  return {
    labels,
    train: perLabel.flatMap((p) => p.train),
    heldOut: perLabel.flatMap((p) => p.heldOut),
    scripts: config.scriptMask.enabled ? labelScripts(scriptCounts, config.scriptMask.minShare) : undefined,
    manifest: { files, counts },
  };
}
