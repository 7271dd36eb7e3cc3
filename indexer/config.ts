/** Collection configuration: defaults and validation, shared by the HTTP API and the CLI. */
import { z } from 'zod';
import { DEFAULT_PASSAGE_SPLIT } from './passages.js';
import type { CollectionConfig } from './types.js';

export const DEFAULT_COLLECTION_CONFIG: CollectionConfig = {
  hnsw: { M: 16, efConstruction: 200, ef: 64 },
  passages: { ...DEFAULT_PASSAGE_SPLIT },
};

export const COLLECTION_NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/;

export const collectionNameSchema = z
  .string()
  .regex(COLLECTION_NAME_PATTERN, 'collection names are 1-64 characters of A-Z a-z 0-9 _ -, starting with a letter or digit');

export const collectionConfigSchema = z
  .strictObject({
    hnsw: z
      .strictObject({
        M: z.int().min(4).max(128).default(DEFAULT_COLLECTION_CONFIG.hnsw.M),
        efConstruction: z.int().min(8).max(2000).default(DEFAULT_COLLECTION_CONFIG.hnsw.efConstruction),
        ef: z.int().min(1).max(5000).default(DEFAULT_COLLECTION_CONFIG.hnsw.ef),
      })
      .prefault({}),
    passages: z
      .strictObject({
        maxChars: z.int().min(50).max(20000).default(DEFAULT_COLLECTION_CONFIG.passages.maxChars),
        overlapChars: z.int().min(0).max(5000).default(DEFAULT_COLLECTION_CONFIG.passages.overlapChars),
      })
      .prefault({})
      .refine((p) => p.overlapChars < p.maxChars, 'passages.overlapChars must be smaller than passages.maxChars'),
  })
  .prefault({});
