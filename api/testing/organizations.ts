import { expect } from 'vitest';
import { parseEventOf } from '../../domain/eventsourcing/registry.ts';
import type { Role } from '../../domain/organizations/roles.ts';
import type { RunningServer } from '../server.ts';
import { apiClient, signUpBody, strongPassword, type ApiClient } from './client.ts';
import { signUpAndVerify, verificationLinkFor } from './sign-up.ts';

/** Test helpers for organisations: people signed up, verified, invited and joined through the real API. */

export interface Person {
  client: ApiClient;
  userId: string;
  email: string;
}

export interface Owner extends Person {
  orgId: string;
}

const uniqueEmail = (label: string) => `${label}-${Math.random().toString(36).slice(2, 10)}@example.com`;


/** Signs up a new account with its own organisation and signs in with the password; the address is not verified. */
export async function signUp(server: RunningServer, overrides: Record<string, unknown> = {}): Promise<Owner> {
  const client = apiClient(server);
  const body = signUpBody({ email: uniqueEmail('owner'), ...overrides });
  const answered = await client.post('/api/auth/signup', body);
  expect(answered.status, JSON.stringify(answered.body)).toBe(202);
  const signedIn = await client.post('/api/auth/login', { email: body.email, password: body.password });
  expect(signedIn.status, JSON.stringify(signedIn.body)).toBe(200);
  const me = await client.get('/api/me');
  return { client, userId: signedIn.body.userId as string, orgId: me.body.currentOrganizationId as string, email: body.email };
}

/** Verifies a user's address with the link from their verification mail. */
export async function verify(server: RunningServer, person: Person): Promise<void> {
  const verified = await person.client.post('/api/auth/verify-email', await verificationLinkFor(server, person.email));
  expect(verified.status, JSON.stringify(verified.body)).toBe(200);
}

/** An owner whose address is verified (by the link in the mail, which signed them in), so they may invite. */
export async function verifiedOwner(server: RunningServer, overrides: Record<string, unknown> = {}): Promise<Owner> {
  const { client, userId, orgId, email } = await signUpAndVerify(server, { email: uniqueEmail('owner'), ...overrides });
  return { client, userId, orgId, email };
}

/** The token an invitation mail carries, opened from the event log with the invitation's key. */
export async function invitationToken(server: RunningServer, orgId: string, invitationId: string): Promise<string> {
  for await (const recorded of server.stores.events.readStream(`org-${orgId}`)) {
    const invited = parseEventOf(recorded, ['MemberInvited']);
    if (invited?.data.invitationId === invitationId) return (await server.context.vault.open(`invitation-${invitationId}`, invited.data.token))!;
  }
  throw new Error(`no invitation ${invitationId} in org-${orgId}`);
}

export interface Invitation {
  orgId: string;
  invitationId: string;
  token: string;
  email: string;
}

/** Invites an address (a fresh one unless given) and returns the link's parts. */
export async function invite(server: RunningServer, inviter: ApiClient, orgId: string, role: Role, email = uniqueEmail('invitee')): Promise<Invitation> {
  const response = await inviter.post(`/api/orgs/${orgId}/invitations`, { email, role });
  expect(response.status, JSON.stringify(response.body)).toBe(201);
  const invitationId = response.body.invitationId as string;
  return { orgId, invitationId, email, token: await invitationToken(server, orgId, invitationId) };
}

/** Signs a new user up through an invitation link. */
export async function signUpInvited(server: RunningServer, invitation: Invitation, overrides: Record<string, unknown> = {}): Promise<Person> {
  const client = apiClient(server);
  const { orgId, invitationId, token } = invitation;
  const response = await client.post('/api/auth/signup-invited', { orgId, invitationId, token, firstName: 'Grace', lastName: 'Hopper', password: strongPassword, timezone: 'Europe/Paris', ...overrides });
  expect(response.status, JSON.stringify(response.body)).toBe(201);
  return { client, userId: response.body.userId as string, email: invitation.email };
}

/** A new person in the owner's organisation with this role, joined by invitation. */
export async function joinAs(server: RunningServer, owner: Owner, role: Role): Promise<Person> {
  return signUpInvited(server, await invite(server, owner.client, owner.orgId, role));
}
