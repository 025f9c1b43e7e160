import { ValidationError } from '../../domain/errors.ts';
import type { Document, Update } from '../../domain/read-models/document-store.ts';

/** Applies `$set`, `$unset` and `$inc` to a copy of the document, as MongoDB does. */
export function applyUpdate<T extends Document>(document: T, update: Update): T {
  const result = structuredClone(document) as Record<string, unknown>;
  for (const [path, value] of Object.entries(update.$set ?? {})) setPath(result, path, structuredClone(value));
  for (const path of Object.keys(update.$unset ?? {})) unsetPath(result, path);
  for (const [path, amount] of Object.entries(update.$inc ?? {})) {
    const current = getPath(result, path);
    if (current !== undefined && typeof current !== 'number') throw new ValidationError(`Cannot $inc non-numeric field ${path}`);
    setPath(result, path, (current ?? 0) + amount);
  }
  return result as T;
}

function getPath(target: Record<string, unknown>, path: string): unknown {
  let node: unknown = target;
  for (const key of path.split('.')) {
    if (node === null || typeof node !== 'object') return undefined;
    node = (node as Record<string, unknown>)[key];
  }
  return node;
}

function setPath(target: Record<string, unknown>, path: string, value: unknown): void {
  if (path === '_id') throw new ValidationError('The _id of a document cannot be changed');
  const keys = path.split('.');
  let node = target;
  for (const key of keys.slice(0, -1)) {
    const next = node[key];
    if (next === undefined || next === null) node = node[key] = {};
    else if (typeof next === 'object' && !Array.isArray(next)) node = next as Record<string, unknown>;
    else throw new ValidationError(`Cannot set ${path}: ${key} is not an object`);
  }
  node[keys.at(-1)!] = value;
}

function unsetPath(target: Record<string, unknown>, path: string): void {
  const keys = path.split('.');
  let node: unknown = target;
  for (const key of keys.slice(0, -1)) {
    if (node === null || typeof node !== 'object') return;
    node = (node as Record<string, unknown>)[key];
  }
  if (node !== null && typeof node === 'object') delete (node as Record<string, unknown>)[keys.at(-1)!];
}
