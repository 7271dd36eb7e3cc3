/**
 * PostgreSQL's text and jsonb cannot hold U+0000 (the server refuses the value), while tafuta takes any valid
 * Unicode text and gives it back exactly (the SQLite store does). Strings that hold a NUL are stored escaped: a
 * marker, then the string with each NUL written as marker + "0" and each marker as marker + marker. Every other
 * string is stored as it is, so that ordinary text sorts, matches and tokenises in SQL unchanged; a string that
 * merely starts with the marker is escaped too, so that reading back is unambiguous. Lookups escape their operands
 * the same way, so equality in SQL is equality of the original strings (order comparisons of escaped strings are not).
 */

/** A private-use character: no script writes it. */
const MARKER = '\uE000';
const NEEDS_ESCAPE = /[\u0000\uE000]/g;
const ESCAPED = /\uE000([\uE0000])/g;

export function escapeNul(text: string): string {
  if (!text.includes('\u0000') && !text.startsWith(MARKER)) return text;
  return MARKER + text.replace(NEEDS_ESCAPE, (c) => (c === MARKER ? MARKER + MARKER : `${MARKER}0`));
}

export function unescapeNul(stored: string): string {
  if (!stored.startsWith(MARKER)) return stored;
  return stored.slice(1).replace(ESCAPED, (_, c: string) => (c === MARKER ? MARKER : '\u0000'));
}

export function unescapeNulOrNull(stored: string | null): string | null {
  return stored === null ? null : unescapeNul(stored);
}

/** escapeNul on every string of a JSON value (keys too: metadata keys never hold either character, filter keys may). */
export function escapeNulInJson(value: unknown): unknown {
  return mapJsonStrings(value, escapeNul);
}

export function unescapeNulInJson<T>(value: T): T {
  return mapJsonStrings(value, unescapeNul) as T;
}

function mapJsonStrings(value: unknown, map: (s: string) => string): unknown {
  if (typeof value === 'string') return map(value);
  if (Array.isArray(value)) return value.map((v) => mapJsonStrings(v, map));
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [map(k), mapJsonStrings(v, map)]));
  }
  return value;
}
