import type { AwsClients, AwsCredentialIdentity } from '../aws/clients.ts';
import { collectors as allCollectors, type Collector } from '../collectors/index.ts';
import type { NormalizedResource } from '../../domain/inventory/resource.ts';

/**
 * Runs collectors over an account the simple way a test needs: each regional collector in each
 * given region, each global one once (calling us-east-1). The real scan schedules this itself.
 */
export async function collectAccount(input: {
  aws: AwsClients;
  credentials: AwsCredentialIdentity;
  accountId: string;
  regions: readonly string[];
  collectors?: readonly Collector[];
  pageSize?: number;
}): Promise<NormalizedResource[]> {
  const found: NormalizedResource[] = [];
  for (const collector of input.collectors ?? allCollectors) {
    const regions = collector.scope === 'global' ? ['us-east-1'] : input.regions;
    for (const region of regions) {
      for await (const resource of collector.collect({ ...input, region })) found.push(resource);
    }
  }
  return found;
}
