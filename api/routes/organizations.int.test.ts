import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer } from '../../infra/testing/server.ts';
import { invitationMail } from '../../projections/mail/messages/invitation.ts';
import { verificationMail } from '../../projections/mail/messages/verification.ts';
import type { RunningServer } from '../server.ts';
import { apiClient, strongPassword } from '../testing/client.ts';
import { linkIn, mailsOf } from '../testing/mails.ts';
import { invite, joinAs, signUp, signUpInvited, verifiedOwner, type Invitation } from '../testing/organizations.ts';

let server: RunningServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server?.close());

const link = ({ orgId, invitationId, token }: Invitation) => ({ orgId, invitationId, token });
const preview = ({ orgId, invitationId, token }: Invitation) => apiClient(server).get(`/api/invitations/preview?org=${orgId}&invitation=${invitationId}&token=${token}`);

describe('inviting', () => {
  it('lets an existing user accept an invitation sent to their address, once', async () => {
    const owner = await verifiedOwner(server, { organizationName: 'Acme Cloud' });
    const existing = await signUp(server);
    const invitation = await invite(server, owner.client, owner.orgId, 'admin', existing.email.toUpperCase());

    expect((await preview(invitation)).body).toEqual({
      organizationName: 'Acme Cloud',
      role: 'admin',
      email: existing.email.toUpperCase(),
      invitedBy: 'Ada Lovelace',
      existingAccount: true,
    });

    const stranger = await signUp(server);
    const wrongAccount = await stranger.client.post('/api/invitations/accept', link(invitation));
    expect(wrongAccount.status).toBe(403);
    expect(wrongAccount.body.error?.message).toMatch(/sent to another e-mail address/);

    expect((await existing.client.post('/api/invitations/accept', { ...link(invitation), token: 'y'.repeat(43) })).status).toBe(400);
    expect((await existing.client.post('/api/invitations/accept', link(invitation))).status).toBe(204);
    const me = await existing.client.get('/api/me');
    expect(me.body.organizations).toEqual(expect.arrayContaining([{ id: owner.orgId, name: 'Acme Cloud', role: 'admin' }]));

    const reused = await existing.client.post('/api/invitations/accept', link(invitation));
    expect(reused.status).toBe(409);
    expect(reused.body.error?.message).toBe('This invitation has already been accepted');

    const members = await owner.client.get(`/api/orgs/${owner.orgId}/members`);
    expect(members.body.members).toEqual([
      expect.objectContaining({ userId: owner.userId, email: owner.email, firstName: 'Ada', lastName: 'Lovelace', role: 'owner' }),
      expect.objectContaining({ userId: existing.userId, email: existing.email, role: 'admin' }),
    ]);
    const invitations = await owner.client.get(`/api/orgs/${owner.orgId}/invitations`);
    expect(invitations.body.invitations).toEqual([
      expect.objectContaining({ id: invitation.invitationId, email: existing.email.toUpperCase(), role: 'admin', invitedBy: 'Ada Lovelace', status: 'accepted' }),
    ]);
  });

  it('mails the invitee a link that works once, for 7 days', async () => {
    const owner = await verifiedOwner(server, { organizationName: 'Mailed Org' });
    const invitation = await invite(server, owner.client, owner.orgId, 'viewer');
    const [mail, ...others] = await mailsOf(server, `org-${owner.orgId}`, invitationMail);
    expect(others).toEqual([]);
    expect(mail).toMatchObject({ to: invitation.email, subject: 'Ada invited you to Mailed Org on Cloudventory' });
    expect(mail!.text).toContain('as a viewer');
    const url = linkIn(mail, `${server.context.config.publicUrl}/invitations/accept`);
    expect(Object.fromEntries(url.searchParams)).toEqual({ org: owner.orgId, invitation: invitation.invitationId, token: invitation.token });
  });

  it('signs a new person up from an invitation: verified, in the organisation, without one of their own', async () => {
    const owner = await verifiedOwner(server);
    const invitation = await invite(server, owner.client, owner.orgId, 'member');
    expect((await preview(invitation)).body).toMatchObject({ email: invitation.email, role: 'member', existingAccount: false });

    const newcomer = await signUpInvited(server, invitation, { firstName: 'Grace', lastName: 'Hopper' });
    // The invitation proved the address: no verification mail.
    expect(await mailsOf(server, `user-${newcomer.userId}`, verificationMail)).toEqual([]);
    const me = await newcomer.client.get('/api/me');
    expect(me.body).toMatchObject({
      user: { id: newcomer.userId, email: invitation.email, firstName: 'Grace', lastName: 'Hopper', timezone: 'Europe/Paris', verified: true },
      organizations: [{ id: owner.orgId, role: 'member' }],
      currentOrganizationId: owner.orgId,
    });

    // The invitation is spent, and the address now has an account.
    const again = await apiClient(server).post('/api/auth/signup-invited', { ...link(invitation), password: strongPassword, timezone: 'UTC' });
    expect(again.status).toBe(409);
    expect((await apiClient(server).post('/api/auth/login', { email: invitation.email, password: strongPassword })).status).toBe(200);
  });

  it('refuses an inviter whose own address is not verified', async () => {
    const owner = await signUp(server);
    const response = await owner.client.post(`/api/orgs/${owner.orgId}/invitations`, { email: 'someone@example.com', role: 'member' });
    expect(response.status).toBe(403);
    expect(response.body.error?.message).toBe('Please verify your e-mail address before inviting others');
  });

  it('refuses to invite a member again, and a second pending invitation for one address', async () => {
    const owner = await verifiedOwner(server);
    const member = await joinAs(server, owner, 'member');
    expect((await owner.client.post(`/api/orgs/${owner.orgId}/invitations`, { email: member.email, role: 'admin' })).status).toBe(409);
    const pending = await invite(server, owner.client, owner.orgId, 'viewer');
    expect((await owner.client.post(`/api/orgs/${owner.orgId}/invitations`, { email: pending.email, role: 'viewer' })).status).toBe(409);
  });

  it('withdraws an invitation, after which its link no longer works', async () => {
    const owner = await verifiedOwner(server);
    const invitation = await invite(server, owner.client, owner.orgId, 'member');
    expect((await owner.client.delete(`/api/orgs/${owner.orgId}/invitations/${invitation.invitationId}`)).status).toBe(204);

    const listed = await owner.client.get(`/api/orgs/${owner.orgId}/invitations`);
    expect(listed.body.invitations).toEqual([expect.objectContaining({ id: invitation.invitationId, status: 'revoked' })]);
    expect((await preview(invitation)).status).toBe(409);
    const signUpAttempt = await apiClient(server).post('/api/auth/signup-invited', { ...link(invitation), password: strongPassword, timezone: 'UTC' });
    expect(signUpAttempt.status).toBe(409);
    expect(signUpAttempt.body.error?.message).toBe('This invitation has been withdrawn; ask for a new one');
    expect((await apiClient(server).post('/api/auth/login', { email: invitation.email, password: strongPassword })).status).toBe(401);
  });

  it('answers a link with a wrong token, or for another organisation, as not valid', async () => {
    const owner = await verifiedOwner(server);
    const other = await verifiedOwner(server);
    const invitation = await invite(server, owner.client, owner.orgId, 'member');
    expect((await preview({ ...invitation, token: 'z'.repeat(43) })).status).toBe(400);
    expect((await preview({ ...invitation, orgId: other.orgId })).status).toBe(400);
    const elsewhere = await apiClient(server).post('/api/auth/signup-invited', { ...link(invitation), orgId: other.orgId, password: strongPassword, timezone: 'UTC' });
    expect(elsewhere.status).toBe(400);
  });
});

