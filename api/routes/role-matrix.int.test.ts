import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Role } from '../../domain/organizations/roles.ts';
import { resourceKey } from '../../projections/inventory/model.ts';
import { startMoto } from '../../infra/testing/peers.ts';
import { startTestServer } from '../../infra/testing/server.ts';
import type { RunningServer } from '../server.ts';
import type { ApiClient } from '../testing/client.ts';
import { awsFixtures, connect, newAccountId } from '../testing/connections.ts';
import { recordInventory, resource } from '../testing/inventory.ts';
import { invite, joinAs, verifiedOwner, type Invitation, type Owner, type Person } from '../testing/organizations.ts';

// Connection actions check access against AWS: moto stands in for it.
const moto = await startMoto();
afterAll(() => moto.peer?.stop());
if (moto.reason) console.log(`Connection actions left out of the role matrix: ${moto.reason}`);

let server: RunningServer;
beforeAll(async () => {
  server = await startTestServer(moto.peer ? { AWS_ENDPOINT_URL: moto.peer.url } : {});
});
afterAll(() => server?.close());

/** What each role is meant to be able to do, written out here rather than read from roles.ts, so a change to the table shows up. */
interface Stage {
  orgId: string;
  actor: Person;
  roleTarget: Person;
  removalTarget: Person;
  invitation: Invitation;
  /** A keys connection made by the owner, and new keys of the same account to rotate it to. */
  connectionId: string;
  rotationKeys: { accessKeyId: string; secretAccessKey: string };
  /** A resource in the organisation's inventory. */
  resourceKey: string;
}
interface Action {
  name: string;
  allowed: readonly Role[];
  call: (client: ApiClient, stage: Stage) => Promise<{ status: number; body: { error?: { message: string } } }>;
}

const everyone: Role[] = ['owner', 'admin', 'member', 'viewer'];
const managers: Role[] = ['owner', 'admin'];

const actions: Action[] = [
  { name: 'read the organisation', allowed: everyone, call: (c, s) => c.get(`/api/orgs/${s.orgId}`) },
  { name: 'rename the organisation', allowed: managers, call: (c, s) => c.patch(`/api/orgs/${s.orgId}`, { name: 'Renamed' }) },
  { name: 'list the members', allowed: everyone, call: (c, s) => c.get(`/api/orgs/${s.orgId}/members`) },
  { name: "change a member's role", allowed: managers, call: (c, s) => c.put(`/api/orgs/${s.orgId}/members/${s.roleTarget.userId}/role`, { role: 'member' }) },
  { name: 'remove a member', allowed: managers, call: (c, s) => c.delete(`/api/orgs/${s.orgId}/members/${s.removalTarget.userId}`) },
  { name: 'list the invitations', allowed: managers, call: (c, s) => c.get(`/api/orgs/${s.orgId}/invitations`) },
  { name: 'invite someone', allowed: managers, call: (c, s) => c.post(`/api/orgs/${s.orgId}/invitations`, { email: `matrix-${Math.random().toString(36).slice(2)}@example.com`, role: 'viewer' }) },
  { name: 'withdraw an invitation', allowed: managers, call: (c, s) => c.delete(`/api/orgs/${s.orgId}/invitations/${s.invitation.invitationId}`) },
  ...(moto.peer ? connectionActions() : []),
  ...inventoryActions(),
  // Last: whoever leaves is no longer a member for anything after it.
  { name: 'leave the organisation', allowed: everyone, call: (c, s) => c.post(`/api/orgs/${s.orgId}/leave`) },
];

function inventoryActions(): Action[] {
  const org = (s: Stage, rest: string) => `/api/orgs/${s.orgId}${rest}`;
  return [
    { name: 'read the inventory', allowed: everyone, call: (c, s) => c.get(org(s, '/inventory')) },
    { name: 'read the inventory summary', allowed: everyone, call: (c, s) => c.get(org(s, '/inventory/summary')) },
    { name: 'compare the inventory at two instants', allowed: everyone, call: (c, s) => c.get(org(s, '/inventory/compare?from=2026-01-01T00:00:00Z&to=2026-01-02T00:00:00Z')) },
    { name: 'export the inventory', allowed: everyone, call: (c, s) => c.get(org(s, '/inventory/export?format=json')) },
    { name: 'read a resource', allowed: everyone, call: (c, s) => c.get(org(s, `/resources/${s.resourceKey}`)) },
    { name: "read a resource's history", allowed: everyone, call: (c, s) => c.get(org(s, `/resources/${s.resourceKey}/history`)) },
    { name: 'read the network graph', allowed: everyone, call: (c, s) => c.get(org(s, '/topology')) },
  ];
}

