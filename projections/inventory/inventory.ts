import { GLOBAL_REGION } from '../../domain/inventory/resource.ts';
import { positionWithin, type RecordedEvent } from '../../domain/eventsourcing/event-store.ts';
import { parseEventOf } from '../../domain/eventsourcing/registry.ts';
import type { InventoryEvent } from '../../domain/inventory/partition.ts';
import type { Collection } from '../../domain/read-models/document-store.ts';
import type { ScanRequestedData } from '../../domain/scans/scan.ts';
import type { Projection, ReadModelWriter } from '../projection.ts';
import { inventoryCollections } from './indexes.ts';
import {
  FAR_FUTURE,
  resourceId,
  resourceKey,
  scopeId,
  searchTextOf,
  tagIndexOf,
  type CompletionDocument,
  type CurrentResourceDocument,
  type LiveCountDocument,
  type ResourceState,
  type ResourceVersionDocument,
  type ScanCoverageDocument,
  type ScopeDocument,
} from './model.ts';

const INVENTORY_STREAM_PREFIX = 'inventory-';
const SCAN_STREAM_PREFIX = 'scan-';
const CONNECTION_STREAM_PREFIX = 'connection-';

const OBSERVATIONS = ['ResourceDiscovered', 'ResourceChanged', 'ResourceDeleted'] as const;
const SCANS_AND_CONNECTIONS = ['ScanRequested', 'PartitionFinished', 'AwsConnectionDeleted'] as const;

/** Sorts before every real position: a count document no event has touched yet. */
const UNTOUCHED = '';

/**
 * The inventory's history (DESIGN §5): resource versions placed on the time axis of observation,
 * the current inventory, live counts per scope over time, and the complete listings behind
 * freshness. Every write is either a replacement derived from the event and the documents, or an
 * increment guarded by the event's position, so applying an event twice changes nothing.
 */
export const inventoryProjection: Projection = {
  name: 'inventory',
  filter: {
    streamPrefixes: [INVENTORY_STREAM_PREFIX, SCAN_STREAM_PREFIX, CONNECTION_STREAM_PREFIX],
    eventTypes: ['ResourceDiscovered', 'ResourceChanged', 'ResourceDeleted', 'ScanRequested', 'PartitionFinished', 'AwsConnectionDeleted'],
  },
  collections: inventoryCollections,
  async apply(recorded, model) {
    if (recorded.stream.startsWith(INVENTORY_STREAM_PREFIX)) {
      const observation = parseEventOf(recorded, OBSERVATIONS);
      return observation && applyObservation(observation, recorded, model);
    }
    const event = parseEventOf(recorded, SCANS_AND_CONNECTIONS);
    if (event?.type === 'AwsConnectionDeleted') return applyDisconnection(event.data.connectionId, recorded, model);
    const scanId = recorded.stream.slice(SCAN_STREAM_PREFIX.length);
    if (event?.type === 'ScanRequested') return applyScanRequested(scanId, event.data, model);
    if (event?.type === 'PartitionFinished' && event.data.outcome === 'ok') return applyCompletion(scanId, event.data.key, recorded.metadata.occurredAt, model);
  },
};

async function applyScanRequested(scanId: string, data: ScanRequestedData, model: ReadModelWriter): Promise<void> {
  const { orgId, connectionId, accountId } = data;
  const partitions = data.partitions.map(({ key, region, types }) => ({ key, region, types: [...types] }));
  await model.collection<ScanCoverageDocument>('scan_coverage').upsert({ _id: scanId, orgId, connectionId, accountId, partitions });
  // A scope the scan was asked to list exists from now on, so one it never completes reads as unknown.
  for (const { region, types } of partitions) for (const type of types) await knowScope(model, { orgId, accountId, region, type });
}

async function applyCompletion(scanId: string, key: string, completedAt: string, model: ReadModelWriter): Promise<void> {
  const coverage = await model.collection<ScanCoverageDocument>('scan_coverage').get(scanId);
  const partition = coverage?.partitions.find((p) => p.key === key);
  if (!coverage || !partition) return;
  const { orgId, accountId } = coverage;
  for (const type of partition.types) {
    const scope = scopeId(orgId, accountId, partition.region, type);
    await model.collection<CompletionDocument>('completions').upsert({ _id: `${scope}@${scanId}`, scopeId: scope, orgId, accountId, region: partition.region, type, completedAt, scanId });
  }
}

