import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openSqliteEventStore } from '../../infra/event-store/sqlite.ts';
import { collect } from '../../infra/testing/collect.ts';
import { accountReservation, accountReservationStream } from '../connections/account-reservation.ts';
import { connection, connectionStream } from '../connections/connection.ts';
import { emailReservation, emailReservationStream } from '../identity/email-reservation.ts';
import { mfa, mfaStream } from '../identity/mfa.ts';
import { session, sessionStream } from '../identity/session.ts';
import { signInAttempts, signInAttemptsStream } from '../identity/sign-in-attempts.ts';
import { user, userStream } from '../identity/user.ts';
import { inventoryEvents, inventoryStream } from '../inventory/partition.ts';
import { organization, organizationStream } from '../organizations/organization.ts';
import { scan, scanStream } from '../scans/scan.ts';
import { aggregateStream } from './aggregate-stream.ts';
import type { DomainEvent } from './decider.ts';
import type { EventCatalogue } from './event-schemas.ts';
import type { EventMetadata, EventStore } from './event-store.ts';
import { parseEvent, parseEventOf, storedEvents, type StoredEventType } from './registry.ts';

/**
 * Every event type in every shape it has ever been stored in (the project's history, `git log -p`),
 * written to the SQLite store and read back in its current shape: through an aggregate's fold, and
 * through the parse the projections use. A shape that is still current reads as it was stored.
 */
interface Shape {
  /** Where the shape comes from: 'current', or the commit that retired it. */
  shape: string;
  stored: object;
  /** The data as it reads today; the stored data when omitted. */
  reads?: object;
}

const newStore = () => openSqliteEventStore(join(mkdtempSync(join(tmpdir(), 'cv-shapes-')), 'events.db'));
const metadata: EventMetadata = { occurredAt: '2026-12-01T10:00:00.000Z', actor: 'user-1', orgId: 'org-1', correlationId: 'c-1', causationId: 'c-1' };
const token = (name: string) => ({ tokenHash: `hash-${name}`, token: `sealed-${name}`, issuedAt: '2026-12-01T10:00:00.000Z', expiresAt: '2026-12-02T10:00:00.000Z' });
const resource = { arn: 'arn:aws:ec2:eu-west-1:123456789012:instance/i-1', type: 'ec2:instance', accountId: '123456789012', region: 'eu-west-1', name: 'web', tags: { Env: 'prod' }, config: { state: 'running', blockDevices: [{ device: '/dev/xvda' }] }, relationships: [{ kind: 'in-vpc', target: 'arn:aws:ec2:eu-west-1:123456789012:vpc/vpc-1' }] };
const listed = { arn: resource.arn, type: resource.type, observedAt: '2026-12-01T09:59:00.000Z', scanId: 'scan-1' };
const partition = { key: 'eu-west-1/ec2-instances', region: 'eu-west-1', collector: 'ec2-instances', types: ['ec2:instance'] };
/** Inventory streams name their connection; events written before a416449 carry it no other way. */
const CONNECTION = '3f0c6a2e-8b1d-4c52-9a47-0e6f2b1d9c88';

const current = (stored: object): Shape => ({ shape: 'current', stored });

