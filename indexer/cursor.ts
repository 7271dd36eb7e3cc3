/** Opaque listing cursors: base64url of "d<internal row id>", so clients cannot come to depend on row ids. */
import { TafutaError } from '../core/errors.js';

const CURSOR = /^d([1-9][0-9]{0,15})$/;

export function encodeCursor(rowId: number): string {
  return Buffer.from(`d${rowId}`).toString('base64url');
}

/** The row id a cursor continues after; INVALID_ARGUMENT for anything this server did not issue. */
export function decodeCursor(cursor: string): number {
  const match = /^[A-Za-z0-9_-]{1,24}$/.test(cursor) ? CURSOR.exec(Buffer.from(cursor, 'base64url').toString('latin1')) : null;
  const rowId = match ? Number(match[1]) : NaN;
  if (!Number.isSafeInteger(rowId)) throw new TafutaError('INVALID_ARGUMENT', 'cursor: not a cursor this server issued (pass next_cursor back unchanged)');
  return rowId;
}
