/**
 * Every error tafuta raises on purpose carries a code from this one table; callers (the HTTP layer, the CLI)
 * match the code, never the message. Anything else that escapes is a bug.
 */
export const ERROR_CODES = {
  INVALID_ARGUMENT: 'a request field or option is missing, of the wrong type or out of range',
  INVALID_JSON: 'the request body is not valid JSON',
  INVALID_ENCODING: 'the request body is not valid UTF-8',
  PAYLOAD_TOO_LARGE: 'the request body exceeds the configured limit',
  UNSUPPORTED_MEDIA_TYPE: 'the request body must be application/json',
  COLLECTION_NOT_FOUND: 'no collection has that name',
  COLLECTION_EXISTS: 'a collection with that name already exists',
  COLLECTION_NOT_EMPTY: 'the collection still holds documents; deleting it needs an explicit force',
  DOCUMENT_NOT_FOUND: 'no document has that id in the collection',
  UNKNOWN_ENCODER: 'no encoder with that name is loaded',
  ENCODER_CHANGED: 'the collection was indexed with other weights (or another dim) of its encoder; re-index it',
  CONFLICT: 'a concurrent write changed what this request was based on; retry it',
  ROUTE_NOT_FOUND: 'no such endpoint',
  METHOD_NOT_ALLOWED: 'the endpoint does not accept that method',
  UNAUTHORIZED: 'an API key is required and was missing or not valid',
  FORBIDDEN: 'the API key is valid but does not allow this operation (writes need the admin key)',
  RATE_LIMITED: 'too many requests from this key or address; retry after the Retry-After interval',
  INPUT_FILE: 'an input file is missing or malformed',
  DATABASE_CORRUPT: 'the database file is damaged; the operator must restore it from a snapshot',
  STORE_UNAVAILABLE: 'the database server behind the store cannot be reached; retry after the Retry-After interval',
  INTERNAL: 'an unexpected server error',
} as const;

export type ErrorCode = keyof typeof ERROR_CODES;

export class TafutaError extends Error {
  readonly code: ErrorCode;
  readonly details: unknown;

  constructor(code: ErrorCode, message: string = ERROR_CODES[code], details?: unknown) {
    super(message);
    this.name = 'TafutaError';
    this.code = code;
    this.details = details;
  }
}

export function isTafutaError(error: unknown): error is TafutaError {
  return error instanceof TafutaError;
}
