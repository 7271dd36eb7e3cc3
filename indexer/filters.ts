/**
 * Metadata filters in Chroma's `where` convention, compiled to SQL over SQLite's JSON functions.
 *
 * A where document is an object whose keys are metadata keys or the logical operators `$and`, `$or` (arrays of
 * where documents) and `$not` (one where document); its entries are ANDed. A key maps to a plain value (= `$eq`) or
 * to an object of operators (ANDed: `{"$gte": 2000, "$lt": 2010}`): `$eq $ne $gt $gte $lt $lte $in $nin $exists`.
 * As in Chroma, a comparison only ever matches values of its operand's type, so `$ne`/`$nin` do not match documents
 * without the key (or with another type there); `$not` is the plain complement and does.
 */
import { TafutaError } from '../core/errors.js';
import type { SearchFilter } from './types.js';

export const METADATA_KEY_PATTERN = /^[A-Za-z0-9_.-]{1,64}$/;

export const FILTER_LIMITS = {
  /** Nesting of $and / $or / $not. */
  maxDepth: 6,
  /** Key conditions in one filter, across all nesting. */
  maxConditions: 100,
  maxListValues: 1000,
} as const;

const COMPARISONS = { $eq: '=', $ne: '!=', $gt: '>', $gte: '>=', $lt: '<', $lte: '<=' } as const;
const LISTS = { $in: 'IN', $nin: 'NOT IN' } as const;
type ComparisonOperator = keyof typeof COMPARISONS;
type ListOperator = keyof typeof LISTS;
export const FILTER_OPERATORS = ['$eq', '$ne', '$gt', '$gte', '$lt', '$lte', '$in', '$nin', '$exists', '$and', '$or', '$not'] as const;

export type FilterScalar = string | number | boolean;
export type ValueKind = 'string' | 'number' | 'boolean';

export type Condition =
  | { kind: 'compare'; key: string; op: ComparisonOperator; value: FilterScalar | null }
  | { kind: 'list'; key: string; op: ListOperator; values: FilterScalar[] }
  | { kind: 'exists'; key: string; exists: boolean }
  | { kind: 'and' | 'or'; conditions: Condition[] }
  | { kind: 'not'; condition: Condition };

/** A where document that does not parse; `path` leads to the offending part, as zod issue paths do. */
export class FilterSyntaxError extends Error {
  constructor(readonly path: Array<string | number>, message: string) {
    super(message);
  }
}

const isPlainObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

function kindOf(value: FilterScalar): ValueKind {
  return typeof value === 'string' ? 'string' : typeof value === 'number' ? 'number' : 'boolean';
}

const describe = (v: unknown) => (v === null ? 'null' : Array.isArray(v) ? 'an array' : typeof v === 'object' ? 'an object' : `a ${typeof v}`);

function isScalar(v: unknown): v is FilterScalar {
  return typeof v === 'string' || typeof v === 'boolean' || (typeof v === 'number' && Number.isFinite(v));
}

class WhereParser {
  private conditions = 0;

  where(value: unknown, path: Array<string | number>, depth: number): Condition {
    if (!isPlainObject(value)) throw new FilterSyntaxError(path, `a where document must be an object, got ${describe(value)}`);
    const conditions = Object.entries(value).map(([key, operand]) => this.entry(key, operand, [...path, key], depth));
    return conditions.length === 1 ? conditions[0]! : { kind: 'and', conditions };
  }

  private entry(key: string, operand: unknown, path: Array<string | number>, depth: number): Condition {
    if (key === '$and' || key === '$or' || key === '$not') {
      if (depth >= FILTER_LIMITS.maxDepth) throw new FilterSyntaxError(path, `$and/$or/$not nest at most ${FILTER_LIMITS.maxDepth} levels`);
      if (key === '$not') return { kind: 'not', condition: this.where(operand, path, depth + 1) };
      if (!Array.isArray(operand) || operand.length === 0) throw new FilterSyntaxError(path, `${key} takes a non-empty array of where documents`);
      return { kind: key === '$and' ? 'and' : 'or', conditions: operand.map((w, i) => this.where(w, [...path, i], depth + 1)) };
    }
    if (key.startsWith('$')) throw new FilterSyntaxError(path, `unknown operator ${key}; operators: ${FILTER_OPERATORS.join(' ')}`);
    if (!METADATA_KEY_PATTERN.test(key)) throw new FilterSyntaxError(path, 'metadata keys are 1-64 characters of A-Z a-z 0-9 _ . -');
    if (!isPlainObject(operand)) return this.leaf(key, '$eq', operand, path);
    const operators = Object.entries(operand);
    if (operators.length === 0) throw new FilterSyntaxError(path, 'an operator object needs at least one operator, e.g. {"$gte": 2020}');
    const conditions = operators.map(([op, v]) => this.leaf(key, op, v, [...path, op]));
    return conditions.length === 1 ? conditions[0]! : { kind: 'and', conditions };
  }

