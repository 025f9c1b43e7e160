import type { PartitionView } from '../../projections/scans/scans.ts';

/** Codes meaning the connection's credentials themselves are no longer accepted, whatever the service. */
const CREDENTIALS = /^(ExpiredToken.*|InvalidClientTokenId|SignatureDoesNotMatch|UnrecognizedClientException|InvalidAccessKeyId)$/;
/** Codes meaning the region is not enabled for the account. */
const REGION_OFF = /^(OptInRequired|InvalidRegion|UnrecognizedRegion)$/;

const where = (region: string) => (region === 'global' ? 'for the account (global services)' : `in ${region}`);

/**
 * What a partition's outcome means for the person reading the scan, and what to do about it. The
 * engine records AWS's own code and message; this turns the code into a sentence, keeping the code
 * so support can still search for it. Null when there is nothing to say (listed, or still pending).
 */
export function partitionAdvice(partition: Pick<PartitionView, 'outcome' | 'errorCode' | 'region' | 'types'>): string | null {
  const what = partition.types.join(', ') || 'resources';
  const code = partition.errorCode ?? 'no error code';
  switch (partition.outcome) {
    case 'pending':
    case 'ok':
      return null;
    case 'cancelled':
      return `${what} ${where(partition.region)} were not listed: the scan was cancelled`;
    case 'throttled':
      return `AWS kept throttling the listing of ${what} ${where(partition.region)} (${code}); the next scan will try again`;
    case 'denied':
      return `Cloudventory was not allowed to list ${what} ${where(partition.region)}: check the role's permissions (AWS said ${code})`;
    case 'failed':
      if (partition.errorCode && CREDENTIALS.test(partition.errorCode))
        return `AWS no longer accepts this connection's credentials (${code}): validate the connection, or rotate its keys`;
      if (partition.errorCode && REGION_OFF.test(partition.errorCode)) return `${partition.region} is not enabled for this account (${code}): enable it in AWS, or remove it from the connection's regions`;
      return `Listing ${what} ${where(partition.region)} failed (${code}); the next scan will try again`;
  }
}
