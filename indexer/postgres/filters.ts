/**
 * The filter AST of indexer/filters.ts compiled to PostgreSQL over JSONB, with SQLite's semantics: a comparison
 * matches only values of its operand's type (so `$ne`/`$nin` skip documents without the key or with another type
 * there), every leaf is true or false (never NULL, so `$not` is the plain complement), strings compare by code
 * point (COLLATE "C", as SQLite's binary collation), numbers numerically, booleans as booleans.
 */
import type { Condition, FilterScalar, ValueKind } from '../filters.js';
import { escapeNul } from './nul-escape.js';

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
