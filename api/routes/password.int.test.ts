import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { emailChangeMails } from '../../projections/mail/messages/email-change.ts';
import { passwordResetMail } from '../../projections/mail/messages/password-reset.ts';
import { securityAlertMail } from '../../projections/mail/messages/security-alerts.ts';
import { startTestServer } from '../../infra/testing/server.ts';
import type { RunningServer } from '../server.ts';
import { apiClient, strongPassword, type ApiClient } from '../testing/client.ts';
import { eventTypesOf, linkIn, mailsOf } from '../testing/mails.ts';
import { signUpAndVerify } from '../testing/sign-up.ts';
import { RESET_REQUEST_FLOOR_MS } from './password.ts';

let server: RunningServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server?.close());

const newPassword = 'copper-Lantern-77-drifting';

/** A user signed in on two devices. */
async function userOnTwoDevices() {
  const { body, userId, client: first } = await signUpAndVerify(server);
  const second = apiClient(server);
  expect((await second.post('/api/auth/login', { email: body.email, password: strongPassword })).status).toBe(200);
  return { body, userId, first, second };
}

async function currentSessionId(client: ApiClient): Promise<string> {
  const { body } = await client.get('/api/me/sessions');
  return (body.sessions as Array<{ id: string; current: boolean }>).find((s) => s.current)!.id;
}

async function revocationReason(sessionId: string): Promise<string | undefined> {
  for await (const event of server.stores.events.readStream(`session-${sessionId}`)) if (event.type === 'SessionRevoked') return (event.data as { reason: string }).reason;
  return undefined;
}

async function timed<T>(work: () => Promise<T>): Promise<{ result: T; ms: number }> {
  const started = performance.now();
  const result = await work();
  return { result, ms: performance.now() - started };
}

describe('asking for a password reset', () => {
  it('answers the same for an address with and without an account, and writes nothing for the one without', async () => {
    const { body, userId } = await userOnTwoDevices();
    const anonymous = apiClient(server);

    const head = await server.stores.events.headPosition();
    const absent = await timed(() => anonymous.post('/api/auth/password-reset', { email: 'nobody-at-all@example.com' }));
    expect(await server.stores.events.headPosition()).toBe(head);

    const present = await timed(() => anonymous.post('/api/auth/password-reset', { email: body.email.toUpperCase() }));
    for (const { result, ms } of [absent, present]) {
      expect(result.status).toBe(202);
      expect(ms).toBeGreaterThanOrEqual(RESET_REQUEST_FLOOR_MS - 5);
    }
    expect(present.result.body).toEqual(absent.result.body);
    expect(await eventTypesOf(server, `user-${userId}`)).toContain('PasswordResetRequested');
  });

  it('mails the reset link to the account address, once per minute at most', async () => {
    const { body, userId } = await userOnTwoDevices();
    const anonymous = apiClient(server);
    expect((await anonymous.post('/api/auth/password-reset', { email: body.email })).status).toBe(202);
    expect((await anonymous.post('/api/auth/password-reset', { email: body.email })).status).toBe(202);

    const mails = await mailsOf(server, `user-${userId}`, passwordResetMail);
    expect(mails).toHaveLength(1);
    expect(mails[0]).toMatchObject({ to: body.email, subject: 'Reset your Cloudventory password' });
    const link = linkIn(mails[0], server.context.config.publicUrl);
    expect(`${link.origin}${link.pathname}`).toBe(`${server.context.config.publicUrl}/reset-password`);
    expect(link.searchParams.get('user')).toBe(userId);
    expect(link.searchParams.get('token')).toMatch(/^[\w-]{43}$/);
  });

  it('refuses an address that is not one with a 400', async () => {
    const response = await apiClient(server).post('/api/auth/password-reset', { email: 'not-an-address' });
    expect(response.status).toBe(400);
  });
});

