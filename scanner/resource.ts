import type { NormalizedResource } from '../domain/inventory/resource.ts';

/**
 * How the scanner puts a resource into its one shape (domain/inventory/resource.ts). Everything
 * downstream (fingerprints, change events, the timeline's diff) relies on a resource normalising to
 * the same JSON when nothing about it changed, so key order, tag order and relationship order are
 * fixed here.
 */

/**
 * The resource with a stable shape: object keys sorted at every depth (undefined dropped, dates as
 * ISO strings), tags sorted by key, relationships sorted by kind then target and deduplicated.
 * Array order inside config is kept: collectors sort arrays whose order carries no meaning.
 */
export function normalise(resource: NormalizedResource): NormalizedResource {
  const tags = Object.fromEntries(Object.entries(resource.tags).sort(([a], [b]) => compare(a, b)));
  const unique = new Map(resource.relationships.map((r) => [`${r.kind}\u0000${r.target}`, { kind: r.kind, target: r.target }]));
  const relationships = [...unique.values()].sort((a, b) => compare(a.kind, b.kind) || compare(a.target, b.target));
  return {
    arn: resource.arn,
    type: resource.type,
    accountId: resource.accountId,
    region: resource.region,
    name: resource.name,
    tags,
    config: sortKeysDeep(resource.config) as Record<string, unknown>,
    relationships,
  };
}

function sortKeysDeep(value: unknown): unknown {
  if (value === null || typeof value !== 'object') return value;
  if (value instanceof Date) return value.toISOString();
  if (Array.isArray(value)) return value.map((item) => (item === undefined ? null : sortKeysDeep(item)));
  // A loop rather than entries/sort/fromEntries: every resource of every scan passes through here.
  const record = value as Record<string, unknown>;
  const sorted: Record<string, unknown> = {};
  for (const key of Object.keys(record).sort()) if (record[key] !== undefined) sorted[key] = sortKeysDeep(record[key]);
  return sorted;
}

/** Code-unit order, not locale order: the same on every machine. */
function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
