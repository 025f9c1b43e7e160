import { paginateDescribeSecurityGroups, type IpPermission, type SecurityGroup } from '@aws-sdk/client-ec2';
import { ec2Arn } from '../aws/arn.ts';
import { tagMap } from '../aws/tags.ts';
import { normalise } from '../resource.ts';
import { INTERNET, RELATION, type NormalizedResource, type Relationship } from '../../domain/inventory/resource.ts';
import { pageSize, type CollectInput, type Collector } from './collector.ts';

/** Security groups with their rules flattened and sorted, so a rule added or removed is one clear diff. */
export const securityGroupCollector: Collector = {
  name: 'security-groups',
  scope: 'regional',
  types: ['ec2:security-group'],
  async *collect(input) {
    const ec2 = input.aws.ec2(input.credentials, input.region);
    try {
      const pages = paginateDescribeSecurityGroups({ client: ec2, pageSize: pageSize(input, { min: 5, max: 1000 }), stopOnSameToken: true }, {});
      for await (const page of pages) {
        for (const group of page.SecurityGroups ?? []) if (group.GroupId) yield describeSecurityGroup(input, group);
      }
    } finally {
      ec2.destroy();
    }
  },
};

/**
 * One rule per peer: AWS groups several peers under one protocol/port range, which would make
 * adding a peer look like a change to an unrelated rule. `peer` reads `cidr:10.0.0.0/8`,
 * `cidr:::/0`, `group:123456789012/sg-1`, `prefix-list:pl-1`.
 */
interface FlatRule {
  protocol: string;
  fromPort?: number | undefined;
  toPort?: number | undefined;
  peer: string;
  description?: string | undefined;
}

const OPEN_TO_INTERNET = new Set(['cidr:0.0.0.0/0', 'cidr:::/0']);

function flatten(permissions: IpPermission[] | undefined, owner: string): FlatRule[] {
  const rules: FlatRule[] = [];
  for (const p of permissions ?? []) {
    // "-1" is AWS's "all protocols"; ports are meaningless then (AWS reports -1 or nothing).
    const protocol = p.IpProtocol === '-1' ? 'all' : (p.IpProtocol ?? 'all');
    const ports = protocol === 'all' ? {} : { fromPort: p.FromPort, toPort: p.ToPort };
    const rule = (peer: string, description: string | undefined) => rules.push({ protocol, ...ports, peer, description: description || undefined });
    for (const r of p.IpRanges ?? []) if (r.CidrIp) rule(`cidr:${r.CidrIp}`, r.Description);
    for (const r of p.Ipv6Ranges ?? []) if (r.CidrIpv6) rule(`cidr:${r.CidrIpv6}`, r.Description);
    for (const r of p.PrefixListIds ?? []) if (r.PrefixListId) rule(`prefix-list:${r.PrefixListId}`, r.Description);
    for (const r of p.UserIdGroupPairs ?? []) if (r.GroupId) rule(`group:${r.UserId ?? owner}/${r.GroupId}`, r.Description);
  }
  const key = (r: FlatRule) => JSON.stringify([r.protocol, r.fromPort ?? null, r.toPort ?? null, r.peer, r.description ?? '']);
  return rules.sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
}

function describeSecurityGroup(input: CollectInput, group: SecurityGroup): NormalizedResource {
  const id = group.GroupId as string;
  const owner = group.OwnerId ?? input.accountId;
  const ingress = flatten(group.IpPermissions, owner);
  const egress = flatten(group.IpPermissionsEgress, owner);
  const groupArn = (peer: string) => {
    const [account, groupId] = peer.slice('group:'.length).split('/');
    return ec2Arn(input.region, account ?? owner, 'security-group', groupId ?? '');
  };
  const relationships: Relationship[] = [
    ...(group.VpcId ? [{ kind: RELATION.inVpc, target: ec2Arn(input.region, owner, 'vpc', group.VpcId) }] : []),
    ...ingress.flatMap((r): Relationship[] => {
      if (r.peer.startsWith('group:')) return [{ kind: RELATION.allowsIngressFrom, target: groupArn(r.peer) }];
      return OPEN_TO_INTERNET.has(r.peer) ? [{ kind: RELATION.allowsIngressFrom, target: INTERNET }] : [];
    }),
    // Open egress is every group's default, so only group references are worth a relationship.
    ...egress.flatMap((r) => (r.peer.startsWith('group:') ? [{ kind: RELATION.allowsEgressTo, target: groupArn(r.peer) }] : [])),
  ];
  return normalise({
    arn: group.SecurityGroupArn ?? ec2Arn(input.region, owner, 'security-group', id),
    type: 'ec2:security-group',
    accountId: input.accountId,
    region: input.region,
    name: group.GroupName ?? id,
    tags: tagMap(group.Tags),
    config: { groupId: id, groupName: group.GroupName, description: group.Description, vpcId: group.VpcId, ingress, egress },
    relationships,
  });
}
