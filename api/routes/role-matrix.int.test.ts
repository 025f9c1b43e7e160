import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Role } from '../../domain/organizations/roles.ts';
import { startTestServer } from '../../infra/testing/server.ts';
import type { RunningServer } from '../server.ts';
import type { ApiClient } from '../testing/client.ts';
import { invite, joinAs, verifiedOwner, type Invitation, type Owner, type Person } from '../testing/organizations.ts';

let server: RunningServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server?.close());

/** What each role is meant to be able to do, written out here rather than read from roles.ts, so a change to the table shows up. */
interface Stage {
  orgId: string;
  actor: Person;
  roleTarget: Person;
  removalTarget: Person;
  invitation: Invitation;
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
  // Last: whoever leaves is no longer a member for anything after it.
  { name: 'leave the organisation', allowed: everyone, call: (c, s) => c.post(`/api/orgs/${s.orgId}/leave`) },
];

describe.each(everyone)('as %s', (role) => {
  let stage: Stage;
  beforeAll(async () => {
    const owner: Owner = await verifiedOwner(server);
    // An owner acts beside the founding owner, so "the last owner" never gets in the way of a permission check.
    const actor = await joinAs(server, owner, role);
    stage = {
      orgId: owner.orgId,
      actor,
      roleTarget: await joinAs(server, owner, 'viewer'),
      removalTarget: await joinAs(server, owner, 'viewer'),
      invitation: await invite(server, owner.client, owner.orgId, 'viewer'),
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
