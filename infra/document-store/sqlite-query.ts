import { assertCountOptions, assertFilter, assertFindOptions, isFieldPath, malformed } from './query-validation.ts';
import type { Condition, CountOptions, Filter, FindOptions, Scalar, SortSpec } from '../../domain/read-models/document-store.ts';

/**
 * Compiles the filter subset to SQL over JSON documents. A field is read with
 * `json_extract(doc, '$."a"."b"')`, the same text the declared indexes are built on, so SQLite can
 * match them (it matches index expressions textually). Type checks keep MongoDB's semantics:
 * a number never equals or compares with a string, and booleans are not 0/1. Filters and options
 * are checked once, by query-validation.ts, before they are compiled: what follows trusts their shape.
 */

export function fieldExpression(path: string): string {
  if (path === '_id') return 'id';
  // Declared index fields reach here unchecked: the path becomes SQL text, so it is checked once more.
  if (!isFieldPath(path)) throw malformed(`Invalid field path: ${path}`);
  return `json_extract(doc, '$.${path.split('.').map((p) => `"${p}"`).join('.')}')`;
}

const typeExpression = (path: string) => (path === '_id' ? "'text'" : fieldExpression(path).replace('json_extract', 'json_type'));

export interface Sql {
  sql: string;
  params: unknown[];
}

export function compileFilter(filter: Filter | undefined): Sql {
  assertFilter(filter);
  const params: unknown[] = [];
  const sql = filter ? and(filter, params) : '1';
  return { sql, params };
}

function and(filter: Filter, params: unknown[]): string {
  const clauses: string[] = [];
  for (const [key, value] of Object.entries(filter)) {
    if (value === undefined) continue;
    if (key === '$and' || key === '$or') {
      const parts = (value as readonly Filter[]).map((f) => `(${and(f, params)})`);
      clauses.push(`(${parts.join(key === '$and' ? ' AND ' : ' OR ')})`);
    } else if (isCondition(value)) {
      for (const [op, operand] of Object.entries(value)) if (operand !== undefined) clauses.push(condition(key, op as keyof Condition, operand, params));
    } else {
      clauses.push(equals(key, value as Scalar, params));
    }
  }
  return clauses.length ? clauses.join(' AND ') : '1';
}

function isCondition(value: unknown): value is Condition {
  return value !== null && typeof value === 'object' && !Array.isArray(value) && Object.keys(value).every((k) => k.startsWith('$'));
}

function equals(path: string, value: Scalar, params: unknown[]): string {
  if (value === null) return `(${typeExpression(path)} IS NULL OR ${typeExpression(path)} = 'null')`;
  if (typeof value === 'boolean') return `${typeExpression(path)} = '${value ? 'true' : 'false'}'`;
  params.push(value);
  return `${fieldExpression(path)} = ?`;
}

function condition(path: string, op: keyof Condition, operand: unknown, params: unknown[]): string {
  switch (op) {
    case '$eq':
      return equals(path, operand as Scalar, params);
    case '$ne':
      return `NOT coalesce(${equals(path, operand as Scalar, params)}, 0)`;
    case '$in':
    case '$nin': {
      const list = operand as readonly Scalar[];
      const simple = list.filter((v): v is string | number => typeof v === 'string' || typeof v === 'number');
      const parts: string[] = [];
      if (simple.length) {
        parts.push(`${fieldExpression(path)} IN (${simple.map(() => '?').join(', ')})`);
        params.push(...simple);
      }
      for (const other of list.filter((v) => typeof v !== 'string' && typeof v !== 'number')) parts.push(equals(path, other, params));
      const any = parts.length ? `(${parts.join(' OR ')})` : '0';
      // A missing field makes the comparison NULL; MongoDB counts it as not in the list.
      return op === '$in' ? any : `NOT coalesce(${any}, 0)`;
    }
    case '$gt':
    case '$gte':
    case '$lt':
    case '$lte': {
      const sign = { $gt: '>', $gte: '>=', $lt: '<', $lte: '<=' }[op];
      if (typeof operand === 'string') {
        params.push(operand);
        return `(${fieldExpression(path)} ${sign} ? AND ${typeExpression(path)} = 'text')`;
      }
      params.push(operand);
      return `(${fieldExpression(path)} ${sign} ? AND ${typeExpression(path)} IN ('integer', 'real'))`;
    }
    case '$exists':
      return `${typeExpression(path)} IS ${operand ? 'NOT NULL' : 'NULL'}`;
    case '$contains': {
      // The needle is a bound parameter and instr() takes it as plain text (no LIKE wildcards).
      // SQLite's built-in lower() folds only ASCII letters (A-Z), so only those match regardless of
      // case; every other character must match exactly. The type check makes only a string field
      // match: never a number, boolean, null, object or missing field.
      params.push(operand);
      return `(${typeExpression(path)} = 'text' AND instr(lower(${fieldExpression(path)}), lower(?)) > 0)`;
    }
  }
}

export function compileSort(sort: SortSpec | undefined): string {
  const terms = (sort ?? []).map(([path, direction]) => `${fieldExpression(path)} ${direction === -1 ? 'DESC' : 'ASC'}`);
  // A final tie-break on the id keeps pagination stable, as the MongoDB adapter does.
  if (!(sort ?? []).some(([path]) => path === '_id')) terms.push('id ASC');
  return terms.join(', ');
}

export function compilePaging(options: FindOptions | undefined, params: unknown[]): string {
  assertFindOptions(options);
  const limit = options?.limit;
  const skip = options?.skip ?? 0;
  if (limit === undefined && skip === 0) return '';
  params.push(limit ?? -1, skip);
  return ' LIMIT ? OFFSET ?';
}

/**
 * The declared index a hint names, as SQLite knows it (see ensureCollection): `INDEXED BY` makes
 * SQLite walk it, or fail when the collection has no such index.
 */
export function compileHint(collection: string, options: CountOptions | undefined): string {
  assertCountOptions(options);
  return options?.hint ? ` INDEXED BY "docs_${collection}__${options.hint.index}"` : '';
}