describe('roles', () => {
  it('lets an admin change roles below owner, and only an owner make or unmake owners', async () => {
    const owner = await verifiedOwner(server);
    const admin = await joinAs(server, owner, 'admin');
    const member = await joinAs(server, owner, 'member');
    const roleOf = async (userId: string) =>
      ((await owner.client.get(`/api/orgs/${owner.orgId}/members`)).body.members as Array<{ userId: string; role: string }>).find((m) => m.userId === userId)?.role;

    expect((await admin.client.put(`/api/orgs/${owner.orgId}/members/${member.userId}/role`, { role: 'viewer' })).status).toBe(204);
    expect(await roleOf(member.userId)).toBe('viewer');
    expect((await member.client.get(`/api/orgs/${owner.orgId}`)).body).toMatchObject({ role: 'viewer' });

    const promote = await admin.client.put(`/api/orgs/${owner.orgId}/members/${member.userId}/role`, { role: 'owner' });
    expect(promote.status).toBe(403);
    expect(promote.body.error?.message).toBe('Only an owner can make or unmake owners');
    expect((await owner.client.put(`/api/orgs/${owner.orgId}/members/${member.userId}/role`, { role: 'owner' })).status).toBe(204);
    expect(await roleOf(member.userId)).toBe('owner');
    expect((await admin.client.put(`/api/orgs/${owner.orgId}/members/${member.userId}/role`, { role: 'admin' })).status).toBe(403);
  });

  it('never demotes the last owner', async () => {
    const owner = await verifiedOwner(server);
    const demote = await owner.client.put(`/api/orgs/${owner.orgId}/members/${owner.userId}/role`, { role: 'admin' });
    expect(demote.status).toBe(409);
    expect(demote.body.error?.message).toBe('The last owner cannot be demoted; make someone else an owner first');
    expect((await owner.client.get(`/api/orgs/${owner.orgId}`)).body).toMatchObject({ role: 'owner' });
  });
});

