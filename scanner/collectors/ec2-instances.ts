import { paginateDescribeInstances, type Instance } from '@aws-sdk/client-ec2';
import { GetInstanceProfileCommand, type IAMClient } from '@aws-sdk/client-iam';
import { ec2Arn } from '../aws/arn.ts';
import { recoverFrom } from '../aws/errors.ts';
import { nameFromTags, tagMap } from '../aws/tags.ts';
import { normalise } from '../resource.ts';
import { RELATION, type NormalizedResource, type Relationship } from '../../domain/inventory/resource.ts';
import { pageSize, type CollectInput, type Collector } from './collector.ts';
import { byText, sortedUnique } from './order.ts';

/** EC2 instances with their network placement, volumes and instance-profile role. */
export const ec2InstanceCollector: Collector = {
  name: 'ec2-instances',
  scope: 'regional',
  types: ['ec2:instance'],
  async *collect(input) {
    const ec2 = input.aws.ec2(input.credentials, input.region);
    const iam = input.aws.iam(input.credentials);
    const rolesOfProfile = new Map<string, Promise<string[]>>();
    const roleArnsOf = (profileArn: string) => {
      if (!rolesOfProfile.has(profileArn)) rolesOfProfile.set(profileArn, instanceProfileRoles(iam, profileArn));
      return rolesOfProfile.get(profileArn) as Promise<string[]>;
    };
    try {
      // DescribeInstances pages by reservation: a page holds up to MaxResults reservations.
      const pages = paginateDescribeInstances({ client: ec2, pageSize: pageSize(input, { min: 5, max: 1000 }), stopOnSameToken: true }, {});
      for await (const page of pages) {
        for (const reservation of page.Reservations ?? []) {
          for (const instance of reservation.Instances ?? []) {
            // Terminated instances linger in the listing for about an hour; for the inventory they are gone.
            if (!instance.InstanceId || instance.State?.Name === 'terminated') continue;
            const owner = reservation.OwnerId ?? input.accountId;
            const profileArn = instance.IamInstanceProfile?.Arn;
            yield describeInstance(input, owner, instance, profileArn ? await roleArnsOf(profileArn) : []);
          }
        }
      }
    } finally {
      ec2.destroy();
      iam.destroy();
    }
  },
};

/** The roles in an instance profile (IAM is global, the profile ARN's last segment is its name). */
async function instanceProfileRoles(iam: IAMClient, profileArn: string): Promise<string[]> {
  const name = profileArn.slice(profileArn.lastIndexOf('/') + 1);
  // A profile deleted while still attached leaves the instance with no role.
  const answer = await recoverFrom(iam.send(new GetInstanceProfileCommand({ InstanceProfileName: name })), ['NoSuchEntity', 'NoSuchEntityException'], undefined);
  return (answer?.InstanceProfile?.Roles ?? []).flatMap((role) => (role.Arn ? [role.Arn] : []));
}

function describeInstance(input: CollectInput, owner: string, instance: Instance, roleArns: string[]): NormalizedResource {
  const id = instance.InstanceId as string;
  const tags = tagMap(instance.Tags);
  const arn = (kind: 'vpc' | 'subnet' | 'security-group' | 'volume', resourceId: string) => ec2Arn(input.region, owner, kind, resourceId);
  const networkInterfaces = (instance.NetworkInterfaces ?? [])
    .map((eni) => ({
      id: eni.NetworkInterfaceId,
      deviceIndex: eni.Attachment?.DeviceIndex,
      subnetId: eni.SubnetId,
      privateIpAddress: eni.PrivateIpAddress,
      publicIpAddress: eni.Association?.PublicIp,
      securityGroupIds: sortedUnique((eni.Groups ?? []).map((g) => g.GroupId)),
    }))
    .sort((a, b) => (a.deviceIndex ?? 0) - (b.deviceIndex ?? 0) || byText<{ id?: string | undefined }>((eni) => eni.id)(a, b));
  // Groups are listed on the instance and on each interface; the instance is in all of them.
  const securityGroupIds = sortedUnique([...(instance.SecurityGroups ?? []).map((g) => g.GroupId), ...networkInterfaces.flatMap((eni) => eni.securityGroupIds)]);
  const blockDevices = (instance.BlockDeviceMappings ?? [])
    .map((mapping) => ({ device: mapping.DeviceName, volumeId: mapping.Ebs?.VolumeId, deleteOnTermination: mapping.Ebs?.DeleteOnTermination }))
    .sort(byText((d) => d.device));
  const profileArn = instance.IamInstanceProfile?.Arn;

  const relationships: Relationship[] = [
    ...(instance.VpcId ? [{ kind: RELATION.inVpc, target: arn('vpc', instance.VpcId) }] : []),
    ...(instance.SubnetId ? [{ kind: RELATION.inSubnet, target: arn('subnet', instance.SubnetId) }] : []),
    ...securityGroupIds.map((groupId) => ({ kind: RELATION.usesSecurityGroup, target: arn('security-group', groupId) })),
    ...blockDevices.flatMap((d) => (d.volumeId ? [{ kind: RELATION.attachedVolume, target: arn('volume', d.volumeId) }] : [])),
    ...(profileArn ? [{ kind: RELATION.usesInstanceProfile, target: profileArn }] : []),
    ...roleArns.map((roleArn) => ({ kind: RELATION.usesRole, target: roleArn })),
  ];

  return normalise({
    arn: ec2Arn(input.region, owner, 'instance', id),
    type: 'ec2:instance',
    accountId: input.accountId,
    region: input.region,
    name: nameFromTags(tags, id),
    tags,
    // LaunchTime is left out: it resets on every stop/start, which the state already records.
    config: {
      instanceId: id,
      state: instance.State?.Name,
      instanceType: instance.InstanceType,
      imageId: instance.ImageId,
      availabilityZone: instance.Placement?.AvailabilityZone,
      vpcId: instance.VpcId,
      subnetId: instance.SubnetId,
      privateIpAddress: instance.PrivateIpAddress,
      publicIpAddress: instance.PublicIpAddress,
      keyName: instance.KeyName,
      architecture: instance.Architecture,
      platform: instance.PlatformDetails ?? instance.Platform,
      monitoring: instance.Monitoring?.State,
      securityGroupIds,
      networkInterfaces,
      rootDeviceName: instance.RootDeviceName,
      blockDevices,
      instanceProfileArn: profileArn,
      metadataOptions: instance.MetadataOptions && { httpTokens: instance.MetadataOptions.HttpTokens, httpEndpoint: instance.MetadataOptions.HttpEndpoint },
    },
    relationships,
  });
}
