/**
 * Input schemas (zod) shared by the HTTP API and the CLI. server/openapi.ts generates the API's documentation from
 * them (z.toJSONSchema); `.meta()` adds what JSON Schema cannot read off a refinement: descriptions, patterns, examples.
 */
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
        `"${tag.length > 40 ? `${tag.slice(0, 40)}…` : tag}" is not an ISO 639-1, 639-2 or 639-3 language code (such as "sw" or "swa", "ha" or "hau"); ` +
        'omit lang to have it detected. GET /v1/info lists the languages with a trained adapter',
    });
  })
  .transform((tag) => canonicalLanguage(tag)!)
  .meta({
    pattern: '^[A-Za-z]{2,3}(?:[-_][A-Za-z0-9]{1,8})*$',
    example: 'sw',
    description:
      'an ISO 639-1, 639-2 or 639-3 code, optionally with subtags ("sw", "swa", "sw-KE"); stored and answered as the 639-1 code when there is one ("sw"), else the 639-3 code; anything else is a 400',
  });

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
 * the raw object so that nothing a client sent is lost without an error. (A preprocess step, not a refined
 * z.unknown(), so that the generated documentation shows the record.)
 */
function withoutReservedKeys<T extends z.ZodType>(record: T) {
  return z.preprocess((v, ctx) => {
    if (v !== null && typeof v === 'object' && Object.keys(v).some((k) => RESERVED_KEYS.has(k))) {
      ctx.addIssue({ code: 'custom', message: 'metadata keys __proto__, constructor and prototype are reserved', input: v });
    }
    return v;
  }, record);
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
  .refine((id) => !CONTROL_CHARACTER.test(id), 'id must not contain control characters')
  .meta({
    pattern: '^[^\\u0000-\\u001f\\u007f-\\u009f]*$',
    not: { pattern: '^(?:\\.|%2[eE]){1,2}$' },
    description: 'not "." or ".." (also spelled %2e), no control characters: HTTP clients rewrite such path segments',
  });

/** Your own vector (indexer/own-vectors.ts); the engine checks its length against the collection's dim. */
export const vectorSchema = z
  .array(z.number({ error: 'vector entries must be finite numbers' }), { error: 'vector must be an array of numbers' })
  .min(1, 'vector must not be empty')
  .max(LIMITS.maxVectorDim, `vector has at most ${LIMITS.maxVectorDim} numbers`)
  .refine((v) => v.some((x) => x !== 0), 'vector must not be all zeros: it has no direction to compare by cosine');

const vectorDescription = (what: string) =>
  `${what}; finite numbers (1e309 and the like overflow to Infinity and are refused), not all zero; compared by cosine, so stored L2-normalised`;

export const createCollectionSchema = z
  .strictObject({
    name: collectionNameSchema,
    encoder: z.string().min(1).max(200).optional().meta({
      description: `a loaded encoder (GET /v1/info), or "${ENCODER_NONE}": documents and searches bring their own vectors; default: the server's default encoder`,
    }),
    /** Only with encoder "none": the length of the vectors documents and searches bring. */
    dim: z.int().min(1).max(LIMITS.maxVectorDim).optional().meta({
      description: `the length of the vectors; required with encoder "${ENCODER_NONE}", refused with any other`,
    }),
    /** Checked by the engine against collectionConfigSchema (indexer/config.ts). */
    config: z.unknown().optional(),
  })
  .refine((c) => (c.dim !== undefined) === (c.encoder === ENCODER_NONE), {
    message: `dim goes with encoder "${ENCODER_NONE}" (your own vectors), and only with it: an encoder's vectors have the encoder's dim`,
    path: ['dim'],
  })
  .meta({
    description: `"encoder": "${ENCODER_NONE}" with "dim" makes a collection of your own vectors: every document brings its vector and is kept whole (one passage), dense searches bring a vector, and config.passages does not apply`,
  });

export const documentSchema = z.strictObject({
  id: documentIdSchema,
  text: z
    .string()
    .max(LIMITS.maxDocumentChars)
    .refine(nonBlank, 'text must not be blank')
    .meta({ minLength: 1, description: `split into passages: at most ${LIMITS.maxPassagesPerDocument.toLocaleString('en')} per document` }),
  lang: langSchema.optional().meta({
    description: `${langSchema.meta()!.description}; omitted: identified from the text (stored with lang_detected: true; null when the identifier is unsure)`,
  }),
  title: z.string().max(LIMITS.maxTitleChars).optional().meta({
    description: 'searched by BM25 as its own field (weighted 2× the text) and encoded with every passage ("title\n\ntext")',
  }),
  metadata: withoutReservedKeys(
    z
      .record(metadataKeySchema, metadataValueSchema)
      .refine((m) => Object.keys(m).length <= LIMITS.maxMetadataKeys, `metadata has at most ${LIMITS.maxMetadataKeys} keys`),
  ).optional(),
  vector: vectorSchema.optional().meta({
    description: vectorDescription(`the document's own vector, of the collection's dim: required in a collection with encoder "${ENCODER_NONE}", refused by any other`),
  }),
});

/** `DELETE /v1/collections/:name?force=true`: the explicit confirmation a collection with documents needs. */
export const deleteCollectionQuerySchema = z.object({
  force: z.enum(['true', 'false'], 'force must be "true" or "false"').optional().meta({
    description: 'required ("true") to delete a collection that still holds documents; without it such a delete answers 409 COLLECTION_NOT_EMPTY',
  }),
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
).meta({
  description:
    "Chroma-style where document; its entries are ANDed. Keys are metadata keys or $and / $or (arrays of where documents) / $not (a where document), nesting at most 6 levels, at most 100 conditions. " +
    'A metadata key maps to a value (= $eq) or to an object of operators (ANDed): $eq, $ne (string, number, boolean or null), $gt, $gte, $lt, $lte (number or string), ' +
    "$in, $nin (1-1000 values of one type), $exists (boolean). A comparison matches only values of its operand's type ($ne and $nin never match documents without the key; $not does). " +
    'Comparing a key with a type it holds in no document of the collection is a 400 (e.g. {"year": "2024"} when year holds numbers).',
  example: { topic: 'health', year: { $gte: 2020, $lt: 2025 }, $or: [{ reviewed: true }, { source: { $in: ['udhr', 'bible'] } }] },
});

export const searchFilterSchema = z.strictObject({
  lang: z.union([langSchema, z.array(langSchema).min(1).max(50)]).optional(),
  metadata: metadataWhereSchema.optional(),
});

export const searchSchema = z.strictObject({
  query: z
    .string()
    .max(LIMITS.maxQueryChars)
    .refine(nonBlank, 'query must not be blank')
    .optional()
    .meta({ minLength: 1, description: 'encoded for dense search (unless a vector is given), matched word by word by BM25, and used to identify the query language' }),
  /** Searches by this vector instead of the encoded query (the query, if given, still feeds BM25 in hybrid mode). */
  vector: vectorSchema.optional().meta({ description: vectorDescription("searched by instead of the encoded query, in any collection: of the collection's dim") }),
  k: z.int().min(1).max(LIMITS.maxK).default(10),
  ef: z.int().min(1).max(LIMITS.maxEf).optional().meta({
    description: "HNSW search breadth for this request (higher: better recall, slower); default: the collection's hnsw.ef, else one that grows with the collection's size",
  }),
  lang: langSchema.optional(),
  mode: z.enum(SEARCH_MODES).default('dense').meta({
    description:
      "'auto': the mode measured best for the query language on the encoder's validation pairs (its autoModes); without them, dense when the encoder has an adapter for the query language, hybrid otherwise; dense when there is no query; " +
      "'translate': BM25 of the query translated word by word into weighted English terms; 'translate-hybrid': that fused with dense by a per-language weight; " +
      "'translate-dense': dense, the query's vector moved towards the vectors of its English translation (a given vector is used as it is) " +
      "('bm25', 'translate' and 'translate-hybrid' need a query)",
  }),
  filter: searchFilterSchema.optional(),
  offset: z.int().min(0).max(LIMITS.maxK - 1).default(0).meta({
    description: `results to skip (pagination); offset + k ≤ ${LIMITS.maxK}. A page is ranks offset+1 … offset+k of the search for offset + k`,
  }),
  /** indexer/grouping.ts */
  group_by: z.enum(['document'], 'group_by must be "document" (one result per document) or absent').optional().meta({
    description:
      'one result per document: its best passage, with matched_passages. The search looks at the top 128, 256, … 4096 passages, stopping at the first depth that holds offset + k documents (fewer are returned when 4096 passages hold fewer)',
  }),
  /** indexer/highlights.ts */
  highlight: z.boolean('highlight must be true or false').default(false).meta({
    description: 'adds highlights to each result: the matched query terms (bm25, hybrid) and the sentence closest to the query (dense, hybrid)',
  }),
})
  .refine((s) => s.offset + s.k <= LIMITS.maxK, { message: `offset + k must be at most ${LIMITS.maxK}`, path: ['offset'] })
  .refine((s) => s.query !== undefined || s.vector !== undefined, { message: 'give a query, a vector, or both', path: ['query'] })
  .refine((s) => s.query !== undefined || !['bm25', 'translate', 'translate-hybrid'].includes(s.mode), {
    message: 'modes "bm25", "translate" and "translate-hybrid" match words: give a query',
    path: ['query'],
  })
  .meta({
    description: `a query, a vector, or both. Mode "bm25" needs the query; dense and hybrid search a collection with encoder "${ENCODER_NONE}" only by a vector`,
    anyOf: [{ required: ['query'] }, { required: ['vector'] }],
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
  cursor: z.string().min(1).max(64).optional().meta({ description: "the previous page's next_cursor, unchanged (opaque)" }),
  filter: filterParamSchema.optional().meta({
    description: `a Filter as URL-encoded JSON (at most ${LIST_LIMITS.maxFilterChars} characters), e.g. {"lang":"sw","metadata":{"year":{"$gte":2020}}}`,
  }),
});

/** PATCH …/documents/:id (indexer/document-patch.ts): a JSON Merge Patch of title and metadata. */
export const patchDocumentSchema = z
  .strictObject({
    title: z.string().max(LIMITS.maxTitleChars).nullable().optional(),
    metadata: withoutReservedKeys(z.record(metadataKeySchema, metadataValueSchema)).nullable().optional(),
  })
  .refine((p) => p.title !== undefined || p.metadata !== undefined, {
    message: 'a patch sets title and/or metadata; text and lang change through POST …/documents, which re-encodes',
  })
  .meta({
    minProperties: 1,
    description:
      'JSON Merge Patch: title replaces (null removes it); metadata keys replace, null values remove keys, objects merge recursively, absent keys stay; metadata: null removes all. ' +
      'A new title re-encodes the document (titles are encoded with the text); metadata alone does not. text and lang cannot be patched: POST the document again.',
  });

/**
 * POST …/documents/delete: by ids, or by a filter that restricts something (an empty filter would empty the
 * collection; deleting the collection says that on purpose).
 */
export const deleteDocumentsSchema = z
  .strictObject({
    ids: z.array(z.string().min(1).max(LIMITS.maxIdChars)).min(1).max(LIMITS.maxDocumentsPerBatch).optional(),
    filter: searchFilterSchema.optional().meta({ description: 'must restrict something: {} and {"metadata": {}} are refused' }),
  })
  .refine((b) => (b.ids === undefined) !== (b.filter === undefined), { message: 'give exactly one of ids and filter' })
  .refine((b) => b.filter === undefined || filterRestricts(b.filter), {
    message: 'filter must restrict something: an empty filter would delete every document (delete the collection to do that)',
    path: ['filter'],
  })
  .meta({ description: 'exactly one of ids and filter' });