/** Typed over every stored event type: a type added without its shapes here does not compile. */
const shapes: { [Type in StoredEventType]: Shape[] } = {
  UserRegistered: [
    current({ userId: 'u-1', email: 'sealed-email', emailHash: 'eh-1', firstName: 'sealed-ada', lastName: 'sealed-lovelace', timezone: 'Europe/London', passwordHash: 'ph-1', verification: token('v1') }),
    // Invited users (d13dd4e on) register with their address already proven, and no verification token.
    current({ userId: 'u-1', email: 'sealed-email', emailHash: 'eh-1', timezone: 'UTC', passwordHash: 'ph-1' }),
  ],
  VerificationMailRequested: [current({ verification: token('v2') })],
  EmailVerified: [current({ emailHash: 'eh-1' })],
  PasswordResetRequested: [current({ reset: token('r1') })],
  PasswordReset: [current({ passwordHash: 'ph-2' })],
  PasswordChanged: [current({ passwordHash: 'ph-3' })],
  ProfileUpdated: [current({ firstName: null, timezone: 'Europe/Paris' }), current({ lastName: 'sealed-byron' })],
  EmailChangeRequested: [current({ newEmail: 'sealed-new', newEmailHash: 'eh-2', currentEmail: 'sealed-email', confirmation: token('c1') })],
  EmailChanged: [current({ email: 'sealed-new', emailHash: 'eh-2', previousEmailHash: 'eh-1' })],
  SignUpAttempted: [current({ at: '2026-12-01T10:00:00.000Z' })],
  MfaSetupStarted: [current({ secret: 'sealed-secret' })],
  MfaEnabled: [current({ recoveryCodeHashes: ['rc-1', 'rc-2'] })],
  MfaDisabled: [current({})],
  MfaCodeAccepted: [current({ timeStep: 59_000_000 })],
  RecoveryCodeUsed: [current({ codeHash: 'rc-1' })],
  SignInChallengeAnswered: [current({ challengeId: 'ch-1' })],
  SessionStarted: [current({ sessionId: 's-1', userId: 'u-1', startedAt: '2026-12-01T10:00:00.000Z', expiresAt: '2026-12-08T10:00:00.000Z', userAgent: 'sealed-ua', ip: 'sealed-ip', mfa: true })],
  SessionRevoked: [current({ sessionId: 's-1', userId: 'u-1', reason: 'signed_out_everywhere' })],
  EmailReserved: [current({ userId: 'u-1' })],
  EmailReleased: [current({ userId: 'u-1' })],
  SignInFailed: [current({ userId: 'u-1', reason: 'wrong_mfa_code' })],
  OrganizationCreated: [current({ orgId: 'o-1', name: 'Acme', timezone: 'Europe/London', ownerId: 'u-1' })],
  MemberJoined: [current({ userId: 'u-2', role: 'viewer' })],
  MemberInvited: [
    current({ invitationId: 'i-1', email: 'sealed-invitee', emailHash: 'eh-3', role: 'admin', tokenHash: 'th-1', token: 'sealed-token', expiresAt: '2026-12-08T10:00:00.000Z', invitedBy: 'u-1', organizationName: 'Acme' }),
  ],
  InvitationRevoked: [current({ invitationId: 'i-1' })],
  InvitationAccepted: [current({ invitationId: 'i-1', userId: 'u-3' })],
  MemberRoleChanged: [current({ userId: 'u-2', role: 'member', previousRole: 'viewer' })],
  MemberRemoved: [current({ userId: 'u-2', reason: 'removed' }), current({ userId: 'u-3', reason: 'left' })],
  OrganizationSettingsChanged: [current({ name: 'Acme Ltd' }), current({ requireMfa: true })],
  AwsConnectionCreated: [
    current({ connectionId: 'c-1', orgId: 'o-1', name: 'Prod', method: 'role', roleArn: 'arn:aws:iam::123456789012:role/Cv', accountId: '123456789012', alias: null, regions: 'all', createdBy: 'u-1' }),
    current({ connectionId: 'c-2', orgId: 'o-1', name: 'Dev', method: 'keys', maskedAccessKeyId: 'AKIA…WXYZ', secret: 'sealed-keys', accountId: '210987654321', alias: 'dev', regions: ['eu-west-1'], createdBy: 'u-1' }),
  ],
  ConnectionValidated: [current({ accountId: '123456789012', alias: 'prod', enabledRegions: ['eu-west-1', 'us-east-1'], validatedAt: '2026-12-01T10:00:00.000Z' })],
  ConnectionRenamed: [current({ name: 'Production' })],
  ConnectionRegionsChanged: [current({ regions: ['eu-west-1'] }), current({ regions: 'all' })],
  ConnectionKeysRotated: [current({ maskedAccessKeyId: 'AKIA…ABCD', secret: 'sealed-keys-2' })],
  AwsConnectionDeleted: [current({ connectionId: 'c-1', accountId: '123456789012' })],
  ScanAssigned: [current({ scanId: 'scan-1' })],
  ScanReleased: [current({ scanId: 'scan-1' })],
  ScanScheduleChanged: [current({ schedule: { kind: 'daily', hour: 4 } }), current({ schedule: { kind: 'hourly' } }), current({ schedule: { kind: 'off' } })],
  AwsAccountReserved: [current({ accountId: '123456789012', connectionId: 'c-1' })],
  AwsAccountReleased: [current({ accountId: '123456789012', connectionId: 'c-1' })],
  ScanRequested: [current({ scanId: 'scan-1', connectionId: 'c-1', orgId: 'o-1', accountId: '123456789012', requestedBy: 'schedule', trigger: 'schedule', partitions: [partition] })],
  PartitionFinished: [
    current({ key: partition.key, region: 'eu-west-1', collector: 'ec2-instances', outcome: 'denied', errorCode: 'AccessDenied', message: 'not allowed', discovered: 0, changed: 0, deleted: 0, durationMs: 12 }),
  ],
  ScanCancellationRequested: [current({ requestedBy: 'u-1' })],
  ScanFinished: [current({ status: 'partial', discovered: 3, changed: 1, deleted: 0, durationMs: 420 })],
  ScanClaimed: [current({ workerId: 'w-1', leaseUntil: '2026-12-01T10:00:30.000Z' })],
  ScanClaimReleased: [current({ workerId: 'w-1' })],
  ResourceDiscovered: [
    current({ ...listed, resource, fingerprint: 'fp-1', connectionId: CONNECTION }),
    { shape: 'a416449', stored: { ...listed, resource, fingerprint: 'fp-1' }, reads: { ...listed, resource, fingerprint: 'fp-1', connectionId: CONNECTION } },
  ],
  ResourceChanged: [
    current({ ...listed, resource, fingerprint: 'fp-2', changedPaths: ['config.state'], connectionId: CONNECTION }),
    { shape: 'a416449', stored: { ...listed, resource, fingerprint: 'fp-2', changedPaths: [] }, reads: { ...listed, resource, fingerprint: 'fp-2', changedPaths: [], connectionId: CONNECTION } },
  ],
  ResourceDeleted: [current({ ...listed, connectionId: CONNECTION }), { shape: 'a416449', stored: listed, reads: { ...listed, connectionId: CONNECTION } }],
};

