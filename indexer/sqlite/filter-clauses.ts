/**
 * Search filters as SQLite SQL: metadata conditions compiled by ../filters.ts, checked first against the types
 * each key holds in the collection, and the statements of each filter shape kept for the next search.
 */
import type { Statement } from 'better-sqlite3';
import type { Db } from '../database.js';
import { assertComparableTypes, conditionSql, isEmptyCondition, keysOf, parseWhereOrThrow, type SqlFragment } from '../filters.js';
import type { SearchFilter } from '../types.js';

/** Shapes of filter kept compiled; clients sending many shapes push out the least recently used. */
const MAX_SHAPED_STATEMENTS = 128;

export function createFilterClauses(db: Db) {
  const metadataTypesStatement = db.prepare('SELECT key, type FROM metadata_types WHERE collection_id = ? AND key IN (SELECT value FROM json_each(?))');

  // Statements whose SQL depends on the shape of a filter (which metadata keys, whether a language): one per shape,
  // kept so a repeated search does not compile its SQL again.
  const shapedStatements = new Map<string, Statement>();
  function prepareCached(sql: string): Statement {
    let statement = shapedStatements.get(sql);
    if (statement) {
      shapedStatements.delete(sql); // re-inserted below: most recently used last
    } else {
      statement = db.prepare(sql);
      if (shapedStatements.size >= MAX_SHAPED_STATEMENTS) shapedStatements.delete(shapedStatements.keys().next().value!);
    }
    shapedStatements.set(sql, statement);
    return statement;
  }

  /** Which json_type()s each of `keys` holds in the collection (keys no document has are absent). */
  function metadataTypes(collectionId: number, keys: readonly string[]): Map<string, Set<string>> {
    const types = new Map<string, Set<string>>();
    for (const row of metadataTypesStatement.all(collectionId, JSON.stringify(keys)) as Array<{ key: string; type: string }>) {
      let held = types.get(row.key);
      if (!held) types.set(row.key, (held = new Set()));
      held.add(row.type);
    }
    return types;
  }

  /**
   * SQL and bound parameters restricting documents (alias d) by a filter, starting with " AND " (empty for no
   * filter). Throws INVALID_ARGUMENT for a malformed filter or one comparing a key with a type it never holds.
   */
  function filterClause(collectionId: number, filter: SearchFilter | undefined): SqlFragment {
    const parts: string[] = [];
    const params: unknown[] = [];
    if (filter?.lang !== undefined) {
      const langs = Array.isArray(filter.lang) ? filter.lang : [filter.lang];
      parts.push(`d.lang IN (SELECT value FROM json_each(?))`);
      params.push(JSON.stringify(langs));
    }
    if (filter?.metadata !== undefined) {
      const condition = parseWhereOrThrow(filter.metadata);
      if (!isEmptyCondition(condition)) {
        assertComparableTypes(condition, metadataTypes(collectionId, keysOf(condition)));
        const compiled = conditionSql(condition);
        parts.push(compiled.sql);
        params.push(...compiled.params);
      }
    }
    return { sql: parts.length ? ` AND ${parts.join(' AND ')}` : '', params };
  }

  return { filterClause, prepareCached };
}
