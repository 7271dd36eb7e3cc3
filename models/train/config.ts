/** Training configuration (configs/*.json), validated with defaults; recorded inside every trained model. */
import { z } from 'zod';

export const DEFAULT_VALIDATION_MAX_FRACTION = 0.1;

/** Most of a language's English strings its validation split may take (dataset.ts, heldOutEnglish). */
export const validationMaxFractionSchema = z.number().gt(0).max(0.5).default(DEFAULT_VALIDATION_MAX_FRACTION);

export const trainConfigSchema = z.strictObject({
  name: z.string().regex(/^[A-Za-z0-9_.-]+$/),
  seed: z.int().default(1),
  data: z
    .strictObject({
      trainDir: z.string().default('data/train'),
      monoDir: z.string().default('data/mono'),
      morphDir: z.string().default('data/morph'),
      /** Languages to train on (default: every file in trainDir). */
      langs: z.array(z.string()).optional(),
      /** Languages never trained on (zero-shot experiments). */
      excludeLangs: z.array(z.string()).default([]),
      /** Cap on pairs per language (tiny runs). */
      maxPairsPerLang: z.int().positive().optional(),
      /** Weight of pairs whose English side has < 2 words ("Cancel"). */
      shortPairWeight: z.number().min(0).max(1).default(0.5),
      /** Language sampling p_l ∝ n_l^T: T < 1 up-samples low-resource languages. */
      langTemperature: z.number().min(0).max(1).default(0.5),
      /** Pairs per language held out for validation (by English string, so no leakage). */
      validationPerLang: z.int().min(0).default(100),
      validationMaxFraction: validationMaxFractionSchema,
    })
    .prefault({}),
  model: z
    .strictObject({
      buckets: z.int().min(16).default(1 << 17),
      dim: z.int().min(8).default(256),
      minN: z.int().min(1).default(3),
      maxN: z.int().min(1).default(5),
      words: z.boolean().default(true),
      /** BPE merges learned from the training pairs whose units join the features (models/subwords.ts); 0 = none. */
      subwordMerges: z.int().min(0).default(0),
      adapterRank: z.int().min(1).default(8),
      /** Languages with at least this many pairs get an adapter. */
      adapterMinPairs: z.int().min(0).default(1000),
      adapters: z.boolean().default(true),
      initScale: z.number().positive().default(1),
      /** mean | sif (fixed a/(a+p(feature)) weights from training-data frequencies) | attention (learned weights). */
      pooling: z.enum(['mean', 'sif', 'attention']).default('mean'),
      /** SIF's smoothing constant a. */
      sifA: z.number().positive().default(1e-3),
    })
    .prefault({}),
  train: z
    .strictObject({
      epochs: z.number().positive().default(4),
      batchSize: z.int().min(2).default(256),
      lr: z.number().positive().default(0.5),
      denseLr: z.number().positive().default(1e-3),
      /** Adagrad rate of the attention-pooling logits. */
      poolingLr: z.number().positive().default(0.05),
      tau: z.number().positive().default(0.05),
      maxGradNorm: z.number().min(0).default(5),
      /** Feature dropout for monolingual views. */
      dropout: z.number().min(0).max(0.9).default(0.15),
      hardNegatives: z
        .strictObject({
          enabled: z.boolean().default(true),
          /** Re-mine every this many epochs, starting after the first. */
          every: z.number().positive().default(1),
          topM: z.int().min(1).default(8),
          /** Extra negatives appended per CL batch. */
          perBatch: z.int().min(0).default(64),
          /** Sampling temperature over neighbour similarities (weighted negative sampling). */
          temperature: z.number().positive().default(0.1),
        })
        .prefault({}),
      tasks: z
        .strictObject({
          cl: z.boolean().default(true),
          mono: z.boolean().default(true),
          morph: z.boolean().default(true),
          lang: z.boolean().default(true),
          cla: z.boolean().default(true),
        })
        .prefault({}),
      auxBatchSize: z.int().min(2).default(64),
      /** Pairs of each CL batch that are also distilled to the teacher (the loss is costly). */
      claBatchSize: z.int().min(1).default(64),
      /**
       * Which sides of a pair distillation pulls towards the teacher's vector of the English side: both (the
       * original task) or the English side only, leaving the other language to the contrastive task.
       */
      claSides: z.enum(['both', 'english']).default('both'),
      weighting: z.enum(['dynamic', 'static']).default('dynamic'),
      /** Worker threads (Hogwild); 1 = single-threaded and bit-for-bit reproducible. */
      threads: z.int().min(1).max(16).default(2),
      evalEvery: z.int().positive().default(200),
      /**
       * Checkpoints into `<out>/checkpoint/` for `tafuta train --resume`: whichever comes first. They never change
       * what is learnt, so these settings are not part of the config a resumed run must match.
       */
      checkpoint: z
        .strictObject({
          /** Every this many steps (0 = not by step count). */
          everySteps: z.int().min(0).default(0),
          /** After this many minutes of training since the last one (0 = not by time). */
          everyMinutes: z.number().min(0).default(10),
          /** At the end of every epoch. */
          epochEnd: z.boolean().default(true),
        })
        .prefault({}),
    })
    .prefault({}),
  teacher: z
    .strictObject({
      cacheDir: z.string().default('.cache/teacher'),
    })
    .prefault({}),
  /** Augmentation of the training pairs; absent = none (configs written before it parse as they did). */
  augment: z
    .strictObject({
      /**
       * Adapter dropout: each time a pair is drawn, its non-English side is encoded without its language adapter
       * with this probability, so the shared encoder alone must map every language near English — which is all a
       * language without an adapter (too few pairs, or none: zero-shot) gets at query time.
       */
      adapterDropout: z.number().min(0).max(1).optional(),
      /**
       * Code-switching: each time a pair is drawn, each word of its non-English side that has a usable entry in
       * the word translation tables is replaced, with probability `rate`, by one of its English translations.
       */
      codeSwitch: z
        .strictObject({
          rate: z.number().min(0).max(1),
          /** Translations below this (renormalised) probability are never used. */
          minProbability: z.number().min(0).max(1).default(0.3),
          /** A `tafuta translate train` model directory (IBM Model 1 tables learnt from the same training files). */
          tables: z.string().default('models/translate-base'),
          /** Also consult the tables a language borrows from (translator.json `borrowFrom`, e.g. qu → es). */
          borrow: z.boolean().default(true),
          /** Only these languages' pairs are switched (default: every language with a table). */
          langs: z.array(z.string()).optional(),
        })
        .optional(),
    })
    .optional(),
  export: z
    .strictObject({
      tableDtype: z.enum(['float32', 'float16', 'int8']).default('int8'),
    })
    .prefault({}),
});

export type TrainConfig = z.output<typeof trainConfigSchema>;
