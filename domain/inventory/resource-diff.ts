import { canonicalJson } from '../canonical-json.ts';

/**
 * How two states of one resource differ: the paths a timeline shows and a compare lists. Pure, so the
 * scanner (change events) and the read models (history, compare) judge a change the same way.
 */

/** The part of a resource that describes it (its identity — ARN, type, account, region — never changes). */
export interface DescribedResource {
  name: string;
  tags: Record<string, string>;
  config: Record<string, unknown>;
  relationships: ReadonlyArray<{ kind: string; target: string }>;
}

export interface PathChange {
  path: string;
  /** Absent when the path appeared. */
  before?: unknown;
  /** Absent when the path disappeared. */
  after?: unknown;
}

/**
 * Dotted paths whose values differ, sorted: `name`, `tags.Env`, `config.state`,
 * `config.encryption.rules`, `relationships`. Arrays are compared whole (a rule list or the
 * relationship list is one path), objects are descended into. Keys are joined as they are, so a
 * tag key that itself contains a dot reads ambiguously; the path is for display, not for lookup.
 */
export function changedPaths(before: DescribedResource, after: DescribedResource): string[] {
  return changes(before, after).map((change) => change.path);
}

/** The same differences with the values on each side, for a readable diff. */
export function changes(before: DescribedResource, after: DescribedResource): PathChange[] {
  const found: PathChange[] = [];
  diff(described(before), described(after), '', found);
  return found.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

const described = ({ name, tags, config, relationships }: DescribedResource) => ({ name, tags, config, relationships });

function diff(before: unknown, after: unknown, path: string, into: PathChange[]): void {
  if (isPlainObject(before) && isPlainObject(after)) {
    for (const key of new Set([...Object.keys(before), ...Object.keys(after)])) {
      diff(before[key], after[key], path ? `${path}.${key}` : key, into);
    }
    return;
  }
  if (canonicalJson(before) === canonicalJson(after)) return;
  const change: PathChange = { path };
  if (before !== undefined) change.before = before;
  if (after !== undefined) change.after = after;
  into.push(change);
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}
