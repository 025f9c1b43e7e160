import { randomUUID } from 'node:crypto';
import type { Position } from '../../domain/eventsourcing/event-store.ts';
import { inventoryStream } from '../../domain/inventory/partition.ts';
import type { ResourceState } from '../../projections/inventory/model.ts';
export { resource, type ResourceSpec } from '../../projections/inventory/testing.ts';
import { projected } from '../context.ts';
import type { RunningServer } from '../server.ts';
import { recordScan } from './scans.ts';

/**
 * Test helpers for the inventory: resources and scans written straight to the log in the scanner's
 * and the scan engine's shapes (so the read side is tested exactly, without AWS), then waited for.
 */

export type Observation =
  | { seen: 'discovered' | 'changed'; resource: ResourceState; at: string; changedPaths?: string[] }
  | { seen: 'deleted'; resource: ResourceState; at: string };

/**
 * Appends observations of an organisation's resources, in the order given, each to its partition's
 * stream, and waits until the read models show them.
 */
export async function recordInventory(server: RunningServer, orgId: string, observations: readonly Observation[], connectionId = 'conn-test'): Promise<void> {
  let last: Position | undefined;
  for (const o of observations) {
    const { arn, type, region } = o.resource;
    const common = { arn, type, observedAt: o.at, scanId: `scan-${o.at}`, connectionId };
    const data =
      o.seen === 'deleted'
        ? common
        : { ...common, resource: o.resource, fingerprint: JSON.stringify(o.resource), ...(o.seen === 'changed' && { changedPaths: o.changedPaths ?? [] }) };
    const eventType = o.seen === 'discovered' ? 'ResourceDiscovered' : o.seen === 'changed' ? 'ResourceChanged' : 'ResourceDeleted';
    const metadata = { occurredAt: o.at, actor: 'system', orgId, correlationId: common.scanId, causationId: common.scanId };
    ({ position: last } = await server.stores.events.append(inventoryStream(connectionId, region, type.replace(':', '-')), [{ eventId: randomUUID(), type: eventType, data, metadata }], { expected: 'any' }));
  }
  await projected(server.context, last);
}

/** A finished scan of one account whose partitions (each one or more types in a region) ended as given, at the given instants. */
export async function recordListing(
  server: RunningServer,
  orgId: string,
  accountId: string,
  partitions: ReadonlyArray<{ region: string; types: string[]; outcome: 'ok' | 'denied'; at: string }>,
  connectionId = 'conn-test',
): Promise<void> {
  const scanId = randomUUID();
  const planned = partitions.map((p, i) => ({ key: `${p.region}/c${i}`, region: p.region, collector: `c${i}`, types: p.types }));
  const counts = { discovered: 0, changed: 0, deleted: 0 };
  await recordScan(server, orgId, scanId, [
    { type: 'ScanRequested', data: { scanId, orgId, connectionId, accountId, requestedBy: 'schedule', trigger: 'schedule', partitions: planned }, at: partitions[0]!.at },
    ...partitions.map((p, i) => ({
      type: 'PartitionFinished' as const,
      data: { key: planned[i]!.key, region: p.region, collector: planned[i]!.collector, outcome: p.outcome, errorCode: p.outcome === 'ok' ? null : 'AccessDenied', message: null, ...counts, durationMs: 5 },
      at: p.at,
    })),
    { type: 'ScanFinished', data: { status: partitions.every((p) => p.outcome === 'ok') ? 'completed' : 'partial', ...counts, durationMs: 50 }, at: partitions.at(-1)!.at },
  ]);
}
