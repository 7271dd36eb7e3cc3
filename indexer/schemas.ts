/** Input schemas (zod) shared by the HTTP API and the CLI; server/openapi.ts describes the same shapes. */
import { z } from 'zod';
import { collectionNameSchema } from './config.js';
import { canonicalLanguage } from './languages.js';
import { SEARCH_MODES } from './types.js';

export const LIMITS = {
  maxK: 1000,
  maxEf: 4096,
  maxQueryChars: 4096,
  maxDocumentsPerBatch: 1000,
  maxDocumentChars: 1_000_000,
  maxIdChars: 512,
  maxTitleChars: 2048,
  maxMetadataKeys: 64,
} as const;

/** An ISO 639-1/2/3 code (with optional subtags), reduced to its canonical code (indexer/languages.ts). */
export const langSchema = z
  .string()
  .superRefine((tag, ctx) => {
    if (canonicalLanguage(tag) !== undefined) return;
    ctx.addIssue({
      code: 'custom',
      message:
        `lang "${tag.length > 40 ? `${tag.slice(0, 40)}…` : tag}" is not an ISO 639-1, 639-2 or 639-3 language code (such as "sw" or "swa", "ha" or "hau"); ` +
        'omit lang to have it detected. GET /v1/info lists the languages with a trained adapter',
    });
  })
  .transform((tag) => canonicalLanguage(tag)!);

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

/**
 * Ids travel as one path segment (`…/documents/:id`), and HTTP clients rewrite some segments before sending: curl,
 * fetch and browsers resolve `.` and `..` (also spelled `%2e`), so `DELETE …/documents/..` arrives as
 * `DELETE /v1/collections/<name>`, and they drop tabs and newlines from URLs. Such ids are refused so that every
 * stored document can be addressed, and addressing one can never reach anything else.
 */
const DOT_SEGMENT = /^(?:\.|%2e){1,2}$/i;
const CONTROL_CHARACTER = /[\u0000-\u001f\u007f-\u009f]/;

export const documentIdSchema = z
  .string()
  .min(1)
  .max(LIMITS.maxIdChars)
  .refine((id) => !DOT_SEGMENT.test(id), 'id must not be "." or ".." (HTTP clients rewrite them as path segments)')
  .refine((id) => !CONTROL_CHARACTER.test(id), 'id must not contain control characters');

export const createCollectionSchema = z.strictObject({
  name: collectionNameSchema,
  encoder: z.string().min(1).max(200).optional(),
  config: z.unknown().optional(),
});

export const documentSchema = z.strictObject({
  id: documentIdSchema,
  text: z.string().max(LIMITS.maxDocumentChars).refine(nonBlank, 'text must not be blank'),
  lang: langSchema.optional(),
  title: z.string().max(LIMITS.maxTitleChars).optional(),
  metadata: withoutReservedKeys(
    z
      .record(metadataKeySchema, metadataValueSchema)
      .refine((m) => Object.keys(m).length <= LIMITS.maxMetadataKeys, `metadata has at most ${LIMITS.maxMetadataKeys} keys`),
  ).optional(),
});

/** `DELETE /v1/collections/:name?force=true`: the explicit confirmation a collection with documents needs. */
export const deleteCollectionQuerySchema = z.object({
  force: z.enum(['true', 'false'], 'force must be "true" or "false"').optional().transform((v) => v === 'true'),
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
