import { describe, expect, it } from 'vitest';
import { given } from '../eventsourcing/specification.ts';
import { userActor, type Actor, type Authority } from '../organizations/actor.ts';
import { everyActor, expectedOutcome } from '../organizations/testing/actors.ts';
import type { Sealed } from '../privacy/personal-data.ts';
import { accountReservation } from './account-reservation.ts';
import { connection, maskAccessKeyId, type AccountCheck, type ConnectionCommand, type ConnectionEvent } from './connection.ts';
import type { ScanSchedule } from './scan-schedule.ts';

/** Pins the history's type, so inline events are checked as ConnectionEvents (not widened). */
const givenConnection = (history: ConnectionEvent[]) => given(connection, history);

const orgId = 'org-a';
const otherOrg = 'org-b';
const connectionId = 'conn-1';
const now = new Date('2026-03-01T12:00:00Z');
const later = new Date('2026-03-02T08:00:00Z');
const secret = 'sealed:keys-1' as Sealed;
const rotatedSecret = 'sealed:keys-2' as Sealed;
const check: AccountCheck = { accountId: '210987654321', alias: 'acme-prod', enabledRegions: ['us-east-1', 'eu-west-1', 'eu-central-1'] };
const byOwner = userActor('user-owner', 'owner');
const scanWorker: Actor = { kind: 'system', process: 'scan-worker' };

const create = (overrides: Partial<Extract<ConnectionCommand, { type: 'CreateConnection' }>> = {}): ConnectionCommand => ({
  type: 'CreateConnection',
  actor: byOwner,
  connectionId,
  orgId,
  name: ' Production ',
  access: { method: 'keys', maskedAccessKeyId: 'AKIA…WXYZ', secret },
  check,
  regions: 'all',
  creatorVerified: true,
  now,
  ...overrides,
});

const createdBy = (userId: string): ConnectionEvent => ({
  type: 'AwsConnectionCreated',
  data: { connectionId, orgId, name: 'Production', method: 'keys', maskedAccessKeyId: 'AKIA…WXYZ', secret, accountId: '210987654321', alias: 'acme-prod', regions: 'all', createdBy: userId },
});
const created = createdBy('user-owner');
const roleArn = 'arn:aws:iam::210987654321:role/CloudventoryReadOnly';
const roleCreated: ConnectionEvent = {
  type: 'AwsConnectionCreated',
  data: { connectionId, orgId, name: 'Production', method: 'role', roleArn, accountId: '210987654321', alias: 'acme-prod', regions: 'all', createdBy: 'user-owner' },
};
const validatedAt = (at: Date, found: AccountCheck = check): ConnectionEvent => ({
  type: 'ConnectionValidated',
  data: { accountId: found.accountId, alias: found.alias, enabledRegions: [...found.enabledRegions].sort(), validatedAt: at.toISOString() },
});
const existing: ConnectionEvent[] = [created, validatedAt(now)];
const deleted: ConnectionEvent = { type: 'AwsConnectionDeleted', data: { connectionId, accountId: '210987654321' } };

describe('connecting an account', () => {
  it('records the connection with its masked, sealed keys and what the check found', () => {
    givenConnection([]).when(create()).then(existing);
  });

  it('records a role by its ARN, with no keys at all', () => {
    givenConnection([])
      .when(create({ access: { method: 'role', roleArn } }))
      .then([roleCreated, validatedAt(now)]);
  });

  it('keeps a chosen list of regions sorted and without repeats', () => {
    const [first] = connection.decide(create({ regions: ['eu-west-1', 'us-east-1', 'eu-west-1'] }), connection.initialState());
    expect(first).toMatchObject({ data: { regions: ['eu-west-1', 'us-east-1'] } });
  });

  it('refuses regions the account has not enabled, naming them', () => {
    givenConnection([])
      .when(create({ regions: ['eu-west-1', 'ap-east-1'] }))
      .thenThrows('VALIDATION_FAILED', /Not enabled in AWS account 210987654321: ap-east-1/);
  });

  it('refuses an empty list of regions and an empty name', () => {
    givenConnection([]).when(create({ regions: [] })).thenThrows('VALIDATION_FAILED', /at least one region/);
    givenConnection([]).when(create({ name: '  ' })).thenThrows('VALIDATION_FAILED', /needs a name/);
  });

  it('refuses someone who has not verified their address', () => {
    givenConnection([]).when(create({ creatorVerified: false })).thenThrows('FORBIDDEN', /verify your e-mail address/);
  });

  it('refuses to create the same connection twice', () => {
    givenConnection(existing).when(create()).thenThrows('CONFLICT');
  });
});

