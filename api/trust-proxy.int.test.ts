import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { limits } from './plugins/rate-limits.ts';
import { startTestServer } from '../infra/testing/server.ts';
import type { RunningServer } from './server.ts';
import { apiClient, signUpBody } from './testing/client.ts';

let server: RunningServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

/** A public route limited per source IP only (no account to count by), and cheap to answer. */
const budget = limits.emailToken.ip.max;
const preview = `/api/invitations/preview?org=${randomUUID()}&invitation=${randomUUID()}&token=${'t'.repeat(32)}`;
const previewFrom = async (client: string) => (await fetch(`${server!.url}${preview}`, { headers: { 'x-forwarded-for': client } })).status;

/** Spends a client's whole per-IP budget; every answer must be something other than 429. */
async function spendBudget(client: string): Promise<number[]> {
  const statuses: number[] = [];
  for (let i = 0; i < budget; i++) statuses.push(await previewFrom(client));
  return statuses;
}

describe('TRUST_PROXY', () => {
  it('set to the proxy, X-Forwarded-For is the client: each client behind it has its own budget', async () => {
    server = await startTestServer({ TRUST_PROXY: '127.0.0.1' });
    expect(await spendBudget('203.0.113.1')).not.toContain(429);
    expect(await previewFrom('203.0.113.1')).toBe(429);
    expect(await previewFrom('203.0.113.2')).not.toBe(429);
    // A spoofed address in front of the proxy's own entry changes nothing: the proxy's view counts.
    expect(await previewFrom('198.51.100.7, 203.0.113.1')).toBe(429);

    // And the client's address is what the sign-in history records.
    const person = apiClient(server);
    const body = signUpBody();
    expect((await person.post('/api/auth/signup', body)).status).toBeLessThan(300);
    expect((await person.post('/api/auth/login', { email: body.email, password: body.password }, { 'x-forwarded-for': '203.0.113.9' })).status).toBe(200);
    const signIns = (await person.get('/api/me/sign-ins')).body as { signIns: Array<{ ip: string | null }> };
    expect(signIns.signIns[0]?.ip).toBe('203.0.113.9');
  }, 60_000);

  it('unset, X-Forwarded-For is ignored: every client shares the connecting address', async () => {
    server = await startTestServer();
    expect(await spendBudget('203.0.113.1')).not.toContain(429);
    expect(await previewFrom('203.0.113.2')).toBe(429);
  }, 60_000);
});