/** Each aggregate's catalogue (its decider's, where it has one) and a fresh stream of its. */
const aggregates: Array<{ events: EventCatalogue<DomainEvent>; stream: () => string }> = [
  { events: user.events, stream: () => userStream(randomUUID()) },
  { events: mfa.events, stream: () => mfaStream(randomUUID()) },
  { events: session.events, stream: () => sessionStream(randomUUID()) },
  { events: emailReservation.events, stream: () => emailReservationStream(randomUUID()) },
  { events: signInAttempts.events, stream: () => signInAttemptsStream(randomUUID()) },
  { events: organization.events, stream: () => organizationStream(randomUUID()) },
  { events: connection.events, stream: () => connectionStream(randomUUID()) },
  { events: accountReservation.events, stream: () => accountReservationStream('o-1', randomUUID()) },
  { events: scan.events, stream: () => scanStream(randomUUID()) },
  { events: inventoryEvents, stream: () => inventoryStream(CONNECTION, 'eu-west-1', `ec2-instances-${randomUUID()}`) },
];
const aggregateOf = (type: string) => aggregates.find((aggregate) => aggregate.events.knows(type))!;

async function append(store: EventStore, stream: string, type: string, data: object, meta: EventMetadata = metadata) {
  await store.append(stream, [{ eventId: randomUUID(), type, data, metadata: meta }], { expected: 'any' });
}

/** Every event of the stream as the aggregate's fold reads it. */
async function folded(store: EventStore, events: EventCatalogue<DomainEvent>, stream: string): Promise<DomainEvent[]> {
  return (await aggregateStream(store, { events, initialState: (): DomainEvent[] => [], evolve: (seen, event) => [...seen, event] }, stream)).state;
}

describe('stored events in every shape they have had', () => {
  it('has the shapes of every event type stored, and of no other', () => {
    expect(Object.keys(shapes).sort()).toEqual([...storedEvents.definitions.keys()].sort());
    for (const type of storedEvents.definitions.keys()) expect(aggregates.filter((aggregate) => aggregate.events.knows(type)), type).toHaveLength(1);
  });

  it('has an upcaster for every past shape, and a past shape for every upcaster', () => {
    for (const [type, definition] of storedEvents.definitions) {
      const retired = shapes[type as StoredEventType].filter((shape) => shape.shape !== 'current').map((shape) => shape.shape);
      expect(retired, type).toEqual(definition.upcasters.map((step) => step.retiredBy));
    }
  });

  it('reads each shape in the current one, through the fold and through the projections’ parse', async () => {
    const store = newStore();
    for (const [type, typeShapes] of Object.entries(shapes))
      for (const { shape, stored, reads = stored } of typeShapes) {
        const aggregate = aggregateOf(type);
        const stream = aggregate.stream();
        await append(store, stream, type, stored);
        const expected = { type, data: reads };
        expect(await folded(store, aggregate.events, stream), `${type} (${shape}) through the fold`).toEqual([expected]);
        const [recorded] = await collect(store.readStream(stream));
        expect(parseEvent(recorded!), `${type} (${shape}) through parseEvent`).toEqual(expected);
        expect(parseEventOf(recorded!, [type as StoredEventType]), `${type} (${shape}) through parseEventOf`).toEqual(expected);
      }
    await store.close();
  });

  it('names the connection of an inventory event stored before a416449 from its stream, whatever the ids look like', async () => {
    const store = newStore();
    for (const [connectionId, region, collector] of [
      [CONNECTION, 'eu-west-1', 'ec2-instances'],
      ['conn-test', 'global', 'iam'],
      ['bench-connection', 'us-gov-west-1', 'security-groups'],
      ['c-1', 'ap-southeast-2', 's3-buckets'],
    ] as const) {
      const stream = inventoryStream(connectionId, region, collector);
      await append(store, stream, 'ResourceDeleted', listed);
      expect(await folded(store, inventoryEvents, stream)).toEqual([{ type: 'ResourceDeleted', data: { ...listed, connectionId } }]);
    }
    await store.close();
  });

  it('reads metadata stored before request fingerprints (dba7c32) without one, and keeps request details', async () => {
    const store = newStore();
    const stream = userStream(randomUUID());
    await append(store, stream, 'EmailVerified', { emailHash: 'eh-1' }, { ...metadata, ip: 'sealed-ip', userAgent: 'sealed-ua' });
    await append(store, stream, 'EmailVerified', { emailHash: 'eh-1' }, { ...metadata, requestFingerprint: 'fp' });
    const [before, after] = await collect(store.readStream(stream));
    expect(before!.metadata).toEqual({ ...metadata, ip: 'sealed-ip', userAgent: 'sealed-ua' });
    expect(before!.metadata.requestFingerprint).toBeUndefined();
    expect(after!.metadata.requestFingerprint).toBe('fp');
    await store.close();
  });
});