  private leaf(key: string, op: string, operand: unknown, path: Array<string | number>): Condition {
    if (++this.conditions > FILTER_LIMITS.maxConditions) throw new FilterSyntaxError(path, `a filter has at most ${FILTER_LIMITS.maxConditions} conditions`);
    if (op === '$exists') {
      if (typeof operand !== 'boolean') throw new FilterSyntaxError(path, `$exists takes true or false, got ${describe(operand)}`);
      return { kind: 'exists', key, exists: operand };
    }
    if (op === '$in' || op === '$nin') return { kind: 'list', key, op, values: this.list(op, operand, path) };
    if (!(op in COMPARISONS)) throw new FilterSyntaxError(path, `unknown operator ${op}; operators on a key: $eq $ne $gt $gte $lt $lte $in $nin $exists`);
    const comparison = op as ComparisonOperator;
    if (operand === null && (comparison === '$eq' || comparison === '$ne')) return { kind: 'compare', key, op: comparison, value: null };
    const ordered = comparison !== '$eq' && comparison !== '$ne';
    if (!isScalar(operand) || (ordered && typeof operand === 'boolean')) {
      const expected = ordered ? 'a number or a string' : 'a string, number, boolean or null';
      throw new FilterSyntaxError(path, `${op} takes ${expected}, got ${describe(operand)}`);
    }
    return { kind: 'compare', key, op: comparison, value: operand };
  }

  private list(op: string, operand: unknown, path: Array<string | number>): FilterScalar[] {
    if (!Array.isArray(operand) || operand.length === 0 || operand.length > FILTER_LIMITS.maxListValues) {
      throw new FilterSyntaxError(path, `${op} takes an array of 1 to ${FILTER_LIMITS.maxListValues} values`);
    }
    const bad = operand.findIndex((v) => !isScalar(v) || kindOf(v) !== kindOf(operand[0] as FilterScalar));
    if (bad >= 0) throw new FilterSyntaxError([...path, bad], `${op} values are strings, numbers or booleans, all of one type`);
    return operand as FilterScalar[];
  }
}

/** Parses a where document; throws FilterSyntaxError. An empty document is an empty AND (matches everything). */
export function parseWhere(value: unknown): Condition {
  return new WhereParser().where(value, [], 0);
}

/** The where document as a condition, or INVALID_ARGUMENT naming what is wrong (for callers outside the HTTP layer). */
export function parseWhereOrThrow(value: unknown): Condition {
  try {
    return parseWhere(value);
  } catch (error) {
    if (!(error instanceof FilterSyntaxError)) throw error;
    throw new TafutaError('INVALID_ARGUMENT', `filter.metadata${error.path.map((p) => `.${p}`).join('')}: ${error.message}`);
  }
}

/** Whether a search filter restricts anything (a language, or a non-empty where document). */
export function filterRestricts(filter: SearchFilter | undefined): filter is SearchFilter {
  return filter !== undefined && (filter.lang !== undefined || Object.keys(filter.metadata ?? {}).length > 0);
}

/** True when the condition restricts nothing (an empty where document). */
export function isEmptyCondition(condition: Condition): boolean {
  return condition.kind === 'and' && condition.conditions.length === 0;
}

function* leaves(condition: Condition): Generator<Extract<Condition, { key: string }>> {
  switch (condition.kind) {
    case 'and':
    case 'or':
      for (const c of condition.conditions) yield* leaves(c);
      return;
    case 'not':
      yield* leaves(condition.condition);
      return;
    default:
      yield condition;
  }
}

