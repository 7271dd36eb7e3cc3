/**
 * One collection's search over a Storage (store-contracts.ts): dense (ANN), BM25, hybrid (reciprocal-rank fusion of
 * both), BM25 of the translated query alone or fused with dense, or dense with the query's vector moved towards its
 * translation.
 */
import type { Encoder } from '../models/encoder.js';
import type { LanguageIdentifier } from '../models/langid/identifier.js';
import type { QueryTranslator } from '../models/translate/translator.js';
import type { Storage } from './store-contracts.js';
import { TafutaError } from '../core/errors.js';
import { filterRestricts } from './filters.js';
import { reciprocalRankFusion, RRF_K } from './fusion.js';
import { searchDocuments, type DocumentHit, type PassageHit } from './grouping.js';
import { highlightPassages, type Highlights } from './highlights.js';
import { unitVectorOf } from './own-vectors.js';
import { combinedQueryVector, translationVector } from './translated-query-vector.js';
import type { CollectionRecord, Metadata, RequestedSearchMode, SearchFilter, SearchMode } from './types.js';
import type { VectorHit } from './vector-store.js';

export interface SearchRequest {
  /** Text to encode (dense), match (BM25) and identify the language of; at least one of query and vector. */
  query?: string | undefined;
  /** A vector of the collection's dim to search by instead of the encoded query. */
  vector?: readonly number[] | undefined;
  k: number;
  /** Overrides the collection's HNSW ef for this search. */
  ef?: number | undefined;
  lang?: string | undefined;
  mode: RequestedSearchMode;
  filter?: SearchFilter | undefined;
  /** Results to skip: the answer is ranks offset+1 … offset+k of the search for offset + k. */
  offset?: number | undefined;
  /** 'document': one result per document, its best passage (grouping.ts). */
  group_by?: 'document' | undefined;
  /** Adds `highlights` to each result (highlights.ts). */
  highlight?: boolean | undefined;
}

export interface SearchResult {
  id: string;
  passage_id: string;
  text: string;
  score: number;
  rank: number;
  lang: string | null;
  /** Present when `lang` was identified by tafuta, not given. */
  lang_detected?: true;
  title?: string;
  metadata?: Metadata;
  /** Grouped by document: how many of its passages were among the candidates. */
  matched_passages?: number;
  highlights?: Highlights;
}

export interface SearchResponse {
  results: SearchResult[];
  query_lang: string | null;
  /** The mode used ('auto' resolved). */
  mode: SearchMode;
  took_ms: number;
}

export interface SearchContext {
  collection: CollectionRecord;
  storage: Storage;
  /** Undefined for a collection of your own vectors (encoder "none"). */
  encoder: Encoder | undefined;
  languageIdentifier: LanguageIdentifier;
  translator: QueryTranslator;
}

/** Each list RRF fuses is this much deeper than k, so a passage ranked well by one side still gets in. */
const HYBRID_DEPTH_FACTOR = 3;
const HYBRID_MIN_DEPTH = 50;

/**
 * What dense search compares passages with: the request's vector, else the encoded query — in 'translate-dense' moved
 * towards its English translation (translated-query-vector.ts) — (undefined: no features).
 */
async function queryVectorOf(ctx: SearchContext, request: SearchRequest, mode: SearchMode, queryLang: string | undefined): Promise<Float32Array | undefined> {
  const collection = ctx.collection;
  if (request.vector !== undefined) return unitVectorOf(request.vector, collection.dim, 'the search vector');
  if (!ctx.encoder) {
    throw new TafutaError(
      'INVALID_ARGUMENT',
      `collection "${collection.name}" holds your own vectors (encoder "none"): dense and hybrid searches need a vector of ${collection.dim} numbers (mode "bm25" matches the query's words)`,
    );
  }
  if (request.query === undefined) throw new TafutaError('INVALID_ARGUMENT', 'give a query, a vector, or both');
  const [embedded] = await ctx.encoder.embed([request.query], { kind: 'query', lang: queryLang });
  // A query with no features ("!!!") embeds to zero: every passage would tie at score 0, which is no answer.
  const query = embedded && embedded.some((x) => x !== 0) ? embedded : undefined;
  if (mode !== 'translate-dense') return query;
  return combinedQueryVector(query, await translationVector(ctx.encoder, ctx.translator, request.query, queryLang));
}

async function denseHits(ctx: SearchContext, request: SearchRequest, query: Float32Array | undefined, depth: number): Promise<VectorHit[]> {
  if (!query) return [];
  return ctx.storage.vectors.search(ctx.collection, query, depth, filterRestricts(request.filter) ? request.filter : undefined, request.ef);
}

async function bm25Hits(ctx: SearchContext, request: SearchRequest, depth: number): Promise<VectorHit[]> {
  if (request.query === undefined) return [];
  return ctx.storage.text.bm25(ctx.collection, request.query, depth, filterRestricts(request.filter) ? request.filter : undefined);
}

