/**
 * PATCH of a stored document's title and metadata with JSON Merge Patch semantics (RFC 7396): keys present in the
 * patch replace, `null` removes, objects merge recursively, absent keys stay. Text and lang are not patchable:
 * passages and vectors depend on them, and changing them goes through an upsert, which re-encodes (as the engine
 * does for a patched title, which is encoded with the text).
 */
import { TafutaError } from '../core/errors.js';
import { documentSchema } from './schemas.js';
import type { Metadata, StoredDocument } from './types.js';
import { formatIssues } from '../core/issues.js';

export interface DocumentPatch {
  /** null removes the title. */
  title?: string | null | undefined;
  /** Merged into the stored metadata; null removes it all. */
  metadata?: Record<string, unknown> | null | undefined;
}

const isPlainObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

export function mergePatch(target: unknown, patch: unknown): unknown {
  if (!isPlainObject(patch)) return patch;
  const result: Record<string, unknown> = isPlainObject(target) ? Object.fromEntries(Object.entries(target)) : {};
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) {
      delete result[key];
      continue;
    }
    // defineProperty: a nested "__proto__" key stays data instead of replacing the prototype.
    const merged = mergePatch(Object.hasOwn(result, key) ? result[key] : undefined, value);
    Object.defineProperty(result, key, { value: merged, enumerable: true, writable: true, configurable: true });
  }
  return result;
}

/** The title and metadata after the patch, checked against the limits an upsert would check. */
export function patchedFields(document: StoredDocument, patch: DocumentPatch): { title: string | null; metadata: Metadata | null } {
  const title = patch.title === undefined ? document.title : patch.title;
  if (patch.metadata === undefined || patch.metadata === null) return { title, metadata: patch.metadata === null ? null : document.metadata };
  const merged = mergePatch(document.metadata ?? {}, patch.metadata);
  const checked = documentSchema.shape.metadata.safeParse(merged);
  if (!checked.success) {
    throw new TafutaError('INVALID_ARGUMENT', `patched metadata: ${formatIssues(checked.error, { prefix: 'metadata' })}`);
  }
  return { title, metadata: checked.data as Metadata };
}
