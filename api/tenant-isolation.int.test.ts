import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMoto } from '../infra/testing/peers.ts';
import { startTestServer } from '../infra/testing/server.ts';
import { identityQueries } from '../projections/identity/queries.ts';
import { resourceKey } from '../projections/inventory/model.ts';
import type { RunningServer } from './server.ts';
import type { ApiClient } from './testing/client.ts';
import { connect, newAccountId } from './testing/connections.ts';
import { recordInventory, resource } from './testing/inventory.ts';
import { idParams, methods, openApiOf, send, validRequest, type OpenApi, type Operation } from './testing/openapi.ts';
import { invite, joinAs, verifiedOwner, type Invitation, type Owner, type Person } from './testing/organizations.ts';

/**
 * THE WALK: every documented path with an object id in it, called by a member of organisation A with
 * organisation B's ids, must answer 404 — for every method, for routes added later too. Paths come
 * from /api/openapi.json, so a new route is walked without anyone adding it here.
 */

let server: RunningServer;
let a: Owner;
let b: Owner;
/** A's own objects, so A's own reads can be shown to work (otherwise 404 everywhere would pass). */
let ownIds: Record<string, string>;
/** B's real objects, by the path parameter that names them. */
let foreignIds: Record<string, string>;
let bMember: Person;
let bInvitation: Invitation;
let openapi: OpenApi;
/** Connecting an account is checked against AWS: moto stands in for it. */
const moto = await startMoto();
afterAll(() => moto.peer?.stop());
if (moto.reason) console.log(`B has no AWS connection for the walk: ${moto.reason}`);

async function sessionOf(userId: string): Promise<string> {
  const [session] = await identityQueries(server.context.documents).activeSessionsOf(userId, new Date());
  return session!._id;
}

beforeAll(async () => {
  server = await startTestServer(moto.peer ? { AWS_ENDPOINT_URL: moto.peer.url } : {});
  a = await verifiedOwner(server);
  const aMember = await joinAs(server, a, 'member');
  const aInvitation = await invite(server, a.client, a.orgId, 'viewer');
  b = await verifiedOwner(server);
  bMember = await joinAs(server, b, 'member');
  bInvitation = await invite(server, b.client, b.orgId, 'admin');
  // A resource in each organisation; B's under the same ARN as one of A's, and one of its own.
  const aResource = resource('i-walked');
  const bResource = resource('i-walked-b', { account: '999999999999' });
  await recordInventory(server, a.orgId, [{ seen: 'discovered', resource: aResource, at: '2026-01-01T00:00:00.000Z' }]);
  await recordInventory(server, b.orgId, [
    { seen: 'discovered', resource: aResource, at: '2026-01-01T00:00:00.000Z' },
    { seen: 'discovered', resource: bResource, at: '2026-01-01T00:00:00.000Z' },
  ]);
  ownIds = { orgId: a.orgId, userId: aMember.userId, invitationId: aInvitation.invitationId, sessionId: await sessionOf(a.userId), key: resourceKey(aResource.arn) };
  // Add new kinds of objects here (connectionId, scanId, ...) with one of B's, so the walk uses a real one.
  foreignIds = { orgId: b.orgId, userId: bMember.userId, invitationId: bInvitation.invitationId, sessionId: await sessionOf(b.userId), key: resourceKey(bResource.arn) };
  if (moto.peer) foreignIds.connectionId = (await connect(b.client, b.orgId, { name: 'B production', method: 'role', roleArn: `arn:aws:iam::${newAccountId()}:role/B` })).id;
  if (moto.peer) foreignIds.scanId = (await b.client.post(`/api/orgs/${b.orgId}/connections/${foreignIds.connectionId}/scans`)).body.scanId as string;
  openapi = await openApiOf(server);
});
afterAll(() => server?.close());

/** Calls an operation as the client's user, with a valid request built from its schema; any response type. */
async function request(client: ApiClient, method: (typeof methods)[number], template: string, operation: Operation, ids: Record<string, string>) {
  const sent = validRequest(server, client, method, template, operation, ids);
  return { url: sent.target, ...(await send(server, sent)) };
}

const operations = (template: string) => methods.filter((m) => openapi.paths[template]?.[m]).map((m) => [m, openapi.paths[template]![m]!] as const);

