/** One collection's search: dense (ANN), BM25 (FTS5), hybrid (reciprocal-rank fusion of both), or BM25 of the translated query alone or fused with dense. */
import type { Encoder } from '../models/encoder.js';
import type { LanguageIdentifier } from '../models/langid.js';
import type { QueryTranslator } from '../models/translate/translator.js';
import type { CollectionIndex } from './collection-index.js';
import type { DocumentStore } from './document-store.js';
import { TafutaError } from '../core/errors.js';
import { filterRestricts } from './filters.js';
import { reciprocalRankFusion, RRF_K } from './fusion.js';
import { searchDocuments, type DocumentHit, type PassageHit } from './grouping.js';
import { highlightPassages, type Highlights } from './highlights.js';
import { LIMITS } from './schemas.js';
import { unitVectorOf } from './own-vectors.js';
import { ftsQueryOf } from './search-text.js';
import type { TermIndex } from './term-index.js';
import { translatedBm25Hits } from './translated-bm25.js';
import type { Metadata, RequestedSearchMode, SearchFilter, SearchMode } from './types.js';
import { dot, type VectorHit } from './vector-store.js';

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
  store: DocumentStore;
  index: CollectionIndex;
  /** Undefined for a collection of your own vectors (encoder "none"). */
  encoder: Encoder | undefined;
  languageIdentifier: LanguageIdentifier;
  translator: QueryTranslator;
  /** The collection's term index for translated BM25, built on first use (term-index.ts). */
  termIndex: () => TermIndex;
}

/**
 * Below this many allowed passages a filtered dense search scores them exactly instead of asking HNSW to skip
 * everything else (which degrades to a walk over most of the graph when the filter is selective).
 */
const EXACT_SEARCH_MAX_CANDIDATES = 4096;
/** Each list RRF fuses is this much deeper than k, so a passage ranked well by one side still gets in. */
const HYBRID_DEPTH_FACTOR = 3;
const HYBRID_MIN_DEPTH = 50;

/** What dense search compares passages with: the request's vector, else the encoded query (undefined: no features). */
async function queryVectorOf(ctx: SearchContext, request: SearchRequest, queryLang: string | undefined): Promise<Float32Array | undefined> {
  const collection = ctx.index.collection;
  if (request.vector !== undefined) return unitVectorOf(request.vector, collection.dim, 'the search vector');
  if (!ctx.encoder) {
    throw new TafutaError(
      'INVALID_ARGUMENT',
      `collection "${collection.name}" holds your own vectors (encoder "none"): dense and hybrid searches need a vector of ${collection.dim} numbers (mode "bm25" matches the query's words)`,
    );
  }
  if (request.query === undefined) throw new TafutaError('INVALID_ARGUMENT', 'give a query, a vector, or both');
  const [query] = await ctx.encoder.embed([request.query], { kind: 'query', lang: queryLang });
  // A query with no features ("!!!") embeds to zero: every passage would tie at score 0, which is no answer.
  return query && query.some((x) => x !== 0) ? query : undefined;
}

async function denseHits(ctx: SearchContext, request: SearchRequest, query: Float32Array | undefined, depth: number): Promise<VectorHit[]> {
  if (!query) return [];
  if (!filterRestricts(request.filter)) return ctx.index.search(query, depth, undefined, request.ef);
  const allowed = ctx.store.filteredLabels(ctx.index.collection.id, request.filter);
  if (allowed.size === 0) return [];
  if (allowed.size <= EXACT_SEARCH_MAX_CANDIDATES) {
    return ctx.store
      .vectorsOf([...allowed])
      .map(({ label, vector }) => ({ label, score: dot(query, vector) }))
      .sort((a, b) => b.score - a.score || a.label - b.label)
      .slice(0, depth);
  }
  // HNSW skips filtered-out nodes but still walks them: widen the beam by the fraction the filter keeps, so that
  // about as many allowed candidates are weighed as an unfiltered search would weigh.
  const keeps = allowed.size / Math.max(1, ctx.index.size);
  const ef = Math.min(LIMITS.maxEf, Math.ceil((request.ef ?? ctx.index.collection.config.hnsw.ef) / Math.min(1, keeps)));
  return ctx.index.search(query, depth, (label) => allowed.has(label), ef);
}

function bm25Hits(ctx: SearchContext, request: SearchRequest, depth: number): VectorHit[] {
  if (request.query === undefined) return [];
  const match = ftsQueryOf(request.query);
  if (match === undefined) return [];
  return ctx.store.bm25(ctx.index.collection.id, match, depth, filterRestricts(request.filter) ? request.filter : undefined);
}

function translatedHits(ctx: SearchContext, request: SearchRequest, queryLang: string | undefined, depth: number): VectorHit[] {
  if (request.query === undefined) return [];
  const translated = ctx.translator.translate(request.query, queryLang);
  const allowed = filterRestricts(request.filter) ? ctx.store.filteredLabels(ctx.index.collection.id, request.filter) : undefined;
  return translatedBm25Hits(ctx.termIndex(), translated, depth, allowed);
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
const VECTOR_MODES: ReadonlySet<SearchMode> = new Set(['dense', 'hybrid', 'translate-hybrid']);

/** The search's passages, best first, `depth` deep (grouping asks for deeper and deeper lists). */
function passageRanker(ctx: SearchContext, request: SearchRequest, mode: SearchMode, queryLang: string | undefined, queryVector: Float32Array | undefined) {
  return async (depth: number): Promise<PassageHit[]> => {
    switch (mode) {
      case 'dense':
        return denseHits(ctx, request, queryVector, depth);
      case 'bm25':
        return bm25Hits(ctx, request, depth);
      case 'hybrid': {
        const listDepth = fusedListDepth(depth);
        const dense = await denseHits(ctx, request, queryVector, listDepth);
        return reciprocalRankFusion([dense, bm25Hits(ctx, request, listDepth)]).slice(0, depth);
      }
      case 'translate':
        return translatedHits(ctx, request, queryLang, depth);
      case 'translate-hybrid': {
        const listDepth = fusedListDepth(depth);
        const dense = await denseHits(ctx, request, queryVector, listDepth);
        const weight = ctx.translator.fusionWeight(queryLang);
        return reciprocalRankFusion([translatedHits(ctx, request, queryLang, listDepth), dense], RRF_K, [weight, 1 - weight]).slice(0, depth);
      }
    }
  };
}

export async function searchCollection(ctx: SearchContext, request: SearchRequest): Promise<SearchResponse> {
  const started = performance.now();
  const queryLang = request.lang ?? (request.query === undefined ? undefined : ctx.languageIdentifier.identify(request.query)?.lang);
  const mode = resolveMode(request.mode, ctx.encoder, queryLang, request.query !== undefined);
  // A given vector is checked even when a lexical mode leaves it unused.
  const queryVector = VECTOR_MODES.has(mode) || request.vector !== undefined ? await queryVectorOf(ctx, request, queryLang) : undefined;
  const offset = request.offset ?? 0;
  // Every page is a slice of the search for offset + k, so consecutive pages agree with one deeper search.
  const window = offset + request.k;
  const rank = passageRanker(ctx, request, mode, queryLang, queryVector);
  const hits: Array<PassageHit | DocumentHit> = request.group_by === 'document'
    ? await searchDocuments(rank, window, (labels) => ctx.store.documentsOfPassages(labels))
    : await rank(window);
  const page = hits.slice(offset);
  const views = ctx.store.passageViews(page.map((h) => h.label));
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
