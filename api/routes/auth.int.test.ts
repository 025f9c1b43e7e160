import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer } from '../../infra/testing/server.ts';
import { signUpAttemptMail } from '../../projections/mail/messages/sign-up-attempt.ts';
import { verificationMail } from '../../projections/mail/messages/verification.ts';
import type { RunningServer } from '../server.ts';
import { apiClient, signUpBody, strongPassword } from '../testing/client.ts';
import { mailsOf } from '../testing/mails.ts';
import { addressHolder, signUpAndVerify, verificationLinkFor } from '../testing/sign-up.ts';
import { SIGN_UP_FLOOR_MS } from './auth.ts';

let server: RunningServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server?.close());

async function timed<T>(work: () => Promise<T>): Promise<{ result: T; ms: number }> {
  const started = performance.now();
  const result = await work();
  return { result, ms: performance.now() - started };
}

describe('sign-up', () => {
  it('creates the user and their organisation, signs nobody in, and keeps the e-mail out of the event log in the clear', async () => {
    const client = apiClient(server);
    const body = signUpBody({ email: '  Grace.Hopper@Example.com ' });
    const answered = await client.post('/api/auth/signup', body);
    expect(answered.status).toBe(202);
    expect(answered.body).toEqual({ status: 'check-your-email' });
    expect(answered.headers.getSetCookie()).toEqual([]);
    expect((await client.get('/api/me')).status).toBe(401);

    const [verification] = await mailsOf(server, `user-${await addressHolder(server, body.email)}`, verificationMail);
    expect(verification).toMatchObject({ to: 'Grace.Hopper@Example.com', subject: 'Verify your e-mail address for Cloudventory' });

    for await (const event of server.stores.events.readAll()) {
      const raw = JSON.stringify([event.stream, event.data, event.metadata]);
      expect(raw).not.toMatch(/grace\.hopper/i);
      expect(raw).not.toContain(strongPassword);
    }
  });

  it('answers a sign-up with an address that has an account exactly as any other, creates nothing, and tells the owner instead', async () => {
    const owner = await signUpAndVerify(server);
    const head = await server.stores.events.headPosition();
    const again = await timed(() => apiClient(server).post('/api/auth/signup', { ...owner.body, email: owner.email.toUpperCase(), password: 'another-Secret-93-harbour' }));
    const fresh = await timed(() => apiClient(server).post('/api/auth/signup', signUpBody()));

    expect(again.result.status).toBe(fresh.result.status);
    expect(again.result.body).toEqual(fresh.result.body);
    expect(again.result.headers.getSetCookie()).toEqual(fresh.result.headers.getSetCookie());
    // Both hash the password and wait out the same floor: the time taken does not tell them apart.
    for (const { ms } of [again, fresh]) expect(ms).toBeGreaterThanOrEqual(SIGN_UP_FLOOR_MS - 5);

    expect(await addressHolder(server, owner.email)).toBe(owner.userId);
    const written: string[] = [];
    for await (const event of server.stores.events.readAll({ from: head })) if (event.stream.startsWith(`user-${owner.userId}`)) written.push(event.type);
    expect(written).toEqual(['SignUpAttempted']);
    const [notice] = await mailsOf(server, `user-${owner.userId}`, signUpAttemptMail);
    expect(notice).toMatchObject({ to: owner.email, subject: 'Someone tried to sign up to Cloudventory with your address' });
    expect(notice!.text).toContain('If it was you, sign in instead');
    expect(notice!.text).toContain(`${server.context.config.publicUrl}/forgot-password`);

    // Their password is as it was; the one typed into the sign-up form does nothing.
    expect((await apiClient(server).post('/api/auth/login', { email: owner.email, password: 'another-Secret-93-harbour' })).status).toBe(401);
    expect((await apiClient(server).post('/api/auth/login', { email: owner.email, password: strongPassword })).status).toBe(200);

    // At most one such mail an hour, whatever strangers do.
    await apiClient(server).post('/api/auth/signup', { ...owner.body, email: owner.email });
    expect(await mailsOf(server, `user-${owner.userId}`, signUpAttemptMail)).toHaveLength(1);
  });

  it('gives one account when several sign-ups race for an address, all answered alike', async () => {
    const body = signUpBody();
    const results = await Promise.all([1, 2, 3].map(() => apiClient(server).post('/api/auth/signup', body)));
    expect(results.map((r) => r.status)).toEqual([202, 202, 202]);
    const holder = await addressHolder(server, body.email);
    let accounts = 0;
    for await (const event of server.stores.events.readAll()) if (event.type === 'UserRegistered' && (event.data as { emailHash: string }).emailHash === server.context.emailIndex(body.email)) accounts++;
    expect(accounts).toBe(1);
    expect(holder).toBeDefined();
  });

  it.each([
    [{ password: 'short' }, 'Password must be at least 12 characters'],
    [{ password: 'password1234' }, 'This password is too common; choose one that is harder to guess'],
    [{ timezone: 'Mars/Olympus' }, 'Invalid body: must be an IANA time zone such as Europe/Paris'],
    [{ email: 'not-an-address' }, 'Invalid body: must be an e-mail address'],
    [{ organizationName: ' ' }, 'Invalid body: is required'],
  ])('refuses %o with a clear 400', async (override, message) => {
    const response = await apiClient(server).post('/api/auth/signup', signUpBody(override));
    expect(response.status).toBe(400);
    expect(response.body.error?.message).toBe(message);
  });
});

