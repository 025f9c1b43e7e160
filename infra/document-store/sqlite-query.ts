import { ValidationError } from '../../domain/errors.ts';
import { assertFilter, assertFindOptions, isFieldPath } from './query-validation.ts';
import type { Condition, Filter, FindOptions, Scalar, SortSpec } from '../../domain/read-models/document-store.ts';

/**
 * Compiles the filter subset to SQL over JSON documents. A field is read with
 * `json_extract(doc, '$."a"."b"')`, the same text the declared indexes are built on, so SQLite can
 * match them (it matches index expressions textually). Type checks keep MongoDB's semantics:
 * a number never equals or compares with a string, and booleans are not 0/1.
 */

export function fieldExpression(path: string): string {
  if (path === '_id') return 'id';
  if (!isFieldPath(path)) throw new ValidationError(`Invalid field path: ${path}`);
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
      if (parts.length === 0) throw new ValidationError(`${key} needs at least one filter`);
      clauses.push(`(${parts.join(key === '$and' ? ' AND ' : ' OR ')})`);
    } else if (key.startsWith('$')) {
      throw new ValidationError(`Unsupported filter operator ${key}`);
    } else if (isCondition(value)) {
      for (const [op, operand] of Object.entries(value)) if (operand !== undefined) clauses.push(condition(key, op, operand, params));
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
  if (typeof value === 'string' || typeof value === 'number') {
    params.push(value);
    return `${fieldExpression(path)} = ?`;
  }
  throw new ValidationError(`Filter value for ${path} must be a string, number, boolean or null`);
}

function condition(path: string, op: string, operand: unknown, params: unknown[]): string {
  switch (op) {
    case '$eq':
      return equals(path, operand as Scalar, params);
    case '$ne':
      return `NOT coalesce(${equals(path, operand as Scalar, params)}, 0)`;
    case '$in':
    case '$nin': {
      if (!Array.isArray(operand)) throw new ValidationError(`${op} for ${path} needs an array`);
      const simple = operand.filter((v): v is string | number => typeof v === 'string' || typeof v === 'number');
      const parts: string[] = [];
      if (simple.length) {
        parts.push(`${fieldExpression(path)} IN (${simple.map(() => '?').join(', ')})`);
        params.push(...simple);
      }
      for (const other of operand.filter((v) => typeof v !== 'string' && typeof v !== 'number')) parts.push(equals(path, other as Scalar, params));
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
      if (typeof operand === 'number') {
        params.push(operand);
        return `(${fieldExpression(path)} ${sign} ? AND ${typeExpression(path)} IN ('integer', 'real'))`;
      }
      throw new ValidationError(`${op} for ${path} needs a string or a number`);
    }
    case '$exists':
      return `${typeExpression(path)} IS ${operand ? 'NOT NULL' : 'NULL'}`;
    case '$contains': {
      if (typeof operand !== 'string' || operand === '') throw new ValidationError(`$contains for ${path} needs a non-empty string`);
      // The needle is a bound parameter and instr() takes it as plain text (no LIKE wildcards).
      // SQLite's built-in lower() folds only ASCII letters (A-Z), so only those match regardless of
      // case; every other character must match exactly. The type check makes only a string field
      // match: never a number, boolean, null, object or missing field.
      params.push(operand);
      return `(${typeExpression(path)} = 'text' AND instr(lower(${fieldExpression(path)}), lower(?)) > 0)`;
    }
    default:
      throw new ValidationError(`Unsupported filter operator ${op} on ${path}`);
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
