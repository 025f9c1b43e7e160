import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { connection, connectionStream } from '../domain/connections/connection.ts';
import type { ScanSchedule } from '../domain/connections/scan-schedule.ts';
import { handleCommand } from '../domain/eventsourcing/decider.ts';
import type { EventStore } from '../domain/eventsourcing/event-store.ts';
import { userActor } from '../domain/organizations/actor.ts';
import { organization, organizationStream } from '../domain/organizations/organization.ts';
import type { DocumentStore } from '../domain/read-models/document-store.ts';
import { openSqliteDocumentStore } from '../infra/document-store/sqlite.ts';
import { openSqliteEventStore } from '../infra/event-store/sqlite.ts';
import { createLogger } from '../infra/logger.ts';
import { SCAN_SCHEDULES, type ScanScheduleDocument } from './schedule-book.ts';
import { startScheduler, type RunningScheduler } from './scan-scheduler.ts';

/** The scheduler on the real embedded stores, with a clock the test moves. */
let dir: string;
let events: EventStore;
let documents: DocumentStore;
let clock: Date;
const now = () => clock;
const started: RunningScheduler[] = [];

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'cv-scheduler-'));
  events = openSqliteEventStore(join(dir, 'events.db'));
  documents = openSqliteDocumentStore(join(dir, 'documents.db'));
  clock = new Date('2026-03-01T12:00:00Z');
});
afterEach(async () => {
  for (const scheduler of started.splice(0)) await scheduler.stop();
  await events.close();
  await documents.close();
  rmSync(dir, { recursive: true, force: true });
});

/** One process's scheduler; a test ticks it by hand. */
function scheduler(owner: string = randomUUID()): RunningScheduler {
  const running = startScheduler({ events, documents, now, logger: createLogger('silent') }, { owner, manual: true, leaseMs: 60_000 });
  started.push(running);
  return running;
}

/** An organisation in Paris with one connection, created now. */
async function connectionInParis(): Promise<{ orgId: string; connectionId: string }> {
  const orgId = randomUUID();
  const connectionId = randomUUID();
  const context = { commandId: randomUUID(), actor: 'user-1', orgId };
  await handleCommand(events, organization, organizationStream(orgId), { type: 'CreateOrganization', orgId, name: 'Acme', timezone: 'Europe/Paris', ownerId: 'user-1' }, context, now);
  await handleCommand(
    events,
    connection,
    connectionStream(connectionId),
    {
      type: 'CreateConnection',
      connectionId,
      orgId,
      name: 'Production',
      access: { method: 'role', roleArn: 'arn:aws:iam::210987654321:role/CloudventoryReadOnly' },
      check: { accountId: '210987654321', alias: null, enabledRegions: ['eu-west-1'] },
      regions: ['eu-west-1'],
      actor: userActor('user-1', 'owner'),
      creatorVerified: true,
      now: now(),
    },
    { ...context, commandId: randomUUID() },
    now,
  );
  return { orgId, connectionId };
}

async function changeSchedule(orgId: string, connectionId: string, schedule: ScanSchedule): Promise<void> {
  await handleCommand(events, connection, connectionStream(connectionId), { type: 'ChangeScanSchedule', actor: userActor('user-1', 'owner'), orgId, schedule }, { commandId: randomUUID(), actor: 'user-1', orgId }, now);
}

/** Every ScanRequested in the log, as (connection, trigger, requested by). */
async function scanRequests(): Promise<Array<{ connectionId: string; trigger: string; requestedBy: string }>> {
  const found = [];
  for await (const event of events.readAll({ filter: { streamPrefixes: ['scan-'], eventTypes: ['ScanRequested'] } })) {
    const { connectionId, trigger, requestedBy } = event.data as { connectionId: string; trigger: string; requestedBy: string };
    found.push({ connectionId, trigger, requestedBy });
  }
  return found;
}

const bookEntry = (connectionId: string) => documents.collection<ScanScheduleDocument>(SCAN_SCHEDULES).get(connectionId);

