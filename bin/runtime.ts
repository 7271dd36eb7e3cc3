/** Wires a process together: logger, encoders (baseline + shipped and --models-dir models, ours or Hugging Face ones), language identifier (trained or heuristic), query translator, engine. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { pino } from 'pino';
import type { Encoder } from '../models/encoder.js';
import { createHashedNgramEncoder } from '../models/hashed-ngram-encoder.js';
import { createHeuristicLanguageIdentifier, type LanguageIdentifier } from '../models/langid/identifier.js';
import { hasLangIdModel, loadLanguageIdentifier } from '../models/langid/io.js';
import { createParallelOnnxEncoder } from '../models/onnx/parallel-encoder.js';
import { createUntranslatedQueries, hasTranslatorModel, loadQueryTranslator, TRANSLATOR_MANIFEST, type QueryTranslator } from '../models/translate/translator.js';
import { isTransformersModelDir } from '../models/transformers/settings.js';
import { createTransformersEncoder } from '../models/transformers/transformers-encoder.js';
import { DEFAULT_WORD_CACHE } from '../models/onnx/onnx-encoder.js';
import { createEncoderRegistry } from '../models/registry.js';
import { createAdaptedEncoder } from '../models/adapters/adapted-encoder.js';
import { isAdaptedModelDir, readAdaptedModel } from '../models/adapters/format.js';
import { databasePathOf } from '../indexer/data-dir.js';
import { quickCheck } from '../indexer/database.js';
import { Engine, type TempEngineRunner } from '../indexer/engine.js';
import { createSqliteStorage } from '../indexer/sqlite/storage.js';
import { resolveStoreUrl } from '../indexer/postgres/config.js';
import { TafutaError } from '../core/errors.js';
import { intFromEnv } from '../core/integers.js';
import type { Logger } from '../core/logger.js';
import { logDestination } from './terminal.js';

export const PACKAGE_ROOT = fileURLToPath(new URL('../../', import.meta.url));
/** Trained models ship as `models/<name>/model.json` (+ model.onnx) inside the package. */
export const SHIPPED_MODELS_DIR = path.join(PACKAGE_ROOT, 'models');
/** Preferred default encoder once it has been trained and shipped. */
export const PREFERRED_DEFAULT_ENCODER = 'cmtp-base';
/** The trained language identifier ships as `models/langid-base/` (langid.json + weights.bin). */
export const SHIPPED_LANGID = 'langid-base';
/** The query translator of the translate modes ships as `models/translate-base/` (translator.json + tables/). */
export const SHIPPED_TRANSLATOR = 'translate-base';

export function packageVersion(): string {
  return (JSON.parse(fs.readFileSync(path.join(PACKAGE_ROOT, 'package.json'), 'utf8')) as { version: string }).version;
}

export function createLogger(level = process.env.TAFUTA_LOG_LEVEL ?? 'info'): Logger {
  // Logs go to stderr so that command output (search results, summaries) on stdout stays clean.
  return pino({ level, base: undefined }, logDestination());
}

export type ModelDirKind = 'cmtp-onnx' | 'transformers' | 'adapted';

export interface ModelDir {
  dir: string;
  kind: ModelDirKind;
}

/** Ours hold a model.json; a Hugging Face one config.json + tokenizer.json + onnx/model*.onnx; adapters over either adapted-encoder.json. */
export function modelDirKind(dir: string): ModelDirKind | undefined {
  if (fs.existsSync(path.join(dir, 'model.json'))) return 'cmtp-onnx';
  if (isAdaptedModelDir(dir)) return 'adapted';
  return isTransformersModelDir(dir) ? 'transformers' : undefined;
}

/** The model directories under `dir`, or `dir` itself when it is one. */
export function findModelDirs(dir: string): ModelDir[] {
  if (!fs.existsSync(dir)) return [];
  const own = modelDirKind(dir);
  if (own !== undefined) return [{ dir, kind: own }];
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .flatMap((entry) => {
      const child = path.join(dir, entry.name);
      const kind = modelDirKind(child);
      return kind === undefined ? [] : [{ dir: child, kind }];
    })
    .sort((a, b) => a.dir.localeCompare(b.dir));
}

