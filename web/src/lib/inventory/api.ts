import { seg } from '$lib/api';

/** The inventory API's answers (see the inventory contract): the estate as of an instant, its changes and its graph. */

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

export type SortKey = 'name' | 'type' | 'region' | 'account' | 'changed';
export const SORT_KEYS: readonly SortKey[] = ['name', 'type', 'region', 'account', 'changed'];

export interface ResourceSummary {
  /** base64url(ARN): names the resource in URLs. */
  key: string;
  arn: string;
  type: string;
  name: string;
  accountId: string;
  region: string;
  connectionId: string;
  tags: Record<string, string>;
  /** When the version shown was first observed. */
  validFrom: string;
}

export type ScopeStatus = 'fresh' | 'stale' | 'unknown';

export interface FreshnessScope {
  accountId: string;
  region: string;
  type: string;
  lastCompleteAt: string | null;
  status: ScopeStatus;
}

export interface InventoryFreshness {
  asOf: string;
  scopes: FreshnessScope[];
  /** Scopes never listed completely at or before asOf. */
  unknown: number;
  /** Scopes whose last complete listing is more than 24 h before asOf. */
  stale: number;
}

export interface InventoryPage {
  asOf: string;
  total: number;
  resources: ResourceSummary[];
  nextCursor: string | null;
  freshness: InventoryFreshness;
}

export interface InventorySummary {
  asOf: string;
  total: number;
  byType: { type: string; count: number }[];
  byRegion: { region: string; count: number }[];
  byAccount: { accountId: string; count: number }[];
  freshness: InventoryFreshness;
}

export type ChangedResource = ResourceSummary & { changedPaths: string[] };

export interface InventoryComparison {
  from: string;
  to: string;
  counts: { added: number; removed: number; changed: number };
  added: ResourceSummary[];
  removed: ResourceSummary[];
  changed: ChangedResource[];
  truncated: boolean;
  freshness: { from: InventoryFreshness; to: InventoryFreshness };
}

export interface Relationship {
  kind: string;
  target: string;
  /** Null for the internet. */
  targetKey: string | null;
}

export interface ResourceDetail {
  key: string;
  arn: string;
  type: string;
  name: string;
  accountId: string;
  region: string;
  connectionId: string;
  tags: Record<string, string>;
  config: Record<string, unknown>;
  relationships: Relationship[];
  validFrom: string;
  /** Null while the version is current. */
  validTo: string | null;
  versionId: string;
}

export interface ResourceAnswer {
  asOf: string;
  resource: ResourceDetail;
  freshness: InventoryFreshness;
}

export interface PathChange {
  path: string;
  /** Absent when the path appeared. */
  before?: unknown;
  /** Absent when the path disappeared. */
  after?: unknown;
}

export interface ResourceVersion {
  versionId: string;
  kind: 'discovered' | 'changed' | 'deleted' | 'disconnected';
  validFrom: string;
  validTo: string | null;
  scanId: string;
  /** The diff from the version before it in time (empty for a discovery or a deletion). */
  changes: PathChange[];
}

export interface ResourceHistory {
  key: string;
  arn: string;
  type: string;
  name: string;
  versions: ResourceVersion[];
  nextCursor: string | null;
}

export interface TopologyNode {
  /** The ARN; `internet`; or the target of a relationship to something outside the inventory. */
  id: string;
  key: string | null;
  type: string;
  name: string;
  accountId: string | null;
  region: string | null;
  /** The box it is drawn in: a subnet's VPC, an instance's (database's, function's) subnet. */
  parent: string | null;
  /** Open to the internet, or using a group that is. */
  exposed: boolean;
}

export interface TopologyEdge {
  source: string;
  target: string;
  kind: string;
}

export interface Topology {
  asOf: string;
  nodes: TopologyNode[];
  edges: TopologyEdge[];
  truncated: boolean;
  freshness: InventoryFreshness;
}

/** The API paths of one organisation's inventory. */
export const inventoryApi = (orgId: string) => {
  const base = `/api/orgs/${seg(orgId)}`;
  return {
    list: `${base}/inventory`,
    summary: `${base}/inventory/summary`,
    compare: `${base}/inventory/compare`,
    export: `${base}/inventory/export`,
    topology: `${base}/topology`,
    resource: (key: string) => `${base}/resources/${seg(key)}`,
    history: (key: string) => `${base}/resources/${seg(key)}/history`,
    connections: `${base}/connections`,
    scans: (connectionId: string) => `${base}/connections/${seg(connectionId)}/scans`,
  };
};
