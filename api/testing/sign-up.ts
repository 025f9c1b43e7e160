import { expect } from 'vitest';
import { aggregateStream } from '../../domain/eventsourcing/aggregate-stream.ts';
import { emailReservation, emailReservationStream } from '../../domain/identity/email-reservation.ts';
import { verificationMail } from '../../projections/mail/messages/verification.ts';
import type { RunningServer } from '../server.ts';
import { apiClient, signUpBody, type ApiClient } from './client.ts';
import { linkIn, mailsOf } from './mails.ts';

/**
 * Sign-up answers the same whether or not the address has an account and signs nobody in; the link
 * in the verification mail does. These helpers go that way, as a person would.
 */

/** The account holding an address, from its reservation stream; undefined when none does. */
export async function addressHolder(server: RunningServer, email: string): Promise<string | undefined> {
  return (await aggregateStream(server.stores.events, emailReservation, emailReservationStream(server.context.emailIndex(email)))).state.holder;
}

/** The user id and token of the latest verification link mailed for the account holding this address. */
export async function verificationLinkFor(server: RunningServer, email: string): Promise<{ userId: string; token: string }> {
  const holder = await addressHolder(server, email);
  if (!holder) throw new Error(`no account holds ${email}`);
  const link = linkIn((await mailsOf(server, `user-${holder}`, verificationMail)).at(-1), `${server.context.config.publicUrl}/verify-email`);
  return { userId: link.searchParams.get('user')!, token: link.searchParams.get('token')! };
}

export interface SignedUp {
  client: ApiClient;
  userId: string;
  orgId: string;
  email: string;
  body: ReturnType<typeof signUpBody>;
}

/** Signs up with the form's fields, then follows the link from the verification mail, which signs the person in. */
export async function signUpAndVerify(server: RunningServer, overrides: Record<string, unknown> = {}, headers: Record<string, string> = {}): Promise<SignedUp> {
  const client = apiClient(server);
  const body = signUpBody(overrides);
  const answered = await client.post('/api/auth/signup', body, headers);
  expect(answered.status, JSON.stringify(answered.body)).toBe(202);
  const verified = await client.post('/api/auth/verify-email', await verificationLinkFor(server, body.email), headers);
  expect(verified.body, JSON.stringify(verified.body)).toEqual({ verified: true, signedIn: true });
  const me = await client.get('/api/me');
  return { client, userId: (me.body.user as { id: string }).id, orgId: me.body.currentOrganizationId as string, email: body.email, body };
}
