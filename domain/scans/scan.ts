import { z } from 'zod';
import { ConflictError, NotFoundError, ValidationError } from '../errors.ts';
import type { Decider } from '../eventsourcing/decider.ts';
import { defineEvents, type EventOf } from '../eventsourcing/event-schemas.ts';
import { authorize, recordedName, type Actor, type Authority } from '../organizations/actor.ts';

/**
 * One scan of one connection, stream `scan-{scanId}`: the partitions it covers, how each ended, and
 * how the scan as a whole ended (read by projections/scans and projections/inventory).
 * It also records which scan worker holds the scan, until when: workers compete for scans, and the
 * claim, appended at the stream's expected revision, lets exactly one of them run it at a time.
 */
export const scanStream = (scanId: string) => `scan-${scanId}`;

/** Partition key `${region}/${collector}`; global collectors use the region 'global'. */
export const partitionKey = (region: string, collector: string) => `${region}/${collector}`;

const scanPartition = z.object({ key: z.string(), region: z.string(), collector: z.string(), types: z.array(z.string()) });
export type ScanPartition = z.infer<typeof scanPartition>;

const partitionOutcome = z.enum(['ok', 'denied', 'throttled', 'failed', 'cancelled']);
export type PartitionOutcome = z.infer<typeof partitionOutcome>;
const scanStatusSchema = z.enum(['completed', 'partial', 'failed', 'cancelled']);
export type ScanStatus = z.infer<typeof scanStatusSchema>;
const scanTrigger = z.enum(['manual', 'schedule']);
export type ScanTrigger = z.infer<typeof scanTrigger>;

const counts = z.object({ discovered: z.number(), changed: z.number(), deleted: z.number() });
export type Counts = z.infer<typeof counts>;

const partitionFinished = counts.extend({
  key: z.string(),
  region: z.string(),
  collector: z.string(),
  outcome: partitionOutcome,
  errorCode: z.string().nullable(),
  message: z.string().nullable(),
  durationMs: z.number(),
});
export type PartitionFinishedData = z.infer<typeof partitionFinished>;

const scanRequested = z.object({
  scanId: z.string(),
  connectionId: z.string(),
  orgId: z.string(),
  accountId: z.string(),
  /** A user id, or 'schedule'. */
  requestedBy: z.string(),
  trigger: scanTrigger,
  partitions: z.array(scanPartition),
});
export type ScanRequestedData = z.infer<typeof scanRequested>;

/** The worker that runs the scan; after `leaseUntil` (ISO time) without a renewal, another may take over. */
const scanClaim = z.object({ workerId: z.string(), leaseUntil: z.string() });
export type ScanClaim = z.infer<typeof scanClaim>;

export const scanEvents = defineEvents({
  ScanRequested: scanRequested,
  PartitionFinished: partitionFinished,
  ScanCancellationRequested: z.object({ requestedBy: z.string() }),
  ScanFinished: counts.extend({ status: scanStatusSchema, durationMs: z.number() }),
  ScanClaimed: scanClaim,
  ScanClaimReleased: z.object({ workerId: z.string() }),
});
export type ScanEvent = EventOf<typeof scanEvents>;

/** Every command names who issues it: a person with their role in the scan's organisation, or the system. */
export type ScanCommand =
  | ({ type: 'RequestScan'; actor: Actor } & Omit<ScanRequestedData, 'requestedBy'>)
  | ({ type: 'FinishPartition'; actor: Actor } & Omit<PartitionFinishedData, 'region' | 'collector'>)
  | { type: 'RequestCancellation'; actor: Actor; orgId: string }
  | { type: 'FinishScan'; actor: Actor; durationMs: number }
  /** Claims the scan for `leaseMs` from `now`, or renews the worker's own claim. */
  | { type: 'ClaimScan'; actor: Actor; workerId: string; now: Date; leaseMs: number }
  | { type: 'ReleaseClaim'; actor: Actor; workerId: string };

/** Who may issue each command: people start and cancel scans (and the scheduler starts them); the scan worker runs them. */
const authorities: Record<ScanCommand['type'], Authority> = {
  RequestScan: { permission: 'scans:start', processes: ['scheduler'] },
  RequestCancellation: { permission: 'scans:start' },
  FinishPartition: { processes: ['scan-worker'] },
  FinishScan: { processes: ['scan-worker'] },
  ClaimScan: { processes: ['scan-worker'] },
  ReleaseClaim: { processes: ['scan-worker'] },
};

