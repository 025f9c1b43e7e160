import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer } from '../infra/testing/server.ts';
import type { RunningServer } from './server.ts';
import { signUp } from './testing/organizations.ts';

let server: RunningServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server?.close());

/** A request with headers fetch() will not let a test choose (Host). */
function send(path: string, method: string, headers: Record<string, string>): Promise<{ status: number; body: string }> {
  const { hostname, port } = new URL(server.url);
  return new Promise((resolve, reject) => {
    const outgoing = request({ hostname, port, path, method, headers: { 'content-type': 'application/json', ...headers } }, (response) => {
      let body = '';
      response.on('data', (chunk: Buffer) => (body += chunk.toString()));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, body }));
    });
    outgoing.on('error', reject);
    outgoing.end('{}');
  });
}

describe('CSRF: only the configured public origin may change state', () => {
  it('refuses an Origin that merely matches the Host header the client chose', async () => {
    const { client: person } = await signUp(server);
    const cookie = [...person.cookies].map(([name, value]) => `${name}=${value}`).join('; ');
    const forged = 'cloudventory.attacker.example';
    expect(`http://${forged}`).not.toBe(server.context.config.publicUrl);

    const refused = await send('/api/auth/logout', 'POST', { host: forged, origin: `http://${forged}`, cookie });
    expect(refused.status).toBe(403);
    expect(JSON.parse(refused.body)).toMatchObject({ error: { code: 'FORBIDDEN' } });
    // Still signed in: the refused request changed nothing.
    expect((await person.get('/api/me')).status).toBe(200);

    // The same request from the public origin is accepted.
    const accepted = await send('/api/auth/logout', 'POST', { host: forged, origin: server.context.config.publicUrl, cookie });
    expect(accepted.status).toBeLessThan(300);
  });
});
