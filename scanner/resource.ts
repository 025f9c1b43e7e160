/**
 * The scanner's one shape for a resource, whatever service it came from. Everything downstream
 * (fingerprints, change events, the timeline's diff) relies on a resource normalising to the same
 * JSON when nothing about it changed, so key order, tag order and relationship order are fixed here.
 */

/** Every resource type Cloudventory inventories; inventory partitions are per type. */
export const RESOURCE_TYPES = [
  'ec2:instance',
  'ec2:volume',
  'ec2:vpc',
  'ec2:subnet',
  'ec2:security-group',
  's3:bucket',
  'rds:db-instance',
  'rds:db-cluster',
  'lambda:function',
  'iam:user',
  'iam:role',
  'iam:policy',
  'iam:account',
] as const;

export type ResourceType = (typeof RESOURCE_TYPES)[number];

/** IAM is not regional: its resources live in this pseudo-region. */
export const GLOBAL_REGION = 'global';

/** Target of an ingress rule open to the whole internet (0.0.0.0/0 or ::/0). */
export const INTERNET = 'internet';

/** Relationship kinds the collectors emit; targets are ARNs (or INTERNET). */
export const RELATION = {
  inVpc: 'in-vpc',
  inSubnet: 'in-subnet',
  usesSecurityGroup: 'uses-security-group',
  attachedVolume: 'attached-volume',
  attachedTo: 'attached-to',
  usesInstanceProfile: 'uses-instance-profile',
  usesRole: 'uses-role',
  allowsIngressFrom: 'allows-ingress-from',
  allowsEgressTo: 'allows-egress-to',
  hasPolicy: 'has-policy',
  memberOfCluster: 'member-of-cluster',
} as const;

export interface Relationship {
  kind: string;
  target: string;
}

export interface NormalizedResource {
  arn: string;
  type: ResourceType;
  accountId: string;
  /** The resource's own region; GLOBAL_REGION for IAM. */
  region: string;
  name: string;
  tags: Record<string, string>;
  /** Only what changes when the resource changes: no scan times, no last-used dates, no counters. */
  config: Record<string, unknown>;
  relationships: Relationship[];
}

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
