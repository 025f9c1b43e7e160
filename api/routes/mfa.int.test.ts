import { mkdtempSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Secret, TOTP } from 'otpauth';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../infra/config.ts';
import { createLogger } from '../../infra/logger.ts';
import { parseMail } from '../../infra/testing/maildir.ts';
import { freePort } from '../../infra/testing/peers.ts';
import { identityQueries } from '../../projections/identity/queries.ts';
import { passwordResetMail } from '../../projections/mail/messages/password-reset.ts';
import { startServer, type RunningServer } from '../server.ts';
import { apiClient, strongPassword, type ApiClient } from '../testing/client.ts';
import { linkIn, mailsOf } from '../testing/mails.ts';
import { signUpAndVerify } from '../testing/sign-up.ts';

// The server's clock runs ahead of the real one by `offsetMs`, so a test can move to the next
// 30-second TOTP step (a code is accepted once per step) or past the challenge's 5 minutes.
let offsetMs = 0;
const now = () => new Date(Date.now() + offsetMs);
const nextTimeStep = () => (offsetMs += 30_000);

let server: RunningServer;
let dataDir: string;
beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'cv-mfa-'));
  // On a port known beforehand, so that PUBLIC_URL (the one origin allowed to post) is the server's own.
  const config = loadConfig({ DATA_DIR: dataDir, LOG_LEVEL: 'silent', PORT: String(await freePort()) });
  server = await startServer(config, createLogger(config.logLevel), { now });
});
afterAll(() => server?.close());

const codeAt = (secret: string, at: Date) => TOTP.generate({ secret: Secret.fromBase32(secret), timestamp: at.getTime() });
const currentCode = (secret: string) => codeAt(secret, now());
/** A well-formed code that matches none of the steps the server accepts now. */
function wrongCode(secret: string): string {
  const accepted = [-30_000, 0, 30_000].map((delta) => codeAt(secret, new Date(now().getTime() + delta)));
  let n = 0;
  while (accepted.includes(String(n).padStart(6, '0'))) n++;
  return String(n).padStart(6, '0');
}

interface Enrolled {
  client: ApiClient;
  email: string;
  userId: string;
  orgId: string;
  secret: string;
  recoveryCodes: string[];
  /** The session cookie from following the verification link. */
  sessionToken: string;
}

async function signUp() {
  const { client, email, userId, orgId } = await signUpAndVerify(server);
  return { client, email, userId, orgId, sessionToken: client.cookies.get('cv_session')! };
}

/** Signs up and turns MFA on; the clock then moves on a step, so the next code is a fresh one. */
async function enrolledUser(): Promise<Enrolled> {
  const user = await signUp();
  const setup = await user.client.post('/api/me/mfa/setup');
  expect(setup.status).toBe(200);
  const secret = setup.body.secret as string;
  const enabled = await user.client.post('/api/me/mfa/enable', { code: currentCode(secret) });
  expect(enabled.status).toBe(200);
  nextTimeStep();
  return { ...user, secret, recoveryCodes: enabled.body.recoveryCodes as string[] };
}

async function challengeFor(client: ApiClient, email: string, password = strongPassword): Promise<string> {
  const login = await client.post('/api/auth/login', { email, password });
  expect(login.status).toBe(200);
  expect(login.body.mfaRequired).toBe(true);
  return login.body.challenge as string;
}

/** The alert mail the outbox sent for an MFA event, as the file mailer wrote it. */
async function alertMailFor(userId: string, eventType: string) {
  const eventIds: string[] = [];
  for await (const event of server.stores.events.readStream(`mfa-${userId}`)) if (event.type === eventType) eventIds.push(event.eventId);
  expect(eventIds).toHaveLength(1);
  const dir = join(dataDir, 'mail');
  const name = async () => (await readdir(dir).catch(() => [] as string[])).find((file) => file.includes(`${eventIds[0]}.security-alert`));
  await expect.poll(name, { timeout: 10_000 }).toBeDefined();
  return parseMail(await readFile(join(dir, (await name())!)));
}

