import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMoto } from '../../infra/testing/peers.ts';
import { startTestServer } from '../../infra/testing/server.ts';
import type { RunningServer } from '../server.ts';
import { connect, newAccountId } from '../testing/connections.ts';
import { joinAs, verifiedOwner, type Owner, type Person } from '../testing/organizations.ts';
import { openScanEvents, partitionFinished, recordScan, requested, scanFinished } from '../testing/scans.ts';

/**
 * The scans API. Read models and routes are tested with whole scans written to the log in the
 * contract's shapes (exact, independent of AWS); starting, joining, cancelling and following are
 * tested with real scans run by the server's scan worker against moto.
 */
const moto = await startMoto();
afterAll(() => moto.peer?.stop());

let server: RunningServer;
let owner: Owner;
let member: Person;
let viewer: Person;
let other: Owner;
/** Covers eu-west-1 only: its scans take about a second against moto. */
let connectionId: string;

beforeAll(async () => {
  if (!moto.peer) throw new Error(`The scans API tests need moto: ${moto.reason}`);
  server = await startTestServer({ AWS_ENDPOINT_URL: moto.peer.url });
  owner = await verifiedOwner(server);
  member = await joinAs(server, owner, 'member');
  viewer = await joinAs(server, owner, 'viewer');
  other = await verifiedOwner(server);
  connectionId = (await connect(owner.client, owner.orgId, { method: 'role', roleArn: `arn:aws:iam::${newAccountId()}:role/Scans`, regions: ['eu-west-1'] })).id;
});
// The last test closes the server itself; closing twice is harmless.
afterAll(() => server?.close().catch(() => undefined));

const scanPath = (scanId: string, orgId = owner.orgId) => `/api/orgs/${orgId}/scans/${scanId}`;
const connectionPath = (orgId = owner.orgId, id = connectionId) => `/api/orgs/${orgId}/connections/${id}`;
/** A connection covering every region: its scan runs long enough to be joined, followed and cancelled. */
const longConnection = async () => (await connect(owner.client, owner.orgId, { method: 'role', roleArn: `arn:aws:iam::${newAccountId()}:role/Long`, regions: 'all' })).id;

interface ScanView {
  id: string;
  status: string;
  cancelRequested: boolean;
  progress: { finished: number; total: number };
  partitions: Array<{ region: string; outcome: string; advice: string | null }>;
}

describe('a recorded scan as the API shows it', () => {
  it('shows the outcome of each partition with readable advice', async () => {
    const scanId = randomUUID();
    await recordScan(server, owner.orgId, scanId, [
      requested(scanId, owner.orgId, connectionId, owner.userId),
      partitionFinished('eu-west-1/ec2-instances', 'ok'),
      partitionFinished('global/iam', 'denied', 'AccessDenied'),
      scanFinished('partial'),
    ]);
    const response = await viewer.client.get(scanPath(scanId));
    expect(response.status, JSON.stringify(response.body)).toBe(200);
    expect(response.body.scan).toMatchObject({ id: scanId, connectionId, status: 'partial', trigger: 'manual', requestedBy: owner.userId, progress: { finished: 2, total: 2 }, finishedAt: expect.any(String) });
    expect((response.body.scan as ScanView).partitions.map((p) => [p.outcome, p.advice])).toEqual([
      ['ok', null],
      ['denied', "Cloudventory was not allowed to list iam:role, iam:user for the account (global services): check the role's permissions (AWS said AccessDenied)"],
    ]);
  });

  it("answers 404 for another organisation's scan and connection, and for a scan that does not exist", async () => {
    const scanId = randomUUID();
    await recordScan(server, owner.orgId, scanId, [requested(scanId, owner.orgId, connectionId, owner.userId), scanFinished('completed')]);
    expect((await other.client.get(scanPath(scanId, other.orgId))).status).toBe(404);
    expect((await other.client.get(scanPath(scanId))).status).toBe(404);
    expect((await other.client.get(`${scanPath(scanId, other.orgId)}/events`)).status).toBe(404);
    expect((await other.client.post(`${scanPath(scanId, other.orgId)}/cancel`)).status).toBe(404);
    expect((await other.client.post(`${connectionPath(other.orgId)}/scans`)).status).toBe(404);
    expect((await other.client.get(`${connectionPath(other.orgId)}/scans`)).status).toBe(404);
    expect((await other.client.get(`${connectionPath(other.orgId)}/freshness`)).status).toBe(404);
    expect((await owner.client.get(scanPath(randomUUID()))).status).toBe(404);
  });

  it('refuses to cancel a scan that has finished', async () => {
    const scanId = randomUUID();
    await recordScan(server, owner.orgId, scanId, [requested(scanId, owner.orgId, connectionId, owner.userId), scanFinished('completed')]);
    const response = await member.client.post(`${scanPath(scanId)}/cancel`);
    expect(response.status).toBe(409);
    expect(response.body.error?.message).toBe('This scan has already finished (completed); there is nothing to cancel');
  });

  it('streams a finished scan once, then ends', async () => {
    const scanId = randomUUID();
    await recordScan(server, owner.orgId, scanId, [requested(scanId, owner.orgId, connectionId, owner.userId), scanFinished('failed', 0)]);
    const stream = await openScanEvents(server, viewer.client, `${scanPath(scanId)}/events`);
    expect(stream.response.status).toBe(200);
    expect(stream.response.headers.get('content-type')).toBe('text/event-stream; charset=utf-8');
    expect(stream.response.headers.get('cache-control')).toBe('no-cache, no-transform');
    const { events, closed } = await stream.untilEnd();
    expect(events).toEqual([
      { event: 'scan', data: expect.objectContaining({ id: scanId, status: 'failed' }) },
      { event: 'end', data: {} },
    ]);
    expect(closed).toBe(true);
  });
});

