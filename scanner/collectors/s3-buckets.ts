import {
  GetBucketEncryptionCommand,
  GetBucketLocationCommand,
  GetBucketPolicyStatusCommand,
  GetBucketTaggingCommand,
  GetBucketVersioningCommand,
  GetPublicAccessBlockCommand,
  paginateListBuckets,
  type Bucket,
  type S3Client,
} from '@aws-sdk/client-s3';
import { s3BucketArn } from '../aws/arn.ts';
import { awsErrorCode, recoverFrom } from '../aws/errors.ts';
import { tagMap } from '../aws/tags.ts';
import { normalise } from '../resource.ts';
import { type NormalizedResource } from '../../domain/inventory/resource.ts';
import { pageSize, type CollectInput, type Collector } from './collector.ts';
import { byText } from './order.ts';

/**
 * S3 buckets. The bucket list is account-wide, so this runs once per account; each bucket is then
 * read in its own region (a bucket's settings are only served by its region's endpoint).
 */
export const s3BucketCollector: Collector = {
  name: 's3-buckets',
  scope: 'global',
  types: ['s3:bucket'],
  async *collect(input) {
    const clients = new Map<string, S3Client>();
    const s3In = (region: string) => {
      if (!clients.has(region)) clients.set(region, input.aws.s3(input.credentials, region));
      return clients.get(region) as S3Client;
    };
    try {
      // Paged ListBuckets (MaxBuckets) is what AWS asks for; moto truncates to MaxBuckets and sends no token.
      const pages = paginateListBuckets({ client: s3In(input.region), pageSize: pageSize(input, { min: 1, max: 10_000 }), stopOnSameToken: true }, {});
      for await (const page of pages) {
        for (const bucket of page.Buckets ?? []) {
          if (!bucket.Name) continue;
          const resource = await describeBucket(input, bucket, s3In);
          if (resource) yield resource;
        }
      }
    } finally {
      for (const client of clients.values()) client.destroy();
    }
  },
};

/** The bucket, or undefined when it was deleted between the listing and now. */
async function describeBucket(input: CollectInput, bucket: Bucket, s3In: (region: string) => S3Client): Promise<NormalizedResource | undefined> {
  const name = bucket.Name as string;
  try {
    const region = bucket.BucketRegion ?? (await bucketRegion(s3In(input.region), name));
    const s3 = s3In(region);
    const [tagging, encryption, publicAccessBlock, versioning, policyStatus] = await Promise.all([
      recoverFrom(s3.send(new GetBucketTaggingCommand({ Bucket: name })), ['NoSuchTagSet'], undefined),
      recoverFrom(s3.send(new GetBucketEncryptionCommand({ Bucket: name })), ['ServerSideEncryptionConfigurationNotFoundError'], undefined),
      recoverFrom(s3.send(new GetPublicAccessBlockCommand({ Bucket: name })), ['NoSuchPublicAccessBlockConfiguration'], undefined),
      s3.send(new GetBucketVersioningCommand({ Bucket: name })),
      bucketPolicyStatus(s3, name),
    ]);
    const block = publicAccessBlock?.PublicAccessBlockConfiguration;
    return normalise({
      arn: s3BucketArn(name),
      type: 's3:bucket',
      accountId: input.accountId,
      region,
      name,
      tags: tagMap(tagging?.TagSet),
      // CreationDate is left out: AWS documents that it can move when the bucket's policy is edited.
      config: {
        versioning: versioning.Status ?? 'Disabled',
        mfaDelete: versioning.MFADelete,
        encryption: (encryption?.ServerSideEncryptionConfiguration?.Rules ?? [])
          .map((rule) => ({
            algorithm: rule.ApplyServerSideEncryptionByDefault?.SSEAlgorithm,
            kmsKeyId: rule.ApplyServerSideEncryptionByDefault?.KMSMasterKeyID,
            bucketKeyEnabled: rule.BucketKeyEnabled,
          }))
          .sort(byText((rule) => rule.algorithm)),
        publicAccessBlock: block
          ? {
              blockPublicAcls: block.BlockPublicAcls ?? false,
              ignorePublicAcls: block.IgnorePublicAcls ?? false,
              blockPublicPolicy: block.BlockPublicPolicy ?? false,
              restrictPublicBuckets: block.RestrictPublicBuckets ?? false,
            }
          : 'none',
        policyStatus,
      },
      relationships: [],
    });
  } catch (error) {
    if (awsErrorCode(error) === 'NoSuchBucket') return undefined;
    throw error;
  }
}

/** GetBucketLocation answers no constraint for us-east-1 and the legacy `EU` for eu-west-1. */
async function bucketRegion(s3: S3Client, bucket: string): Promise<string> {
  const { LocationConstraint } = await s3.send(new GetBucketLocationCommand({ Bucket: bucket }));
  if (!LocationConstraint) return 'us-east-1';
  return LocationConstraint === 'EU' ? 'eu-west-1' : LocationConstraint;
}

/**
 * Whether the bucket policy makes the bucket public. No policy cannot make it public. An answer
 * without IsPublic is not an answer (moto serves this API as a ListObjects): record 'unknown'
 * rather than guess, so nothing downstream reports a bucket as private on no evidence.
 */
async function bucketPolicyStatus(s3: S3Client, bucket: string): Promise<'public' | 'not-public' | 'unknown'> {
  const answer = await recoverFrom(s3.send(new GetBucketPolicyStatusCommand({ Bucket: bucket })), ['NoSuchBucketPolicy'], 'no-policy' as const);
  if (answer === 'no-policy') return 'not-public';
  const isPublic = answer.PolicyStatus?.IsPublic;
  if (isPublic === undefined) return 'unknown';
  return isPublic ? 'public' : 'not-public';
}