/** What an ARN alone says of a resource (`arn:partition:service:region:account:resource`), for a deletion seen before anything else of it. */
function identityFromArn(arn: string, type: string): ResourceState {
  const [, , , region = '', accountId = '', ...rest] = arn.split(':');
  const name = rest.join(':').split('/').at(-1) ?? arn;
  return { arn, type, accountId, region: region || GLOBAL_REGION, name, tags: {}, config: {}, relationships: [] };
}

type Scope = Pick<ScopeDocument, 'orgId' | 'accountId' | 'region' | 'type'>;

async function knowScope(model: ReadModelWriter, { orgId, accountId, region, type }: Scope): Promise<void> {
  const scopes = model.collection<ScopeDocument>('scopes');
  const _id = scopeId(orgId, accountId, region, type);
  // Read first: nearly every event names a scope already known, and a read is cheaper than a rewrite.
  if (!(await scopes.get(_id))) await scopes.upsert({ _id, orgId, accountId, region, type });
}

/**
 * A removed connection's resources leave the inventory when it is removed: each gets a last version,
 * `disconnected`, at that instant, through the same slotting as an observed deletion. Each is its own
 * step in the log, placed after the event's position by the resource's id (the order they are taken
 * in), so the count guards tell them apart, and a replay — which finds only the resources not yet
 * done — gives each the same step again.
 */
async function applyDisconnection(connectionId: string, recorded: RecordedEvent, model: ReadModelWriter): Promise<void> {
  const orgId = recorded.metadata.orgId;
  if (!orgId) return;
  const watched = await model.collection<CurrentResourceDocument>('current').find({ orgId, connectionId }, { sort: [['_id', 1]] });
  for (const resource of watched) {
    const deletion: InventoryEvent = { type: 'ResourceDeleted', data: { arn: resource.arn, type: resource.type, observedAt: recorded.metadata.occurredAt, scanId: '', connectionId } };
    const step = { ...recorded, eventId: `${recorded.eventId}:${resource._id}`, position: positionWithin(recorded.position, resource._id) };
    await applyObservation(deletion, step, model, 'disconnected');
  }
}

/**
 * One observation of one resource becomes a version at its observation time `t`, between the
 * versions before and after it in time (usually there is none after: scans arrive in order; a late
 * one is slotted in). The version before ends at `t`; the new one ends where the next one starts.
 */
async function applyObservation(event: InventoryEvent, recorded: RecordedEvent, model: ReadModelWriter, ending: 'deleted' | 'disconnected' = 'deleted'): Promise<void> {
  const { type: kind, data } = event;
  const orgId = recorded.metadata.orgId;
  if (!orgId) return;
  const versions = model.collection<ResourceVersionDocument>('versions');
  const id = resourceId(orgId, data.arn);
  const t = data.observedAt;
  const position = recorded.position as string;

  // The range on validFrom lets the store walk the resource's index from `t` (the $or alone made it read every version).
  const [before] = await versions.find(
    { resourceId: id, validFrom: { $lte: t }, $or: [{ validFrom: { $lt: t } }, { position: { $lt: position } }] },
    { sort: [['validFrom', -1], ['position', -1]], limit: 1 },
  );
  const [after] = await versions.find(
    { resourceId: id, validFrom: { $gte: t }, $or: [{ validFrom: { $gt: t } }, { position: { $gt: position } }] },
    { sort: [['validFrom', 1], ['position', 1]], limit: 1 },
  );
  const resource = kind === 'ResourceDeleted' ? null : data.resource;
  // A deletion carries no state: it is the end of the resource as seen before (or, arriving out of order, after) it.
  const seenAs = resource ?? before?.resource ?? after?.resource ?? identityFromArn(data.arn, data.type);
  const version: ResourceVersionDocument = {
    _id: `${id}:${recorded.eventId}`,
    orgId,
    resourceId: id,
    key: resourceKey(data.arn),
    connectionId: data.connectionId,
    accountId: seenAs.accountId,
    region: seenAs.region,
    type: data.type,
    arn: data.arn,
    name: seenAs.name,
    search: searchTextOf(seenAs),
    tagIndex: tagIndexOf(seenAs.tags),
    resource,
    fingerprint: kind === 'ResourceDeleted' ? null : data.fingerprint,
    changedPaths: kind === 'ResourceChanged' ? data.changedPaths : [],
    live: resource !== null,
    kind: kind === 'ResourceDiscovered' ? 'discovered' : kind === 'ResourceChanged' ? 'changed' : ending,
    validFrom: t,
    validTo: after?.validFrom ?? FAR_FUTURE,
    position,
    scanId: data.scanId,
  };
  await versions.upsert(version);
  if (before) await versions.updateMany({ _id: before._id }, { $set: { validTo: t } });

  // Between t and the next version, the resource now counts as this version says, not as the one before.
  const until = after?.validFrom ?? FAR_FUTURE;
  const deltas = new Map<string, { scope: Scope; delta: number }>();
  const add = (v: ResourceVersionDocument, delta: number) => {
    const scope = { orgId, accountId: v.accountId, region: v.region, type: v.type };
    const key = scopeId(orgId, scope.accountId, scope.region, scope.type);
    deltas.set(key, { scope, delta: (deltas.get(key)?.delta ?? 0) + delta });
  };
  if (before?.live) add(before, -1);
  if (version.live) add(version, +1);
  for (const [scope, { scope: fields, delta }] of deltas) {
    await knowScope(model, fields);
    if (delta !== 0) await adjustCounts(model.collection<LiveCountDocument>('live_counts'), { scope, orgId, from: t, until, delta, position });
  }

  await updateCurrent(model, version, { isLatest: !after, isFirst: !before });
}

