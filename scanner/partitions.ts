import type { ConnectionState } from '../domain/connections/connection.ts';
import { partitionKey, type ScanPartition } from '../domain/scans/scan.ts';
import { collectors, type Collector } from './collectors/index.ts';
import { GLOBAL_REGION } from '../domain/inventory/resource.ts';

/** Where a global collector's API calls go. */
export const GLOBAL_API_REGION = 'us-east-1';

/**
 * What one scan of the connection covers: each regional collector in each chosen region ('all' means
 * every region the account had enabled at its last validation), each global collector once.
 */
export function planPartitions(state: ConnectionState, available: readonly Collector[] = collectors): ScanPartition[] {
  const regions = state.regions === 'all' ? state.enabledRegions : state.regions;
  const partitions: ScanPartition[] = [];
  for (const collector of available) {
    const where = collector.scope === 'global' ? [GLOBAL_REGION] : regions;
    for (const region of where) partitions.push({ key: partitionKey(region, collector.name), region, collector: collector.name, types: [...collector.types] });
  }
  return partitions;
}

export function collectorNamed(name: string, available: readonly Collector[] = collectors): Collector | undefined {
  return available.find((c) => c.name === name);
}
