import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Sealed } from '../../domain/privacy/personal-data.ts';
import { startTestServer } from '../../infra/testing/server.ts';
import type { RunningServer } from '../server.ts';
import { apiClient, signUpBody, strongPassword } from '../testing/client.ts';

let server: RunningServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server?.close());

async function verificationToken(userId: string): Promise<string> {
  let sealed: Sealed | undefined;
  for await (const event of server.stores.events.readStream(`user-${userId}`))
    if (event.type === 'UserRegistered') sealed = (event.data as { verification: { token: Sealed } }).verification.token;
  return (await server.context.vault.open(userId, sealed!))!;
}

describe('sign-up', () => {
  it('creates the user and their organisation, signs them in, and keeps the e-mail out of the event log in the clear', async () => {
    const client = apiClient(server);
    const body = signUpBody({ email: '  Grace.Hopper@Example.com ' });
    const created = await client.post('/api/auth/signup', body);
    expect(created.status).toBe(201);
    const cookie = created.headers.getSetCookie().find((c) => c.startsWith('cv_session='))!;
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Lax/);

    const me = await client.get('/api/me');
    expect(me.status).toBe(200);
    expect(me.body).toMatchObject({
      user: { id: created.body.userId, email: 'Grace.Hopper@Example.com', firstName: 'Ada', lastName: 'Lovelace', verified: false, timezone: 'Europe/London' },
      organizations: [{ id: created.body.orgId, name: body.organizationName, role: 'owner' }],
      currentOrganizationId: created.body.orgId,
    });

    for await (const event of server.stores.events.readAll()) {
      const raw = JSON.stringify([event.stream, event.data, event.metadata]);
      expect(raw).not.toMatch(/grace\.hopper/i);
      expect(raw).not.toContain(strongPassword);
    }
  });

  it('refuses a second account for the same address, whatever its case, and keeps the first', async () => {
    const body = signUpBody();
    expect((await apiClient(server).post('/api/auth/signup', body)).status).toBe(201);
    const again = await apiClient(server).post('/api/auth/signup', { ...body, email: body.email.toUpperCase() });
    expect(again.status).toBe(409);
    expect(again.body.error).toMatchObject({ code: 'CONFLICT', message: 'An account with this e-mail address already exists' });
  });

  it('gives one account when two sign-ups race for an address', async () => {
    const body = signUpBody();
    const results = await Promise.all([1, 2, 3].map(() => apiClient(server).post('/api/auth/signup', body)));
    expect(results.map((r) => r.status).sort()).toEqual([201, 409, 409]);
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
  it('verifies once with the token, and refuses it again', async () => {
    const client = apiClient(server);
    const { body } = await client.post('/api/auth/signup', signUpBody());
    const userId = body.userId as string;
    const token = await verificationToken(userId);
    expect((await client.post('/api/auth/verify-email', { userId, token: 'x'.repeat(43) })).status).toBe(400);
    expect((await client.post('/api/auth/verify-email', { userId, token })).body).toEqual({ verified: true });
    expect((await client.get('/api/me')).body).toMatchObject({ user: { verified: true } });
    const reused = await client.post('/api/auth/verify-email', { userId, token });
    expect(reused.status).toBe(409);
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
    const client = apiClient(server);
    await client.post('/api/auth/signup', signUpBody());
    const response = await client.post('/api/auth/logout', {}, { origin: 'https://evil.example' });
    expect(response.status).toBe(403);
    expect((await client.get('/api/me')).status).toBe(200);
  });
});
