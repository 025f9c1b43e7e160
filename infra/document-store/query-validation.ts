import { AppError } from '../../domain/errors.ts';
import type { CountOptions, Filter, FindOptions } from '../../domain/read-models/document-store.ts';

/**
 * The one place that checks a query against the subset the port supports, for both adapters, before
 * it reaches a store. Every filter and option is built by our own code (values a request supplies are
 * validated by its route first), so a query outside the subset is our bug: it is refused as an
 * internal error (INTERNAL, a 500, logged), never as the caller's 400.
 */
export class MalformedQueryError extends AppError {
  constructor(problem: string) {
    super('INTERNAL', `Malformed document-store query (a bug in our code): ${problem}`);
  }
}

export const malformed = (problem: string): MalformedQueryError => new MalformedQueryError(problem);

const operators = new Set(['$eq', '$ne', '$in', '$nin', '$gt', '$gte', '$lt', '$lte', '$exists', '$contains']);
const ranges = new Set(['$gt', '$gte', '$lt', '$lte']);

/** The longest `$contains` needle, in characters (code points). */
export const MAX_CONTAINS_LENGTH = 200;

/** Index names as declared (`IndexSpec.name`): also part of SQLite's index names, so nothing that needs quoting. */
const indexName = /^[A-Za-z][A-Za-z0-9_]{0,62}$/;

/** A dotted field path whose parts are non-empty, do not start with `$`, and hold no quotes, backslashes or control characters. */
export function isFieldPath(path: string): boolean {
  return path.split('.').every((part) => part !== '' && !part.startsWith('$') && ![...part].some((c) => c === '"' || c === "'" || c === '\\' || c.charCodeAt(0) < 0x20));
}

const isScalar = (value: unknown) => value === null || ['string', 'number', 'boolean'].includes(typeof value);

/** Refuses anything outside the supported subset before it reaches a store. */
export function assertFilter(filter: Filter | undefined): void {
  for (const [key, value] of Object.entries(filter ?? {})) {
    if (key === '$and' || key === '$or') {
      if (!Array.isArray(value) || value.length === 0) throw malformed(`${key} needs a non-empty array of filters`);
      value.forEach((f) => assertFilter(f as Filter));
      continue;
    }
    if (!isFieldPath(key)) throw malformed(`Invalid field path: ${key}`);
    if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
      for (const [op, operand] of Object.entries(value)) assertCondition(key, op, operand);
    } else if (value !== undefined && !isScalar(value)) {
      throw malformed(`Filter value for ${key} must be a string, number, boolean or null`);
    }
  }
}

function assertCondition(path: string, op: string, operand: unknown): void {
  if (!operators.has(op)) throw malformed(`Unsupported filter operator ${op} on ${path}`);
  if ((op === '$in' || op === '$nin') && !(Array.isArray(operand) && operand.every(isScalar))) throw malformed(`${op} for ${path} needs an array of strings, numbers, booleans or nulls`);
  if (op === '$contains') assertContains(path, operand);
  // An operator left undefined is no condition (both adapters skip it).
  if (operand === undefined) return;
  if ((op === '$eq' || op === '$ne') && !isScalar(operand)) throw malformed(`${op} for ${path} needs a string, number, boolean or null`);
  if (ranges.has(op) && typeof operand !== 'string' && typeof operand !== 'number') throw malformed(`${op} for ${path} needs a string or a number`);
  if (op === '$exists' && typeof operand !== 'boolean') throw malformed(`$exists for ${path} needs true or false`);
}

function assertContains(path: string, needle: unknown): void {
  if (typeof needle !== 'string') throw malformed(`$contains for ${path} needs a string`);
  if (needle === '') throw malformed(`$contains for ${path} needs at least one character`);
  if ([...needle].length > MAX_CONTAINS_LENGTH) throw malformed(`$contains for ${path} allows at most ${MAX_CONTAINS_LENGTH} characters`);
}

export function assertFindOptions(options: FindOptions | undefined): void {
  const { limit, skip = 0 } = options ?? {};
  if (limit !== undefined && (!Number.isInteger(limit) || limit < 1)) throw malformed('limit must be a positive integer');
  if (!Number.isInteger(skip) || skip < 0) throw malformed('skip must be a non-negative integer');
  for (const [path] of options?.sort ?? []) if (!isFieldPath(path)) throw malformed(`Invalid sort path: ${path}`);
  assertCountOptions(options);
}

export function assertCountOptions(options: CountOptions | undefined): void {
  const hint = options?.hint;
  if (hint !== undefined && !(typeof hint.index === 'string' && indexName.test(hint.index))) throw malformed(`Invalid index hint: ${JSON.stringify(hint)}`);
}
