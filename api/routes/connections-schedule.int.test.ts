import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connection, connectionStream } from '../../domain/connections/connection.ts';
import { handleCommand } from '../../domain/eventsourcing/decider.ts';
import { userActor } from '../../domain/organizations/actor.ts';
import { startTestServer } from '../../infra/testing/server.ts';
import { nextRunAt } from '../../scanner/next-run.ts';
import { projected } from '../context.ts';
import type { RunningServer } from '../server.ts';
import { joinAs, verifiedOwner, type Owner } from '../testing/organizations.ts';

let server: RunningServer;
let owner: Owner;
let connectionId: string;

beforeAll(async () => {
  server = await startTestServer();
  owner = await verifiedOwner(server, { timezone: 'America/New_York' });
  // Made by the decider directly: the connect flow's AWS checks (moto) are tested elsewhere and not needed here.
  connectionId = randomUUID();
  const created = await handleCommand(
    server.stores.events,
    connection,
    connectionStream(connectionId),
    {
      type: 'CreateConnection',
      connectionId,
      orgId: owner.orgId,
      name: 'Production',
      access: { method: 'role', roleArn: 'arn:aws:iam::210987654321:role/CloudventoryReadOnly' },
      check: { accountId: '210987654321', alias: null, enabledRegions: ['us-east-1'] },
      regions: 'all',
      actor: userActor(owner.userId, 'owner'),
      creatorVerified: true,
      now: new Date(),
    },
    { commandId: randomUUID(), actor: owner.userId, orgId: owner.orgId },
    () => new Date(),
  );
  await projected(server.context, created.position);
});
afterAll(() => server?.close());

const path = () => `/api/orgs/${owner.orgId}/connections/${connectionId}`;
const at = (iso: unknown) => new Date(iso as string).getTime();

describe('scan schedules of a connection', () => {
  it('shows a new connection scanned daily at 03:00 in the organisation’s timezone', async () => {
    const shown = await owner.client.get(path());
    expect(shown.status, JSON.stringify(shown.body)).toBe(200);
    const shownConnection = shown.body.connection as { schedule: unknown; nextRunAt: string };
    expect(shownConnection).toMatchObject({ schedule: { kind: 'daily', hour: 3 } });
    const expected = nextRunAt({ kind: 'daily', hour: 3 }, 'America/New_York', new Date(Date.now() - 60_000))!;
    expect(at(shownConnection.nextRunAt)).toBeGreaterThanOrEqual(expected.getTime());
    expect(new Date(shownConnection.nextRunAt).toLocaleString('en-GB', { timeZone: 'America/New_York', hour: '2-digit', minute: '2-digit' })).toBe('03:00');
  });

  it('changes the schedule, answers its next run, shows it, and audits who changed it', async () => {
    const changed = await owner.client.put(`${path()}/schedule`, { kind: 'daily', hour: 22 });
    expect(changed.status, JSON.stringify(changed.body)).toBe(200);
    expect(changed.body.schedule).toEqual({ kind: 'daily', hour: 22 });
    expect(new Date(changed.body.nextRunAt as string).toLocaleString('en-GB', { timeZone: 'America/New_York', hour: '2-digit', minute: '2-digit' })).toBe('22:00');
    expect((await owner.client.get(path())).body.connection).toMatchObject({ schedule: { kind: 'daily', hour: 22 }, nextRunAt: changed.body.nextRunAt });

    const hourly = await owner.client.put(`${path()}/schedule`, { kind: 'hourly' });
    expect(hourly.body.schedule).toEqual({ kind: 'hourly' });
    expect(at(hourly.body.nextRunAt) - Date.now()).toBeLessThanOrEqual(3_600_000);

    const off = await owner.client.put(`${path()}/schedule`, { kind: 'off' });
    expect(off.body).toEqual({ schedule: { kind: 'off' }, nextRunAt: null });
    const list = await owner.client.get(`/api/orgs/${owner.orgId}/connections`);
    expect((list.body.connections as unknown[])[0]).toMatchObject({ id: connectionId, schedule: { kind: 'off' }, nextRunAt: null });

    const trail = await owner.client.get(`/api/orgs/${owner.orgId}/audit?object=connection-${connectionId}`);
    const changes = (trail.body.entries as Array<{ action: string; actor: { id: string } }>).filter((e) => e.action === 'ScanScheduleChanged');
    expect(changes).toHaveLength(3);
    expect(changes.every((e) => e.actor.id === owner.userId)).toBe(true);
  });

  it('refuses an hour outside the day and an unknown kind', async () => {
    for (const body of [{ kind: 'daily', hour: 24 }, { kind: 'daily', hour: -1 }, { kind: 'daily', hour: 2.5 }, { kind: 'daily' }, { kind: 'weekly' }]) {
      const refused = await owner.client.put(`${path()}/schedule`, body);
      expect(refused.status, JSON.stringify(body)).toBe(400);
    }
  });

  it('lets a viewer see the schedule but not change it', async () => {
    const viewer = await joinAs(server, owner, 'viewer');
    expect((await viewer.client.get(path())).body.connection).toHaveProperty('schedule');
    const refused = await viewer.client.put(`${path()}/schedule`, { kind: 'hourly' });
    expect(refused.status).toBe(403);
  });

  it("answers 404 for another organisation's connection", async () => {
    const other = await verifiedOwner(server);
    const refused = await other.client.put(`/api/orgs/${other.orgId}/connections/${connectionId}/schedule`, { kind: 'hourly' });
    expect(refused.status).toBe(404);
  });
});