/** `TAFUTA_MODELS_DIR` (several separated by `path.delimiter`; `--models-dir` sets it): model directories to scan besides the shipped ones. */
export function modelsDirsFromEnv(): string[] {
  const dirs = (process.env.TAFUTA_MODELS_DIR ?? '').split(path.delimiter).filter((d) => d.trim() !== '');
  for (const dir of dirs) {
    if (!fs.existsSync(dir)) throw new TafutaError('INPUT_FILE', `models directory ${dir} (TAFUTA_MODELS_DIR or --models-dir) does not exist`);
  }
  return dirs;
}

export interface RuntimeOptions {
  dataDir: string | undefined;
  /** The shipped models (default `models/` of the package); also where the language identifier is looked for. */
  modelsDir?: string;
  /** More directories scanned for model directories (default $TAFUTA_MODELS_DIR). */
  modelsDirs?: readonly string[];
  /** Language-identifier directory (default: `<modelsDir>/langid-base`); the heuristic when it is missing. */
  langidDir?: string;
  /** Query-translator directory (default: `<modelsDir>/translate-base`); none (words stay themselves) when it is missing. */
  translatorDir?: string;
  /** Model directories to load besides the shipped ones (evaluating a fresh training run). */
  extraModelDirs?: readonly string[];
  logger: Logger;
  /** 'read-only' for the server workers that do not own the index files (see SqliteStorageOptions.indexFiles). */
  indexFiles?: 'read-write' | 'read-only';
  /** A PostgreSQL store instead of the data directory (default $TAFUTA_STORE_URL); null: the data directory whatever the environment. */
  storeUrl?: string | null;
  /** onnxruntime threads per ONNX encoder session (default $TAFUTA_ENCODER_THREADS, else 1). */
  encoderThreads?: number;
  /** Worker threads per ONNX encoder for large batches (default $TAFUTA_ENCODER_WORKERS, else one per core, at most 8). */
  encoderWorkers?: number;
  /** Words whose pooled sums each ONNX encoder caches, one cache shared by its threads (default $TAFUTA_ENCODER_WORD_CACHE, else 32,768). */
  encoderWordCache?: number;
}

export const MAX_ENCODER_THREADS = 64;

/**
 * Threads per encoder session. 1 suits a server (requests already run in parallel across workers); a bulk
 * `tafuta index` on an otherwise idle machine gains from more (docs/benchmarks/encoder.md).
 */
export function encoderThreadsFromEnv(): number {
  return intFromEnv('TAFUTA_ENCODER_THREADS', 1, 1, MAX_ENCODER_THREADS);
}

export const MAX_ENCODER_WORKERS = 64;

/**
 * Encoder worker threads: indexing batches are split across them (queries stay on the main thread). They start
 * on the first large batch, so a query-only process never runs them. 0 encodes everything on the main thread.
 */
export function encoderWorkersFromEnv(): number {
  return intFromEnv('TAFUTA_ENCODER_WORKERS', Math.min(os.availableParallelism(), 8), 0, MAX_ENCODER_WORKERS);
}

/** 16M words of 256 floats would be 16 GiB: beyond that a typo, not a setting. */
export const MAX_ENCODER_WORD_CACHE = 1 << 24;

/**
 * Words per encoder whose pooled sums are cached, in one cache its threads share (models/onnx/word-vector-cache.ts):
 * about 1 KB each at 256-d, committed as they fill. 0 runs the whole graph for every text.
 */
export function encoderWordCacheFromEnv(): number {
  return intFromEnv('TAFUTA_ENCODER_WORD_CACHE', DEFAULT_WORD_CACHE, 0, MAX_ENCODER_WORD_CACHE);
}

/** quick_check reads every page: ~250 MB/s from the page cache, ~65 MB/s cold here (docs/reliability.md). */
const DEFAULT_QUICK_CHECK_MAX_MB = 1024;

/**
 * Refuses to serve a damaged database: a server on one answers errors for the damaged rows and acknowledges writes
 * next to them. Databases over $TAFUTA_QUICK_CHECK_MAX_MB (default 1024, 0 = never check) are not checked, with a
 * log line, so that a start never waits minutes.
 */