describe('changing a connection', () => {
  it('renames it, and a rename to the same name changes nothing', () => {
    givenConnection(existing).when({ type: 'ChangeConnection', actor: byOwner, orgId, name: ' Staging ' }).then([{ type: 'ConnectionRenamed', data: { name: 'Staging' } }]);
    givenConnection(existing).when({ type: 'ChangeConnection', actor: byOwner, orgId, name: 'Production' }).then([]);
  });

  it('changes the regions among those enabled at the last check', () => {
    givenConnection(existing)
      .when({ type: 'ChangeConnection', actor: byOwner, orgId, regions: ['eu-west-1'] })
      .then([{ type: 'ConnectionRegionsChanged', data: { regions: ['eu-west-1'] } }]);
    givenConnection(existing).when({ type: 'ChangeConnection', actor: byOwner, orgId, regions: 'all' }).then([]);
    givenConnection(existing).when({ type: 'ChangeConnection', actor: byOwner, orgId, regions: ['sa-east-1'] }).thenThrows('VALIDATION_FAILED', /sa-east-1/);
  });

  it('changes name and regions together, or neither when one of them is refused', () => {
    givenConnection(existing)
      .when({ type: 'ChangeConnection', actor: byOwner, orgId, name: 'Staging', regions: ['us-east-1'] })
      .then([
        { type: 'ConnectionRenamed', data: { name: 'Staging' } },
        { type: 'ConnectionRegionsChanged', data: { regions: ['us-east-1'] } },
      ]);
    givenConnection(existing).when({ type: 'ChangeConnection', actor: byOwner, orgId, name: 'Staging', regions: ['sa-east-1'] }).thenThrows('VALIDATION_FAILED');
  });

  it("answers as if another organisation's connection did not exist", () => {
    givenConnection(existing).when({ type: 'ChangeConnection', actor: byOwner, orgId: otherOrg, name: 'Mine now' }).thenThrows('NOT_FOUND');
    givenConnection(existing).when({ type: 'DeleteConnection', actor: byOwner, orgId: otherOrg }).thenThrows('NOT_FOUND');
    givenConnection([]).when({ type: 'ChangeConnection', actor: byOwner, orgId, name: 'Nothing' }).thenThrows('NOT_FOUND');
  });
});

describe('rotating keys', () => {
  const rotate = (found: AccountCheck = check): ConnectionCommand => ({ type: 'RotateConnectionKeys', actor: byOwner, orgId, maskedAccessKeyId: 'AKIA…ABCD', secret: rotatedSecret, check: found, now: later });

  it('replaces the sealed keys and records the check of the new ones', () => {
    givenConnection(existing)
      .when(rotate())
      .then([{ type: 'ConnectionKeysRotated', data: { maskedAccessKeyId: 'AKIA…ABCD', secret: rotatedSecret } }, validatedAt(later)]);
  });

  it('refuses keys of another account: that is another connection', () => {
    givenConnection(existing)
      .when(rotate({ ...check, accountId: '333333333333' }))
      .thenThrows('CONFLICT', /belong to AWS account 333333333333, but this connection is for account 210987654321/);
  });

  it('refuses to rotate keys of a role connection', () => {
    givenConnection([roleCreated]).when(rotate()).thenThrows('CONFLICT', /uses a role/);
  });
});

describe('validating again', () => {
  it('records what the check found now', () => {
    const found = { ...check, alias: null, enabledRegions: ['us-east-1'] };
    givenConnection(existing).when({ type: 'RecordConnectionValidation', actor: byOwner, orgId, check: found, now: later }).then([validatedAt(later, found)]);
  });

  it('refuses a check that reached another account', () => {
    givenConnection(existing)
      .when({ type: 'RecordConnectionValidation', actor: byOwner, orgId, check: { ...check, accountId: '333333333333' }, now: later })
      .thenThrows('CONFLICT');
  });
});

describe('deleting', () => {
  it('records the deletion once; after it the connection is gone', () => {
    givenConnection(existing).when({ type: 'DeleteConnection', actor: byOwner, orgId }).then([deleted]);
    givenConnection([...existing, deleted]).when({ type: 'DeleteConnection', actor: byOwner, orgId }).then([]);
    givenConnection([...existing, deleted]).when({ type: 'ChangeConnection', actor: byOwner, orgId, name: 'Back' }).thenThrows('NOT_FOUND');
  });
});