export interface ScanState {
  request?: ScanRequestedData;
  finishedPartitions: ReadonlyMap<string, PartitionFinishedData>;
  cancellationRequested: boolean;
  status?: ScanStatus;
  claim?: ScanClaim;
}

function evolve(state: ScanState, event: ScanEvent): ScanState {
  switch (event.type) {
    case 'ScanRequested':
      return { ...state, request: event.data };
    case 'PartitionFinished':
      return { ...state, finishedPartitions: new Map(state.finishedPartitions).set(event.data.key, event.data) };
    case 'ScanCancellationRequested':
      return { ...state, cancellationRequested: true };
    case 'ScanFinished':
      return { ...state, status: event.data.status };
    case 'ScanClaimed':
      return { ...state, claim: event.data };
    case 'ScanClaimReleased': {
      const { claim: _, ...rest } = state;
      return rest;
    }
    default:
      return state;
  }
}

/** Cancelled wins; otherwise judged by the partitions: all ok, some ok, or none (a partition never finished is not ok). */
export function scanStatus(state: ScanState): ScanStatus {
  if (state.cancellationRequested) return 'cancelled';
  const partitions = state.request?.partitions ?? [];
  const ok = partitions.filter((p) => state.finishedPartitions.get(p.key)?.outcome === 'ok').length;
  if (ok === partitions.length) return 'completed';
  return ok > 0 ? 'partial' : 'failed';
}

function decide(command: ScanCommand, state: ScanState): ScanEvent[] {
  authorize(command.actor, authorities[command.type], 'No such scan');
  if (command.type === 'RequestScan') {
    // Asking again for the same scan (a retry) changes nothing.
    if (state.request) return [];
    const { type: _, actor, ...data } = command;
    return [{ type: 'ScanRequested', data: { ...data, requestedBy: recordedName(actor) } }];
  }
  const request = state.request;
  if (!request || (command.type === 'RequestCancellation' && command.orgId !== request.orgId)) throw new NotFoundError('No such scan');

  switch (command.type) {
    case 'FinishPartition': {
      const partition = request.partitions.find((p) => p.key === command.key);
      if (!partition) throw new ValidationError(`Scan ${request.scanId} has no partition ${command.key}`);
      // A partition ends once; a resumed scan reporting it again is a repeat, as is a report after the end.
      if (state.finishedPartitions.has(command.key) || state.status) return [];
      const { type: _, actor: _actor, ...data } = command;
      return [{ type: 'PartitionFinished', data: { ...data, region: partition.region, collector: partition.collector } }];
    }
    case 'RequestCancellation':
      if (state.status) throw new ConflictError(`This scan has already finished (${state.status})`);
      if (state.cancellationRequested) return [];
      return [{ type: 'ScanCancellationRequested', data: { requestedBy: recordedName(command.actor) } }];
    case 'FinishScan': {
      if (state.status) return [];
      const totals = { discovered: 0, changed: 0, deleted: 0 };
      for (const p of state.finishedPartitions.values()) {
        totals.discovered += p.discovered;
        totals.changed += p.changed;
        totals.deleted += p.deleted;
      }
      return [{ type: 'ScanFinished', data: { status: scanStatus(state), ...totals, durationMs: command.durationMs } }];
    }
    case 'ClaimScan': {
      // A finished scan has nothing left to run: there is nothing to claim.
      if (state.status) return [];
      const held = state.claim;
      if (held && held.workerId !== command.workerId && Date.parse(held.leaseUntil) > command.now.getTime())
        throw new ConflictError(`Scan ${request.scanId} is claimed by worker ${held.workerId} until ${held.leaseUntil}`);
      return [{ type: 'ScanClaimed', data: { workerId: command.workerId, leaseUntil: new Date(command.now.getTime() + command.leaseMs).toISOString() } }];
    }
    case 'ReleaseClaim':
      // Only the holder gives a claim up, and only while the scan runs.
      return state.claim?.workerId === command.workerId && !state.status ? [{ type: 'ScanClaimReleased', data: { workerId: command.workerId } }] : [];
  }
}

export const scan: Decider<ScanCommand, ScanEvent, ScanState> = {
  events: scanEvents,
  initialState: () => ({ finishedPartitions: new Map(), cancellationRequested: false }),
  evolve,
  decide,
};
