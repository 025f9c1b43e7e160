import type { Decider } from '../eventsourcing/decider.ts';

/**
 * One inventory partition: the resources one collector found in one region of one connection,
 * stream `inventory-{connectionId}-{region}-{collector}`. Its state is only what a comparison needs
 * (arn → fingerprint and type), never whole resources, so a scan's memory stays bounded however
 * large the partition is.
 *
 * The resource shape is the scanner's (NormalizedResource); the domain only relies on its identity.
 */
export const inventoryStream = (connectionId: string, region: string, collector: string) => `inventory-${connectionId}-${region}-${collector}`;

export interface InventoryResource {
  arn: string;
  type: string;
}

/** `observedAt` is when AWS was listed (the inventory's time axis); `connectionId` names the connection that listed it. */
export type InventoryEvent<R extends InventoryResource = InventoryResource> =
  | { type: 'ResourceDiscovered'; data: { arn: string; type: string; resource: R; fingerprint: string; observedAt: string; scanId: string; connectionId: string } }
  | { type: 'ResourceChanged'; data: { arn: string; type: string; resource: R; fingerprint: string; changedPaths: string[]; observedAt: string; scanId: string; connectionId: string } }
  | { type: 'ResourceDeleted'; data: { arn: string; type: string; observedAt: string; scanId: string; connectionId: string } };

/** Which of a scan's counts an inventory event adds to. */
export const countedAs = { ResourceDiscovered: 'discovered', ResourceChanged: 'changed', ResourceDeleted: 'deleted' } as const satisfies Record<InventoryEvent['type'], string>;

/** A resource as one listing saw it. `previous` is its last recorded state, given when its fingerprint moved (for the diff). */
export interface Observation<R extends InventoryResource> {
  resource: R;
  fingerprint: string;
  previous?: R | undefined;
}

export type PartitionCommand<R extends InventoryResource = InventoryResource> =
  /** Some resources of a listing in progress (a listing arrives in several parts). */
  | { type: 'RecordObservations'; scanId: string; connectionId: string; observedAt: string; observed: ReadonlyArray<Observation<R>> }
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
 * (scanner/fingerprint.ts changedPaths); it is injected because the resource shape is the scanner's.
 */
export function partitionDecider<R extends InventoryResource>(diff: (before: R, after: R) => string[]): Decider<PartitionCommand<R>, InventoryEvent<R>, PartitionState> {
  function decide(command: PartitionCommand<R>, state: PartitionState): Array<InventoryEvent<R>> {
    const { scanId, connectionId, observedAt } = command;
    if (command.type === 'FinishListing') {
      if (!command.complete) return [];
      return [...state]
        .filter(([arn]) => !command.seen.has(arn))
        .map(([arn, known]): InventoryEvent<R> => ({ type: 'ResourceDeleted', data: { arn, type: known.type, observedAt, scanId, connectionId } }));
    }
    // Folded as we go: a resource listed twice (pages overlapping) is judged against its first sighting.
    // Only this command's sightings are kept aside; copying the whole state for each part of a
    // listing made a 100,000-resource partition quadratic (scan-diff bench: 14 s of 22 s).
    const judged = new Map<string, Known>();
    const events: Array<InventoryEvent<R>> = [];
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

  return { initialState: () => new Map(), evolve: evolve as Decider<PartitionCommand<R>, InventoryEvent<R>, PartitionState>['evolve'], decide };
}
