import { seg, type Answer } from '$lib/api';
import { enums } from '$lib/contract';

/** The inventory API's answers, named from the contract: the estate as of an instant, its changes and its graph. */

const listQuery = enums['/api/orgs/{orgId}/inventory'].get.query;

/** Every resource type the inventory holds, in the order the API lists them. */
export const RESOURCE_TYPES = listQuery.type;
export type ResourceType = (typeof RESOURCE_TYPES)[number];

/** The columns the inventory sorts by (`-name` sorts by name, descending). */
export type SortKey = Exclude<(typeof listQuery.sort)[number], `-${string}`>;
export const SORT_KEYS: readonly SortKey[] = listQuery.sort.filter((token): token is SortKey => !token.startsWith('-'));

export type InventoryPage = Answer<'/api/orgs/{orgId}/inventory', 'get'>;
/** `key` is the base64url of the ARN, which names the resource in URLs; `validFrom`, when the version shown was first observed. */
export type ResourceSummary = InventoryPage['resources'][number];
/** `unknown`: scopes never listed completely at or before `asOf`; `stale`: last listed completely more than 24 h before it. */
export type InventoryFreshness = InventoryPage['freshness'];
export type FreshnessScope = InventoryFreshness['scopes'][number];
export type ScopeStatus = FreshnessScope['status'];

export type InventorySummary = Answer<'/api/orgs/{orgId}/inventory/summary', 'get'>;

export type InventoryComparison = Answer<'/api/orgs/{orgId}/inventory/compare', 'get'>;
export type ChangedResource = InventoryComparison['changed'][number];

export type ResourceAnswer = Answer<'/api/orgs/{orgId}/resources/{key}', 'get'>;
/** `validTo` is null while the version is current. */
export type ResourceDetail = ResourceAnswer['resource'];
/** `targetKey` is null for the internet, or for something outside the inventory. */
export type Relationship = ResourceDetail['relationships'][number];

export type ResourceHistory = Answer<'/api/orgs/{orgId}/resources/{key}/history', 'get'>;
/** `changes`: the diff from the version before it in time (empty for a discovery or a deletion). */
export type ResourceVersion = ResourceHistory['versions'][number];
/** `before` is absent when the path appeared, `after` when it disappeared. */
export type PathChange = ResourceVersion['changes'][number];

export type Topology = Answer<'/api/orgs/{orgId}/topology', 'get'>;
/** `id`: the ARN, `internet`, or the target of a relationship to something outside the inventory; `parent`: the box it is drawn in. */
export type TopologyNode = Topology['nodes'][number];
export type TopologyEdge = Topology['edges'][number];

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
