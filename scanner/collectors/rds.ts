import {
  DescribeDBSubnetGroupsCommand,
  paginateDescribeDBClusters,
  paginateDescribeDBInstances,
  type DBCluster,
  type DBInstance,
  type DBSubnetGroup,
  type RDSClient,
} from '@aws-sdk/client-rds';
import { ec2Arn, rdsClusterArn } from '../aws/arn.ts';
import { recoverFrom } from '../aws/errors.ts';
import { tagMap } from '../aws/tags.ts';
import { normalise } from '../resource.ts';
import { RELATION, type NormalizedResource, type Relationship } from '../../domain/inventory/resource.ts';
import { pageSize, type CollectInput, type Collector } from './collector.ts';
import { byText, sortedUnique } from './order.ts';

/**
 * RDS DB instances and clusters, with the network they sit in. Status is left out of config on
 * purpose: RDS passes through backing-up, modifying and maintenance states routinely, and every one
 * would read as a change of the database.
 */
export const rdsCollector: Collector = {
  name: 'rds',
  scope: 'regional',
  types: ['rds:db-instance', 'rds:db-cluster'],
  async *collect(input) {
    const rds = input.aws.rds(input.credentials, input.region);
    const size = pageSize(input, { min: 20, max: 100 });
    // Clusters name their subnet group only; the few groups of a region are looked up once each.
    const subnetGroups = new Map<string, Promise<DBSubnetGroup | undefined>>();
    const subnetGroup = (name: string) => {
      if (!subnetGroups.has(name)) subnetGroups.set(name, describeSubnetGroup(rds, name));
      return subnetGroups.get(name) as Promise<DBSubnetGroup | undefined>;
    };
    try {
      for await (const page of paginateDescribeDBInstances({ client: rds, pageSize: size, stopOnSameToken: true }, {})) {
        for (const db of page.DBInstances ?? []) if (db.DBInstanceArn) yield describeDbInstance(input, db);
      }
      for await (const page of paginateDescribeDBClusters({ client: rds, pageSize: size, stopOnSameToken: true }, {})) {
        for (const cluster of page.DBClusters ?? []) {
          if (cluster.DBClusterArn) yield describeDbCluster(input, cluster, cluster.DBSubnetGroup ? await subnetGroup(cluster.DBSubnetGroup) : undefined);
        }
      }
    } finally {
      rds.destroy();
    }
  },
};

async function describeSubnetGroup(rds: RDSClient, name: string): Promise<DBSubnetGroup | undefined> {
  const answer = await recoverFrom(rds.send(new DescribeDBSubnetGroupsCommand({ DBSubnetGroupName: name })), ['DBSubnetGroupNotFoundFault'], undefined);
  return answer?.DBSubnetGroups?.[0];
}

/** in-vpc, in-subnet and uses-security-group edges for a database placed in a subnet group. */
function placement(input: CollectInput, group: DBSubnetGroup | undefined, securityGroupIds: string[]): Relationship[] {
  const arn = (kind: 'vpc' | 'subnet' | 'security-group', id: string) => ec2Arn(input.region, input.accountId, kind, id);
  return [
    ...(group?.VpcId ? [{ kind: RELATION.inVpc, target: arn('vpc', group.VpcId) }] : []),
    ...sortedUnique((group?.Subnets ?? []).map((s) => s.SubnetIdentifier)).map((id) => ({ kind: RELATION.inSubnet, target: arn('subnet', id) })),
    ...securityGroupIds.map((id) => ({ kind: RELATION.usesSecurityGroup, target: arn('security-group', id) })),
  ];
}

function describeDbInstance(input: CollectInput, db: DBInstance): NormalizedResource {
  const id = db.DBInstanceIdentifier ?? (db.DBInstanceArn as string);
  const securityGroupIds = sortedUnique((db.VpcSecurityGroups ?? []).map((g) => g.VpcSecurityGroupId));
  return normalise({
    arn: db.DBInstanceArn as string,
    type: 'rds:db-instance',
    accountId: input.accountId,
    region: input.region,
    name: id,
    tags: tagMap(db.TagList),
    // No LatestRestorableTime, InstanceCreateTime or pending modifications: they move on their own.
    config: {
      engine: db.Engine,
      engineVersion: db.EngineVersion,
      instanceClass: db.DBInstanceClass,
      storageType: db.StorageType,
      allocatedStorage: db.AllocatedStorage,
      storageEncrypted: db.StorageEncrypted ?? false,
      kmsKeyId: db.KmsKeyId,
      publiclyAccessible: db.PubliclyAccessible,
      multiAz: db.MultiAZ ?? false,
      availabilityZone: db.AvailabilityZone,
      endpoint: db.Endpoint && { address: db.Endpoint.Address, port: db.Endpoint.Port },
      dbSubnetGroup: db.DBSubnetGroup?.DBSubnetGroupName,
      vpcSecurityGroupIds: securityGroupIds,
      clusterId: db.DBClusterIdentifier,
      iamDatabaseAuthenticationEnabled: db.IAMDatabaseAuthenticationEnabled,
      deletionProtection: db.DeletionProtection ?? false,
      backupRetentionPeriod: db.BackupRetentionPeriod,
      autoMinorVersionUpgrade: db.AutoMinorVersionUpgrade,
    },
    relationships: [
      ...placement(input, db.DBSubnetGroup, securityGroupIds),
      ...(db.DBClusterIdentifier ? [{ kind: RELATION.memberOfCluster, target: rdsClusterArn(input.region, input.accountId, db.DBClusterIdentifier) }] : []),
    ],
  });
}

function describeDbCluster(input: CollectInput, cluster: DBCluster, subnetGroup: DBSubnetGroup | undefined): NormalizedResource {
  const id = cluster.DBClusterIdentifier ?? (cluster.DBClusterArn as string);
  const securityGroupIds = sortedUnique((cluster.VpcSecurityGroups ?? []).map((g) => g.VpcSecurityGroupId));
  return normalise({
    arn: cluster.DBClusterArn as string,
    type: 'rds:db-cluster',
    accountId: input.accountId,
    region: input.region,
    name: id,
    tags: tagMap(cluster.TagList),
    config: {
      engine: cluster.Engine,
      engineVersion: cluster.EngineVersion,
      engineMode: cluster.EngineMode,
      storageEncrypted: cluster.StorageEncrypted ?? false,
      kmsKeyId: cluster.KmsKeyId,
      publiclyAccessible: cluster.PubliclyAccessible,
      multiAz: cluster.MultiAZ ?? false,
      endpoint: cluster.Endpoint,
      readerEndpoint: cluster.ReaderEndpoint,
      port: cluster.Port,
      dbSubnetGroup: cluster.DBSubnetGroup,
      vpcSecurityGroupIds: securityGroupIds,
      members: (cluster.DBClusterMembers ?? [])
        .map((m) => ({ instanceId: m.DBInstanceIdentifier, isWriter: m.IsClusterWriter ?? false }))
        .sort(byText((m) => m.instanceId)),
      iamDatabaseAuthenticationEnabled: cluster.IAMDatabaseAuthenticationEnabled,
      deletionProtection: cluster.DeletionProtection ?? false,
      backupRetentionPeriod: cluster.BackupRetentionPeriod,
    },
    relationships: placement(input, subnetGroup, securityGroupIds),
  });
}