describe('the scan history of a connection', () => {
  it('lists scans newest first, a page at a time, and rejects a forged cursor', async () => {
    const ids = [randomUUID(), randomUUID(), randomUUID()];
    const own = (await connect(owner.client, owner.orgId, { method: 'role', roleArn: `arn:aws:iam::${newAccountId()}:role/History`, regions: ['eu-west-1'] })).id;
    for (const [i, scanId] of ids.entries())
      await recordScan(server, owner.orgId, scanId, [{ ...requested(scanId, owner.orgId, own, owner.userId), at: `2026-03-0${i + 1}T09:00:00.000Z` }, scanFinished('completed')]);

    const first = await viewer.client.get(`${connectionPath(owner.orgId, own)}/scans?limit=2`);
    expect(first.status, JSON.stringify(first.body)).toBe(200);
    expect((first.body.scans as ScanView[]).map((s) => s.id)).toEqual([ids[2], ids[1]]);
    const second = await viewer.client.get(`${connectionPath(owner.orgId, own)}/scans?limit=2&cursor=${first.body.nextCursor as string}`);
    expect((second.body.scans as ScanView[]).map((s) => s.id)).toEqual([ids[0]]);
    expect(second.body.nextCursor).toBeNull();
    expect((await viewer.client.get(`${connectionPath(owner.orgId, own)}/scans?cursor=forged`)).status).toBe(400);
  });
});

describe('freshness', () => {
  it('gives each region and type its last complete listing, and flags those never completed as unknown', async () => {
    const own = (await connect(owner.client, owner.orgId, { method: 'role', roleArn: `arn:aws:iam::${newAccountId()}:role/Fresh`, regions: ['eu-west-1'] })).id;
    expect((await viewer.client.get(`${connectionPath(owner.orgId, own)}/freshness`)).body).toEqual({ freshness: [] });
    const scanId = randomUUID();
    await recordScan(server, owner.orgId, scanId, [
      requested(scanId, owner.orgId, own, owner.userId),
      { ...partitionFinished('eu-west-1/ec2-instances', 'ok'), at: '2026-04-01T10:00:00.000Z' },
      { ...partitionFinished('global/iam', 'denied', 'AccessDenied'), at: '2026-04-01T10:00:01.000Z' },
      scanFinished('partial'),
    ]);
    const response = await viewer.client.get(`${connectionPath(owner.orgId, own)}/freshness`);
    expect(response.status).toBe(200);
    expect(response.body.freshness).toEqual([
      { region: 'eu-west-1', type: 'ec2:instance', lastCompleteAt: '2026-04-01T10:00:00.000Z', unknown: false, lastOutcome: 'ok', lastAttemptAt: '2026-04-01T10:00:00.000Z', lastScanId: scanId },
      { region: 'global', type: 'iam:role', lastCompleteAt: null, unknown: true, lastOutcome: 'denied', lastAttemptAt: '2026-04-01T10:00:01.000Z', lastScanId: scanId },
      { region: 'global', type: 'iam:user', lastCompleteAt: null, unknown: true, lastOutcome: 'denied', lastAttemptAt: '2026-04-01T10:00:01.000Z', lastScanId: scanId },
    ]);
  });
});

