import type { Collector } from './collector.ts';
import { ebsVolumeCollector } from './ebs-volumes.ts';
import { ec2InstanceCollector } from './ec2-instances.ts';
import { iamCollector } from './iam.ts';
import { lambdaFunctionCollector } from './lambda-functions.ts';
import { rdsCollector } from './rds.ts';
import { s3BucketCollector } from './s3-buckets.ts';
import { securityGroupCollector } from './security-groups.ts';
import { vpcCollector } from './vpcs.ts';

export type { CollectInput, Collector } from './collector.ts';

/** Every collector a scan runs: regional ones per enabled region, global ones once per account. */
export const collectors: readonly Collector[] = [
  ec2InstanceCollector,
  ebsVolumeCollector,
  vpcCollector,
  securityGroupCollector,
  s3BucketCollector,
  rdsCollector,
  lambdaFunctionCollector,
  iamCollector,
];
