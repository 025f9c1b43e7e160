import { ValidationError } from '../../../domain/errors.ts';
import type { Document } from '../../../domain/read-models/document-store.ts';

/**
 * Keyset cursors: an opaque token naming the order it belongs to (a sort, or `history`) and the
 * walk-order values of the last row of the previous page, where the next page resumes.
 */
export function encodeCursor(kind: string, values: readonly string[]): string {
  return Buffer.from(JSON.stringify([kind, ...values]), 'utf8').toString('base64url');
}

/** The values a cursor of `kind` carries (`length` of them); a cursor of one of `otherKinds` is refused by name. */
export function decodeCursor(cursor: string, kind: string, length: number, otherKinds: readonly string[] = []): string[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    parsed = undefined;
  }
  const valid = (p: unknown): p is string[] => Array.isArray(p) && p.every((v) => typeof v === 'string' && v.length <= 2048);
  if (valid(parsed) && parsed[0] !== kind && otherKinds.includes(parsed[0]!)) {
    throw new ValidationError(`This cursor belongs to another sort order (${parsed[0]}); start again without it`);
  }
  if (!valid(parsed) || parsed[0] !== kind || parsed.length !== length + 1) throw new ValidationError('The cursor is not one this API gave out');
  return parsed.slice(1);
}

/** A row's values in walk order: what a cursor after it carries. */
export const valuesOf = (document: Document, fields: readonly string[]) => fields.map((field) => String(document[field]));