describe('real scans, run by the server against moto', () => {
  it('starts a scan, follows it to its end, then shows it in the history and the freshness', async () => {
    const started = await member.client.post(`${connectionPath()}/scans`);
    expect(started.status, JSON.stringify(started.body)).toBe(202);
    expect(started.body).toEqual({ scanId: expect.any(String), joined: false });
    const scanId = started.body.scanId as string;

    const { events, closed } = await (await openScanEvents(server, viewer.client, `${scanPath(scanId)}/events`)).untilEnd();
    expect(closed).toBe(true);
    expect(events.at(-1)).toEqual({ event: 'end', data: {} });
    const scans = events.filter((e) => e.event === 'scan').map((e) => e.data as ScanView);
    // Each change once: never the same document twice in a row.
    expect(new Set(scans.map((s) => JSON.stringify(s))).size).toBe(scans.length);
    const last = scans.at(-1)!;
    expect(last).toMatchObject({ id: scanId, status: 'completed' });
    expect(last.progress.finished).toBe(last.progress.total);
    expect(new Set(last.partitions.map((p) => p.region))).toEqual(new Set(['eu-west-1', 'global']));

    const history = await viewer.client.get(`${connectionPath()}/scans`);
    expect((history.body.scans as ScanView[])[0]).toMatchObject({ id: scanId, status: 'completed' });
    const freshness = (await viewer.client.get(`${connectionPath()}/freshness`)).body.freshness as Array<{ type: string; unknown: boolean; lastScanId: string }>;
    expect(freshness.map((f) => f.type)).toEqual(expect.arrayContaining(['ec2:instance', 'iam:role']));
    expect(freshness.filter((f) => f.unknown || f.lastScanId !== scanId)).toEqual([]);
  });

  it('joins the scan already running, and cancels it', async () => {
    const own = await longConnection();
    const started = await member.client.post(`${connectionPath(owner.orgId, own)}/scans`);
    expect(started.status, JSON.stringify(started.body)).toBe(202);
    const scanId = started.body.scanId as string;
    expect((await owner.client.post(`${connectionPath(owner.orgId, own)}/scans`)).body).toEqual({ scanId, joined: true });
    // Read-your-writes: the scan shows at once.
    expect((await viewer.client.get(scanPath(scanId))).body.scan).toMatchObject({ id: scanId, status: 'running', requestedBy: member.userId });

    const cancelled = await member.client.post(`${scanPath(scanId)}/cancel`);
    expect(cancelled.status, JSON.stringify(cancelled.body)).toBe(202);
    expect(cancelled.body.scan).toMatchObject({ id: scanId, cancelRequested: true });
    const { events } = await (await openScanEvents(server, viewer.client, `${scanPath(scanId)}/events`)).untilEnd();
    expect(events.filter((e) => e.event === 'scan').at(-1)?.data).toMatchObject({ status: 'cancelled' });
  }, 60_000);

  it('does not let a viewer start a scan', async () => {
    const response = await viewer.client.post(`${connectionPath()}/scans`);
    expect(response.status).toBe(403);
  });

  it('ends the event streams still open when the server shuts down', async () => {
    const own = await longConnection();
    const scanId = (await owner.client.post(`${connectionPath(owner.orgId, own)}/scans`)).body.scanId as string;
    // One client leaves first: the everyday case (see api/scans/follow.unit.test.ts).
    const leaving = new AbortController();
    const left = await openScanEvents(server, owner.client, `${scanPath(scanId)}/events`, leaving.signal);
    expect(await left.next()).toMatchObject({ event: 'scan' });
    leaving.abort();
    const staying = await openScanEvents(server, owner.client, `${scanPath(scanId)}/events`);
    expect(await staying.next()).toMatchObject({ event: 'scan' });
    const started = Date.now();
    const closing = server.close();
    // Shutdown does not wait for the scan to finish: the stream ends at once.
    for (let item = await staying.next().catch(() => undefined); item; item = await staying.next().catch(() => undefined));
    expect(Date.now() - started).toBeLessThan(1000);
    await closing;
  }, 60_000);
});