describe('setting up MFA', () => {
  it('shows a new secret, its otpauth URL and QR code, turns on with a code from the app, and keeps the secret out of the event log in the clear', async () => {
    const { client, email, userId } = await signUp();
    const setup = await client.post('/api/me/mfa/setup');
    expect(setup.status).toBe(200);
    expect(setup.headers.get('cache-control')).toBe('no-store');
    const secret = setup.body.secret as string;
    expect(secret).toMatch(/^[A-Z2-7]{32}$/);
    const url = new URL(setup.body.otpauthUrl as string);
    expect(url.protocol).toBe('otpauth:');
    expect(url.host).toBe('totp');
    expect(decodeURIComponent(url.pathname)).toBe(`/Cloudventory:${email}`);
    expect(url.searchParams.get('issuer')).toBe('Cloudventory');
    expect(url.searchParams.get('secret')).toBe(secret);
    expect(setup.body.qrSvg).toMatch(/^<svg[^>]*xmlns="http:\/\/www.w3.org\/2000\/svg"[\s\S]*<\/svg>\s*$/);

    const wrong = await client.post('/api/me/mfa/enable', { code: wrongCode(secret) });
    expect(wrong.status).toBe(400);
    expect(wrong.body.error?.message).toMatch(/code is not right/);
    expect((await client.get('/api/me')).body).toMatchObject({ user: { mfaEnabled: false }, mfaEnrollmentRequired: false });

    const enabled = await client.post('/api/me/mfa/enable', { code: currentCode(secret) });
    expect(enabled.status).toBe(200);
    const recoveryCodes = enabled.body.recoveryCodes as string[];
    expect(recoveryCodes).toHaveLength(10);
    expect(new Set(recoveryCodes).size).toBe(10);
    expect((await client.get('/api/me')).body).toMatchObject({ user: { mfaEnabled: true } });
    expect((await client.post('/api/me/mfa/setup')).status).toBe(409);

    for await (const event of server.stores.events.readAll()) {
      const raw = JSON.stringify([event.data, event.metadata]);
      expect(raw).not.toContain(secret);
      for (const code of recoveryCodes) expect(raw).not.toContain(code);
    }
    const alert = await alertMailFor(userId, 'MfaEnabled');
    expect(alert.headers.get('to')).toBe(email);
    expect(alert.headers.get('subject')).toBe('Multi-factor authentication is now on for your Cloudventory account');
    expect(alert.text).toContain('If this was not you');
  });

  it('turns on only with a code for the secret shown last', async () => {
    const { client } = await signUp();
    const first = (await client.post('/api/me/mfa/setup')).body.secret as string;
    const second = (await client.post('/api/me/mfa/setup')).body.secret as string;
    expect(second).not.toBe(first);
    expect((await client.post('/api/me/mfa/enable', { code: currentCode(first) })).status).toBe(400);
    expect((await client.post('/api/me/mfa/enable', { code: currentCode(second) })).status).toBe(200);
  });
});