function connectionActions(): Action[] {
  const connection = (s: Stage) => `/api/orgs/${s.orgId}/connections/${s.connectionId}`;
  return [
    { name: 'see how to connect an AWS account', allowed: everyone, call: (c, s) => c.get(`/api/orgs/${s.orgId}/connections/setup`) },
    { name: 'list the connections', allowed: everyone, call: (c, s) => c.get(`/api/orgs/${s.orgId}/connections`) },
    { name: 'read a connection', allowed: everyone, call: (c, s) => c.get(connection(s)) },
    // moto lets a role be assumed in any account, existing or not: a fresh account each time.
    { name: 'connect an AWS account', allowed: managers, call: (c, s) => c.post(`/api/orgs/${s.orgId}/connections`, { name: 'Matrix', method: 'role', roleArn: `arn:aws:iam::${newAccountId()}:role/Matrix` }) },
    { name: 'rename a connection', allowed: managers, call: (c, s) => c.patch(connection(s), { name: 'Renamed' }) },
    { name: "rotate a connection's keys", allowed: managers, call: (c, s) => c.put(`${connection(s)}/keys`, s.rotationKeys) },
    { name: 'validate a connection', allowed: managers, call: (c, s) => c.post(`${connection(s)}/validate`) },
    { name: "read a connection's scans", allowed: everyone, call: (c, s) => c.get(`${connection(s)}/scans`) },
    { name: "read a connection's freshness", allowed: everyone, call: (c, s) => c.get(`${connection(s)}/freshness`) },
    // A viewer may watch scans but not start one; the others start one or join the one running.
    { name: 'start a scan', allowed: ['owner', 'admin', 'member'], call: (c, s) => c.post(`${connection(s)}/scans`) },
    { name: 'delete a connection', allowed: managers, call: (c, s) => c.delete(connection(s)) },
  ];
}

describe.each(everyone)('as %s', (role) => {
  let stage: Stage;
  beforeAll(async () => {
    const owner: Owner = await verifiedOwner(server);
    // An owner acts beside the founding owner, so "the last owner" never gets in the way of a permission check.
    const actor = await joinAs(server, owner, role);
    const inventoried = resource('i-matrix');
    await recordInventory(server, owner.orgId, [{ seen: 'discovered', resource: inventoried, at: '2026-01-01T00:00:00.000Z' }]);
    stage = {
      orgId: owner.orgId,
      actor,
      roleTarget: await joinAs(server, owner, 'viewer'),
      removalTarget: await joinAs(server, owner, 'viewer'),
      invitation: await invite(server, owner.client, owner.orgId, 'viewer'),
      resourceKey: resourceKey(inventoried.arn),
      ...(moto.peer ? await connectionStage(moto.peer.url, owner) : { connectionId: '', rotationKeys: { accessKeyId: '', secretAccessKey: '' } }),
    };
  });

  it.each(actions)('$name', async (action) => {
    const response = await action.call(stage.actor.client, stage);
    if (action.allowed.includes(role)) {
      expect(response.status, JSON.stringify(response.body)).toBeGreaterThanOrEqual(200);
      expect(response.status, JSON.stringify(response.body)).toBeLessThan(300);
    } else {
      expect(response.status, JSON.stringify(response.body)).toBe(403);
      expect(response.body.error?.message).toBe(`Your role in this organisation (${role}) does not allow this; ask an owner or admin`);
    }
  });
});

async function connectionStage(motoUrl: string, owner: Owner): Promise<Pick<Stage, 'connectionId' | 'rotationKeys'>> {
  const aws = awsFixtures(motoUrl);
  const accountId = newAccountId();
  const keys = await aws.keysIn(accountId);
  const { id } = await connect(owner.client, owner.orgId, { method: 'keys', accessKeyId: keys.accessKeyId, secretAccessKey: keys.secretAccessKey });
  const next = await aws.keysIn(accountId, keys.userName);
  return { connectionId: id, rotationKeys: { accessKeyId: next.accessKeyId, secretAccessKey: next.secretAccessKey } };
}
