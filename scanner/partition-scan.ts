import { hasCode, isAppError } from '../domain/errors.ts';
import { aggregateStream } from '../domain/eventsourcing/aggregate-stream.ts';
import { deriveEventId } from '../domain/eventsourcing/event-ids.ts';
import type { EventMetadata, EventStore, ExpectedRevision } from '../domain/eventsourcing/event-store.ts';
import {
  countedAs,
  inventoryEvents,
  inventoryStream,
  partitionDecider,
  type InventoryEvent,
  type ObservedResource,
  type Observation,
  type PartitionCommand,
  type PartitionSnapshots,
} from '../domain/inventory/partition.ts';
import type { Counts, PartitionOutcome, ScanPartition } from '../domain/scans/scan.ts';
import type { AwsClients, AwsCredentialIdentity } from './aws/clients.ts';
import { classifyAwsError } from './aws/errors.ts';
import type { Collector } from './collectors/index.ts';
import { changedPaths, fingerprinted } from './fingerprint.ts';
import { GLOBAL_API_REGION } from './partitions.ts';
import { GLOBAL_REGION, type NormalizedResource } from '../domain/inventory/resource.ts';

const inventory = partitionDecider(changedPaths);
type Event = InventoryEvent;

/** Bounds of one append: few enough events, and few enough bytes, for any store to take in one go. */
export const MAX_EVENTS_PER_APPEND = 500;
const MAX_BYTES_PER_APPEND = 512 * 1024;
/**
 * Resources judged together: a part of the listing is one decision and one append (of its changes
 * only, chunked by the bounds above). Each append is a durable write, so parts are large; the part
 * is also the grain of cancellation. The byte bound keeps a part of huge resources (IAM policies) small.
 */
const RESOURCES_PER_PART = 1000;
const MAX_PART_BYTES = 4 * 1024 * 1024;
/** A competing writer (a zombie worker) is rare; this many fresh re-decisions are plenty. */
const MAX_CONFLICTS = 5;

/** Why a listing stops before its end: the scan was cancelled, or the worker is shutting down (the scan resumes later). */
export type StopReason = 'cancelled' | 'interrupted';

export interface PartitionScanInput {
  events: EventStore;
  aws: AwsClients;
  credentials: () => Promise<AwsCredentialIdentity>;
  collector: Collector;
  partition: ScanPartition;
  scanId: string;
  connectionId: string;
  orgId: string;
  accountId: string;
  now: () => Date;
  /** Asked between parts of the listing. */
  shouldStop: () => Promise<StopReason | undefined>;
  pageSize?: number | undefined;
  /** Where the partition's state was last snapshotted; without it the whole stream is folded. */
  snapshots?: PartitionSnapshots | undefined;
  /** Resources per decision and append (RESOURCES_PER_PART); tests use 1 to stop mid-listing. */
  resourcesPerPart?: number | undefined;
}

export type PartitionResult =
  | (Counts & { outcome: PartitionOutcome; errorCode: string | null; message: string | null })
  /** Stopped for a restart: nothing to record, the resumed scan lists the partition again. */
  | { outcome: 'interrupted' };

/** What the runner remembers of a live resource: its fingerprint, and where its last state was recorded (for the diff). */
interface KnownAt {
  type: string;
  fingerprint: string;
  revision: bigint;
}

/** A listed resource and its fingerprint, taken once as it arrives. */
interface Listed {
  resource: NormalizedResource;
  print: string;
}

interface Local {
  known: Map<string, KnownAt>;
  revision: bigint | undefined;
  /** What this scan had already recorded in the stream: a resumed scan's counts go on from there. */
  recorded: Counts;
}

/** The partition's live resources, folded from its snapshot and the stream after it: fingerprints only, not resources. */
async function fold(events: EventStore, stream: string, snapshots: PartitionSnapshots | undefined, scanId: string): Promise<Local> {
  const snapshot = await snapshots?.(stream);
  const known: Map<string, KnownAt> = snapshot?.known ?? new Map();
  const revision = snapshot?.revision;
  // One scan at a time writes a connection's streams, so this scan's events are the last ones.
  const { scanId: lastScan, ...counts } = snapshot?.lastScan ?? { scanId: undefined };
  const recorded: Counts = lastScan === scanId ? { discovered: 0, changed: 0, deleted: 0, ...counts } : { discovered: 0, changed: 0, deleted: 0 };
  // Not the decider's evolve: this fold keeps where each state was recorded, and updates one map in place.
  const after = await aggregateStream(
    events,
    {
      events: inventoryEvents,
      initialState: () => known,
      evolve: (live, { type, data }, at) => {
        if (data.scanId === scanId) recorded[countedAs[type]] += 1;
        if (type === 'ResourceDeleted') live.delete(data.arn);
        else live.set(data.arn, { type: data.type, fingerprint: data.fingerprint, revision: at.revision });
        return live;
      },
    },
    stream,
    { from: revision === undefined ? undefined : revision + 1n },
  );
  return { known, revision: after.revision ?? revision, recorded };
}

/**
 * Lists one partition and records what changed since the last scan: discoveries and changes as the
 * listing goes, in bounded appends; deletions only at the end of a complete listing. Each append
 * expects the stream's revision; a competing write makes it re-read the stream and decide again,
 * so a change is neither doubled nor lost.
 */
