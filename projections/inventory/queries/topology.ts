import { RELATION, type ResourceType } from '../../../domain/inventory/resource.ts';
import { NotFoundError } from '../../../domain/errors.ts';
import type { ResourceVersionDocument } from '../model.ts';
import { everythingAsOf, versionAt } from './as-of.ts';
import { freshness } from './freshness.ts';
import type { InventoryReadModels } from './read-models.ts';
import { ALLOWS_INGRESS_FROM, IN_SUBNET, IN_VPC, INTERNET, USES_SECURITY_GROUP } from './relationships.ts';
import { scopesOf } from './scopes.ts';

interface TopologyNode {
  id: string;
  key: string | null;
  type: string;
  name: string;
  accountId: string | null;
  region: string | null;
  parent: string | null;
  exposed: boolean;
}

interface TopologyEdge {
  source: string;
  target: string;
  kind: string;
}

/** What the network graph draws. */
const TOPOLOGY_TYPES = ['ec2:vpc', 'ec2:subnet', 'ec2:instance', 'ec2:security-group', 'rds:db-instance', 'lambda:function', 'ec2:volume'] as const satisfies readonly ResourceType[];
/** Nodes beyond this many are left out of a graph, which then says it is truncated. */
const TOPOLOGY_NODE_CAP = 2000;
/**
 * Left out of the graph: IAM links are not network paths, and `attached-to` (volume → instance)
 * repeats `attached-volume` (instance → volume) the other way round.
 */
const NOT_DRAWN = new Set<string>([RELATION.usesRole, RELATION.usesInstanceProfile, RELATION.hasPolicy, RELATION.attachedTo]);

/**
 * The network as of `asOf`: VPCs, subnets, instances, security groups, databases, functions and
 * volumes of an account and region, or of one VPC (the VPC, everything in it, and one step of
 * what those use: their security groups, volumes, ...). Nodes are resources, `internet`, or
 * `external` for a relationship target not in the inventory then.
 */
export async function topology(
  models: InventoryReadModels,
  orgId: string,
  { asOf, account, region, vpc }: { asOf: string; account?: string | undefined; region?: string | undefined; vpc?: string | undefined },
) {
  let truncated = false;
  let inVpc: ((v: ResourceVersionDocument) => boolean) | undefined;
  let where = { account, region };
  if (vpc) {
    const found = await findVpc(vpc);
    if (!found) throw new NotFoundError(`No VPC ${vpc} as of ${asOf}`);
    inVpc = (v) => v.arn === found.arn || (v.resource?.relationships.some((r) => r.kind === IN_VPC && r.target === found.arn) ?? false);
    where = { account, region: found.region };
  }

  const nodes = new Map<string, ResourceVersionDocument | null>();
  for await (const v of everythingAsOf(models, orgId, asOf, { ...where, types: TOPOLOGY_TYPES })) {
    if (inVpc && !inVpc(v)) continue;
    if (nodes.size >= TOPOLOGY_NODE_CAP) {
      truncated = true;
      break;
    }
    nodes.set(v.arn, v);
  }
  // One step out: what the resources drawn point at, looked up as of the same instant.
  for (const v of [...nodes.values()]) {
    for (const { kind, target } of v?.resource?.relationships ?? []) {
      if (NOT_DRAWN.has(kind) || nodes.has(target)) continue;
      if (nodes.size >= TOPOLOGY_NODE_CAP) {
        truncated = true;
        break;
      }
      const version = target === INTERNET ? undefined : await versionAt(models, orgId, target, asOf);
      nodes.set(target, version?.live ? version : null);
    }
  }
  return { nodes: graphNodes(nodes), edges: graphEdges(nodes), truncated, freshness: await freshness(models, orgId, asOf, await scopesOf(models, orgId, { ...where, type: TOPOLOGY_TYPES })) };

  async function findVpc(wanted: string): Promise<ResourceVersionDocument | undefined> {
    if (wanted.startsWith('arn:')) {
      const version = await versionAt(models, orgId, wanted, asOf);
      return version?.live && version.type === 'ec2:vpc' ? version : undefined;
    }
    for await (const v of everythingAsOf(models, orgId, asOf, { type: 'ec2:vpc', account, region })) if (v.arn.endsWith(`:vpc/${wanted}`)) return v;
    return undefined;
  }
}

/** Nodes for the resources drawn (or null: not in the inventory), the internet, and whether each is exposed to it. */
function graphNodes(nodes: ReadonlyMap<string, ResourceVersionDocument | null>): TopologyNode[] {
  const exposedGroups = new Set<string>();
  for (const [id, v] of nodes) if (v?.type === 'ec2:security-group' && v.resource?.relationships.some((r) => r.kind === ALLOWS_INGRESS_FROM && r.target === INTERNET)) exposedGroups.add(id);
  const drawn = (target: string | undefined) => (target !== undefined && nodes.has(target) ? target : null);
  return [...nodes].map(([id, v]): TopologyNode => {
    if (id === INTERNET) return { id, key: null, type: 'internet', name: 'Internet', accountId: null, region: null, parent: null, exposed: false };
    if (!v?.resource) {
      const [, , , region, accountId, ...rest] = id.split(':');
      return { id, key: null, type: 'external', name: rest.join(':').split('/').at(-1) || id, accountId: accountId || null, region: region || null, parent: null, exposed: false };
    }
    const relationships = v.resource.relationships;
    const parent = v.type === 'ec2:subnet' ? relationships.find((r) => r.kind === IN_VPC)?.target : relationships.find((r) => r.kind === IN_SUBNET)?.target;
    const exposed = exposedGroups.has(id) || relationships.some((r) => r.kind === USES_SECURITY_GROUP && exposedGroups.has(r.target));
    return { id, key: v.key, type: v.type, name: v.name, accountId: v.accountId, region: v.region, parent: drawn(parent), exposed };
  });
}

function graphEdges(nodes: ReadonlyMap<string, ResourceVersionDocument | null>): TopologyEdge[] {
  const edges: TopologyEdge[] = [];
  for (const [source, v] of nodes) {
    for (const { kind, target } of v?.resource?.relationships ?? []) if (!NOT_DRAWN.has(kind) && nodes.has(target)) edges.push({ source, target, kind });
  }
  return edges;
}
