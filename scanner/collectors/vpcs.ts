import { paginateDescribeSubnets, paginateDescribeVpcs, type Subnet, type Vpc } from '@aws-sdk/client-ec2';
import { ec2Arn } from '../aws/arn.ts';
import { nameFromTags, tagMap } from '../aws/tags.ts';
import { normalise } from '../resource.ts';
import { RELATION, type NormalizedResource } from '../../domain/inventory/resource.ts';
import { pageSize, type CollectInput, type Collector } from './collector.ts';
import { sortedUnique } from './order.ts';

/** VPCs and their subnets: the network every other regional resource is placed in. */
export const vpcCollector: Collector = {
  name: 'vpcs',
  scope: 'regional',
  types: ['ec2:vpc', 'ec2:subnet'],
  async *collect(input) {
    const ec2 = input.aws.ec2(input.credentials, input.region);
    const size = pageSize(input, { min: 5, max: 1000 });
    try {
      for await (const page of paginateDescribeVpcs({ client: ec2, pageSize: size, stopOnSameToken: true }, {})) {
        for (const vpc of page.Vpcs ?? []) if (vpc.VpcId) yield describeVpc(input, vpc);
      }
      for await (const page of paginateDescribeSubnets({ client: ec2, pageSize: size, stopOnSameToken: true }, {})) {
        for (const subnet of page.Subnets ?? []) if (subnet.SubnetId) yield describeSubnet(input, subnet);
      }
    } finally {
      ec2.destroy();
    }
  },
};

function describeVpc(input: CollectInput, vpc: Vpc): NormalizedResource {
  const id = vpc.VpcId as string;
  const tags = tagMap(vpc.Tags);
  return normalise({
    arn: ec2Arn(input.region, vpc.OwnerId ?? input.accountId, 'vpc', id),
    type: 'ec2:vpc',
    accountId: input.accountId,
    region: input.region,
    name: nameFromTags(tags, id),
    tags,
    config: {
      vpcId: id,
      state: vpc.State,
      cidrBlock: vpc.CidrBlock,
      // Secondary CIDRs included; only associated ones (a disassociated block lingers in the set for a while).
      cidrBlocks: sortedUnique((vpc.CidrBlockAssociationSet ?? []).filter((a) => a.CidrBlockState?.State === 'associated').map((a) => a.CidrBlock)),
      ipv6CidrBlocks: sortedUnique(
        (vpc.Ipv6CidrBlockAssociationSet ?? []).filter((a) => a.Ipv6CidrBlockState?.State === 'associated').map((a) => a.Ipv6CidrBlock),
      ),
      isDefault: vpc.IsDefault ?? false,
      instanceTenancy: vpc.InstanceTenancy,
      dhcpOptionsId: vpc.DhcpOptionsId,
    },
    relationships: [],
  });
}

function describeSubnet(input: CollectInput, subnet: Subnet): NormalizedResource {
  const id = subnet.SubnetId as string;
  const tags = tagMap(subnet.Tags);
  const owner = subnet.OwnerId ?? input.accountId;
  return normalise({
    arn: subnet.SubnetArn ?? ec2Arn(input.region, owner, 'subnet', id),
    type: 'ec2:subnet',
    accountId: input.accountId,
    region: input.region,
    name: nameFromTags(tags, id),
    tags,
    // AvailableIpAddressCount is left out: it moves whenever any interface in the subnet comes or goes.
    config: {
      subnetId: id,
      vpcId: subnet.VpcId,
      state: subnet.State,
      cidrBlock: subnet.CidrBlock,
      ipv6CidrBlocks: sortedUnique(
        (subnet.Ipv6CidrBlockAssociationSet ?? []).filter((a) => a.Ipv6CidrBlockState?.State === 'associated').map((a) => a.Ipv6CidrBlock),
      ),
      availabilityZone: subnet.AvailabilityZone,
      defaultForAz: subnet.DefaultForAz ?? false,
      mapPublicIpOnLaunch: subnet.MapPublicIpOnLaunch ?? false,
    },
    relationships: subnet.VpcId ? [{ kind: RELATION.inVpc, target: ec2Arn(input.region, owner, 'vpc', subnet.VpcId) }] : [],
  });
}
