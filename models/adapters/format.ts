/**
 * An adapted model directory: `adapted-encoder.json` (the base encoder by name and version, the languages, the
 * training config, the data manifest and the validation scores) and `adapters.bin` (float32 little-endian; for each
 * language in manifest order its U then its V, each [dim, rank] row-major).
 */
import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { formatIssues } from '../../core/issues.js';
import type { LowRankAdapter } from './low-rank.js';
import { TafutaError } from '../../core/errors.js';

export const ADAPTED_MANIFEST = 'adapted-encoder.json';
export const ADAPTERS_FILE = 'adapters.bin';
const FORMAT = 'tafuta-adapted-encoder';
const FORMAT_VERSION = 1;

const scoresSchema = z.object({ mrr: z.number(), r1: z.number() });

export const languageRecordSchema = z.object({
  lang: z.string().min(1),
  /** The pairs file as given, its sha256 and how its pairs were used. */
  pairs: z.object({
    file: z.string(),
    sha256: z.string(),
    pairs: z.number().int(),
    train: z.number().int(),
    validation: z.number().int(),
    /** Training pairs left out by maxTrainPairs. */
    unused: z.number().int().default(0),
  }),
  /** Validation (held-out English strings) before (the base alone) and after the adapter. */
  validation: z.object({ base: scoresSchema, adapted: scoresSchema }),
  epochs: z.number().int(),
  bestEpoch: z.number().int(),
  seconds: z.number(),
});
export type LanguageRecord = z.infer<typeof languageRecordSchema>;

const manifestSchema = z.object({
  format: z.literal(FORMAT),
  formatVersion: z.literal(FORMAT_VERSION),
  name: z.string().min(1),
  description: z.string(),
  base: z.object({ name: z.string().min(1), version: z.string().optional(), kind: z.string().optional() }),
  dim: z.number().int().positive(),
  rank: z.number().int().positive(),
  languages: z.array(languageRecordSchema).min(1),
  config: z.record(z.string(), z.unknown()),
  created: z.string(),
});
export type AdaptedManifest = z.infer<typeof manifestSchema>;

export interface AdaptedModel {
  manifest: AdaptedManifest;
  /** By language, in manifest order. */
  adapters: Map<string, LowRankAdapter>;
  /** The bytes of adapters.bin (hashed into the served version). */
  bytes: Buffer;
}

export function isAdaptedModelDir(dir: string): boolean {
  return fs.existsSync(path.join(dir, ADAPTED_MANIFEST));
}

export function readAdaptedModel(dir: string): AdaptedModel {
  const file = path.join(dir, ADAPTED_MANIFEST);
  let raw: unknown;
  try {
    raw = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (error) {
    throw new TafutaError('INPUT_FILE', `${file}: ${(error as Error).message}`);
  }
  const parsed = manifestSchema.safeParse(raw);
  if (!parsed.success) throw new TafutaError('INPUT_FILE', `${file}: ${formatIssues(parsed.error)}`);
  const manifest = parsed.data;
  const bytes = fs.readFileSync(path.join(dir, ADAPTERS_FILE));
  const block = manifest.dim * manifest.rank;
  const expected = manifest.languages.length * 2 * block * 4;
  if (bytes.length !== expected) throw new TafutaError('INPUT_FILE', `${path.join(dir, ADAPTERS_FILE)} has ${bytes.length} bytes, expected ${expected} (languages × 2 × dim × rank float32)`);
  const floats = new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length));
  const adapters = new Map<string, LowRankAdapter>();
  manifest.languages.forEach(({ lang }, i) => {
    const start = i * 2 * block;
    adapters.set(lang, { dim: manifest.dim, rank: manifest.rank, U: floats.slice(start, start + block), V: floats.slice(start + block, start + 2 * block) });
  });
  return { manifest, adapters, bytes };
}

export function writeAdaptedModel(dir: string, manifest: Omit<AdaptedManifest, 'format' | 'formatVersion'>, adapters: ReadonlyMap<string, LowRankAdapter>): void {
  const block = manifest.dim * manifest.rank;
  const floats = new Float32Array(manifest.languages.length * 2 * block);
  manifest.languages.forEach(({ lang }, i) => {
    const adapter = adapters.get(lang);
    if (!adapter || adapter.U.length !== block || adapter.V.length !== block) throw new TafutaError('INPUT_FILE', `adapter of "${lang}" missing or not [${manifest.dim}, ${manifest.rank}]`);
    floats.set(adapter.U, i * 2 * block);
    floats.set(adapter.V, i * 2 * block + block);
  });
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, ADAPTERS_FILE), Buffer.from(floats.buffer));
  fs.writeFileSync(path.join(dir, ADAPTED_MANIFEST), `${JSON.stringify({ format: FORMAT, formatVersion: FORMAT_VERSION, ...manifest }, null, 2)}\n`);
}