describe('removing and leaving', () => {
  it('removes a member, who then no longer sees the organisation', async () => {
    const owner = await verifiedOwner(server);
    const member = await joinAs(server, owner, 'member');
    expect((await member.client.get(`/api/orgs/${owner.orgId}`)).status).toBe(200);
    expect((await owner.client.delete(`/api/orgs/${owner.orgId}/members/${member.userId}`)).status).toBe(204);
    expect((await member.client.get(`/api/orgs/${owner.orgId}`)).status).toBe(404);
    expect((await member.client.get('/api/me')).body.organizations).toEqual([]);
    const members = (await owner.client.get(`/api/orgs/${owner.orgId}/members`)).body.members as Array<{ userId: string }>;
    expect(members.map((m) => m.userId)).toEqual([owner.userId]);
    expect((await owner.client.delete(`/api/orgs/${owner.orgId}/members/${member.userId}`)).status).toBe(404);
  });

  it('never removes the last owner', async () => {
    const owner = await verifiedOwner(server);
    const admin = await joinAs(server, owner, 'admin');
    const byAdmin = await admin.client.delete(`/api/orgs/${owner.orgId}/members/${owner.userId}`);
    expect(byAdmin.status).toBe(403);
    const bySelf = await owner.client.delete(`/api/orgs/${owner.orgId}/members/${owner.userId}`);
    expect(bySelf.status).toBe(409);
    expect(bySelf.body.error?.message).toBe('The last owner cannot be removed; make someone else an owner first');
  });

  it('lets a member leave, but not the last owner', async () => {
    const owner = await verifiedOwner(server);
    const viewer = await joinAs(server, owner, 'viewer');
    expect((await viewer.client.post(`/api/orgs/${owner.orgId}/leave`)).status).toBe(204);
    expect((await viewer.client.get(`/api/orgs/${owner.orgId}`)).status).toBe(404);

    const lastOwner = await owner.client.post(`/api/orgs/${owner.orgId}/leave`);
    expect(lastOwner.status).toBe(409);
    expect(lastOwner.body.error?.message).toBe('You are the last owner and cannot leave; make someone else an owner first');

    const second = await joinAs(server, owner, 'owner');
    expect((await owner.client.post(`/api/orgs/${owner.orgId}/leave`)).status).toBe(204);
    expect((await second.client.get(`/api/orgs/${owner.orgId}/members`)).body.members).toEqual([expect.objectContaining({ userId: second.userId, role: 'owner' })]);
  });
});

describe('settings', () => {
  it('renames the organisation', async () => {
    const owner = await verifiedOwner(server);
    const renamed = await owner.client.patch(`/api/orgs/${owner.orgId}`, { name: '  Renamed Ltd ' });
    expect(renamed.status).toBe(200);
    expect(renamed.body).toEqual({ id: owner.orgId, name: 'Renamed Ltd', timezone: 'Europe/London', requireMfa: false, role: 'owner' });
    expect((await owner.client.get('/api/me')).body.organizations).toEqual([{ id: owner.orgId, name: 'Renamed Ltd', role: 'owner' }]);
    expect((await owner.client.patch(`/api/orgs/${owner.orgId}`, { name: ' ' })).status).toBe(400);
  });

  it('will not require MFA of everyone while the one asking has none', async () => {
    const owner = await verifiedOwner(server);
    const response = await owner.client.patch(`/api/orgs/${owner.orgId}`, { requireMfa: true });
    expect(response.status).toBe(409);
    expect(response.body.error?.message).toMatch(/multi-factor authentication for yourself/);
    expect((await owner.client.get(`/api/orgs/${owner.orgId}`)).body).toMatchObject({ requireMfa: false });
  });
});
