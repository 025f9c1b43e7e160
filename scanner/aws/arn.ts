/**
 * ARNs for resources whose list APIs answer with ids only. Partition is `aws`: Cloudventory scans
 * the commercial partition.
 */
export function ec2Arn(region: string, accountId: string, kind: 'instance' | 'volume' | 'vpc' | 'subnet' | 'security-group', id: string): string {
  return `arn:aws:ec2:${region}:${accountId}:${kind}/${id}`;
}

export function s3BucketArn(bucket: string): string {
  return `arn:aws:s3:::${bucket}`;
}

export function rdsClusterArn(region: string, accountId: string, clusterId: string): string {
  return `arn:aws:rds:${region}:${accountId}:cluster:${clusterId}`;
}

/** The account itself, as IAM names its root principal. */
export function accountArn(accountId: string): string {
  return `arn:aws:iam::${accountId}:root`;
}