describe('signing in with MFA', () => {
  it('asks for a code after the password, accepts each code and recovery code once, and turns off with password and code', async () => {
    const { client, email, userId, secret, recoveryCodes } = await enrolledUser();
    expect((await client.post('/api/auth/logout')).status).toBe(204);

    const login = await client.post('/api/auth/login', { email, password: strongPassword });
    expect(login.status).toBe(200);
    expect(login.body).toEqual({ mfaRequired: true, challenge: expect.any(String) });
    expect(login.headers.getSetCookie().some((cookie) => cookie.startsWith('cv_session='))).toBe(false);
    expect((await client.get('/api/me')).status).toBe(401);
    const challenge = login.body.challenge as string;

    const wrong = await client.post('/api/auth/login/mfa', { challenge, code: wrongCode(secret) });
    expect(wrong.status).toBe(401);
    expect(wrong.body.error?.code).toBe('UNAUTHENTICATED');
    expect((await client.get('/api/me')).status).toBe(401);

    const code = currentCode(secret);
    const signedIn = await client.post('/api/auth/login/mfa', { challenge, code });
    expect(signedIn.status).toBe(200);
    expect(signedIn.body).toEqual({ userId });
    expect(signedIn.headers.getSetCookie().find((cookie) => cookie.startsWith('cv_session='))).toMatch(/HttpOnly/);
    expect((await client.get('/api/me')).body).toMatchObject({ user: { id: userId, mfaEnabled: true } });
    const [session] = await identityQueries(server.stores.documents).activeSessionsOf(userId, now());
    expect(session?.mfa).toBe(true);

    // The same code, even on a fresh challenge, is a replay.
    await client.post('/api/auth/logout');
    const replayed = await client.post('/api/auth/login/mfa', { challenge: await challengeFor(client, email), code });
    expect(replayed.status).toBe(401);

    const recovery = recoveryCodes[0]!;
    expect((await client.post('/api/auth/login/mfa', { challenge: await challengeFor(client, email), recoveryCode: ` ${recovery.toUpperCase()} ` })).status).toBe(200);
    await client.post('/api/auth/logout');
    expect((await client.post('/api/auth/login/mfa', { challenge: await challengeFor(client, email), recoveryCode: recovery })).status).toBe(401);
    expect((await client.post('/api/auth/login/mfa', { challenge: await challengeFor(client, email), recoveryCode: recoveryCodes[1] })).status).toBe(200);

    nextTimeStep();
    const badPassword = await client.post('/api/me/mfa/disable', { password: 'not-the-password-at-all', code: currentCode(secret) });
    expect(badPassword.status).toBe(400);
    expect(badPassword.body.error?.message).toBe('The password is not right');
    expect((await client.post('/api/me/mfa/disable', { password: strongPassword, code: wrongCode(secret) })).status).toBe(400);
    expect((await client.get('/api/me')).body).toMatchObject({ user: { mfaEnabled: true } });
    expect((await client.post('/api/me/mfa/disable', { password: strongPassword, code: currentCode(secret) })).status).toBe(204);
    expect((await client.get('/api/me')).body).toMatchObject({ user: { mfaEnabled: false } });

    await client.post('/api/auth/logout');
    expect((await client.post('/api/auth/login', { email, password: strongPassword })).body).toEqual({ userId });
    const alert = await alertMailFor(userId, 'MfaDisabled');
    expect(alert.headers.get('to')).toBe(email);
    expect(alert.headers.get('subject')).toBe('Multi-factor authentication was turned off for your Cloudventory account');
  });

  it('keeps challenges and session tokens apart', async () => {
    const { client, email, secret, sessionToken } = await enrolledUser();
    await client.post('/api/auth/logout');
    const challenge = await challengeFor(client, email);

    const asSession = apiClient(server);
    asSession.cookies.set('cv_session', challenge);
    expect((await asSession.get('/api/me')).status).toBe(401);

    // The code is right, so only the token's kind makes these fail.
    const asChallenge = await client.post('/api/auth/login/mfa', { challenge: sessionToken, code: currentCode(secret) });
    expect(asChallenge.status).toBe(401);
    expect(asChallenge.body.error?.message).toMatch(/sign in again/);
    expect((await client.post('/api/auth/login/mfa', { challenge: `${challenge}x`, code: currentCode(secret) })).status).toBe(401);
    expect((await client.post('/api/auth/login/mfa', { challenge, code: currentCode(secret) })).status).toBe(200);
  });

  it('lets a challenge expire after 5 minutes', async () => {
    const { client, email, secret } = await enrolledUser();
    await client.post('/api/auth/logout');
    const challenge = await challengeFor(client, email);
    offsetMs += 5 * 60_000 + 1000;
    const expired = await client.post('/api/auth/login/mfa', { challenge, code: currentCode(secret) });
    expect(expired.status).toBe(401);
    expect(expired.body.error?.message).toMatch(/expired/);
    expect((await client.post('/api/auth/login/mfa', { challenge: await challengeFor(client, email), code: currentCode(secret) })).status).toBe(200);
  });

  it('wants exactly one of a code and a recovery code', async () => {
    const { client, email, secret, recoveryCodes } = await enrolledUser();
    await client.post('/api/auth/logout');
    const challenge = await challengeFor(client, email);
    expect((await client.post('/api/auth/login/mfa', { challenge })).status).toBe(400);
    expect((await client.post('/api/auth/login/mfa', { challenge, code: currentCode(secret), recoveryCode: recoveryCodes[0] })).status).toBe(400);
    expect((await client.post('/api/auth/login/mfa', { challenge, code: '12345' })).status).toBe(400);
  });
});