async function translatedHits(ctx: SearchContext, request: SearchRequest, queryLang: string | undefined, depth: number): Promise<VectorHit[]> {
  if (request.query === undefined) return [];
  const translated = ctx.translator.translate(request.query, queryLang);
  return ctx.storage.text.translated(ctx.collection, translated, depth, filterRestricts(request.filter) ? request.filter : undefined);
}

/**
 * 'auto' → the encoder's measured choice for the query language (its default for unknown languages and those it did
 * not measure); an encoder without one gets dense for languages it has an adapter for, hybrid for the rest (and own
 * vectors, which no adapter made). Dense when there are no words to match.
 */
export function resolveMode(mode: RequestedSearchMode, encoder: Encoder | undefined, queryLang: string | undefined, hasQuery: boolean): SearchMode {
  if (mode !== 'auto') return mode;
  if (!hasQuery) return 'dense';
  const measured = encoder?.info.autoModes;
  if (measured) return (queryLang !== undefined ? measured.languages[queryLang] : undefined) ?? measured.default;
  return queryLang !== undefined && encoder?.info.adapters?.includes(queryLang) ? 'dense' : 'hybrid';
}

/** Each list a fused mode combines is deeper than what it returns, so a passage ranked well by one side gets in. */
const fusedListDepth = (depth: number) => Math.max(depth, Math.min(1000, Math.max(HYBRID_MIN_DEPTH, depth * HYBRID_DEPTH_FACTOR)));

/** Modes that compare passages with the query's vector. */
const VECTOR_MODES: ReadonlySet<SearchMode> = new Set(['dense', 'hybrid', 'translate-hybrid', 'translate-dense']);

/** The search's passages, best first, `depth` deep (grouping asks for deeper and deeper lists). */
function passageRanker(ctx: SearchContext, request: SearchRequest, mode: SearchMode, queryLang: string | undefined, queryVector: Float32Array | undefined) {
  return async (depth: number): Promise<PassageHit[]> => {
    switch (mode) {
      case 'dense':
      case 'translate-dense':
        return denseHits(ctx, request, queryVector, depth);
      case 'bm25':
        return bm25Hits(ctx, request, depth);
      case 'hybrid': {
        const listDepth = fusedListDepth(depth);
        const [dense, lexical] = await Promise.all([denseHits(ctx, request, queryVector, listDepth), bm25Hits(ctx, request, listDepth)]);
        return reciprocalRankFusion([dense, lexical]).slice(0, depth);
      }
      case 'translate':
        return translatedHits(ctx, request, queryLang, depth);
      case 'translate-hybrid': {
        const listDepth = fusedListDepth(depth);
        const [translated, dense] = await Promise.all([translatedHits(ctx, request, queryLang, listDepth), denseHits(ctx, request, queryVector, listDepth)]);
        const weight = ctx.translator.fusionWeight(queryLang);
        return reciprocalRankFusion([translated, dense], RRF_K, [weight, 1 - weight]).slice(0, depth);
      }
    }
  };
}

export async function searchCollection(ctx: SearchContext, request: SearchRequest): Promise<SearchResponse> {
  const started = performance.now();
  const queryLang = request.lang ?? (request.query === undefined ? undefined : ctx.languageIdentifier.identify(request.query)?.lang);
  const mode = resolveMode(request.mode, ctx.encoder, queryLang, request.query !== undefined);
  // A given vector is checked even when a lexical mode leaves it unused.
  const queryVector = VECTOR_MODES.has(mode) || request.vector !== undefined ? await queryVectorOf(ctx, request, mode, queryLang) : undefined;
  const offset = request.offset ?? 0;
  // Every page is a slice of the search for offset + k, so consecutive pages agree with one deeper search.
  const window = offset + request.k;
  const rank = passageRanker(ctx, request, mode, queryLang, queryVector);
  const hits: Array<PassageHit | DocumentHit> = request.group_by === 'document'
    ? await searchDocuments(rank, window, (labels) => ctx.storage.documents.documentsOfPassages(labels))
    : await rank(window);
  const page = hits.slice(offset);
  const views = await ctx.storage.documents.passageViews(page.map((h) => h.label));
  const hitOf = new Map(page.map((h) => [h.label, h]));
  // Own-vector collections (no encoder) get term highlights only: sentences need an encoder to be embedded.
  const highlights = request.highlight
    ? await highlightPassages(views, { mode, query: request.query ?? '', queryVector: async () => queryVector, encoder: ctx.encoder })
    : undefined;
  const results = views.map((v, i): SearchResult => {
    const hit = hitOf.get(v.label)!;
    return {
      id: v.documentId,
      passage_id: v.passageId,
      text: v.text,
      score: hit.score,
      rank: offset + i + 1,
      lang: v.lang,
      ...(v.langDetected ? { lang_detected: true as const } : {}),
      ...(v.title !== null ? { title: v.title } : {}),
      ...(v.metadata !== null ? { metadata: v.metadata } : {}),
      ...('matchedPassages' in hit ? { matched_passages: hit.matchedPassages } : {}),
      ...(highlights ? { highlights: highlights[i]! } : {}),
    };
  });
  return {
    results,
    query_lang: queryLang ?? null,
    mode,
    took_ms: Math.round((performance.now() - started) * 1000) / 1000,
  };
}