export function checkDatabaseAtStart(dataDir: string, logger: Logger): void {
  const file = databasePathOf(dataDir);
  const maxMb = intFromEnv('TAFUTA_QUICK_CHECK_MAX_MB', DEFAULT_QUICK_CHECK_MAX_MB, 0, 1 << 30);
  if (maxMb === 0) {
    logger.warn({ file }, 'database not checked at start: TAFUTA_QUICK_CHECK_MAX_MB=0');
    return;
  }
  const started = performance.now();
  const result = quickCheck(file, maxMb * 2 ** 20);
  const mb = Math.round(result.bytes / 2 ** 20);
  if (result.status === 'skipped') {
    logger.warn({ file, mb, maxMb }, 'database not checked at start: larger than TAFUTA_QUICK_CHECK_MAX_MB');
  } else if (result.status === 'corrupt') {
    logger.error({ file, problems: result.problems }, 'database is damaged');
    throw new TafutaError('DATABASE_CORRUPT', `${file} is damaged (PRAGMA quick_check: ${result.problems[0]}); restore it from a snapshot, see README "Durability"`);
  } else if (result.status === 'ok') {
    logger.info({ file, mb, ms: Math.round(performance.now() - started) }, 'database checked');
  }
}

/**
 * A trained component from `dir` when there is one, else its untrained fallback. One that fails to load is logged
 * and replaced by the fallback: the feature degrades, serving goes on.
 */
function loadOrFallback<T>(dir: string, logger: Logger, component: { has(dir: string): boolean; load(dir: string): T; fallback(): T; failure: string }): T {
  if (!component.has(dir)) return component.fallback();
  try {
    return component.load(dir);
  } catch (error) {
    logger.error({ err: error, dir }, component.failure);
    return component.fallback();
  }
}

/** The trained language identifier in `dir`, else the heuristic (script + stop words). */
export function createLanguageIdentifier(dir: string, logger: Logger): LanguageIdentifier {
  return loadOrFallback(dir, logger, {
    has: hasLangIdModel,
    load: loadLanguageIdentifier,
    fallback: createHeuristicLanguageIdentifier,
    failure: 'could not load the language identifier; using the heuristic',
  });
}

/** The trained query translator in `dir`, else none (the translate modes are then plain BM25). */
export function openQueryTranslator(dir: string, logger: Logger): QueryTranslator {
  return loadOrFallback(dir, logger, {
    has: hasTranslatorModel,
    load: loadQueryTranslator,
    fallback: createUntranslatedQueries,
    failure: 'could not load the query translator; translate modes fall back to plain BM25',
  });
}

/**
 * Every encoder a process serves: the baseline, then the model directories (shipped, --models-dir, extra), then the
 * adapted ones, which wrap an encoder loaded before them by name. One that fails to load is logged and skipped.
 */
export async function loadEncoders(options: Pick<RuntimeOptions, 'modelsDir' | 'modelsDirs' | 'extraModelDirs' | 'logger' | 'encoderThreads' | 'encoderWorkers' | 'encoderWordCache'>): Promise<Encoder[]> {
  const encoders: Encoder[] = [createHashedNgramEncoder()];
  const intraOpNumThreads = options.encoderThreads ?? encoderThreadsFromEnv();
  const workers = options.encoderWorkers ?? encoderWorkersFromEnv();
  const wordCache = options.encoderWordCache ?? encoderWordCacheFromEnv();
  const scanned = [options.modelsDir ?? SHIPPED_MODELS_DIR, ...(options.modelsDirs ?? modelsDirsFromEnv())].flatMap(findModelDirs);
  const extra = (options.extraModelDirs ?? []).map((dir) => ({ dir, kind: modelDirKind(dir) }));
  const seen = new Set<string>();
  const unique = [...scanned, ...extra].filter(({ dir }) => {
    const resolved = path.resolve(dir);
    if (seen.has(resolved)) return false;
    seen.add(resolved);
    return true;
  });
  const adaptedLast = [...unique.filter((m) => m.kind !== 'adapted'), ...unique.filter((m) => m.kind === 'adapted')];
  for (const { dir, kind } of adaptedLast) {
    const resolved = path.resolve(dir);
    try {
      if (kind === 'transformers') encoders.push(await createTransformersEncoder(resolved, { intraOpNumThreads }));
      else if (kind === 'adapted') encoders.push(openAdaptedEncoder(resolved, encoders));
      else encoders.push(await createParallelOnnxEncoder(resolved, { intraOpNumThreads, workers, wordCache }));
    } catch (error) {
      options.logger.error({ err: error, dir: resolved }, 'could not load model; skipping it');
    }
  }
  return encoders;
}

