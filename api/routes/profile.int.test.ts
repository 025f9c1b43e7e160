import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { emailChangeMails } from '../../projections/mail/messages/email-change.ts';
import { recipientOf } from '../../projections/mail/recipient.ts';
import { startTestServer } from '../../infra/testing/server.ts';
import type { RunningServer } from '../server.ts';
import { apiClient, signUpBody, strongPassword } from '../testing/client.ts';
import { eventTypesOf, linkIn, mailsOf } from '../testing/mails.ts';
import { addressHolder, signUpAndVerify } from '../testing/sign-up.ts';

let server: RunningServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server?.close());

async function signedUp() {
  const { body, client, userId } = await signUpAndVerify(server);
  return { body, client, userId };
}

/** Whom the address belongs to after someone tries to sign up with it (sign-up answers alike either way). */
async function holderAfterSignUp(email: string): Promise<string | undefined> {
  expect((await apiClient(server).post('/api/auth/signup', signUpBody({ email }))).status).toBe(202);
  return addressHolder(server, email);
}

const freshAddress = () => `moved-${Math.random().toString(36).slice(2, 8)}@example.org`;

describe('profile', () => {
  it('changes the given fields only, answers with the /api/me user, and /api/me shows it', async () => {
    const { client, body, userId } = await signedUp();
    const updated = await client.patch('/api/me/profile', { firstName: '  Augusta ', timezone: 'America/New_York' });
    expect(updated.status).toBe(200);
    expect(updated.body).toEqual({ id: userId, email: body.email, firstName: 'Augusta', lastName: 'Lovelace', timezone: 'America/New_York', verified: true, mfaEnabled: false });
    expect((await client.get('/api/me')).body.user).toEqual(updated.body);
  });

  it('removes a name given as empty, and mails greet by the new first name', async () => {
    const { client, userId } = await signedUp();
    expect((await client.patch('/api/me/profile', { lastName: '', firstName: 'Grace' })).body).toMatchObject({ firstName: 'Grace', lastName: null });
    expect(await recipientOf(server.stores.events, server.context.vault, userId)).toMatchObject({ firstName: 'Grace' });
    expect((await client.patch('/api/me/profile', { firstName: null })).body).toMatchObject({ firstName: null });
    expect(await recipientOf(server.stores.events, server.context.vault, userId)).toMatchObject({ firstName: null });
  });

  it('keeps the names out of the event log in the clear', async () => {
    const { client, userId } = await signedUp();
    await client.patch('/api/me/profile', { firstName: 'Zebulon-Quixote' });
    for await (const event of server.stores.events.readStream(`user-${userId}`)) expect(JSON.stringify(event.data)).not.toContain('Zebulon');
  });

  it('refuses an unknown time zone and a name that is too long', async () => {
    const { client } = await signedUp();
    expect((await client.patch('/api/me/profile', { timezone: 'Mars/Olympus' })).status).toBe(400);
    expect((await client.patch('/api/me/profile', { firstName: 'x'.repeat(101) })).status).toBe(400);
  });

  it('is only for the signed in', async () => {
    expect((await apiClient(server).patch('/api/me/profile', { firstName: 'Eve' })).status).toBe(401);
  });
});

