/** One collection's search: dense (ANN), BM25 (FTS5) or hybrid (reciprocal-rank fusion of both). */
import type { Encoder } from '../models/encoder.js';
import type { LanguageIdentifier } from '../models/langid.js';
import type { CollectionIndex } from './collection-index.js';
import type { DocumentStore } from './document-store.js';
import { filterRestricts } from './filters.js';
import { reciprocalRankFusion } from './fusion.js';
import { LIMITS } from './schemas.js';
import { ftsQueryOf } from './search-text.js';
import type { Metadata, RequestedSearchMode, SearchFilter, SearchMode } from './types.js';
import { dot, type VectorHit } from './vector-store.js';

export interface SearchRequest {
  query: string;
  k: number;
  /** Overrides the collection's HNSW ef for this search. */
  ef?: number | undefined;
  lang?: string | undefined;
  mode: RequestedSearchMode;
  filter?: SearchFilter | undefined;
  /** Results to skip: the answer is ranks offset+1 … offset+k of the search for offset + k. */
  offset?: number | undefined;
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
  encoder: Encoder;
  languageIdentifier: LanguageIdentifier;
}

/**
 * Below this many allowed passages a filtered dense search scores them exactly instead of asking HNSW to skip
 * everything else (which degrades to a walk over most of the graph when the filter is selective).
 */
const EXACT_SEARCH_MAX_CANDIDATES = 4096;
/** Each list RRF fuses is this much deeper than k, so a passage ranked well by one side still gets in. */
const HYBRID_DEPTH_FACTOR = 3;
const HYBRID_MIN_DEPTH = 50;

async function denseHits(ctx: SearchContext, request: SearchRequest, queryLang: string | undefined, depth: number): Promise<VectorHit[]> {
  const [query] = await ctx.encoder.embed([request.query], { kind: 'query', lang: queryLang });
  // A query with no features ("!!!") embeds to zero: every passage would tie at score 0, which is no answer.
  if (!query || query.every((x) => x === 0)) return [];
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
  const match = ftsQueryOf(request.query);
  if (match === undefined) return [];
  return ctx.store.bm25(ctx.index.collection.id, match, depth, filterRestricts(request.filter) ? request.filter : undefined);
}

/**
 * 'auto' → the encoder's measured choice for the query language (its default for unknown languages and those it
 * did not measure); an encoder without one gets dense for languages it has an adapter for, hybrid for the rest.
 */
export function resolveMode(mode: RequestedSearchMode, encoder: Encoder, queryLang: string | undefined): SearchMode {
  if (mode !== 'auto') return mode;
  const measured = encoder.info.autoModes;
  if (measured) return (queryLang !== undefined ? measured.languages[queryLang] : undefined) ?? measured.default;
  return queryLang !== undefined && encoder.info.adapters?.includes(queryLang) ? 'dense' : 'hybrid';
}

export async function searchCollection(ctx: SearchContext, request: SearchRequest): Promise<SearchResponse> {
  const started = performance.now();
  const queryLang = request.lang ?? ctx.languageIdentifier.identify(request.query)?.lang;
  const mode = resolveMode(request.mode, ctx.encoder, queryLang);
  const offset = request.offset ?? 0;
  // Every page is a slice of the search for offset + k, so consecutive pages agree with one deeper search.
  const window = offset + request.k;
  let hits: Array<{ label: number; score: number }>;
  switch (mode) {
    case 'dense':
      hits = await denseHits(ctx, request, queryLang, window);
      break;
    case 'bm25':
      hits = bm25Hits(ctx, request, window);
      break;
    case 'hybrid': {
      const depth = Math.min(1000, Math.max(HYBRID_MIN_DEPTH, window * HYBRID_DEPTH_FACTOR));
      const dense = await denseHits(ctx, request, queryLang, depth);
      hits = reciprocalRankFusion([dense, bm25Hits(ctx, request, depth)]).slice(0, window);
      break;
    }
  }
  hits = hits.slice(offset);
  const views = ctx.store.passageViews(hits.map((h) => h.label));
  const scoreOf = new Map(hits.map((h) => [h.label, h.score]));
  const results = views.map((v, i): SearchResult => ({
    id: v.documentId,
    passage_id: v.passageId,
    text: v.text,
    score: scoreOf.get(v.label)!,
    rank: offset + i + 1,
    lang: v.lang,
    ...(v.langDetected ? { lang_detected: true as const } : {}),
    ...(v.title !== null ? { title: v.title } : {}),
    ...(v.metadata !== null ? { metadata: v.metadata } : {}),
  }));
  return {
    results,
    query_lang: queryLang ?? null,
    mode,
    took_ms: Math.round((performance.now() - started) * 1000) / 1000,
  };
}
