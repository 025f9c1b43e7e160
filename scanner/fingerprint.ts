import { createHash } from 'node:crypto';
import type { NormalizedResource } from '../domain/inventory/resource.ts';

export { changedPaths } from '../domain/inventory/resource-diff.ts';

/**
 * What a resource change is judged by (DESIGN §4): name, tags, config and relationships. Identity
 * (arn, type, account, region) is left out: it names the resource rather than describing it.
 * sha256 (hex) of their JSON. The resource must come out of normalise() (every collector's does, and
 * collectors.int.test.ts checks it), so equal states give equal text; canonicalising again here cost
 * a quarter of a 100,000-resource rescan (scan-diff bench).
 */
export function fingerprint(resource: NormalizedResource): string {
  return fingerprinted(resource).fingerprint;
}

/** The fingerprint, and the size of the text it was taken of (about the resource's size as JSON). */
export function fingerprinted(resource: NormalizedResource): { fingerprint: string; size: number } {
  const { name, tags, config, relationships } = resource;
  const text = JSON.stringify({ name, tags, config, relationships });
  return { fingerprint: createHash('sha256').update(text).digest('hex'), size: text.length };
}