describe('changing the e-mail address', () => {
  async function requestChange(client: ReturnType<typeof apiClient>, userId: string, newEmail: string) {
    expect((await client.post('/api/me/email', { newEmail, password: strongPassword })).status).toBe(202);
    const mails = await mailsOf(server, `user-${userId}`, emailChangeMails);
    const confirmation = mails.filter((m) => m.to === newEmail).at(-1);
    return { mails, token: linkIn(confirmation, server.context.config.publicUrl).searchParams.get('token')! };
  }

  it('mails a confirmation link to the new address and an alert to the old one, and changes nothing yet', async () => {
    const { client, body, userId } = await signedUp();
    const newEmail = freshAddress();
    const { mails } = await requestChange(client, userId, newEmail);

    expect(mails).toHaveLength(2);
    const [confirm, alert] = mails;
    expect(confirm).toMatchObject({ to: newEmail, subject: 'Confirm your new e-mail address for Cloudventory' });
    const link = linkIn(confirm, server.context.config.publicUrl);
    expect(`${link.origin}${link.pathname}`).toBe(`${server.context.config.publicUrl}/confirm-email`);
    expect(link.searchParams.get('user')).toBe(userId);
    expect(alert).toMatchObject({ to: body.email });
    expect(alert!.text).toContain(newEmail);
    expect(alert!.text).not.toContain(link.searchParams.get('token')!);

    expect((await client.get('/api/me')).body.user).toMatchObject({ email: body.email });
  });

  it('changes the address with the link, counts it verified, and frees the old one', async () => {
    const { client, body, userId } = await signedUp();
    const newEmail = freshAddress();
    const { token } = await requestChange(client, userId, newEmail);

    // Held while the mail travels: nobody else can take it meanwhile.
    expect(await holderAfterSignUp(newEmail)).toBe(userId);

    const anonymous = apiClient(server);
    expect((await anonymous.post('/api/auth/confirm-email', { userId, token })).status).toBe(204);
    expect((await client.get('/api/me')).body.user).toMatchObject({ email: newEmail, verified: true });
    expect(await recipientOf(server.stores.events, server.context.vault, userId)).toMatchObject({ email: newEmail });

    expect((await anonymous.post('/api/auth/login', { email: body.email, password: strongPassword })).status).toBe(401);
    expect((await anonymous.post('/api/auth/login', { email: newEmail, password: strongPassword })).status).toBe(200);
    const newcomer = await holderAfterSignUp(body.email);
    expect(newcomer).toBeDefined();
    expect(newcomer).not.toBe(userId);

    const reused = await anonymous.post('/api/auth/confirm-email', { userId, token });
    expect(reused.status).toBe(409);
  });

  it('needs the password, and refuses an address that is taken or already one’s own', async () => {
    const { client, body, userId } = await signedUp();
    const other = await signedUp();

    const wrong = await client.post('/api/me/email', { newEmail: freshAddress(), password: 'not-my-password-at-all' });
    expect(wrong.status).toBe(400);
    expect(wrong.body.error?.message).toBe('The password is not right');

    const taken = await client.post('/api/me/email', { newEmail: other.body.email.toUpperCase(), password: strongPassword });
    expect(taken.status).toBe(409);

    const own = await client.post('/api/me/email', { newEmail: body.email, password: strongPassword });
    expect(own.status).toBe(400);
    expect(own.body.error?.message).toBe('This is already your e-mail address');

    expect(await eventTypesOf(server, `user-${userId}`)).not.toContain('EmailChangeRequested');
    // The refusals left both addresses with their owners.
    expect(await holderAfterSignUp(body.email)).toBe(userId);
    expect(await holderAfterSignUp(other.body.email)).toBe(other.userId);
  });

  it('lets a newer request replace an older one: the older link stops working and its address is free again', async () => {
    const { client, userId } = await signedUp();
    const first = freshAddress();
    const second = freshAddress();
    const older = await requestChange(client, userId, first);
    const newer = await requestChange(client, userId, second);

    const stale = await apiClient(server).post('/api/auth/confirm-email', { userId, token: older.token });
    expect(stale.status).toBe(400);
    expect(stale.body.error?.message).toBe('This confirmation link is not valid');
    expect(await holderAfterSignUp(first)).toEqual(expect.not.stringMatching(userId));

    expect((await apiClient(server).post('/api/auth/confirm-email', { userId, token: newer.token })).status).toBe(204);
    expect((await client.get('/api/me')).body.user).toMatchObject({ email: second });
  });

  it('refuses a forged token and an unknown user alike', async () => {
    const { client, userId } = await signedUp();
    await requestChange(client, userId, freshAddress());
    const anonymous = apiClient(server);
    expect((await anonymous.post('/api/auth/confirm-email', { userId, token: 'y'.repeat(43) })).body.error?.message).toBe('This confirmation link is not valid');
    expect((await anonymous.post('/api/auth/confirm-email', { userId: '00000000-0000-4000-8000-000000000000', token: 'y'.repeat(43) })).body.error?.message).toBe(
      'This confirmation link is not valid',
    );
  });
});