export async function scanPartition(input: PartitionScanInput): Promise<PartitionResult> {
  const { events, partition, scanId } = input;
  const stream = inventoryStream(input.connectionId, partition.region, partition.collector);
  let local = await fold(events, stream, input.snapshots, scanId);
  const counts: Counts = { ...local.recorded };

  const metadata = (): EventMetadata => ({ occurredAt: input.now().toISOString(), actor: 'system', orgId: input.orgId, correlationId: scanId, causationId: scanId });

  /** Decides on the current state and appends; on a conflict, again on fresh state. */
  async function record(command: (local: Local) => Promise<PartitionCommand>): Promise<void> {
    for (let conflicts = 0; ; conflicts++) {
      const decided = inventory.decide(await command(local), local.known);
      if (decided.length === 0) return;
      try {
        for (const chunk of chunks(decided)) await append(chunk);
        return;
      } catch (error) {
        if (!hasCode(error, 'CONCURRENCY_CONFLICT') || conflicts >= MAX_CONFLICTS) throw error;
        local = await fold(events, stream, input.snapshots, scanId);
      }
    }
  }

  async function append(chunk: Event[]): Promise<void> {
    const expected: ExpectedRevision = local.revision ?? 'no_stream';
    const meta = metadata();
    const { nextRevision } = await events.append(
      stream,
      chunk.map((event) => ({ eventId: eventIdOf(scanId, stream, event), type: event.type, data: event.data, metadata: meta })),
      { expected },
    );
    chunk.forEach((event, index) => {
      const revision = nextRevision - BigInt(chunk.length - 1 - index);
      if (event.type === 'ResourceDeleted') local.known.delete(event.data.arn);
      else local.known.set(event.data.arn, { type: event.data.type, fingerprint: event.data.fingerprint, revision });
      counts[countedAs[event.type]]++;
    });
    local.revision = nextRevision;
  }

  /** A part of the listing, with the previous state of each resource whose fingerprint moved. */
  const observe = (part: Listed[]) => async (current: Local) => {
    const observed: Observation[] = [];
    for (const { resource, print } of part) {
      const known = current.known.get(resource.arn);
      const previous = known && known.fingerprint !== print ? await previousState(events, stream, known.revision) : undefined;
      observed.push({ resource, fingerprint: print, previous });
    }
    return { type: 'RecordObservations' as const, scanId, connectionId: input.connectionId, observedAt: input.now().toISOString(), observed };
  };

  const seen = new Set<string>();
  let part: Listed[] = [];
  let partBytes = 0;
  try {
    const credentials = await input.credentials();
    const region = partition.region === GLOBAL_REGION ? GLOBAL_API_REGION : partition.region;
    const listing = input.collector.collect({ aws: input.aws, credentials, accountId: input.accountId, region, now: input.now(), pageSize: input.pageSize });
    for await (const resource of listing) {
      seen.add(resource.arn);
      const { fingerprint: print, size } = fingerprinted(resource);
      part.push({ resource, print });
      partBytes += size;
      if (part.length < (input.resourcesPerPart ?? RESOURCES_PER_PART) && partBytes < MAX_PART_BYTES) continue;
      await record(observe(part));
      part = [];
      partBytes = 0;
      const stop = await input.shouldStop();
      if (stop) return stopped(stop, counts);
    }
    await record(observe(part));
  } catch (error) {
    // The store failing is not the customer's AWS failing: the scan stops and is resumed later.
    if (isAppError(error)) throw error;
    const { outcome, code, message } = classifyAwsError(error);
    return { ...counts, outcome, errorCode: code, message };
  }
  // Stopped after a complete listing: still no deletions, since the scan is not judged complete.
  const stop = await input.shouldStop();
  if (stop) return stopped(stop, counts);
  await record(async () => ({ type: 'FinishListing', scanId, connectionId: input.connectionId, observedAt: input.now().toISOString(), complete: true, seen }));
  return { ...counts, outcome: 'ok', errorCode: null, message: null };
}

function stopped(reason: StopReason, counts: Counts): PartitionResult {
  return reason === 'interrupted' ? { outcome: 'interrupted' } : { ...counts, outcome: 'cancelled', errorCode: null, message: 'The scan was cancelled before this partition finished' };
}

async function previousState(events: EventStore, stream: string, revision: bigint): Promise<ObservedResource | undefined> {
  for await (const recorded of events.readStream(stream, { from: revision, max: 1 })) {
    const event = inventoryEvents.parse(recorded);
    return event.type === 'ResourceDeleted' ? undefined : event.data.resource;
  }
  return undefined;
}

/** Appends of at most MAX_EVENTS_PER_APPEND events and about MAX_BYTES_PER_APPEND bytes. */
function* chunks(decided: Event[]): Generator<Event[]> {
  let chunk: Event[] = [];
  let bytes = 0;
  for (const event of decided) {
    const size = JSON.stringify(event.data).length;
    if (chunk.length > 0 && (chunk.length >= MAX_EVENTS_PER_APPEND || bytes + size > MAX_BYTES_PER_APPEND)) {
      yield chunk;
      chunk = [];
      bytes = 0;
    }
    chunk.push(event);
    bytes += size;
  }
  if (chunk.length > 0) yield chunk;
}

/** The same decision in the same scan gets the same id, so a retried append is stored once. */
function eventIdOf(scanId: string, stream: string, event: Event): string {
  const print = event.type === 'ResourceDeleted' ? '' : event.data.fingerprint;
  return deriveEventId(`${scanId}\u0000${stream}\u0000${event.type}\u0000${event.data.arn}\u0000${print}`, 0);
}