describe('a stored event no schema reads', () => {
  it('fails the fold loudly, naming the stream, the revision and the type', async () => {
    const store = newStore();
    const stream = sessionStream('s-malformed');
    await append(store, stream, 'SessionStarted', { sessionId: 's-malformed', startedAt: 'yesterday' });
    await expect(aggregateStream(store, session, stream)).rejects.toMatchObject({
      code: 'INTERNAL',
      message: expect.stringMatching(/SessionStarted at revision 0 of stream session-s-malformed .*userId/),
    });
    await expect(collect(store.readStream(stream)).then(([recorded]) => parseEvent(recorded!))).rejects.toThrow(/SessionStarted at revision 0 of stream session-s-malformed/);
    await store.close();
  });

  it('fails the fold on a type its stream does not hold, and the projections’ parse on a type nobody knows', async () => {
    const store = newStore();
    const stream = userStream('u-foreign');
    await append(store, stream, 'UserRegistered', { userId: 'u-foreign', email: 'e', emailHash: 'h', timezone: 'UTC', passwordHash: 'p' });
    await append(store, stream, 'EmailReserved', { userId: 'u-foreign' });
    await append(store, stream, 'UserTeleported', { to: 'mars' });
    await expect(aggregateStream(store, user, stream)).rejects.toThrow(/EmailReserved at revision 1 of stream user-u-foreign is none of the types expected here/);
    const [, , unknown] = await collect(store.readStream(stream));
    expect(() => parseEvent(unknown!)).toThrow(/UserTeleported at revision 2 of stream user-u-foreign/);
    // A reader that does not handle a type passes it by, whatever it is.
    expect(parseEventOf(unknown!, ['UserRegistered'])).toBeUndefined();
    await store.close();
  });

  it('fails on an old shape whose upcaster cannot complete it', async () => {
    const store = newStore();
    await append(store, 'inventory-unnamed', 'ResourceDeleted', listed);
    await expect(folded(store, inventoryEvents, 'inventory-unnamed')).rejects.toThrow(/does not name its connection/);
    await append(store, inventoryStream(CONNECTION, 'eu-west-1', 'ec2-instances'), 'ResourceChanged', { ...listed, resource: { arn: resource.arn }, fingerprint: 'fp' });
    await expect(folded(store, inventoryEvents, inventoryStream(CONNECTION, 'eu-west-1', 'ec2-instances'))).rejects.toThrow(
      new RegExp(`ResourceChanged at revision 0 of stream inventory-${CONNECTION}-eu-west-1-ec2-instances .*resource: must be a normalised resource`),
    );
    await store.close();
  });

  it('fails reading metadata that is not audit metadata, naming the event', async () => {
    const store = newStore();
    const { actor: _actor, ...withoutActor } = metadata;
    await store.append('user-no-actor', [{ eventId: randomUUID(), type: 'EmailVerified', data: { emailHash: 'h' }, metadata: withoutActor as EventMetadata }], { expected: 'any' });
    await expect(collect(store.readStream('user-no-actor'))).rejects.toThrow(/EmailVerified at revision 0 of stream user-no-actor has metadata that is not audit metadata: actor/);
    await store.close();
  });
});
