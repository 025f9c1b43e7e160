import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer } from '../../infra/testing/server.ts';
import type { RunningServer } from '../server.ts';
import { apiClient, signUpBody, strongPassword } from '../testing/client.ts';

let server: RunningServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server?.close());

describe('abuse defence on sign-in', () => {
  it('records failed sign-ins in the history, slows repeated failures, and rate-limits the account', async () => {
    const body = signUpBody();
    const owner = apiClient(server);
    await owner.post('/api/auth/signup', body);
    const attacker = apiClient(server);
    const attempt = () => attacker.post('/api/auth/login', { email: body.email, password: 'wrong-password-guess' });

    expect((await attempt()).status).toBe(401);
    expect((await attempt()).status).toBe(401);
    const started = performance.now();
    expect((await attempt()).status).toBe(401);
    expect(performance.now() - started).toBeGreaterThanOrEqual(500);

    const history = await owner.get('/api/me/sign-ins');
    const signIns = (history.body as { signIns: Array<{ outcome: string; reason: string | null; ip: string | null }> }).signIns;
    expect(signIns.filter((s) => s.outcome === 'failure')).toHaveLength(3);
    expect(signIns[0]).toMatchObject({ outcome: 'failure', reason: 'wrong_password', ip: '127.0.0.1' });
    expect(signIns.at(-1)).toMatchObject({ outcome: 'success', reason: null });

    // A success clears the delays; the limit of 10 attempts per account in 15 minutes still counts.
    expect((await attacker.post('/api/auth/login', { email: body.email, password: strongPassword })).status).toBe(200);
    const outcomes: number[] = [];
    for (let i = 0; i < 7; i++) outcomes.push((await attacker.post('/api/auth/login', { email: body.email, password: strongPassword })).status);
    // 3 failures + 1 success + 6 more make 10 attempts in the window: the 11th is refused.
    expect(outcomes).toEqual([200, 200, 200, 200, 200, 200, 429]);
    const limited = await attacker.post('/api/auth/login', { email: body.email, password: strongPassword });
    expect(limited.status).toBe(429);
    expect(limited.body.error).toMatchObject({ code: 'RATE_LIMITED' });
    expect(limited.body.error?.message).toMatch(/^Too many attempts; try again in /);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);

    // Another account from the same address is not affected by that account's limit.
    const other = signUpBody();
    await apiClient(server).post('/api/auth/signup', other);
    expect((await attacker.post('/api/auth/login', { email: other.email, password: strongPassword })).status).toBe(200);
  }, 30_000);

  it('answers a password reset request the same way whether or not the account exists', async () => {
    const body = signUpBody();
    await apiClient(server).post('/api/auth/signup', body);
    const known = await apiClient(server).post('/api/auth/password-reset', { email: body.email });
    const unknown = await apiClient(server).post('/api/auth/password-reset', { email: 'no-such-person@example.com' });
    expect([known.status, unknown.status]).toEqual([202, 202]);
    expect(known.body).toEqual(unknown.body);
  });
});