function openAdaptedEncoder(dir: string, loaded: readonly Encoder[]): Encoder {
  const model = readAdaptedModel(dir);
  const base = loaded.find((e) => e.info.name === model.manifest.base.name);
  if (!base) throw new Error(`${dir} adapts the encoder "${model.manifest.base.name}", which is not loaded (put its directory in --models-dir too)`);
  return createAdaptedEncoder(base, model, dir);
}

export async function createEngine(options: RuntimeOptions): Promise<Engine> {
  const encoders = await loadEncoders(options);
  // TAFUTA_DEFAULT_ENCODER picks the default for new collections; otherwise the shipped CMTP model when present.
  const requested = process.env.TAFUTA_DEFAULT_ENCODER || undefined;
  if (requested !== undefined && !encoders.some((e) => e.info.name === requested)) {
    throw new TafutaError('UNKNOWN_ENCODER', `TAFUTA_DEFAULT_ENCODER=${requested}: no such encoder; known encoders: ${encoders.map((e) => e.info.name).join(', ')}`);
  }
  const preferred = requested ?? (encoders.find((e) => e.info.name === PREFERRED_DEFAULT_ENCODER) ?? encoders[0]!).info.name;
  const registry = createEncoderRegistry(encoders, preferred);
  options.logger.info({ encoders: registry.list().map((e) => `${e.name} (${e.kind})`), default: registry.defaultName }, 'encoders loaded');
  const languageIdentifier = createLanguageIdentifier(options.langidDir ?? path.join(options.modelsDir ?? SHIPPED_MODELS_DIR, SHIPPED_LANGID), options.logger);
  options.logger.info({ languageIdentifier: languageIdentifier.name }, 'language identifier loaded');
  const translator = openQueryTranslator(options.translatorDir ?? path.join(options.modelsDir ?? SHIPPED_MODELS_DIR, SHIPPED_TRANSLATOR), options.logger);
  options.logger.info({ translator: translator.name, languages: translator.languages.length }, 'query translator loaded');
  const storeUrl = options.storeUrl === null ? undefined : (options.storeUrl ?? resolveStoreUrl(undefined));
  const storage = storeUrl !== undefined
    ? await (await import('../indexer/postgres/storage.js')).openPostgresStorage({ url: storeUrl, logger: options.logger })
    : createSqliteStorage({
        dataDir: options.dataDir,
        logger: options.logger,
        ...(options.indexFiles !== undefined ? { indexFiles: options.indexFiles } : {}),
      });
  return new Engine({
    storage,
    encoders: registry,
    languageIdentifier,
    translator,
    logger: options.logger,
    ownsEncoders: true,
  });
}

/** Each `--model` directory holds a model of some kind, or a clear INPUT_FILE error names it. */
export function assertModelDirs(modelDirs: readonly string[]): void {
  for (const dir of modelDirs) {
    if (modelDirKind(dir) === undefined) {
      throw new TafutaError('INPUT_FILE', `--model ${dir}: not a model directory (none of model.json, adapted-encoder.json, or config.json + tokenizer.json + onnx/model*.onnx there)`);
    }
  }
}

/**
 * The TempEngineRunner that bin/ hands to eval, auto-modes and translate train: an engine as `createEngine` makes
 * it, over a data directory in the system temp folder that is removed afterwards.
 */
export function tempEngineRunner(logger: Logger): TempEngineRunner {
  return async <T>(work: (engine: Engine) => Promise<T>, modelDirs: string[] = [], translatorDir?: string): Promise<T> => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'tafuta-eval-'));
    try {
      assertModelDirs(modelDirs);
      if (translatorDir !== undefined && !hasTranslatorModel(translatorDir)) throw new TafutaError('INPUT_FILE', `--translator ${translatorDir}: no ${TRANSLATOR_MANIFEST} there`);
      const engine = await createEngine({ dataDir, logger, storeUrl: null, extraModelDirs: modelDirs, ...(translatorDir !== undefined ? { translatorDir } : {}) });
      try {
        return await work(engine);
      } finally {
        await engine.close();
      }
    } finally {
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  };
}
