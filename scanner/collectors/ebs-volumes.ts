import { paginateDescribeVolumes, type Volume } from '@aws-sdk/client-ec2';
import { ec2Arn } from '../aws/arn.ts';
import { nameFromTags, tagMap } from '../aws/tags.ts';
import { normalise } from '../resource.ts';
import { RELATION, type NormalizedResource } from '../../domain/inventory/resource.ts';
import { pageSize, type CollectInput, type Collector } from './collector.ts';
import { byText } from './order.ts';

/** EBS volumes: size, type, encryption, and the instances they are attached to. */
export const ebsVolumeCollector: Collector = {
  name: 'ebs-volumes',
  scope: 'regional',
  types: ['ec2:volume'],
  async *collect(input) {
    const ec2 = input.aws.ec2(input.credentials, input.region);
    try {
      const pages = paginateDescribeVolumes({ client: ec2, pageSize: pageSize(input, { min: 5, max: 500 }), stopOnSameToken: true }, {});
      for await (const page of pages) {
        for (const volume of page.Volumes ?? []) if (volume.VolumeId) yield describeVolume(input, volume);
      }
    } finally {
      ec2.destroy();
    }
  },
};

function describeVolume(input: CollectInput, volume: Volume): NormalizedResource {
  const id = volume.VolumeId as string;
  const tags = tagMap(volume.Tags);
  // An attachment's own state (attaching/detaching) is transient; the volume's state says in-use or not.
  const attachments = (volume.Attachments ?? [])
    .map((a) => ({ instanceId: a.InstanceId, device: a.Device, deleteOnTermination: a.DeleteOnTermination }))
    .sort(byText((a) => a.instanceId));
  return normalise({
    arn: ec2Arn(input.region, input.accountId, 'volume', id),
    type: 'ec2:volume',
    accountId: input.accountId,
    region: input.region,
    name: nameFromTags(tags, id),
    tags,
    config: {
      volumeId: id,
      state: volume.State,
      size: volume.Size,
      volumeType: volume.VolumeType,
      iops: volume.Iops,
      throughput: volume.Throughput,
      encrypted: volume.Encrypted ?? false,
      kmsKeyId: volume.KmsKeyId,
      availabilityZone: volume.AvailabilityZone,
      snapshotId: volume.SnapshotId || undefined,
      multiAttachEnabled: volume.MultiAttachEnabled,
      attachments,
    },
    relationships: attachments.flatMap((a) =>
      a.instanceId ? [{ kind: RELATION.attachedTo, target: ec2Arn(input.region, input.accountId, 'instance', a.instanceId) }] : [],
    ),
  });
}