describe('one connection per AWS account and organisation', () => {
  const reserve = (id: string) => ({ type: 'ReserveAwsAccount' as const, accountId: '210987654321', connectionId: id });
  const reserved = { type: 'AwsAccountReserved' as const, data: { accountId: '210987654321', connectionId } };
  const released = { type: 'AwsAccountReleased' as const, data: { accountId: '210987654321', connectionId } };

  it('reserves a free account, and again for the same connection changes nothing', () => {
    given(accountReservation, []).when(reserve(connectionId)).then([reserved]);
    given(accountReservation, [reserved]).when(reserve(connectionId)).then([]);
  });

  it('refuses a second connection to a reserved account', () => {
    given(accountReservation, [reserved]).when(reserve('conn-2')).thenThrows('CONFLICT', /210987654321 is already connected/);
  });

  it('releases only for its holder, and a released account can be connected again', () => {
    given(accountReservation, [reserved]).when({ type: 'ReleaseAwsAccount', accountId: '210987654321', connectionId: 'conn-2' }).then([]);
    given(accountReservation, [reserved]).when({ type: 'ReleaseAwsAccount', accountId: '210987654321', connectionId }).then([released]);
    given(accountReservation, [reserved, released])
      .when(reserve('conn-2'))
      .then([{ type: 'AwsAccountReserved', data: { accountId: '210987654321', connectionId: 'conn-2' } }]);
  });
});

describe('masking access key ids', () => {
  it('keeps the first and last four characters', () => {
    expect(maskAccessKeyId('AKIAIOSFODNN7EXAMPLE')).toBe('AKIA…MPLE');
  });
});

describe('scans of a connection', () => {
  const created = connection.decide(create(), connection.initialState());
  const assigned: ConnectionEvent = { type: 'ScanAssigned', data: { scanId: 'scan-1' } };
  const released: ConnectionEvent = { type: 'ScanReleased', data: { scanId: 'scan-1' } };

  it('assigns a scan when none is running', () => {
    givenConnection(created).when({ type: 'RequestScan', actor: byOwner, orgId, scanId: 'scan-1' }).then([assigned]);
    givenConnection([...created, assigned, released]).when({ type: 'RequestScan', actor: byOwner, orgId, scanId: 'scan-2' }).then([{ type: 'ScanAssigned', data: { scanId: 'scan-2' } }]);
  });

  it('joins the running scan instead of starting a second one', () => {
    givenConnection([...created, assigned]).when({ type: 'RequestScan', actor: byOwner, orgId, scanId: 'scan-2' }).then([]);
  });

  it('releases the running scan once', () => {
    givenConnection([...created, assigned]).when({ type: 'ReleaseScan', actor: scanWorker, orgId, scanId: 'scan-1' }).then([released]);
    givenConnection([...created, assigned, released]).when({ type: 'ReleaseScan', actor: scanWorker, orgId, scanId: 'scan-1' }).then([]);
  });

  it('releases a scan whose connection was deleted meanwhile, but scans no deleted connection', () => {
    const gone: ConnectionEvent = { type: 'AwsConnectionDeleted', data: { connectionId, accountId: check.accountId } };
    givenConnection([...created, assigned, gone]).when({ type: 'ReleaseScan', actor: scanWorker, orgId, scanId: 'scan-1' }).then([released]);
    givenConnection([...created, gone]).when({ type: 'RequestScan', actor: byOwner, orgId, scanId: 'scan-2' }).thenThrows('NOT_FOUND');
  });

  it("scans no other organisation's connection, and releases no scan of one", () => {
    givenConnection(created).when({ type: 'RequestScan', actor: byOwner, orgId: otherOrg, scanId: 'scan-1' }).thenThrows('NOT_FOUND');
    givenConnection([...created, assigned]).when({ type: 'ReleaseScan', actor: scanWorker, orgId: otherOrg, scanId: 'scan-1' }).thenThrows('NOT_FOUND');
    givenConnection([]).when({ type: 'ReleaseScan', actor: scanWorker, orgId, scanId: 'scan-1' }).thenThrows('NOT_FOUND');
  });
});

