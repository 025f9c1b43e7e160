import { z } from 'zod';
import { AppError, ConflictError, NotFoundError, ValidationError } from '../errors.ts';
import type { Decider } from '../eventsourcing/decider.ts';
import { defineEvents, type EventOf } from '../eventsourcing/event-schemas.ts';
import { authorize, recordedName, type Actor, type Authority } from '../organizations/actor.ts';
import { sealed, type Sealed } from '../privacy/personal-data.ts';
import { DEFAULT_SCAN_SCHEDULE, sameSchedule, scanSchedule, validSchedule, type ScanSchedule } from './scan-schedule.ts';

/**
 * An AWS account an organisation has connected: how Cloudventory reaches it (a role it assumes with
 * the organisation's external id, or access keys), which account it turned out to be, and which
 * regions to scan. Stored access keys are sealed with the connection's own data key, so deleting
 * the connection can shred them (DESIGN.md §6).
 */
export const connectionStream = (connectionId: string) => `connection-${connectionId}`;
/** The vault subject whose data key seals this connection's access keys. */
export const connectionSubject = (connectionId: string) => `connection-${connectionId}`;

const connectionMethod = z.enum(['role', 'keys']);
export type ConnectionMethod = z.infer<typeof connectionMethod>;
/** Every enabled region, including ones enabled later, or exactly these. */
const regionSelection = z.union([z.literal('all'), z.array(z.string())]);
export type RegionSelection = z.infer<typeof regionSelection>;

/** What checking the access against AWS found. */
const accountCheck = z.object({
  accountId: z.string(),
  /** The account's alias (IAM), when it has one. */
  alias: z.string().nullable(),
  /** Regions enabled in the account (opted in, or needing no opt-in). */
  enabledRegions: z.array(z.string()),
});
export type AccountCheck = z.infer<typeof accountCheck>;

/** How the connection reaches AWS, as stored: a role ARN, or keys shown masked and stored sealed. */
export type StoredAccess =
  | { method: 'role'; roleArn: string }
  | {
      method: 'keys';
      /** e.g. `AKIA…WXYZ`: enough to recognise the key in the AWS console, useless to anyone else. */
      maskedAccessKeyId: string;
      /** `{accessKeyId, secretAccessKey}` as JSON, sealed for the connection's subject. */
      secret: Sealed;
    };

export const connectionEvents = defineEvents({
  AwsConnectionCreated: z.object({
    connectionId: z.string(),
    orgId: z.string(),
    name: z.string(),
    method: connectionMethod,
    roleArn: z.string().optional(),
    maskedAccessKeyId: z.string().optional(),
    secret: sealed.optional(),
    accountId: z.string(),
    alias: z.string().nullable(),
    regions: regionSelection,
    createdBy: z.string(),
  }),
  ConnectionValidated: accountCheck.extend({ validatedAt: z.string() }),
  ConnectionRenamed: z.object({ name: z.string() }),
  ConnectionRegionsChanged: z.object({ regions: regionSelection }),
  ConnectionKeysRotated: z.object({ maskedAccessKeyId: z.string(), secret: sealed }),
  AwsConnectionDeleted: z.object({ connectionId: z.string(), accountId: z.string() }),
  /** At most one scan per connection at a time: this one runs until released. */
  ScanAssigned: z.object({ scanId: z.string() }),
  ScanReleased: z.object({ scanId: z.string() }),
  ScanScheduleChanged: z.object({ schedule: scanSchedule }),
});
export type ConnectionEvent = EventOf<typeof connectionEvents>;

/**
 * Every command names the organisation from the request path (a connection of another one does not
 * exist) and who issues it, with their role in that organisation.
 */
export type ConnectionCommand =
  | {
      type: 'CreateConnection';
      actor: Actor;
      connectionId: string;
      orgId: string;
      name: string;
      access: StoredAccess;
      check: AccountCheck;
      regions: RegionSelection;
      creatorVerified: boolean;
      now: Date;
    }
  /** Name and regions change together or not at all. */
  | { type: 'ChangeConnection'; actor: Actor; orgId: string; name?: string | undefined; regions?: RegionSelection | undefined }
  | { type: 'RotateConnectionKeys'; actor: Actor; orgId: string; maskedAccessKeyId: string; secret: Sealed; check: AccountCheck; now: Date }
  | { type: 'RecordConnectionValidation'; actor: Actor; orgId: string; check: AccountCheck; now: Date }
  | { type: 'DeleteConnection'; actor: Actor; orgId: string }
  /** Assigns this scan id, unless a scan is running: then the request joins it and nothing is emitted. */
  | { type: 'RequestScan'; actor: Actor; orgId: string; scanId: string }
  /** The scan finished (any status); a release of a scan no longer assigned is a repeat. */
  | { type: 'ReleaseScan'; actor: Actor; orgId: string; scanId: string }
  /** Choosing the schedule it already has changes nothing. */
  | { type: 'ChangeScanSchedule'; actor: Actor; orgId: string; schedule: ScanSchedule };

