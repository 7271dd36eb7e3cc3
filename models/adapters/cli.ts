/**
 * `tafuta adapt --encoder NAME`: CMTP language adapters over any loaded encoder (ours, the hashed baseline, a Hugging
 * Face model, or an adapted one, to which languages are added). Reads the pairs, embeds them once (cached), trains
 * one correction per language (train.ts) and writes a model directory that serves as a new encoder name.
 */
import fs from 'node:fs';
import path from 'node:path';
import { sha256FileSync } from '../../core/hash.js';
import { createRng, shuffle } from '../../core/rng.js';
import { TafutaError } from '../../core/errors.js';
import type { Encoder } from '../encoder.js';
import type { EncoderRegistry } from '../registry.js';
import { heldOutEnglish } from '../train/dataset.js';
import { readPairsFile } from '../train/adapt.js';
import { embedPairs } from './embedding-cache.js';
import { adapterLanguagesOf } from './languages.js';
import { readAdaptedModel, writeAdaptedModel, type LanguageRecord } from './format.js';
import type { LowRankAdapter } from './low-rank.js';
import { adapterTrainConfigSchema, trainAdapter, type AdapterTrainConfig } from './train.js';

export interface AdaptEncoderOptions {
  encoder: string;
  /** Language codes (several: `pairs` is a directory of <lang>.jsonl or <lang>.tsv). */
  langs: readonly string[];
  pairs: string;
  out?: string | undefined;
  name?: string | undefined;
  configFile: string;
  rank?: number | undefined;
  epochs?: number | undefined;
  seed?: number | undefined;
  /** Where the embedded pairs are cached; undefined = no cache. */
  cacheDir?: string | undefined;
}

export interface AdaptEncoderDeps {
  /** The encoders a process would serve (the shipped ones, --models-dir ones, the baseline). Closed here. */
  openEncoders(): Promise<EncoderRegistry>;
  /** --models-dir / TAFUTA_MODELS_DIR: the first one is the default parent of --out. */
  modelsDirs: readonly string[];
  log(message: string): void;
}

export interface AdaptEncoderResult {
  dir: string;
  name: string;
  languages: LanguageRecord[];
}

const bad = (message: string) => new TafutaError('INVALID_ARGUMENT', message);

