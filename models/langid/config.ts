/** Language-identifier training configuration (configs/langid.json), validated with defaults; recorded in the model. */
import fs from 'node:fs';
import { z } from 'zod';
import { TafutaError } from '../../core/errors.js';
import { formatIssues } from '../../core/issues.js';

export const langidConfigSchema = z.strictObject({
  name: z.string().regex(/^[A-Za-z0-9_.-]+$/).default('langid-base'),
  seed: z.int().default(1),
  /** The encoder's featurisation (features.ts) with fewer buckets: a small file, the same n-grams. */
  features: z
    .strictObject({
      buckets: z.int().min(16).max(1 << 20).default(1 << 16),
      minN: z.int().min(1).default(3),
      maxN: z.int().min(1).default(5),
      words: z.boolean().default(true),
    })
    .prefault({}),
  data: z
    .strictObject({
      trainDir: z.string().default('data/train'),
      monoDir: z.string().default('data/mono'),
      /** LRL labels (default: every <lang>.jsonl in trainDir); English ('en') is always a label. */
      langs: z.array(z.string()).optional(),
      /** Monolingual sentences added to their language (prose beside the UI strings); 0 = none. */
      maxMonoPerLang: z.int().min(0).default(1000),
      /** Cap on distinct training strings per label (seeded sample). */
      maxPerLang: z.int().positive().default(8000),
      /** Drop LRL strings identical to an English source string (untranslated catalog entries). */
      dropEnglishLike: z.boolean().default(true),
      /** Share of each label's distinct strings held out (by hash of the normalised text) for the threshold. */
      heldOutFraction: z.number().min(0.01).max(0.5).default(0.1),
      maxHeldOutPerLang: z.int().positive().default(600),
      /** Sample weight of label l ∝ (mean n / n_l)^balancePower: 0 = none, 1 = every label weighs the same. */
      balancePower: z.number().min(0).max(1).default(1),
      maxWeight: z.number().min(1).default(5),
    })
    .prefault({}),
  train: z
    .strictObject({
      epochs: z.int().positive().default(6),
      /** Adagrad learning rate. */
      lr: z.number().positive().default(0.5),
      eps: z.number().positive().default(1e-8),
      /** Per epoch, each string of ≥ 2 words also yields a random span of 1–3 words with this probability (short queries). */
      spanProbability: z.number().min(0).max(1).default(0.5),
      spanWeight: z.number().min(0).default(1),
    })
    .prefault({}),
  /** Rule out labels whose training strings (at least minShare of them) never use the text's dominant script. */
  scriptMask: z
    .strictObject({
      enabled: z.boolean().default(true),
      minShare: z.number().min(0).max(1).default(0.01),
    })
    .prefault({}),
  threshold: z
    .strictObject({
      /** Smallest threshold whose language-balanced precision on the held-out slice reaches this. */
      targetPrecision: z.number().min(0).max(1).default(0.95),
    })
    .prefault({}),
});

export type LangIdConfig = z.infer<typeof langidConfigSchema>;

export function parseLangIdConfig(raw: unknown): LangIdConfig {
  const parsed = langidConfigSchema.safeParse(raw);
  if (!parsed.success) throw new TafutaError('INVALID_ARGUMENT', `langid config: ${formatIssues(parsed.error)}`);
  return parsed.data;
}

export function readLangIdConfig(file: string): LangIdConfig {
  let raw: unknown;
  try {
    raw = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (error) {
    throw new TafutaError('INPUT_FILE', `cannot read langid config ${file}: ${(error as Error).message}`);
  }
  return parseLangIdConfig(raw);
}
