/**
 * The inventory's vocabulary, shared by the scanner that observes resources, the projections that
 * keep their history and the API that answers about them: the resource types, the relationship
 * kinds, and the one shape a resource has whatever service it came from.
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
