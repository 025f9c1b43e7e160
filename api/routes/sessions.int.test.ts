import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SESSION_IDLE_MS } from '../../domain/identity/session.ts';
import { startTestServer } from '../../infra/testing/server.ts';
import type { RunningServer } from '../server.ts';
import { apiClient, strongPassword, type ApiClient } from '../testing/client.ts';
import { signUpAndVerify } from '../testing/sign-up.ts';

let server: RunningServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server?.close());

interface SessionView {
  id: string;
  startedAt: string;
  lastSeenAt: string;
  userAgent: string;
  ip: string;
  current: boolean;
}

/** A user signed in on a laptop (by the link in the verification mail) and a phone. */
async function userOnTwoDevices() {
  const { body, client: laptop } = await signUpAndVerify(server);
  const phone = apiClient(server);
  await phone.post('/api/auth/login', { email: body.email, password: strongPassword }, { 'user-agent': 'PhoneBrowser/1.0' });
  return { laptop, phone };
}

async function sessionsSeenBy(client: ApiClient): Promise<SessionView[]> {
  const response = await client.get('/api/me/sessions');
  expect(response.status).toBe(200);
  return response.body.sessions as unknown as SessionView[];
}

const currentOf = async (client: ApiClient) => (await sessionsSeenBy(client)).find((s) => s.current)!.id;

describe('listing sessions', () => {
  it('shows each session with its device and marks the caller’s own', async () => {
    const { laptop, phone } = await userOnTwoDevices();
    const sessions = await sessionsSeenBy(laptop);
    expect(sessions).toHaveLength(2);
    expect(sessions.filter((s) => s.current)).toHaveLength(1);
    const phoneSession = sessions.find((s) => !s.current)!;
    expect(phoneSession).toMatchObject({ userAgent: 'PhoneBrowser/1.0', lastSeenAt: phoneSession.startedAt });
    expect(phoneSession.ip).toMatch(/127\.0\.0\.1|::1/);
    expect(phoneSession.id).toBe(await currentOf(phone));
  });

  it('shows when a session was last used, and leaves out one idle for too long', async () => {
    const { laptop, phone } = await userOnTwoDevices();
    const phoneId = await currentOf(phone);
    const laptopId = await currentOf(laptop);
    const activity = server.context.documents.collection('session_activity');

    const recently = new Date(Date.now() - 5 * 60_000).toISOString();
    await activity.upsert({ _id: phoneId, lastSeenAt: recently });
    expect((await sessionsSeenBy(laptop)).find((s) => s.id === phoneId)?.lastSeenAt).toBe(recently);

    await activity.upsert({ _id: phoneId, lastSeenAt: new Date(Date.now() - SESSION_IDLE_MS - 60_000).toISOString() });
    expect((await sessionsSeenBy(laptop)).map((s) => s.id)).toEqual([laptopId]);
  });

  it('shows only the caller’s sessions', async () => {
    const mine = await userOnTwoDevices();
    await userOnTwoDevices();
    expect(await sessionsSeenBy(mine.laptop)).toHaveLength(2);
  });
});

describe('signing out sessions', () => {
  it('signs out another of one’s sessions', async () => {
    const { laptop, phone } = await userOnTwoDevices();
    const phoneId = await currentOf(phone);
    expect((await laptop.delete(`/api/me/sessions/${phoneId}`)).status).toBe(204);
    expect((await phone.get('/api/me')).status).toBe(401);
    expect((await laptop.get('/api/me')).status).toBe(200);
    expect((await sessionsSeenBy(laptop)).map((s) => s.id)).not.toContain(phoneId);
    expect((await laptop.delete(`/api/me/sessions/${phoneId}`)).status).toBe(404);
  });

  it('signs out the current session and drops its cookie', async () => {
    const { laptop, phone } = await userOnTwoDevices();
    const response = await laptop.delete(`/api/me/sessions/${await currentOf(laptop)}`);
    expect(response.status).toBe(204);
    expect(laptop.cookies.has('cv_session')).toBe(false);
    expect((await phone.get('/api/me')).status).toBe(200);
  });

  it('answers 404 for another user’s session and leaves it alone', async () => {
    const mine = await userOnTwoDevices();
    const theirs = await userOnTwoDevices();
    const response = await mine.laptop.delete(`/api/me/sessions/${await currentOf(theirs.phone)}`);
    expect(response.status).toBe(404);
    expect(response.body.error).toMatchObject({ code: 'NOT_FOUND', message: 'No such session' });
    expect((await mine.laptop.delete('/api/me/sessions/00000000-0000-4000-8000-000000000000')).body.error?.message).toBe('No such session');
    expect((await theirs.phone.get('/api/me')).status).toBe(200);
  });

  it('signs out everywhere, this session included', async () => {
    const { laptop, phone } = await userOnTwoDevices();
    const other = await userOnTwoDevices();
    expect((await laptop.post('/api/me/sessions/revoke-all')).status).toBe(204);
    expect((await laptop.get('/api/me')).status).toBe(401);
    expect((await phone.get('/api/me')).status).toBe(401);
    expect((await other.phone.get('/api/me')).status).toBe(200);
  });

  it('is only for the signed in', async () => {
    expect((await apiClient(server).get('/api/me/sessions')).status).toBe(401);
    expect((await apiClient(server).post('/api/me/sessions/revoke-all')).status).toBe(401);
  });
});
