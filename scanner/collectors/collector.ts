import type { AwsClients, AwsCredentialIdentity } from '../aws/clients.ts';
import type { NormalizedResource, ResourceType } from '../../domain/inventory/resource.ts';

export interface CollectInput {
  aws: AwsClients;
  credentials: AwsCredentialIdentity;
  /** The account being scanned (ARNs the APIs do not return are built with it). */
  accountId: string;
  /** The region to list; for a global collector, the region its API calls go to (us-east-1). */
  region: string;
  /** Items per list call, clamped to each API's limits; tests use small pages to exercise paging. */
  pageSize?: number;
  /** The scan's clock, for the few values derived from age (access key age buckets). */
  now?: Date;
}

/**
 * Reads one idea of an account (instances, buckets, IAM, ...) into normalised resources, page by
 * page, so a scan never holds a whole account in memory. A collector either completes, and then
 * whatever it did not yield is absent, or throws (classify with classifyAwsError): a partition
 * whose listing threw is never evidence of deletion.
 */
export interface Collector {
  name: string;
  /** Regional collectors run once per enabled region; global ones once per account. */
  scope: 'regional' | 'global';
  /** The types it yields: the partitions a completed run of this collector covers. */
  types: readonly ResourceType[];
  collect(input: CollectInput): AsyncIterable<NormalizedResource>;
}

/** The page size to ask for: the caller's, kept within the API's bounds, else the API's maximum. */
export function pageSize(input: CollectInput, bounds: { min: number; max: number }): number {
  return Math.min(bounds.max, Math.max(bounds.min, input.pageSize ?? bounds.max));
}