describe('tenant isolation', () => {
  it("answers 404 to every method of every path with an id, called with another organisation's ids", async () => {
    const walked: string[] = [];
    const leaks: string[] = [];
    const templates = Object.keys(openapi.paths).filter((t) => idParams(t).length > 0);
    for (const template of templates) {
      for (const [method, operation] of operations(template)) {
        // Everything of B's; and, where the path also names objects, A's organisation with B's objects in it.
        const variants = [foreignIds, ...(idParams(template).includes('orgId') && idParams(template).length > 1 ? [{ ...foreignIds, orgId: a.orgId }] : [])];
        for (const ids of variants) {
          const { url, status, body } = await request(a.client, method, template, operation, ids);
          walked.push(`${method.toUpperCase()} ${template}`);
          if (status !== 404) leaks.push(`${method.toUpperCase()} ${url} answered ${status}: ${body}`);
        }
      }
    }
    expect(leaks).toEqual([]);
    // The walk must have found the routes we know of; fewer means it walked the wrong document.
    expect(walked).toEqual(
      expect.arrayContaining([
        'GET /api/orgs/{orgId}',
        'PATCH /api/orgs/{orgId}',
        'GET /api/orgs/{orgId}/members',
        'PUT /api/orgs/{orgId}/members/{userId}/role',
        'DELETE /api/orgs/{orgId}/members/{userId}',
        'POST /api/orgs/{orgId}/leave',
        'GET /api/orgs/{orgId}/invitations',
        'POST /api/orgs/{orgId}/invitations',
        'DELETE /api/orgs/{orgId}/invitations/{invitationId}',
        'GET /api/orgs/{orgId}/connections/setup',
        'GET /api/orgs/{orgId}/connections',
        'POST /api/orgs/{orgId}/connections',
        'GET /api/orgs/{orgId}/connections/{connectionId}',
        'PATCH /api/orgs/{orgId}/connections/{connectionId}',
        'PUT /api/orgs/{orgId}/connections/{connectionId}/keys',
        'POST /api/orgs/{orgId}/connections/{connectionId}/validate',
        'DELETE /api/orgs/{orgId}/connections/{connectionId}',
        'POST /api/orgs/{orgId}/connections/{connectionId}/scans',
        'GET /api/orgs/{orgId}/connections/{connectionId}/scans',
        'GET /api/orgs/{orgId}/connections/{connectionId}/freshness',
        'GET /api/orgs/{orgId}/scans/{scanId}',
        'GET /api/orgs/{orgId}/scans/{scanId}/events',
        'POST /api/orgs/{orgId}/scans/{scanId}/cancel',
        'GET /api/orgs/{orgId}/inventory',
        'GET /api/orgs/{orgId}/inventory/summary',
        'GET /api/orgs/{orgId}/inventory/compare',
        'GET /api/orgs/{orgId}/inventory/export',
        'GET /api/orgs/{orgId}/resources/{key}',
        'GET /api/orgs/{orgId}/resources/{key}/history',
        'GET /api/orgs/{orgId}/topology',
      ]),
    );
  });

  it("lets A read their own organisation's objects on the same paths", async () => {
    const read: string[] = [];
    for (const template of Object.keys(openapi.paths)) {
      const params = idParams(template);
      const get = openapi.paths[template]?.get;
      if (!get || params.length === 0 || !params.every((p) => p in ownIds)) continue;
      const { url, status, body } = await request(a.client, 'get', template, get, ownIds);
      expect(status, `GET ${url}: ${body}`).toBe(200);
      read.push(template);
    }
    expect(read).toEqual(
      expect.arrayContaining([
        '/api/orgs/{orgId}',
        '/api/orgs/{orgId}/members',
        '/api/orgs/{orgId}/invitations',
        '/api/orgs/{orgId}/inventory',
        '/api/orgs/{orgId}/inventory/compare',
        '/api/orgs/{orgId}/resources/{key}',
        '/api/orgs/{orgId}/resources/{key}/history',
        '/api/orgs/{orgId}/topology',
      ]),
    );
  });

  it("leaves B's organisation exactly as it was", async () => {
    const org = await b.client.get(`/api/orgs/${b.orgId}`);
    expect(org.body).toMatchObject({ name: expect.stringMatching(/^Org /), requireMfa: false, role: 'owner' });
    const members = (await b.client.get(`/api/orgs/${b.orgId}/members`)).body.members as Array<{ userId: string; role: string }>;
    expect(members.map((m) => [m.userId, m.role])).toEqual([
      [b.userId, 'owner'],
      [bMember.userId, 'member'],
    ]);
    const invitations = (await b.client.get(`/api/orgs/${b.orgId}/invitations`)).body.invitations as Array<{ id: string; status: string }>;
    expect(invitations.find((i) => i.id === bInvitation.invitationId)).toMatchObject({ status: 'pending' });
    if (foreignIds.connectionId) expect((await b.client.get(`/api/orgs/${b.orgId}/connections/${foreignIds.connectionId}`)).body.connection).toMatchObject({ name: 'B production' });
    expect((await bMember.client.get('/api/me')).status).toBe(200);
    // B's inventory holds only B's resources: the one under A's ARN is B's own.
    const inventory = (await b.client.get(`/api/orgs/${b.orgId}/inventory`)).body as { total: number; resources: Array<{ name: string }> };
    expect([inventory.total, inventory.resources.map((r) => r.name)]).toEqual([2, ['i-walked', 'i-walked-b']]);
  });
});
