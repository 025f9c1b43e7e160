import { DescribeRegionsCommand } from '@aws-sdk/client-ec2';
import type { AwsClients, AwsCredentialIdentity } from './clients.ts';

// Opt-in regions the customer has not enabled answer every call with an error: not worth scanning.
const ENABLED = new Set(['opt-in-not-required', 'opted-in']);

/** The account's enabled regions, sorted: default regions plus the opt-in ones it opted into. */
export async function enabledRegions(input: { aws: AwsClients; credentials: AwsCredentialIdentity; region?: string }): Promise<string[]> {
  const ec2 = input.aws.ec2(input.credentials, input.region ?? 'us-east-1');
  try {
    // AllRegions so the opt-in status is stated for each region instead of trusted to the default filter.
    const { Regions = [] } = await ec2.send(new DescribeRegionsCommand({ AllRegions: true }));
    return Regions.filter((r) => r.RegionName && ENABLED.has(r.OptInStatus ?? ''))
      .map((r) => r.RegionName as string)
      .sort();
  } finally {
    ec2.destroy();
  }
}