/**
 * Adds `delta` to the live count of a scope over [from, until). Documents at both ends are pinned
 * with the count just before them; every document touched records the event's position, and one
 * that already carries it (or a later one) is left alone: a replayed event adds nothing.
 */
async function adjustCounts(
  counts: Collection<LiveCountDocument>,
  { scope, orgId, from, until, delta, position }: { scope: string; orgId: string; from: string; until: string; delta: number; position: string },
): Promise<void> {
  // The count from `until` on is unchanged: pinned first, so a replay finds it and never re-reads it.
  if (until !== FAR_FUTURE) await pinCount(counts, scope, orgId, until);
  await pinCount(counts, scope, orgId, from);
  await counts.updateMany({ scopeId: scope, at: { $gte: from, $lt: until }, position: { $lt: position } }, { $inc: { live: delta }, $set: { position } });
}

/** Makes sure a count document exists at `at`, holding the count just before it. */
async function pinCount(counts: Collection<LiveCountDocument>, scope: string, orgId: string, at: string): Promise<void> {
  const id = `${scope}@${at}`;
  if (await counts.get(id)) return;
  const [previous] = await counts.find({ scopeId: scope, at: { $lt: at } }, { sort: [['at', -1]], limit: 1 });
  await counts.upsert({ _id: id, scopeId: scope, orgId, at, live: previous?.live ?? 0, position: UNTOUCHED });
}

/** The current inventory follows the latest version in time: replaced by it, or removed by a deletion. */
async function updateCurrent(model: ReadModelWriter, version: ResourceVersionDocument, { isLatest, isFirst }: { isLatest: boolean; isFirst: boolean }): Promise<void> {
  const current = model.collection<CurrentResourceDocument>('current');
  if (!isLatest) {
    // A late first sighting moves "first seen" back; anything else late is history only.
    if (isFirst) await current.updateMany({ _id: version.resourceId }, { $set: { firstSeenAt: version.validFrom } });
    return;
  }
  if (!version.resource) {
    await current.deleteMany({ _id: version.resourceId });
    return;
  }
  const { resource } = version;
  // First seen is the resource's, not the version's: kept across a deletion and re-appearance.
  const [first] = isFirst ? [version] : await model.collection<ResourceVersionDocument>('versions').find({ resourceId: version.resourceId }, { sort: [['validFrom', 1], ['position', 1]], limit: 1 });
  await current.upsert({
    _id: version.resourceId,
    orgId: version.orgId,
    key: version.key,
    connectionId: version.connectionId,
    accountId: version.accountId,
    region: version.region,
    type: version.type,
    arn: version.arn,
    name: version.name,
    search: version.search,
    tags: resource.tags,
    tagIndex: version.tagIndex,
    resource,
    fingerprint: version.fingerprint!,
    versionId: version._id,
    firstSeenAt: (first ?? version).validFrom,
    lastChangedAt: version.validFrom,
  });
}
