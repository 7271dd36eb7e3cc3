/**
 * A typed client for the tafuta HTTP API (Node ≥ 18 and browsers: it needs only `fetch`). The types follow
 * /openapi.json; a test checks their field names against the served document. Keys go in the Authorization
 * header, never in a URL.
 */

/** The search modes the API takes (SearchRequest.mode). */
export const SEARCH_MODES = ['dense', 'bm25', 'hybrid', 'auto', 'translate', 'translate-hybrid', 'translate-dense'] as const;
export type SearchMode = (typeof SEARCH_MODES)[number];
/** A Chroma-style where document (see the API's Where schema). */
export type Where = Record<string, unknown>;

export interface Filter {
  lang?: string | string[];
  metadata?: Where;
}

export interface CollectionConfig {
  hnsw?: { M?: number; efConstruction?: number; ef?: number };
  passages?: { maxChars?: number; overlapChars?: number };
}

export interface CreateCollection {
  name: string;
  encoder?: string;
  dim?: number;
  config?: CollectionConfig;
}

export interface Collection {
  name: string;
  encoder: string;
  dim: number;
  encoderVersion: string | null;
  encoderChanged?: string;
  config: CollectionConfig;
  createdAt: string;
  documents: number;
  passages: number;
  indexedVectors: number;
  /** The ef a dense search without `ef` uses, where it comes from, and the calibration measured on the graph (if any). */
  search: {
    ef: number;
    efSource: 'collection' | 'calibrated' | 'size-default' | 'store-default';
    calibration?: { ef: number; recall: number; passages: number; queries: number; target: number; seconds: number; holdsUpTo: number; holds: boolean };
    droppedCalibration?: { ef: number; recall: number; passages: number; queries: number; target: number; seconds: number; reason: string };
  };
  languages: Array<{ lang: string | null; documents: number }>;
}

export interface Encoder {
  name: string;
  dim: number;
  description?: string;
  adapters?: string[];
}

export interface Info {
  name: string;
  version: string;
  default_encoder: string;
  language_identifier: string;
  encoders: Encoder[];
  collections: Array<{ name: string; encoder: string; documents: number; passages: number }>;
}

export interface Document {
  id: string;
  text: string;
  lang?: string;
  title?: string;
  metadata?: Record<string, unknown>;
  vector?: number[];
}

export interface StoredDocument {
  id: string;
  text: string;
  lang: string | null;
  lang_detected?: true;
  title: string | null;
  metadata: Record<string, unknown> | null;
  passages: number;
  updatedAt: string;
  vector?: number[];
}

export interface DocumentPatch {
  title?: string | null;
  metadata?: Record<string, unknown> | null;
}

export interface UpsertResult {
  upserted: number;
  unchanged: number;
  passages: number;
}

export interface DocumentPage {
  documents: StoredDocument[];
  next_cursor: string | null;
}

export interface SearchRequest {
  query?: string;
  vector?: number[];
  k?: number;
  ef?: number;
  lang?: string;
  mode?: SearchMode;
  filter?: Filter;
  offset?: number;
  group_by?: 'document';
  highlight?: boolean;
}

/** UTF-16 offsets into the result text, as `text.slice(start, end)` takes them. */
export interface Span {
  start: number;
  end: number;
}

export interface SearchResult {
  id: string;
  passage_id: string;
  text: string;
  score: number;
  rank: number;
  lang: string | null;
  lang_detected?: true;
  title?: string;
  metadata?: Record<string, unknown>;
  matched_passages?: number;
  highlights?: { terms?: Span[]; sentence?: Span };
}

export interface SearchResponse {
  results: SearchResult[];
  query_lang: string | null;
  mode: Exclude<SearchMode, 'auto'>;
  took_ms: number;
}

/** A non-2xx answer: the API's error code ("COLLECTION_NOT_FOUND", "UNAUTHORIZED", …) and message. */
export class TafutaApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = 'TafutaApiError';
  }
}

