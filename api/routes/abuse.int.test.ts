import { Secret, TOTP } from 'otpauth';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer } from '../../infra/testing/server.ts';
import { KNOWN_DEVICE_COOKIE } from '../known-devices.ts';
import type { RunningServer } from '../server.ts';
import { apiClient, signUpBody, strongPassword } from '../testing/client.ts';
import { signUpAndVerify } from '../testing/sign-up.ts';

let server: RunningServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server?.close());

describe('abuse defence on sign-in', () => {
  it('records failed sign-ins in the history, slows repeated failures, and rate-limits the account', async () => {
    const { client: owner, email } = await signUpAndVerify(server);
    const attacker = apiClient(server);
    // The attacker's browser never becomes known to the account: each attempt counts against the account.
    const attempt = (password: string) => {
      attacker.cookies.delete(KNOWN_DEVICE_COOKIE);
      return attacker.post('/api/auth/login', { email, password });
    };

    expect((await attempt('wrong-password-guess')).status).toBe(401);
    expect((await attempt('wrong-password-guess')).status).toBe(401);
    const started = performance.now();
    expect((await attempt('wrong-password-guess')).status).toBe(401);
    expect(performance.now() - started).toBeGreaterThanOrEqual(500);

    const history = await owner.get('/api/me/sign-ins');
    const signIns = (history.body as { signIns: Array<{ outcome: string; reason: string | null; ip: string | null }> }).signIns;
    expect(signIns.filter((s) => s.outcome === 'failure')).toHaveLength(3);
    expect(signIns[0]).toMatchObject({ outcome: 'failure', reason: 'wrong_password', ip: '127.0.0.1' });
    expect(signIns.at(-1)).toMatchObject({ outcome: 'success', reason: null });

    // A success clears the delays; the limit of 10 attempts per account in 15 minutes still counts.
    expect((await attempt(strongPassword)).status).toBe(200);
    const outcomes: number[] = [];
    for (let i = 0; i < 7; i++) outcomes.push((await attempt(strongPassword)).status);
    // 3 failures + 1 success + 6 more make 10 attempts in the window: the 11th is refused.
    expect(outcomes).toEqual([200, 200, 200, 200, 200, 200, 429]);
    const limited = await attempt(strongPassword);
    expect(limited.status).toBe(429);
    expect(limited.body.error).toMatchObject({ code: 'RATE_LIMITED' });
    expect(limited.body.error?.message).toMatch(/^Too many attempts; try again in /);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);

    // Another account from the same address is not affected by that account's limit.
    const other = signUpBody();
    await apiClient(server).post('/api/auth/signup', other);
    expect((await apiClient(server).post('/api/auth/login', { email: other.email, password: strongPassword })).status).toBe(200);
  }, 60_000);

  it('lets the owner in at once from a browser known to the account while strangers are locked out', async () => {
    // Following the verification link signed the owner in there, and marked that browser as known.
    const { client: owner, email, userId } = await signUpAndVerify(server);
    const known = owner.cookies.get(KNOWN_DEVICE_COOKIE);
    expect(known).toBeDefined();
    await owner.post('/api/auth/logout');

    // Side by side, so the test does not sit out the growing delay each failure adds for the next.
    const guesses = await Promise.all(Array.from({ length: 11 }, (_, i) => apiClient(server).post('/api/auth/login', { email, password: `stranger-guess-${i}-abcdef` })));
    expect(guesses.map((g) => g.status).sort()).toEqual([...Array(10).fill(401), 429]);
    expect((await apiClient(server).post('/api/auth/login', { email, password: strongPassword })).status).toBe(429);

    const started = performance.now();
    const signedIn = await owner.post('/api/auth/login', { email, password: strongPassword });
    expect(signedIn.status).toBe(200);
    // None of the strangers' growing delay (8 s after ten failures) falls on the owner.
    expect(performance.now() - started).toBeLessThan(2000);
    expect((await owner.get('/api/me')).body).toMatchObject({ user: { id: userId } });
    const cookie = signedIn.headers.getSetCookie().find((c) => c.startsWith(`${KNOWN_DEVICE_COOKIE}=`))!;
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Strict/);
    expect(cookie).toMatch(/Path=\/api\/auth/);

    // A new stranger is still refused, and so is a forged or another account's known-device cookie.
    expect((await apiClient(server).post('/api/auth/login', { email, password: strongPassword })).status).toBe(429);
    const forger = apiClient(server);
    const [, device, issuedAt, signature] = known!.split('.');
    forger.cookies.set(KNOWN_DEVICE_COOKIE, `${userId}.${device}.${issuedAt}.${signature!.slice(1)}A`);
    expect((await forger.post('/api/auth/login', { email, password: strongPassword })).status).toBe(429);
    const someoneElse = await signUpAndVerify(server);
    const borrowed = apiClient(server);
    borrowed.cookies.set(KNOWN_DEVICE_COOKIE, someoneElse.client.cookies.get(KNOWN_DEVICE_COOKIE)!);
    expect((await borrowed.post('/api/auth/login', { email, password: strongPassword })).status).toBe(429);
  }, 60_000);

  it('counts only challenges signed here against an account at the MFA step: forged ones cannot lock its owner out', async () => {
    const { client: owner, email, userId } = await signUpAndVerify(server);
    const secret = (await owner.post('/api/me/mfa/setup')).body.secret as string;
    const enabled = await owner.post('/api/me/mfa/enable', { code: TOTP.generate({ secret: Secret.fromBase32(secret) }) });
    const recoveryCodes = enabled.body.recoveryCodes as string[];
    await owner.post('/api/auth/logout');

    // Unsigned tokens naming the owner, as anyone who knows their user id can make.
    const part = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
    const forged = `${part({ alg: 'none', typ: 'JWT' })}.${part({ sub: userId, purpose: 'mfa', jti: 'forged', pv: 1, exp: 4102444800 })}.`;
    const stranger = apiClient(server);
    const statuses: number[] = [];
    for (const challenge of ['', 'not-a-token', ...Array<string>(10).fill(forged)]) statuses.push((await stranger.post('/api/auth/login/mfa', { challenge, recoveryCode: 'aaaaa-bbbbb' })).status);
    // Refused as not signed in, never a 500; past ten, the stranger's own address is limited.
    expect(statuses).toEqual([...Array(10).fill(401), 429, 429]);

    const login = await owner.post('/api/auth/login', { email, password: strongPassword });
    expect(login.body.mfaRequired).toBe(true);
    const secondStep = await owner.post('/api/auth/login/mfa', { challenge: login.body.challenge, recoveryCode: recoveryCodes[0] });
    expect(secondStep.status).toBe(200);
    expect(secondStep.body).toEqual({ userId });
  });

  it('answers a password reset request the same way whether or not the account exists', async () => {
    const body = signUpBody();
    await apiClient(server).post('/api/auth/signup', body);
    const known = await apiClient(server).post('/api/auth/password-reset', { email: body.email });
    const unknown = await apiClient(server).post('/api/auth/password-reset', { email: 'no-such-person@example.com' });
    expect([known.status, unknown.status]).toEqual([202, 202]);
    expect(known.body).toEqual(unknown.body);
  });
});
