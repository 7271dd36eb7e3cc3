/** Input schemas (zod) shared by the HTTP API and the CLI; server/openapi.ts describes the same shapes. */
import { z } from 'zod';
import { collectionNameSchema } from './config.js';
import { canonicalLanguage } from '../core/languages.js';
import { FilterSyntaxError, METADATA_KEY_PATTERN, filterRestricts, parseWhere } from './filters.js';
import { ENCODER_NONE, SEARCH_MODES } from './types.js';

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
  /** Of your own vectors (collections with encoder "none"). */
  maxVectorDim: 4096,
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
  .regex(METADATA_KEY_PATTERN, 'metadata keys are 1-64 characters of A-Z a-z 0-9 _ . -')
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

/** Your own vector (indexer/own-vectors.ts); the engine checks its length against the collection's dim. */
export const vectorSchema = z
  .array(z.number({ error: 'vector entries must be finite numbers' }), { error: 'vector must be an array of numbers' })
  .min(1, 'vector must not be empty')
  .max(LIMITS.maxVectorDim, `vector has at most ${LIMITS.maxVectorDim} numbers`)
  .refine((v) => v.some((x) => x !== 0), 'vector must not be all zeros: it has no direction to compare by cosine');

export const createCollectionSchema = z
  .strictObject({
    name: collectionNameSchema,
    encoder: z.string().min(1).max(200).optional(),
    /** Only with encoder "none": the length of the vectors documents and searches bring. */
    dim: z.int().min(1).max(LIMITS.maxVectorDim).optional(),
    config: z.unknown().optional(),
  })
  .refine((c) => (c.dim !== undefined) === (c.encoder === ENCODER_NONE), {
    message: `dim goes with encoder "${ENCODER_NONE}" (your own vectors), and only with it: an encoder's vectors have the encoder's dim`,
    path: ['dim'],
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
  vector: vectorSchema.optional(),
});

/** `DELETE /v1/collections/:name?force=true`: the explicit confirmation a collection with documents needs. */
export const deleteCollectionQuerySchema = z.object({
  force: z.enum(['true', 'false'], 'force must be "true" or "false"').optional().transform((v) => v === 'true'),
});

export const upsertDocumentsSchema = z.strictObject({
  documents: z.array(documentSchema).min(1).max(LIMITS.maxDocumentsPerBatch),
});

/** A where document (indexer/filters.ts), checked by the same parser the engine uses; issues point into it. */
export const metadataWhereSchema = withoutReservedKeys(
  z.record(z.string(), z.unknown()).superRefine((where, ctx) => {
    try {
      parseWhere(where);
    } catch (error) {
      if (!(error instanceof FilterSyntaxError)) throw error;
      ctx.addIssue({ code: 'custom', path: error.path, message: error.message });
    }
  }),
);

export const searchFilterSchema = z.strictObject({
  lang: z.union([langSchema, z.array(langSchema).min(1).max(50)]).optional(),
  metadata: metadataWhereSchema.optional(),
});

export const searchSchema = z.strictObject({
  query: z.string().max(LIMITS.maxQueryChars).refine(nonBlank, 'query must not be blank').optional(),
  /** Searches by this vector instead of the encoded query (the query, if given, still feeds BM25 in hybrid mode). */
  vector: vectorSchema.optional(),
  k: z.int().min(1).max(LIMITS.maxK).default(10),
  /** HNSW search breadth for this request (recall vs speed); default: the collection's config. */
  ef: z.int().min(1).max(LIMITS.maxEf).optional(),
  lang: langSchema.optional(),
  mode: z.enum(SEARCH_MODES).default('dense'),
  filter: searchFilterSchema.optional(),
  /** Results to skip (pagination): the page is ranks offset+1 … offset+k of one search for offset + k. */
  offset: z.int().min(0).max(LIMITS.maxK - 1).default(0),
  /** 'document': one result per document, its best passage with matched_passages (indexer/grouping.ts). */
  group_by: z.enum(['document'], 'group_by must be "document" (one result per document) or absent').optional(),
  /** Adds highlights (indexer/highlights.ts): matched terms (bm25, hybrid), the closest sentence (dense, hybrid). */
  highlight: z.boolean('highlight must be true or false').default(false),
})
  .refine((s) => s.offset + s.k <= LIMITS.maxK, { message: `offset + k must be at most ${LIMITS.maxK}`, path: ['offset'] })
  .refine((s) => s.query !== undefined || s.vector !== undefined, { message: 'give a query, a vector, or both', path: ['query'] })
  .refine((s) => s.query !== undefined || !['bm25', 'translate', 'translate-hybrid'].includes(s.mode), {
    message: 'modes "bm25", "translate" and "translate-hybrid" match words: give a query',
    path: ['query'],
  });

export const LIST_LIMITS = { defaultLimit: 100, maxLimit: 1000, maxFilterChars: 8192 } as const;

/** A filter sent as URL-encoded JSON in a query string parameter. */
const filterParamSchema = z
  .string()
  .max(LIST_LIMITS.maxFilterChars)
  .transform((text, ctx) => {
    try {
      return JSON.parse(text) as unknown;
    } catch {
      ctx.addIssue({ code: 'custom', message: 'filter must be URL-encoded JSON, e.g. filter=%7B%22lang%22%3A%22sw%22%7D' });
      return z.NEVER;
    }
  })
  .pipe(searchFilterSchema);

/** GET …/documents query: every value a single string (a repeated parameter arrives as an array and is refused). */
export const listDocumentsQuerySchema = z.strictObject({
  limit: z
    .string()
    .regex(/^[0-9]{1,7}$/, `limit must be an integer from 1 to ${LIST_LIMITS.maxLimit}`)
    .transform(Number)
    .pipe(z.int().min(1).max(LIST_LIMITS.maxLimit))
    .default(LIST_LIMITS.defaultLimit),
  cursor: z.string().min(1).max(64).optional(),
  filter: filterParamSchema.optional(),
});

/** PATCH …/documents/:id (indexer/document-patch.ts): a JSON Merge Patch of title and metadata. */
export const patchDocumentSchema = z
  .strictObject({
    title: z.string().max(LIMITS.maxTitleChars).nullable().optional(),
    metadata: withoutReservedKeys(z.record(metadataKeySchema, metadataValueSchema)).nullable().optional(),
  })
  .refine((p) => p.title !== undefined || p.metadata !== undefined, {
    message: 'a patch sets title and/or metadata; text and lang change through POST …/documents, which re-encodes',
  });

/**
 * POST …/documents/delete: by ids, or by a filter that restricts something (an empty filter would empty the
 * collection; deleting the collection says that on purpose).
 */
export const deleteDocumentsSchema = z
  .strictObject({
    ids: z.array(z.string().min(1).max(LIMITS.maxIdChars)).min(1).max(LIMITS.maxDocumentsPerBatch).optional(),
    filter: searchFilterSchema.optional(),
  })
  .refine((b) => (b.ids === undefined) !== (b.filter === undefined), { message: 'give exactly one of ids and filter' })
  .refine((b) => b.filter === undefined || filterRestricts(b.filter), {
    message: 'filter must restrict something: an empty filter would delete every document (delete the collection to do that)',
    path: ['filter'],
  });