describe('scan schedules', () => {
  const changed = (schedule: ScanSchedule): ConnectionEvent => ({ type: 'ScanScheduleChanged', data: { schedule } });
  const change = (schedule: ScanSchedule, org = orgId): ConnectionCommand => ({ type: 'ChangeScanSchedule', actor: byOwner, orgId: org, schedule });

  it('a new connection is scanned daily at 03:00, so choosing that changes nothing', () => {
    givenConnection(existing).when(change({ kind: 'daily', hour: 3 })).then([]);
  });

  it('records a new schedule, keeping only its own fields', () => {
    givenConnection(existing).when(change({ kind: 'hourly' })).then([changed({ kind: 'hourly' })]);
    givenConnection(existing).when(change({ kind: 'daily', hour: 0 })).then([changed({ kind: 'daily', hour: 0 })]);
    givenConnection(existing)
      .when(change({ kind: 'off', hour: 4 } as unknown as ScanSchedule))
      .then([changed({ kind: 'off' })]);
    givenConnection([...existing, changed({ kind: 'off' })]).when(change({ kind: 'off' })).then([]);
    givenConnection([...existing, changed({ kind: 'off' })]).when(change({ kind: 'daily', hour: 3 })).then([changed({ kind: 'daily', hour: 3 })]);
  });

  it('refuses an hour that is not a whole hour of the day', () => {
    givenConnection(existing).when(change({ kind: 'daily', hour: 24 })).thenThrows('VALIDATION_FAILED', /0 to 23/);
    givenConnection(existing).when(change({ kind: 'daily', hour: -1 })).thenThrows('VALIDATION_FAILED');
    givenConnection(existing).when(change({ kind: 'daily', hour: 2.5 })).thenThrows('VALIDATION_FAILED');
  });

  it("schedules no deleted connection and no other organisation's", () => {
    givenConnection([...existing, deleted]).when(change({ kind: 'hourly' })).thenThrows('NOT_FOUND');
    givenConnection(existing).when(change({ kind: 'hourly' }, otherOrg)).thenThrows('NOT_FOUND');
  });
});

/**
 * Who may do what: one case per command and actor, expected from the permission table (roles.ts) for
 * people, the role being what the API read from the membership read model. A non-member learns
 * nothing, not even that the connection exists.
 */
describe('who may do what with a connection', () => {
  const assigned: ConnectionEvent = { type: 'ScanAssigned', data: { scanId: 'scan-1' } };
  const userIdOf = (actor: Actor) => (actor.kind === 'user' ? actor.userId : 'a system process creates no connection');
  const cases: Array<{
    authority: Authority;
    given: ConnectionEvent[];
    when: (actor: Actor) => ConnectionCommand;
    then: (actor: Actor) => ConnectionEvent[];
  }> = [
    {
      authority: { permission: 'connections:manage' },
      given: [],
      when: (actor) => create({ actor }),
      then: (actor) => [createdBy(userIdOf(actor)), validatedAt(now)],
    },
    {
      authority: { permission: 'connections:manage' },
      given: existing,
      when: (actor) => ({ type: 'ChangeConnection', actor, orgId, name: 'Staging' }),
      then: () => [{ type: 'ConnectionRenamed', data: { name: 'Staging' } }],
    },
    {
      authority: { permission: 'connections:manage' },
      given: existing,
      when: (actor) => ({ type: 'RotateConnectionKeys', actor, orgId, maskedAccessKeyId: 'AKIA…ABCD', secret: rotatedSecret, check, now: later }),
      then: () => [{ type: 'ConnectionKeysRotated', data: { maskedAccessKeyId: 'AKIA…ABCD', secret: rotatedSecret } }, validatedAt(later)],
    },
    {
      authority: { permission: 'connections:manage' },
      given: existing,
      when: (actor) => ({ type: 'RecordConnectionValidation', actor, orgId, check, now: later }),
      then: () => [validatedAt(later)],
    },
    {
      authority: { permission: 'connections:manage' },
      given: existing,
      when: (actor) => ({ type: 'DeleteConnection', actor, orgId }),
      then: () => [deleted],
    },
    {
      authority: { permission: 'connections:manage' },
      given: existing,
      when: (actor) => ({ type: 'ChangeScanSchedule', actor, orgId, schedule: { kind: 'hourly' } }),
      then: () => [{ type: 'ScanScheduleChanged', data: { schedule: { kind: 'hourly' } } }],
    },
    {
      authority: { permission: 'scans:start', processes: ['scheduler'] },
      given: existing,
      when: (actor) => ({ type: 'RequestScan', actor, orgId, scanId: 'scan-1' }),
      then: () => [assigned],
    },
    {
      authority: { processes: ['scan-worker'] },
      given: [...existing, assigned],
      when: (actor) => ({ type: 'ReleaseScan', actor, orgId, scanId: 'scan-1' }),
      then: () => [{ type: 'ScanReleased', data: { scanId: 'scan-1' } }],
    },
  ];

  for (const { authority, given: history, when, then } of cases)
    describe(`${when(byOwner).type} (${authority.permission ?? 'no person'}; ${authority.processes?.join(', ') ?? 'no system process'})`, () => {
      for (const { who, actor } of everyActor) {
        const expected = expectedOutcome(actor, authority);
        if (expected === 'allowed') it(`is done for ${who}`, () => givenConnection(history).when(when(actor)).then(then(actor)));
        else if (expected === 'FORBIDDEN') it(`is refused to ${who}`, () => givenConnection(history).when(when(actor)).thenThrows('FORBIDDEN'));
        else it(`is unknown to ${who}`, () => givenConnection(history).when(when(actor)).thenThrows('NOT_FOUND', /No such connection/));
      }
    });
});
