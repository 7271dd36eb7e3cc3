/** Wires a process together: logger, encoders (baseline + shipped ONNX models), language identifier, engine. */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { pino } from 'pino';
import type { Encoder } from '../models/encoder.js';
import { createHashedNgramEncoder } from '../models/hashed-ngram-encoder.js';
import { createHeuristicLanguageIdentifier } from '../models/langid.js';
import { createOnnxEncoder } from '../models/onnx/onnx-encoder.js';
import { createEncoderRegistry } from '../models/registry.js';
import { Engine } from '../indexer/engine.js';
import type { Logger } from '../indexer/logger.js';

export const PACKAGE_ROOT = fileURLToPath(new URL('../../', import.meta.url));
/** Trained models ship as `models/<name>/model.json` (+ model.onnx) inside the package. */
export const SHIPPED_MODELS_DIR = path.join(PACKAGE_ROOT, 'models');
/** Preferred default encoder once it has been trained and shipped. */
export const PREFERRED_DEFAULT_ENCODER = 'cmtp-base';

export function packageVersion(): string {
  return (JSON.parse(fs.readFileSync(path.join(PACKAGE_ROOT, 'package.json'), 'utf8')) as { version: string }).version;
}

export function createLogger(level = process.env.TAFUTA_LOG_LEVEL ?? 'info'): Logger {
  // Logs go to stderr so that command output (search results, summaries) on stdout stays clean.
  return pino({ level, base: undefined }, pino.destination(2));
}

/** Model directories under `dir` (those holding a model.json). */
export function findModelDirs(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && fs.existsSync(path.join(dir, entry.name, 'model.json')))
    .map((entry) => path.join(dir, entry.name))
    .sort();
}

export interface RuntimeOptions {
  dataDir: string | undefined;
  modelsDir?: string;
  /** Model directories to load besides the shipped ones (evaluating a fresh training run). */
  extraModelDirs?: readonly string[];
  logger: Logger;
}

export async function createEngine(options: RuntimeOptions): Promise<Engine> {
  const encoders: Encoder[] = [createHashedNgramEncoder()];
  const dirs = new Set([...findModelDirs(options.modelsDir ?? SHIPPED_MODELS_DIR), ...(options.extraModelDirs ?? [])].map((d) => path.resolve(d)));
  for (const dir of dirs) {
    try {
      encoders.push(await createOnnxEncoder(dir));
    } catch (error) {
      options.logger.error({ err: error, dir }, 'could not load model; skipping it');
    }
  }
  // TAFUTA_DEFAULT_ENCODER picks the default for new collections; otherwise the shipped CMTP model when present.
  const requested = process.env.TAFUTA_DEFAULT_ENCODER || undefined;
  if (requested !== undefined && !encoders.some((e) => e.info.name === requested)) {
    throw new Error(`TAFUTA_DEFAULT_ENCODER=${requested} is not loaded; available: ${encoders.map((e) => e.info.name).join(', ')}`);
  }
  const preferred = requested ?? (encoders.find((e) => e.info.name === PREFERRED_DEFAULT_ENCODER) ?? encoders[0]!).info.name;
  const registry = createEncoderRegistry(encoders, preferred);
  options.logger.info({ encoders: registry.list().map((e) => e.name), default: registry.defaultName }, 'encoders loaded');
  return new Engine({
    dataDir: options.dataDir,
    encoders: registry,
    languageIdentifier: createHeuristicLanguageIdentifier(),
    logger: options.logger,
  });
}
