import { z } from 'zod';
import type { Decider } from '../eventsourcing/decider.ts';
import { defineEvents, upcaster, type EventOf } from '../eventsourcing/event-schemas.ts';
import type { RecordedEvent } from '../eventsourcing/event-store.ts';
import type { DescribedResource } from './resource-diff.ts';

/**
 * One inventory partition: the resources one collector found in one region of one connection,
 * stream `inventory-{connectionId}-{region}-{collector}`. Its state is only what a comparison needs
 * (arn → fingerprint and type), never whole resources, so a scan's memory stays bounded however
 * large the partition is.
 */
export const inventoryStream = (connectionId: string, region: string, collector: string) => `inventory-${connectionId}-${region}-${collector}`;

export interface InventoryResource {
  arn: string;
  type: string;
}

/** A resource as the events carry it: the scanner's normalised resource (scanner/resource.ts). */
export interface ObservedResource extends InventoryResource, DescribedResource {
  accountId: string;
  region: string;
  relationships: Array<{ kind: string; target: string }>;
}

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * Checked one level deep only: a resource is already normalised when it is recorded, and the
 * inventory reads millions of them, so its config and tags are taken as the records they are.
 */
const observedResource = z.custom<ObservedResource>(
  (value) =>
    isRecord(value) &&
    typeof value.arn === 'string' &&
    typeof value.type === 'string' &&
    typeof value.accountId === 'string' &&
    typeof value.region === 'string' &&
    typeof value.name === 'string' &&
    isRecord(value.tags) &&
    isRecord(value.config) &&
    Array.isArray(value.relationships),
  'must be a normalised resource (arn, type, accountId, region, name, tags, config, relationships)',
);

/** `observedAt` is when AWS was listed (the inventory's time axis); `connectionId` names the connection that listed it. */
const observed = { arn: z.string(), type: z.string(), observedAt: z.string(), scanId: z.string(), connectionId: z.string() };
const { connectionId: _, ...observedBeforeConnections } = observed;

/** The connection an inventory stream belongs to, from its name (`inventoryStream`): a connection id is followed by an AWS region or `global`. */
function connectionOfStream(recorded: RecordedEvent): string {
  const connectionId = /^inventory-(.+?)-(?:global|[a-z]{2}(?:-[a-z]+)+-\d+)-./.exec(recorded.stream)?.[1];
  if (connectionId === undefined) throw new Error(`Inventory stream ${recorded.stream} does not name its connection`);
  return connectionId;
}

/** Inventory events written before a416449 ("Inventory events name the connection that listed them") lack the connection; their stream names it. */
const namingTheConnection = <Shape extends z.ZodRawShape>(shape: Shape) => [
  upcaster({ retiredBy: 'a416449', from: z.object(shape), to: (old, recorded) => ({ ...old, connectionId: connectionOfStream(recorded) }) }),
];

export const inventoryEvents = defineEvents(
  {
    ResourceDiscovered: z.object({ ...observed, resource: observedResource, fingerprint: z.string() }),
    ResourceChanged: z.object({ ...observed, resource: observedResource, fingerprint: z.string(), changedPaths: z.array(z.string()) }),
    ResourceDeleted: z.object(observed),
  },
  {
    ResourceDiscovered: namingTheConnection({ ...observedBeforeConnections, resource: observedResource, fingerprint: z.string() }),
    ResourceChanged: namingTheConnection({ ...observedBeforeConnections, resource: observedResource, fingerprint: z.string(), changedPaths: z.array(z.string()) }),
    ResourceDeleted: namingTheConnection(observedBeforeConnections),
  },
);
export type InventoryEvent = EventOf<typeof inventoryEvents>;

/** Which of a scan's counts an inventory event adds to. */
export const countedAs = { ResourceDiscovered: 'discovered', ResourceChanged: 'changed', ResourceDeleted: 'deleted' } as const satisfies Record<InventoryEvent['type'], string>;