describe('the scan scheduler', () => {
  it('books a new connection daily at 03:00 in its organisation’s timezone and requests nothing before then', async () => {
    const { orgId, connectionId } = await connectionInParis();
    const one = scheduler();
    expect(await one.tick()).toBe(0);
    expect(await bookEntry(connectionId)).toEqual({
      _id: connectionId,
      orgId,
      schedule: { kind: 'daily', hour: 3 },
      timezone: 'Europe/Paris',
      nextRunAt: '2026-03-02T02:00:00.000Z',
      lastRunAt: null,
    });
    expect(await scanRequests()).toEqual([]);
  });

  it('requests exactly one scan when a schedule is due, triggered by the schedule, and books the next run', async () => {
    const { connectionId } = await connectionInParis();
    const one = scheduler();
    await one.tick();
    clock = new Date('2026-03-02T02:00:30Z');
    expect(await one.tick()).toBe(1);
    expect(await one.tick()).toBe(0);
    expect(await scanRequests()).toEqual([{ connectionId, trigger: 'schedule', requestedBy: 'schedule' }]);
    expect(await bookEntry(connectionId)).toMatchObject({ nextRunAt: '2026-03-03T02:00:00.000Z', lastRunAt: '2026-03-02T02:00:30.000Z' });
  });

  it('runs a due schedule once even with two processes ticking at the same moment', async () => {
    const { connectionId } = await connectionInParis();
    const first = scheduler('process-a');
    const second = scheduler('process-b');
    clock = new Date('2026-03-02T02:01:00Z');
    const requested = await Promise.all([first.tick(), second.tick(), first.tick(), second.tick()]);
    expect(requested.reduce((a, b) => a + b, 0)).toBe(1);
    expect(await scanRequests()).toEqual([{ connectionId, trigger: 'schedule', requestedBy: 'schedule' }]);

    // The holder renews its lease each round: the other process stays idle a day later too.
    clock = new Date('2026-03-03T02:00:10Z');
    await first.tick();
    expect(await second.tick()).toBe(0);
  });

  it('lets another process take over when the lease holder stops', async () => {
    const { connectionId } = await connectionInParis();
    const first = scheduler('process-a');
    await first.tick();
    await first.stop();
    const second = scheduler('process-b');
    clock = new Date('2026-03-02T02:00:10Z');
    expect(await second.tick()).toBe(1);
    expect((await scanRequests()).map((r) => r.connectionId)).toEqual([connectionId]);
  });

  it('after a restart, runs a schedule that missed several runs once, not once per missed run', async () => {
    const { connectionId } = await connectionInParis();
    const before = scheduler();
    await before.tick();
    await before.stop();

    // Down for three days and a half: three 03:00 runs missed.
    clock = new Date('2026-03-05T09:00:00Z');
    const after = scheduler();
    expect(await after.tick()).toBe(1);
    expect(await after.tick()).toBe(0);
    expect(await scanRequests()).toHaveLength(1);
    expect(await bookEntry(connectionId)).toMatchObject({ nextRunAt: '2026-03-06T02:00:00.000Z', lastRunAt: '2026-03-05T09:00:00.000Z' });
  });

  it('follows schedule changes: hourly runs each hour, off never, a deleted connection no more', async () => {
    const { orgId, connectionId } = await connectionInParis();
    const one = scheduler();
    await changeSchedule(orgId, connectionId, { kind: 'hourly' });
    await one.tick();
    expect(await bookEntry(connectionId)).toMatchObject({ schedule: { kind: 'hourly' }, nextRunAt: '2026-03-01T13:00:00.000Z' });

    clock = new Date('2026-03-01T13:00:00Z');
    expect(await one.tick()).toBe(1);

    await changeSchedule(orgId, connectionId, { kind: 'off' });
    clock = new Date('2026-03-09T13:00:00Z');
    expect(await one.tick()).toBe(0);
    expect(await bookEntry(connectionId)).toMatchObject({ schedule: { kind: 'off' }, nextRunAt: null });

    await handleCommand(events, connection, connectionStream(connectionId), { type: 'DeleteConnection', actor: userActor('user-1', 'owner'), orgId }, { commandId: randomUUID(), actor: 'user-1', orgId }, now);
    await one.tick();
    expect(await bookEntry(connectionId)).toBeUndefined();
    expect(await scanRequests()).toHaveLength(1);
  });
});
