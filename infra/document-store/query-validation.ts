import { ValidationError } from '../../domain/errors.ts';
import type { Filter, FindOptions } from '../../domain/read-models/document-store.ts';

const operators = new Set(['$eq', '$ne', '$in', '$nin', '$gt', '$gte', '$lt', '$lte', '$exists', '$contains']);

/** The longest `$contains` needle, in characters (code points). */
export const MAX_CONTAINS_LENGTH = 200;

/** A dotted field path whose parts are non-empty, do not start with `$`, and hold no quotes, backslashes or control characters. */
export function isFieldPath(path: string): boolean {
  return path.split('.').every((part) => part !== '' && !part.startsWith('$') && ![...part].some((c) => c === '"' || c === "'" || c === '\\' || c.charCodeAt(0) < 0x20));
}

/** Refuses anything outside the supported subset before it reaches a store. */
export function assertFilter(filter: Filter | undefined): void {
  for (const [key, value] of Object.entries(filter ?? {})) {
    if (key === '$and' || key === '$or') {
      if (!Array.isArray(value) || value.length === 0) throw new ValidationError(`${key} needs a non-empty array of filters`);
      value.forEach((f) => assertFilter(f as Filter));
      continue;
    }
    if (!isFieldPath(key)) throw new ValidationError(`Invalid field path: ${key}`);
    if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
      for (const [op, operand] of Object.entries(value)) {
        if (!operators.has(op)) throw new ValidationError(`Unsupported filter operator ${op} on ${key}`);
        if ((op === '$in' || op === '$nin') && !Array.isArray(operand)) throw new ValidationError(`${op} for ${key} needs an array`);
        if (op === '$contains') assertContains(key, operand);
      }
    } else if (value !== null && !['string', 'number', 'boolean', 'undefined'].includes(typeof value)) {
      throw new ValidationError(`Filter value for ${key} must be a string, number, boolean or null`);
    }
  }
}

function assertContains(path: string, needle: unknown): void {
  if (typeof needle !== 'string') throw new ValidationError(`$contains for ${path} needs a string`);
  if (needle === '') throw new ValidationError(`$contains for ${path} needs at least one character`);
  if ([...needle].length > MAX_CONTAINS_LENGTH) throw new ValidationError(`$contains for ${path} allows at most ${MAX_CONTAINS_LENGTH} characters`);
}

export function assertFindOptions(options: FindOptions | undefined): void {
  const { limit, skip = 0 } = options ?? {};
  if (limit !== undefined && (!Number.isInteger(limit) || limit < 1)) throw new ValidationError('limit must be a positive integer');
  if (!Number.isInteger(skip) || skip < 0) throw new ValidationError('skip must be a non-negative integer');
  for (const [path] of options?.sort ?? []) assertFilter({ [path]: null });
}