export function keysOf(condition: Condition): string[] {
  return [...new Set([...leaves(condition)].map((c) => c.key))];
}

/** json_type() names of each kind of operand. */
const JSON_TYPES: Record<ValueKind, readonly string[]> = { string: ['text'], number: ['integer', 'real'], boolean: ['true', 'false'] };
const KIND_OF_JSON_TYPE: Record<string, string> = { text: 'string', integer: 'number', real: 'number', true: 'boolean', false: 'boolean' };

/**
 * Refuses comparisons that cannot match because the key holds no value of the operand's type in the collection
 * (`storedTypes`: key → json_type() names held). Keys no document has are not mistakes: they match nothing.
 */
export function assertComparableTypes(condition: Condition, storedTypes: ReadonlyMap<string, ReadonlySet<string>>): void {
  for (const leaf of leaves(condition)) {
    const operands = leaf.kind === 'compare' ? [leaf.value] : leaf.kind === 'list' ? leaf.values.slice(0, 1) : [];
    const held = storedTypes.get(leaf.key);
    for (const operand of operands) {
      if (operand === null || !held?.size) continue;
      const kind = kindOf(operand);
      if (JSON_TYPES[kind].some((t) => held.has(t))) continue;
      const heldKinds = [...new Set([...held].map((t) => KIND_OF_JSON_TYPE[t] ?? t))].sort().join(', ');
      throw new TafutaError(
        'INVALID_ARGUMENT',
        `filter on metadata "${leaf.key}" compares a ${kind} (${JSON.stringify(operand)}), but "${leaf.key}" holds only ${heldKinds} values in this collection; a ${kind} can never match`,
        { key: leaf.key, operand_type: kind, stored_types: heldKinds.split(', ') },
      );
    }
  }
}

export interface SqlFragment {
  sql: string;
  params: unknown[];
}

/** Booleans are compared as json_extract() returns them: 1 and 0. */
const sqlValue = (v: FilterScalar) => (typeof v === 'boolean' ? Number(v) : v);

/**
 * SQL (over `documents` aliased `d`) that is 1 where the condition holds and 0 otherwise (never NULL, so that
 * NOT is a true complement). Values travel as bound parameters; keys only as bound JSON paths.
 */
export function conditionSql(condition: Condition): SqlFragment {
  switch (condition.kind) {
    case 'and':
    case 'or': {
      if (condition.conditions.length === 0) return { sql: '1', params: [] };
      const parts = condition.conditions.map(conditionSql);
      return { sql: `(${parts.map((p) => p.sql).join(condition.kind === 'and' ? ' AND ' : ' OR ')})`, params: parts.flatMap((p) => p.params) };
    }
    case 'not': {
      const inner = conditionSql(condition.condition);
      return { sql: `(NOT ${inner.sql})`, params: inner.params };
    }
    default:
      return leafSql(condition);
  }
}

function leafSql(condition: Extract<Condition, { key: string }>): SqlFragment {
  // Quoting makes dots in keys literal rather than path steps.
  const path = `$."${condition.key}"`;
  const typeGuard = (kind: ValueKind) => `json_type(d.metadata, ?) IN (${JSON_TYPES[kind].map((t) => `'${t}'`).join(', ')})`;
  let sql: string;
  let params: unknown[];
  if (condition.kind === 'exists') {
    sql = `json_type(d.metadata, ?) IS ${condition.exists ? 'NOT NULL' : 'NULL'}`;
    params = [path];
  } else if (condition.kind === 'list') {
    sql = `${typeGuard(kindOf(condition.values[0]!))} AND json_extract(d.metadata, ?) ${LISTS[condition.op]} (SELECT value FROM json_each(?))`;
    params = [path, path, JSON.stringify(condition.values.map(sqlValue))];
  } else if (condition.value === null) {
    sql = condition.op === '$eq' ? `json_type(d.metadata, ?) = 'null'` : `json_type(d.metadata, ?) <> 'null'`;
    params = [path];
  } else {
    sql = `${typeGuard(kindOf(condition.value))} AND json_extract(d.metadata, ?) ${COMPARISONS[condition.op]} ?`;
    params = [path, path, sqlValue(condition.value)];
  }
  return { sql: `COALESCE((${sql}), 0)`, params };
}