/** A resource as one listing saw it. `previous` is its last recorded state, given when its fingerprint moved (for the diff). */
export interface Observation {
  resource: ObservedResource;
  fingerprint: string;
  previous?: ObservedResource | undefined;
}

export type PartitionCommand =
  /** Some resources of a listing in progress (a listing arrives in several parts). */
  | { type: 'RecordObservations'; scanId: string; connectionId: string; observedAt: string; observed: readonly Observation[] }
  /**
   * The listing ended. Only a complete listing is evidence of absence: what it did not see is
   * deleted. An incomplete one (denied, throttled, failed, cancelled) deletes nothing.
   */
  | { type: 'FinishListing'; scanId: string; connectionId: string; observedAt: string; complete: boolean; seen: ReadonlySet<string> };

export interface Known {
  type: string;
  fingerprint: string;
}

/**
 * A partition's live resources as of a stream revision, each with the revision its state was
 * recorded at (kept by a read model, so a scan folds only the events after `revision`).
 */
export interface PartitionSnapshot {
  revision: bigint;
  known: Map<string, Known & { revision: bigint }>;
  /** The scan that last wrote to the stream, and what it recorded there (a resumed scan counts on from it). */
  lastScan?: { scanId: string; discovered: number; changed: number; deleted: number } | undefined;
}

/** Reads the latest snapshot of an inventory stream; undefined when there is none. */
export type PartitionSnapshots = (stream: string) => Promise<PartitionSnapshot | undefined>;

/** Live resources by ARN. A deleted resource is forgotten, so its re-appearance is a discovery. */
export type PartitionState = ReadonlyMap<string, Known>;

function evolve(state: PartitionState, event: InventoryEvent): PartitionState {
  const next = new Map(state);
  if (event.type === 'ResourceDeleted') next.delete(event.data.arn);
  else next.set(event.data.arn, { type: event.data.type, fingerprint: event.data.fingerprint });
  return next;
}

/**
 * The partition decider. `diff` names the changed paths between two states of a resource
 * (scanner/fingerprint.ts changedPaths); it is injected because judging a change is the scanner's.
 */
export function partitionDecider(diff: (before: ObservedResource, after: ObservedResource) => string[]): Decider<PartitionCommand, InventoryEvent, PartitionState> {
  function decide(command: PartitionCommand, state: PartitionState): InventoryEvent[] {
    const { scanId, connectionId, observedAt } = command;
    if (command.type === 'FinishListing') {
      if (!command.complete) return [];
      return [...state]
        .filter(([arn]) => !command.seen.has(arn))
        .map(([arn, known]): InventoryEvent => ({ type: 'ResourceDeleted', data: { arn, type: known.type, observedAt, scanId, connectionId } }));
    }
    // Folded as we go: a resource listed twice (pages overlapping) is judged against its first sighting.
    // Only this command's sightings are kept aside; copying the whole state for each part of a
    // listing made a 100,000-resource partition quadratic (scan-diff bench: 14 s of 22 s).
    const judged = new Map<string, Known>();
    const events: InventoryEvent[] = [];
    for (const { resource, fingerprint, previous } of command.observed) {
      const { arn, type } = resource;
      const known = judged.get(arn) ?? state.get(arn);
      if (known?.fingerprint === fingerprint) continue;
      judged.set(arn, { type, fingerprint });
      if (!known) events.push({ type: 'ResourceDiscovered', data: { arn, type, resource, fingerprint, observedAt, scanId, connectionId } });
      else {
        // Without the previous state the change is still recorded, as a change of the whole resource.
        const changedPaths = previous ? diff(previous, resource) : [];
        events.push({ type: 'ResourceChanged', data: { arn, type, resource, fingerprint, changedPaths, observedAt, scanId, connectionId } });
      }
    }
    return events;
  }

  return { events: inventoryEvents, initialState: () => new Map(), evolve, decide };
}