describe('e-mail verification', () => {
  it('verifies once with the link from the mail, which signs the new account in and into its organisation; refuses it again', async () => {
    const body = signUpBody();
    await apiClient(server).post('/api/auth/signup', body);
    const { userId, token } = await verificationLinkFor(server, body.email);

    const client = apiClient(server);
    expect((await client.post('/api/auth/verify-email', { userId, token: 'x'.repeat(43) })).status).toBe(400);
    expect((await client.get('/api/me')).status).toBe(401);
    const verified = await client.post('/api/auth/verify-email', { userId, token });
    expect(verified.body).toEqual({ verified: true, signedIn: true });
    const cookie = verified.headers.getSetCookie().find((c) => c.startsWith('cv_session='))!;
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Lax/);
    expect((await client.get('/api/me')).body).toMatchObject({
      user: { id: userId, email: body.email, firstName: 'Ada', lastName: 'Lovelace', verified: true, timezone: 'Europe/London' },
      organizations: [{ name: body.organizationName, role: 'owner' }],
    });

    const elsewhere = apiClient(server);
    const reused = await elsewhere.post('/api/auth/verify-email', { userId, token });
    expect(reused.status).toBe(409);
    expect((await elsewhere.get('/api/me')).status).toBe(401);
  });

  it('does not switch a browser signed in as someone else', async () => {
    const someoneElse = await signUpAndVerify(server);
    const body = signUpBody();
    await apiClient(server).post('/api/auth/signup', body);
    const verified = await someoneElse.client.post('/api/auth/verify-email', await verificationLinkFor(server, body.email));
    expect(verified.body).toEqual({ verified: true, signedIn: false });
    expect((await someoneElse.client.get('/api/me')).body).toMatchObject({ user: { id: someoneElse.userId } });
  });
});

describe('sign-in and sign-out', () => {
  it('signs in with the right password only, and signs out', async () => {
    const body = signUpBody();
    await apiClient(server).post('/api/auth/signup', body);
    const client = apiClient(server);
    const wrong = await client.post('/api/auth/login', { email: body.email, password: 'not-the-password-at-all' });
    expect(wrong.status).toBe(401);
    const unknown = await client.post('/api/auth/login', { email: 'nobody-here@example.com', password: strongPassword });
    expect(unknown.status).toBe(401);
    expect(unknown.body.error?.message).toBe(wrong.body.error?.message);

    expect((await client.post('/api/auth/login', { email: body.email.toUpperCase(), password: strongPassword })).status).toBe(200);
    expect((await client.get('/api/me')).status).toBe(200);
    expect((await client.post('/api/auth/logout')).status).toBe(204);
    expect((await client.get('/api/me')).status).toBe(401);
  });

  it('refuses a state-changing request from another site', async () => {
    const { client } = await signUpAndVerify(server);
    const response = await client.post('/api/auth/logout', {}, { origin: 'https://evil.example' });
    expect(response.status).toBe(403);
    expect((await client.get('/api/me')).status).toBe(200);
  });
});