describe('a sign-in challenge', () => {
  it('starts one session only, whatever second factor comes with it again', async () => {
    const { client, email, secret, recoveryCodes } = await enrolledUser();
    await client.post('/api/auth/logout');
    const challenge = await challengeFor(client, email);
    expect((await client.post('/api/auth/login/mfa', { challenge, code: currentCode(secret) })).status).toBe(200);
    await client.post('/api/auth/logout');

    nextTimeStep();
    const again = await client.post('/api/auth/login/mfa', { challenge, code: currentCode(secret) });
    expect(again.status).toBe(401);
    expect(again.body.error?.message).toMatch(/sign in again/);
    expect((await client.post('/api/auth/login/mfa', { challenge, recoveryCode: recoveryCodes[0] })).status).toBe(401);
    expect((await client.get('/api/me')).status).toBe(401);
  });

  it('is void once the password it was earned with is changed or reset', async () => {
    const { client, email, userId, secret } = await enrolledUser();
    const elsewhere = apiClient(server);
    const changedPassword = 'copper-Lantern-77-drifting';
    const resetPassword = 'meadow-Falcon-58-quartz';

    const beforeChange = await challengeFor(elsewhere, email);
    expect((await client.put('/api/me/password', { currentPassword: strongPassword, newPassword: changedPassword })).status).toBe(204);
    const changed = await elsewhere.post('/api/auth/login/mfa', { challenge: beforeChange, code: currentCode(secret) });
    expect(changed.status).toBe(401);
    expect(changed.body.error?.message).toMatch(/sign in again/);

    const beforeReset = await challengeFor(elsewhere, email, changedPassword);
    expect((await apiClient(server).post('/api/auth/password-reset', { email })).status).toBe(202);
    const token = linkIn((await mailsOf(server, `user-${userId}`, passwordResetMail)).at(-1), server.context.config.publicUrl).searchParams.get('token');
    expect((await apiClient(server).post('/api/auth/password-reset/confirm', { userId, token, password: resetPassword })).status).toBe(204);
    expect((await elsewhere.post('/api/auth/login/mfa', { challenge: beforeReset, code: currentCode(secret) })).status).toBe(401);

    // A challenge earned with the password of now still works.
    expect((await elsewhere.post('/api/auth/login/mfa', { challenge: await challengeFor(elsewhere, email, resetPassword), code: currentCode(secret) })).status).toBe(200);
  });
});

describe('organisations that require MFA', () => {
  // Requiring MFA needs the owner to have it (the organisations feature's rule); turning it off
  // again leaves them a member without MFA in an organisation that requires it.
  async function memberWithoutMfaWhereRequired() {
    const user = await enrolledUser();
    expect((await user.client.patch(`/api/orgs/${user.orgId}`, { requireMfa: true })).status).toBe(200);
    expect((await user.client.post('/api/me/mfa/disable', { password: strongPassword, code: currentCode(user.secret) })).status).toBe(204);
    nextTimeStep();
    return user;
  }

  it('let such members sign in and see why, close everything else, and open it again once they have set MFA up', async () => {
    const { client, email, orgId } = await memberWithoutMfaWhereRequired();
    await client.post('/api/auth/logout');
    expect((await client.post('/api/auth/login', { email, password: strongPassword })).status).toBe(200);

    expect((await client.get('/api/me')).body).toMatchObject({ user: { mfaEnabled: false }, mfaEnrollmentRequired: true });
    for (const blocked of [await client.put('/api/me/current-organization', { organizationId: orgId }), await client.get(`/api/orgs/${orgId}`)]) {
      expect(blocked.status).toBe(403);
      expect(blocked.body.error).toMatchObject({ code: 'FORBIDDEN', message: 'An organisation you belong to requires multi-factor authentication; set it up to continue' });
    }

    const secret = (await client.post('/api/me/mfa/setup')).body.secret as string;
    expect((await client.post('/api/me/mfa/enable', { code: currentCode(secret) })).status).toBe(200);
    expect((await client.get('/api/me')).body).toMatchObject({ user: { mfaEnabled: true }, mfaEnrollmentRequired: false });
    expect((await client.put('/api/me/current-organization', { organizationId: orgId })).status).toBe(204);
    expect((await client.get(`/api/orgs/${orgId}`)).body).toMatchObject({ id: orgId, requireMfa: true });
  });

  it('still let such members sign out', async () => {
    const { client, orgId } = await memberWithoutMfaWhereRequired();
    expect((await client.put('/api/me/current-organization', { organizationId: orgId })).status).toBe(403);
    expect((await client.post('/api/auth/logout')).status).toBe(204);
    expect((await client.get('/api/me')).status).toBe(401);
  });

  it('leave members of other organisations alone', async () => {
    await memberWithoutMfaWhereRequired();
    const { client, orgId } = await signUp();
    expect((await client.get('/api/me')).body).toMatchObject({ mfaEnrollmentRequired: false });
    expect((await client.put('/api/me/current-organization', { organizationId: orgId })).status).toBe(204);
  });
});
