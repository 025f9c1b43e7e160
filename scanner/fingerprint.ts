import { createHash } from 'node:crypto';
import { normalise, type NormalizedResource } from './resource.ts';

/**
 * What a resource change is judged by (DESIGN §4): name, tags, config and relationships. Identity
 * (arn, type, account, region) is left out: it names the resource rather than describing it.
 */
type Described = Pick<NormalizedResource, 'name' | 'tags' | 'config' | 'relationships'>;

/** sha256 (hex) of the normalised JSON of name, tags, config and relationships. */
export function fingerprint(resource: NormalizedResource): string {
  return createHash('sha256').update(JSON.stringify(described(resource))).digest('hex');
}

/**
 * Dotted paths whose values differ, sorted: `name`, `tags.Env`, `config.state`,
 * `config.encryption.rules`, `relationships`. Arrays are compared whole (a rule list or the
 * relationship list is one path), objects are descended into. Keys are joined as they are, so a
 * tag key that itself contains a dot reads ambiguously; the path is for display, not for lookup.
 */
export function changedPaths(before: NormalizedResource, after: NormalizedResource): string[] {
  const paths: string[] = [];
  diff(described(before), described(after), '', paths);
  return paths.sort();
}

function described(resource: NormalizedResource): Described {
  const { name, tags, config, relationships } = normalise(resource);
  return { name, tags, config, relationships };
}

function diff(before: unknown, after: unknown, path: string, into: string[]): void {
  if (isPlainObject(before) && isPlainObject(after)) {
    for (const key of new Set([...Object.keys(before), ...Object.keys(after)])) {
      diff(before[key], after[key], path ? `${path}.${key}` : key, into);
    }
    return;
  }
  if (JSON.stringify(before) !== JSON.stringify(after)) into.push(path);
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}
