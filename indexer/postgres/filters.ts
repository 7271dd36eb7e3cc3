/**
 * The filter AST of indexer/filters.ts compiled to PostgreSQL over JSONB, with SQLite's semantics: a comparison
 * matches only values of its operand's type (so `$ne`/`$nin` skip documents without the key or with another type
 * there), every leaf is true or false (never NULL, so `$not` is the plain complement), strings compare by code
 * point (COLLATE "C", as SQLite's binary collation), numbers numerically, booleans as booleans. And a whole
 * search filter (languages and metadata) as the clause the document store and the searches append.
 */
import { assertComparableTypes, isEmptyCondition, keysOf, parseWhereOrThrow, type Condition, type FilterScalar, type ValueKind } from '../filters.js';
import type { SearchFilter } from '../types.js';
import type { Queryable } from './connection.js';
import { escapeNul, unescapeNul } from './nul-escape.js';

/** Collects bound parameters and hands out their placeholders ($1, $2, …). */
export class SqlParams {
  readonly values: unknown[] = [];
  constructor(start: unknown[] = []) {
    this.values.push(...start);
  }
  add(value: unknown): string {
    this.values.push(value);
    return `$${this.values.length}`;
  }
}

const COMPARISONS = { $eq: '=', $ne: '<>', $gt: '>', $gte: '>=', $lt: '<', $lte: '<=' } as const;
const JSONB_TYPE: Record<ValueKind, string> = { string: 'string', number: 'number', boolean: 'boolean' };
const ARRAY_TYPE: Record<ValueKind, string> = { string: 'text[]', number: 'numeric[]', boolean: 'boolean[]' };

function kindOf(value: FilterScalar): ValueKind {
  return typeof value === 'string' ? 'string' : typeof value === 'number' ? 'number' : 'boolean';
}

/** The key's value as a SQL value of `kind` (only evaluated where jsonb_typeof says it is one). */
function typedValue(json: string, kind: ValueKind): string {
  if (kind === 'string') return `(${json} #>> '{}') COLLATE "C"`;
  if (kind === 'number') return `(${json})::numeric`;
  return `(${json})::boolean`;
}

/** Numbers as text (numeric keeps every digit); strings escaped as the store writes them (nul-escape.ts). */
function sqlValue(value: FilterScalar): unknown {
  return typeof value === 'number' ? String(value) : typeof value === 'string' ? escapeNul(value) : value;
}

function operand(params: SqlParams, value: FilterScalar): string {
  const kind = kindOf(value);
  const placeholder = params.add(sqlValue(value));
  return kind === 'string' ? `${placeholder}::text COLLATE "C"` : kind === 'number' ? `${placeholder}::numeric` : `${placeholder}::boolean`;
}

/** SQL over `documents` aliased `d` that is true where the condition holds and false otherwise. */
export function conditionPgSql(condition: Condition, params: SqlParams): string {
  switch (condition.kind) {
    case 'and':
    case 'or': {
      if (condition.conditions.length === 0) return 'true';
      return `(${condition.conditions.map((c) => conditionPgSql(c, params)).join(condition.kind === 'and' ? ' AND ' : ' OR ')})`;
    }
    case 'not':
      return `(NOT ${conditionPgSql(condition.condition, params)})`;
    default:
      return leafPgSql(condition, params);
  }
}

function leafPgSql(condition: Extract<Condition, { key: string }>, params: SqlParams): string {
  const json = `(d.metadata -> ${params.add(escapeNul(condition.key))}::text)`;
  const type = `jsonb_typeof(${json})`;
  let sql: string;
  if (condition.kind === 'exists') {
    sql = `${json} IS ${condition.exists ? 'NOT NULL' : 'NULL'}`;
  } else if (condition.kind === 'list') {
    const kind = kindOf(condition.values[0]!);
    const list = `${params.add(condition.values.map(sqlValue))}::${ARRAY_TYPE[kind]}`;
    const member = `${typedValue(json, kind)} = ANY(${list})`;
    // CASE: the cast runs only on values of the right type (AND does not promise an order of evaluation).
    sql = `CASE WHEN ${type} = '${JSONB_TYPE[kind]}' THEN ${condition.op === '$in' ? member : `NOT (${member})`} END`;
  } else if (condition.value === null) {
    sql = condition.op === '$eq' ? `${type} = 'null'` : `${type} <> 'null'`;
  } else {
    const kind = kindOf(condition.value);
    sql = `CASE WHEN ${type} = '${JSONB_TYPE[kind]}' THEN ${typedValue(json, kind)} ${COMPARISONS[condition.op]} ${operand(params, condition.value)} END`;
  }
  return `COALESCE((${sql}), false)`;
}

/** jsonb_typeof() names as the json_type() names filters.ts's type check speaks (numbers: either of its two). */
export const SQLITE_TYPE_OF_JSONB: Record<string, string> = { string: 'text', number: 'real', boolean: 'true', null: 'null', object: 'object', array: 'array' };

/** Which json types each of `keys` holds in the collection, named as filters.ts's check expects. */
async function metadataTypes(db: Queryable, collectionId: number, keys: readonly string[]): Promise<Map<string, Set<string>>> {
  const rows = await db.query<{ key: string; type: string }>(
    `SELECT DISTINCT e.key, jsonb_typeof(e.value) AS type FROM documents d, jsonb_each(d.metadata) e
     WHERE d.collection_id = $1 AND d.metadata IS NOT NULL AND e.key = ANY($2::text[])`,
    [collectionId, keys.map(escapeNul)],
  );
  const types = new Map<string, Set<string>>();
  for (const row of rows) {
    let held = types.get(unescapeNul(row.key));
    if (!held) types.set(unescapeNul(row.key), (held = new Set()));
    held.add(SQLITE_TYPE_OF_JSONB[row.type] ?? row.type);
  }
  return types;
}

/** " AND …" restricting documents (alias d) by a filter, or '' (INVALID_ARGUMENT for a malformed or type-mismatched one). */
export async function filterClausePg(db: Queryable, collectionId: number, filter: SearchFilter | undefined, params: SqlParams): Promise<string> {
  const parts: string[] = [];
  if (filter?.lang !== undefined) parts.push(`d.lang = ANY(${params.add((Array.isArray(filter.lang) ? filter.lang : [filter.lang]).map(escapeNul))}::text[])`);
  if (filter?.metadata !== undefined) {
    const condition = parseWhereOrThrow(filter.metadata);
    if (!isEmptyCondition(condition)) {
      assertComparableTypes(condition, await metadataTypes(db, collectionId, keysOf(condition)));
      parts.push(conditionPgSql(condition, params));
    }
  }
  return parts.length ? ` AND ${parts.join(' AND ')}` : '';
}