function readConfig(file: string, overrides: Pick<AdaptEncoderOptions, 'rank' | 'epochs' | 'seed'>): AdapterTrainConfig {
  let raw: unknown;
  try {
    raw = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (error) {
    throw new TafutaError('INPUT_FILE', `adapter config ${file}: ${(error as Error).message}`);
  }
  const parsed = adapterTrainConfigSchema.safeParse({
    ...(raw as object),
    ...(overrides.rank !== undefined ? { rank: overrides.rank } : {}),
    ...(overrides.epochs !== undefined ? { maxEpochs: overrides.epochs } : {}),
    ...(overrides.seed !== undefined ? { seed: overrides.seed } : {}),
  });
  if (!parsed.success) throw new TafutaError('INPUT_FILE', `adapter config ${file}: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  return parsed.data;
}

/** The pairs file of each language: `pairs` itself for one language, `<pairs>/<lang>.jsonl|.tsv` for a directory. */
function pairsFilesOf(pairs: string, langs: readonly string[]): Map<string, string> {
  if (!fs.existsSync(pairs)) throw new TafutaError('INPUT_FILE', `--pairs ${pairs}: no such file or directory`);
  if (!fs.statSync(pairs).isDirectory()) {
    if (langs.length > 1) throw bad(`--pairs ${pairs} is one file but --lang names ${langs.length} languages: give a directory of <lang>.jsonl files`);
    return new Map([[langs[0]!, pairs]]);
  }
  return new Map(
    langs.map((lang) => {
      const file = ['jsonl', 'tsv'].map((ext) => path.join(pairs, `${lang}.${ext}`)).find((f) => fs.existsSync(f));
      if (file === undefined) throw new TafutaError('INPUT_FILE', `--pairs ${pairs}: no ${lang}.jsonl or ${lang}.tsv there`);
      return [lang, file];
    }),
  );
}

function readPairs(file: string, lang: string, config: AdapterTrainConfig) {
  let pairs;
  try {
    pairs = readPairsFile(file);
  } catch (error) {
    throw new TafutaError('INPUT_FILE', (error as Error).message);
  }
  if (pairs.length < config.minPairs) throw new TafutaError('INPUT_FILE', `${file}: ${pairs.length} pairs for "${lang}"; an adapter needs at least ${config.minPairs}`);
  const heldOut = heldOutEnglish(pairs, config.validationPerLang);
  const train: number[] = [];
  const validation: number[] = [];
  pairs.forEach((p, i) => (heldOut.has(p.en) ? validation : train).push(i));
  const available = train.length;
  if (config.maxTrainPairs !== undefined && train.length > config.maxTrainPairs) {
    const sample = shuffle([...train], createRng(config.seed)).slice(0, config.maxTrainPairs);
    train.splice(0, train.length, ...sample.sort((a, b) => a - b));
  }
  if (validation.length < 2 || train.length < 2) {
    throw new TafutaError('INPUT_FILE', `${file}: too few pairs whose English has two or more words to hold out for validation (${validation.length}); give more pairs`);
  }
  return { pairs, train, validation, available };
}

/** The encoder to train over and the adapters kept from it (when NAME is itself an adapted model). */
function baseOf(registry: EncoderRegistry, name: string): { base: Encoder; kept: Map<string, { adapter: LowRankAdapter; record: LanguageRecord }>; rank?: number; sourceDir?: string } {
  const encoder = registry.get(name);
  if (!encoder) throw new TafutaError('UNKNOWN_ENCODER', `--encoder ${name}: no such encoder; loaded: ${registry.list().map((e) => e.name).join(', ')} (more with --models-dir DIR)`);
  if (encoder.info.kind !== 'adapted' || encoder.info.source === undefined) return { base: encoder, kept: new Map() };
  const model = readAdaptedModel(encoder.info.source);
  const base = registry.get(model.manifest.base.name);
  if (!base) throw new TafutaError('UNKNOWN_ENCODER', `--encoder ${name} adapts ${model.manifest.base.name}, which is not loaded`);
  const kept = new Map(model.manifest.languages.map((record) => [record.lang, { adapter: model.adapters.get(record.lang)!, record }]));
  return { base, kept, rank: model.manifest.rank, sourceDir: encoder.info.source };
}

export async function adaptEncoder(options: AdaptEncoderOptions, deps: AdaptEncoderDeps): Promise<AdaptEncoderResult> {
  const langs = adapterLanguagesOf(options.langs);
  const files = pairsFilesOf(options.pairs, langs);
  const config = readConfig(options.configFile, options);
  const data = new Map([...files].map(([lang, file]) => [lang, { file, sha256: sha256FileSync(file), ...readPairs(file, lang, config) }]));
  const registry = await deps.openEncoders();
  try {
    const { base, kept, rank, sourceDir } = baseOf(registry, options.encoder);
    if (rank !== undefined && options.rank !== undefined && options.rank !== rank) throw bad(`--rank ${options.rank}: ${options.encoder} holds rank-${rank} adapters; languages added to it use that rank`);
    const trainConfig = { ...config, rank: rank ?? config.rank };
    const name = options.name ?? (sourceDir !== undefined ? options.encoder : `${options.encoder}+${langs.length === 1 ? langs[0] : 'adapters'}`);
    const out = options.out ?? sourceDir ?? (deps.modelsDirs[0] !== undefined ? path.join(deps.modelsDirs[0], name) : undefined);
    if (out === undefined) throw bad('give --out DIR (or --models-dir DIR: the model is written to DIR/<name>)');
    if (registry.get(name) && path.resolve(registry.get(name)!.info.source ?? '') !== path.resolve(out)) {
      throw bad(`an encoder named "${name}" is already loaded from elsewhere; choose another --name`);
    }
    for (const [lang, d] of data) {
      const started = performance.now();
      const embedded = await embedPairs(base, d.pairs, { lang, pairsSha256: d.sha256, cacheDir: options.cacheDir });
      deps.log(`${lang}: ${d.pairs.length} pairs (${d.train.length} train, ${d.validation.length} validation), embeddings ${embedded.cached ? 'from the cache' : 'computed'}`);
      const trained = trainAdapter(
        { dim: base.info.dim, en: embedded.en, text: embedded.text, english: d.pairs.map((p) => p.en), train: d.train, validation: d.validation },
        trainConfig,
        (message) => deps.log(`${lang}: ${message}`),
      );
      const record: LanguageRecord = {
        lang,
        pairs: { file: d.file, sha256: d.sha256, pairs: d.pairs.length, train: d.train.length, validation: d.validation.length, unused: d.available - d.train.length },
        validation: { base: trained.base, adapted: trained.adapted },
        epochs: trained.epochs,
        bestEpoch: trained.bestEpoch,
        seconds: Math.round((performance.now() - started) / 100) / 10,
      };
      kept.set(lang, { adapter: trained.adapter, record });
      deps.log(`${lang}: validation MRR@10 ${trained.base.mrr.toFixed(3)} → ${trained.adapted.mrr.toFixed(3)} (best epoch ${trained.bestEpoch} of ${trained.epochs})`);
    }
    const languages = [...kept.values()].map((k) => k.record).sort((a, b) => a.lang.localeCompare(b.lang));
    writeAdaptedModel(
      out,
      {
        name,
        description: `${base.info.name} with CMTP low-rank language adapters (rank ${trainConfig.rank}) for ${languages.map((l) => l.lang).join(', ')}, trained by tafuta adapt on ${base.info.name}'s frozen vectors.`,
        base: { name: base.info.name, ...(base.info.version !== undefined ? { version: base.info.version } : {}), ...(base.info.kind !== undefined ? { kind: base.info.kind } : {}) },
        dim: base.info.dim,
        rank: trainConfig.rank,
        languages,
        config: { ...trainConfig, configFile: options.configFile },
        created: new Date().toISOString(),
      },
      new Map([...kept].map(([lang, k]) => [lang, k.adapter])),
    );
    return { dir: out, name, languages };
  } finally {
    await registry.closeAll();
  }
}