describe('setting a new password with the reset link', () => {
  async function resetLink() {
    const account = await userOnTwoDevices();
    await apiClient(server).post('/api/auth/password-reset', { email: account.body.email });
    const [mail] = await mailsOf(server, `user-${account.userId}`, passwordResetMail);
    const link = linkIn(mail, server.context.config.publicUrl);
    return { ...account, token: link.searchParams.get('token')! };
  }

  it('sets the password, signs out every session, works once, and sends an alert', async () => {
    const { body, userId, token, first, second } = await resetLink();
    const sessions = [await currentSessionId(first), await currentSessionId(second)];
    const anonymous = apiClient(server);

    const weak = await anonymous.post('/api/auth/password-reset/confirm', { userId, token, password: 'short' });
    expect(weak.status).toBe(400);
    expect(weak.body.error?.message).toBe('Password must be at least 12 characters');

    expect((await anonymous.post('/api/auth/password-reset/confirm', { userId, token, password: newPassword })).status).toBe(204);
    expect((await first.get('/api/me')).status).toBe(401);
    expect((await second.get('/api/me')).status).toBe(401);
    for (const sessionId of sessions) expect(await revocationReason(sessionId)).toBe('password_reset');

    expect((await anonymous.post('/api/auth/login', { email: body.email, password: strongPassword })).status).toBe(401);
    expect((await anonymous.post('/api/auth/login', { email: body.email, password: newPassword })).status).toBe(200);

    const again = await apiClient(server).post('/api/auth/password-reset/confirm', { userId, token, password: 'another-Fine-password-9' });
    expect(again.status).toBe(400);
    expect(again.body.error?.message).toBe('This password reset link has already been used; ask for a new one');

    const alerts = await mailsOf(server, `user-${userId}`, securityAlertMail);
    expect(alerts).toEqual([expect.objectContaining({ to: body.email, subject: 'Your Cloudventory password was reset' })]);
  });

  it('refuses a link mailed to the address the account had before its address changed', async () => {
    const { body, userId, token, first } = await resetLink();
    const newEmail = `moved-${Math.random().toString(36).slice(2, 8)}@example.org`;
    expect((await first.post('/api/me/email', { newEmail, password: strongPassword })).status).toBe(202);
    const confirmation = linkIn((await mailsOf(server, `user-${userId}`, emailChangeMails)).find((m) => m.to === newEmail), server.context.config.publicUrl);
    expect((await apiClient(server).post('/api/auth/confirm-email', { userId, token: confirmation.searchParams.get('token') })).status).toBe(204);

    const stale = await apiClient(server).post('/api/auth/password-reset/confirm', { userId, token, password: newPassword });
    expect(stale.status).toBe(400);
    expect(stale.body.error?.message).toBe('This password reset link was sent to an address this account no longer uses; ask for a new one');
    expect((await apiClient(server).post('/api/auth/login', { email: newEmail, password: strongPassword })).status).toBe(200);
    expect((await apiClient(server).post('/api/auth/login', { email: body.email, password: strongPassword })).status).toBe(401);
  });

  it('refuses a forged token, and a token for another user', async () => {
    const { userId, token } = await resetLink();
    const other = await userOnTwoDevices();
    const anonymous = apiClient(server);
    const forged = await anonymous.post('/api/auth/password-reset/confirm', { userId, token: 'x'.repeat(43), password: newPassword });
    expect(forged.body.error?.message).toBe('This password reset link is not valid');
    const elsewhere = await anonymous.post('/api/auth/password-reset/confirm', { userId: other.userId, token, password: newPassword });
    expect(elsewhere.body.error?.message).toBe('This password reset link is not valid');
    const unknownUser = await anonymous.post('/api/auth/password-reset/confirm', { userId: '00000000-0000-4000-8000-000000000000', token, password: newPassword });
    expect(unknownUser.status).toBe(400);
    expect((await other.first.get('/api/me')).status).toBe(200);
  });
});

describe('changing one’s password', () => {
  it('needs the current password', async () => {
    const { userId, first } = await userOnTwoDevices();
    const wrong = await first.put('/api/me/password', { currentPassword: 'not-my-password-at-all', newPassword });
    expect(wrong.status).toBe(400);
    expect(wrong.body.error).toMatchObject({ message: 'The current password is not right', details: [{ path: '/currentPassword' }] });
    expect(await eventTypesOf(server, `user-${userId}`)).not.toContain('PasswordChanged');
  });

  it('applies the password policy to the new one, naming the field', async () => {
    const { first } = await userOnTwoDevices();
    const common = await first.put('/api/me/password', { currentPassword: strongPassword, newPassword: 'password1234' });
    expect(common.status).toBe(400);
    expect(common.body.error).toMatchObject({ message: 'This password is too common; choose one that is harder to guess', details: [{ path: '/newPassword', message: 'too common' }] });
    const same = await first.put('/api/me/password', { currentPassword: strongPassword, newPassword: strongPassword });
    expect(same.status).toBe(400);
  });

  it('signs out every session, keeps the caller signed in with a fresh one, and sends an alert', async () => {
    const { body, userId, first, second } = await userOnTwoDevices();
    const before = [await currentSessionId(first), await currentSessionId(second)];
    const oldCookie = first.cookies.get('cv_session');

    const changed = await first.put('/api/me/password', { currentPassword: strongPassword, newPassword });
    expect(changed.status).toBe(204);
    expect(changed.headers.getSetCookie().some((c) => c.startsWith('cv_session=') && /HttpOnly/.test(c))).toBe(true);
    expect(first.cookies.get('cv_session')).not.toBe(oldCookie);

    expect((await first.get('/api/me')).status).toBe(200);
    expect((await second.get('/api/me')).status).toBe(401);
    for (const sessionId of before) expect(await revocationReason(sessionId)).toBe('password_changed');
    expect(before).not.toContain(await currentSessionId(first));

    const anonymous = apiClient(server);
    expect((await anonymous.post('/api/auth/login', { email: body.email, password: strongPassword })).status).toBe(401);
    expect((await anonymous.post('/api/auth/login', { email: body.email, password: newPassword })).status).toBe(200);

    const alerts = await mailsOf(server, `user-${userId}`, securityAlertMail);
    expect(alerts).toEqual([expect.objectContaining({ to: body.email, subject: 'Your Cloudventory password was changed' })]);
  });

  it('ends reset links issued before the change', async () => {
    const { body, userId, first } = await userOnTwoDevices();
    await apiClient(server).post('/api/auth/password-reset', { email: body.email });
    const token = linkIn((await mailsOf(server, `user-${userId}`, passwordResetMail))[0], server.context.config.publicUrl).searchParams.get('token')!;
    expect((await first.put('/api/me/password', { currentPassword: strongPassword, newPassword })).status).toBe(204);
    const late = await apiClient(server).post('/api/auth/password-reset/confirm', { userId, token, password: 'another-Fine-password-9' });
    expect(late.status).toBe(400);
  });

  it('is only for the signed in', async () => {
    expect((await apiClient(server).put('/api/me/password', { currentPassword: strongPassword, newPassword })).status).toBe(401);
  });
});
