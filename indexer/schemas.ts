/** Input schemas (zod) shared by the HTTP API and the CLI; server/openapi.ts describes the same shapes. */
import { z } from 'zod';
import { collectionNameSchema } from './config.js';
import { SEARCH_MODES } from './types.js';

export const LIMITS = {
  maxK: 1000,
  maxEf: 4096,
  maxQueryChars: 4096,
  maxDocumentsPerBatch: 1000,
  maxDocumentChars: 1_000_000,
  /** A bound on the work of one document: a 1,000,000-character one reaches it only with passages.maxChars below 200. */
  maxPassagesPerDocument: 20_000,
  maxIdChars: 512,
  maxTitleChars: 2048,
  maxMetadataKeys: 64,
} as const;

export const langSchema = z
  .string()
  .regex(/^[A-Za-z]{2,3}(?:[-_][A-Za-z0-9]{2,8})*$/, 'lang must be a language code such as "sw", "ha" or "am"');

const nonBlank = (s: string) => s.trim().length > 0;

const RESERVED_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

export const metadataKeySchema = z
  .string()
  .regex(/^[A-Za-z0-9_.-]{1,64}$/, 'metadata keys are 1-64 characters of A-Z a-z 0-9 _ . -')
  .refine((key) => !RESERVED_KEYS.has(key), 'metadata keys __proto__, constructor and prototype are reserved');

export const MAX_METADATA_DEPTH = 8;

/** Depth of a parsed JSON value, iteratively (a recursive check would overflow the stack on hostile input). */
function jsonDepthAtMost(value: unknown, limit: number): boolean {
  const stack: Array<[unknown, number]> = [[value, 0]];
  while (stack.length) {
    const [v, depth] = stack.pop()!;
    if (v === null || typeof v !== 'object') continue;
    if (depth >= limit) return false;
    for (const child of Object.values(v)) stack.push([child, depth + 1]);
  }
  return true;
}

/**
 * JSON.parse makes "__proto__" an own key, but zod's record output silently drops it; refuse reserved keys on
 * the raw object so that nothing a client sent is lost without an error.
 */
function withoutReservedKeys<T extends z.ZodType>(record: T) {
  return z
    .unknown()
    .refine(
      (v) => v === null || typeof v !== 'object' || !Object.keys(v).some((k) => RESERVED_KEYS.has(k)),
      { message: 'metadata keys __proto__, constructor and prototype are reserved', abort: true },
    )
    .pipe(record);
}

/** JSON metadata values, checked for depth before zod's (recursive) JSON schema ever sees them. */
const metadataValueSchema = z
  .unknown()
  .refine((v) => jsonDepthAtMost(v, MAX_METADATA_DEPTH), { message: `metadata values nest at most ${MAX_METADATA_DEPTH} levels`, abort: true })
  .pipe(z.json());

export const createCollectionSchema = z.strictObject({
  name: collectionNameSchema,
  encoder: z.string().min(1).max(200).optional(),
  config: z.unknown().optional(),
});

export const documentSchema = z.strictObject({
  id: z.string().min(1).max(LIMITS.maxIdChars),
  text: z.string().max(LIMITS.maxDocumentChars).refine(nonBlank, 'text must not be blank'),
  lang: langSchema.optional(),
  title: z.string().max(LIMITS.maxTitleChars).optional(),
  metadata: withoutReservedKeys(
    z
      .record(metadataKeySchema, metadataValueSchema)
      .refine((m) => Object.keys(m).length <= LIMITS.maxMetadataKeys, `metadata has at most ${LIMITS.maxMetadataKeys} keys`),
  ).optional(),
});

export const upsertDocumentsSchema = z.strictObject({
  documents: z.array(documentSchema).min(1).max(LIMITS.maxDocumentsPerBatch),
});

export const searchFilterSchema = z.strictObject({
  lang: z.union([langSchema, z.array(langSchema).min(1).max(50)]).optional(),
  metadata: withoutReservedKeys(z.record(metadataKeySchema, z.union([z.string(), z.number(), z.boolean(), z.null()]))).optional(),
});

export const searchSchema = z.strictObject({
  query: z.string().max(LIMITS.maxQueryChars).refine(nonBlank, 'query must not be blank'),
  k: z.int().min(1).max(LIMITS.maxK).default(10),
  /** HNSW search breadth for this request (recall vs speed); default: the collection's config. */
  ef: z.int().min(1).max(LIMITS.maxEf).optional(),
  lang: langSchema.optional(),
  mode: z.enum(SEARCH_MODES).default('dense'),
  filter: searchFilterSchema.optional(),
});