/** Who may issue each command. */
const authorities: Record<ConnectionCommand['type'], Authority> = {
  CreateConnection: { permission: 'connections:manage' },
  ChangeConnection: { permission: 'connections:manage' },
  RotateConnectionKeys: { permission: 'connections:manage' },
  RecordConnectionValidation: { permission: 'connections:manage' },
  DeleteConnection: { permission: 'connections:manage' },
  ChangeScanSchedule: { permission: 'connections:manage' },
  // Scheduled scans are requested by the scheduler; only the scan worker ends them.
  RequestScan: { permission: 'scans:start', processes: ['scheduler'] },
  ReleaseScan: { processes: ['scan-worker'] },
};

export interface ConnectionState {
  connectionId?: string;
  orgId?: string;
  name?: string;
  method?: ConnectionMethod;
  roleArn?: string;
  secret?: Sealed;
  accountId?: string;
  regions: RegionSelection;
  enabledRegions: string[];
  deleted: boolean;
  /** The scan assigned and not yet released. */
  runningScanId?: string | undefined;
  schedule: ScanSchedule;
}

const NAME_MAX = 100;

/** `AKIAIOSFODNN7EXAMPLE` → `AKIA…MPLE`. */
export function maskAccessKeyId(accessKeyId: string): string {
  return `${accessKeyId.slice(0, 4)}…${accessKeyId.slice(-4)}`;
}

/** Connecting an account lets us act in someone's cloud in the organisation's name: only people who proved their address may. */
export function assertMayConnect(verified: boolean): void {
  if (!verified) throw new AppError('FORBIDDEN', 'Please verify your e-mail address before connecting an AWS account');
}

function validName(name: string): string {
  const trimmed = name.trim();
  if (!trimmed) throw new ValidationError('The connection needs a name', [{ path: '/name', message: 'is required' }]);
  if (trimmed.length > NAME_MAX) throw new ValidationError(`The name must be at most ${NAME_MAX} characters`, [{ path: '/name', message: 'is too long' }]);
  return trimmed;
}

/** A chosen list is kept sorted and without repeats, and may only name regions the account has enabled. */
function validRegions(regions: RegionSelection, enabled: readonly string[], accountId: string): RegionSelection {
  if (regions === 'all') return 'all';
  const chosen = [...new Set(regions)].sort();
  if (chosen.length === 0) throw new ValidationError('Choose at least one region, or all of them', [{ path: '/regions', message: 'is empty' }]);
  const unknown = chosen.filter((region) => !enabled.includes(region));
  if (unknown.length > 0)
    throw new ValidationError(`Not enabled in AWS account ${accountId}: ${unknown.join(', ')}. Enable the region in AWS first, or leave it out`, [
      { path: '/regions', message: `not enabled: ${unknown.join(', ')}` },
    ]);
  return chosen;
}

/** Keys or a session can only ever stand for the account the connection was made for. */
function assertSameAccount(state: ConnectionState, check: AccountCheck): void {
  if (check.accountId !== state.accountId)
    throw new ConflictError(
      `These credentials belong to AWS account ${check.accountId}, but this connection is for account ${state.accountId}. Connect the other account as a new connection instead`,
    );
}

const validated = (check: AccountCheck, now: Date): ConnectionEvent => ({
  type: 'ConnectionValidated',
  data: { accountId: check.accountId, alias: check.alias, enabledRegions: [...check.enabledRegions].sort(), validatedAt: now.toISOString() },
});