export interface TafutaClientOptions {
  /** e.g. "http://127.0.0.1:8080" */
  baseUrl: string;
  /** The admin or read-only key, when the server has keys. */
  apiKey?: string;
  fetch?: typeof fetch;
}

export class TafutaClient {
  private readonly baseUrl: string;
  private readonly apiKey: string | undefined;
  private readonly fetchImpl: typeof fetch;

  constructor(options: TafutaClientOptions) {
    this.baseUrl = options.baseUrl.replace(/\/+$/, '');
    this.apiKey = options.apiKey;
    this.fetchImpl = options.fetch ?? fetch;
  }

  info(): Promise<Info> {
    return this.request('GET', '/v1/info');
  }

  async listCollections(): Promise<Collection[]> {
    return (await this.request<{ collections: Collection[] }>('GET', '/v1/collections')).collections;
  }

  getCollection(name: string): Promise<Collection> {
    return this.request('GET', collectionPath(name));
  }

  createCollection(collection: CreateCollection): Promise<Collection> {
    return this.request('POST', '/v1/collections', collection);
  }

  /** A collection that holds documents needs `force: true`. */
  deleteCollection(name: string, options: { force?: boolean } = {}): Promise<{ deleted: string }> {
    return this.request('DELETE', `${collectionPath(name)}${options.force ? '?force=true' : ''}`);
  }

  /** At most 1000 documents, written in one transaction. */
  upsertDocuments(collection: string, documents: Document[]): Promise<UpsertResult> {
    return this.request('POST', `${collectionPath(collection)}/documents`, { documents });
  }

  listDocuments(collection: string, options: { limit?: number; cursor?: string; filter?: Filter } = {}): Promise<DocumentPage> {
    const query = new URLSearchParams();
    if (options.limit !== undefined) query.set('limit', String(options.limit));
    if (options.cursor !== undefined) query.set('cursor', options.cursor);
    if (options.filter !== undefined) query.set('filter', JSON.stringify(options.filter));
    const suffix = query.size ? `?${query}` : '';
    return this.request('GET', `${collectionPath(collection)}/documents${suffix}`);
  }

  getDocument(collection: string, id: string): Promise<StoredDocument> {
    return this.request('GET', documentPath(collection, id));
  }

  patchDocument(collection: string, id: string, patch: DocumentPatch): Promise<StoredDocument> {
    return this.request('PATCH', documentPath(collection, id), patch);
  }

  deleteDocument(collection: string, id: string): Promise<{ deleted: string }> {
    return this.request('DELETE', documentPath(collection, id));
  }

  /** Exactly one of ids and filter; a filter must restrict something. */
  deleteDocuments(collection: string, selection: { ids: string[] } | { filter: Filter }): Promise<{ deleted: number }> {
    return this.request('POST', `${collectionPath(collection)}/documents/delete`, selection);
  }

  search(collection: string, request: SearchRequest): Promise<SearchResponse> {
    return this.request('POST', `${collectionPath(collection)}/search`, request);
  }

  private async request<T>(method: string, path: string, body?: unknown): Promise<T> {
    const headers: Record<string, string> = { accept: 'application/json' };
    if (this.apiKey !== undefined) headers.authorization = `Bearer ${this.apiKey}`;
    if (body !== undefined) headers['content-type'] = 'application/json';
    const response = await this.fetchImpl(`${this.baseUrl}${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    const payload = (await response.json().catch(() => undefined)) as { error?: { code?: string; message?: string; details?: unknown } } | undefined;
    if (!response.ok) {
      const error = payload?.error;
      throw new TafutaApiError(response.status, error?.code ?? 'HTTP_ERROR', error?.message ?? `HTTP ${response.status}`, error?.details);
    }
    return payload as T;
  }
}

const collectionPath = (name: string) => `/v1/collections/${encodeURIComponent(name)}`;
const documentPath = (collection: string, id: string) => `${collectionPath(collection)}/documents/${encodeURIComponent(id)}`;
