/**
 * The paths of the HTTP API, written once: app.ts serves them, errors.ts answers 405 (not 404) on them for a method
 * they do not serve, openapi.ts documents them. Express syntax (`:name`); OpenAPI's is `{name}`.
 */
export const API_PATHS = {
  healthz: '/healthz',
  info: '/v1/info',
  openapi: '/openapi.json',
  metrics: '/metrics',
  collections: '/v1/collections',
  collection: '/v1/collections/:name',
  documents: '/v1/collections/:name/documents',
  document: '/v1/collections/:name/documents/:id',
  deleteDocuments: '/v1/collections/:name/documents/delete',
  search: '/v1/collections/:name/search',
} as const;

/** `/v1/collections/:name` as OpenAPI writes it: `/v1/collections/{name}`. */
export function openApiPath(path: string): string {
  return path.replace(/:([A-Za-z_]\w*)/g, '{$1}');
}

/** A pattern matching the request paths that `path` (Express or OpenAPI syntax) serves: a parameter is one segment. */
export function pathPattern(path: string): RegExp {
  return new RegExp(`^${path.replace(/[.]/g, '\\.').replace(/:[A-Za-z_]\w*|\{[A-Za-z_]\w*\}/g, '[^/]+')}$`);
}