function evolve(state: ConnectionState, event: ConnectionEvent): ConnectionState {
  switch (event.type) {
    case 'AwsConnectionCreated': {
      const { connectionId, orgId, name, method, roleArn, secret, accountId, regions } = event.data;
      return { ...state, connectionId, orgId, name, method, accountId, regions, ...(roleArn ? { roleArn } : {}), ...(secret ? { secret } : {}) };
    }
    case 'ConnectionValidated':
      return { ...state, enabledRegions: event.data.enabledRegions };
    case 'ConnectionRenamed':
      return { ...state, name: event.data.name };
    case 'ConnectionRegionsChanged':
      return { ...state, regions: event.data.regions };
    case 'ConnectionKeysRotated':
      return { ...state, secret: event.data.secret };
    case 'AwsConnectionDeleted':
      return { ...state, deleted: true };
    case 'ScanAssigned':
      return { ...state, runningScanId: event.data.scanId };
    case 'ScanReleased':
      return state.runningScanId === event.data.scanId ? { ...state, runningScanId: undefined } : state;
    case 'ScanScheduleChanged':
      return { ...state, schedule: event.data.schedule };
    default:
      return state;
  }
}

function decide(command: ConnectionCommand, state: ConnectionState): ConnectionEvent[] {
  authorize(command.actor, authorities[command.type], 'No such connection');
  if (command.type === 'CreateConnection') {
    if (state.connectionId) throw new ConflictError('This connection already exists');
    assertMayConnect(command.creatorVerified);
    const { connectionId, orgId, access, check } = command;
    const name = validName(command.name);
    const regions = validRegions(command.regions, check.enabledRegions, check.accountId);
    const how = access.method === 'role' ? { roleArn: access.roleArn } : { maskedAccessKeyId: access.maskedAccessKeyId, secret: access.secret };
    const createdBy = recordedName(command.actor);
    return [
      { type: 'AwsConnectionCreated', data: { connectionId, orgId, name, method: access.method, ...how, accountId: check.accountId, alias: check.alias, regions, createdBy } },
      validated(check, command.now),
    ];
  }
  if (command.type === 'ReleaseScan') {
    if (!state.connectionId || state.orgId !== command.orgId) throw new NotFoundError('No such connection');
    // A scan still running when its connection was deleted must still be able to end.
    return state.runningScanId === command.scanId ? [{ type: 'ScanReleased', data: { scanId: command.scanId } }] : [];
  }
  // Another organisation's connection, or a deleted one, is no connection at all.
  if (!state.connectionId || state.orgId !== command.orgId || state.deleted) {
    if (command.type === 'DeleteConnection' && state.deleted && state.orgId === command.orgId) return [];
    throw new NotFoundError('No such connection');
  }

  switch (command.type) {
    case 'ChangeConnection': {
      const events: ConnectionEvent[] = [];
      const name = command.name === undefined ? undefined : validName(command.name);
      if (name !== undefined && name !== state.name) events.push({ type: 'ConnectionRenamed', data: { name } });
      const regions = command.regions === undefined ? undefined : validRegions(command.regions, state.enabledRegions, state.accountId!);
      if (regions !== undefined && JSON.stringify(regions) !== JSON.stringify(state.regions)) events.push({ type: 'ConnectionRegionsChanged', data: { regions } });
      return events;
    }
    case 'RotateConnectionKeys':
      if (state.method !== 'keys') throw new ConflictError('This connection uses a role, which has no keys to rotate');
      assertSameAccount(state, command.check);
      return [{ type: 'ConnectionKeysRotated', data: { maskedAccessKeyId: command.maskedAccessKeyId, secret: command.secret } }, validated(command.check, command.now)];
    case 'RecordConnectionValidation':
      assertSameAccount(state, command.check);
      return [validated(command.check, command.now)];
    case 'DeleteConnection':
      return [{ type: 'AwsConnectionDeleted', data: { connectionId: state.connectionId, accountId: state.accountId! } }];
    case 'RequestScan':
      return state.runningScanId ? [] : [{ type: 'ScanAssigned', data: { scanId: command.scanId } }];
    case 'ChangeScanSchedule': {
      const schedule = validSchedule(command.schedule);
      return sameSchedule(schedule, state.schedule) ? [] : [{ type: 'ScanScheduleChanged', data: { schedule } }];
    }
  }
}

export const connection: Decider<ConnectionCommand, ConnectionEvent, ConnectionState> = {
  events: connectionEvents,
  initialState: () => ({ regions: 'all', enabledRegions: [], deleted: false, schedule: DEFAULT_SCAN_SCHEDULE }),
  evolve,
  decide,
};
