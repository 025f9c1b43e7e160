import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testEvent } from '../infra/event-store/conformance.ts';
import { startTestServer } from '../infra/testing/server.ts';
import type { RunningServer } from './server.ts';

let server: RunningServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server?.close());

const get = (path: string, init?: RequestInit) => fetch(`${server.url}${path}`, init);

describe('the HTTP shell', () => {
  it('answers liveness', async () => {
    const response = await get('/healthz');
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: 'ok' });
  });

  it('reports readiness with the adapters in use and each projection lag', async () => {
    const response = await get('/readyz');
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: 'ready', eventStore: 'sqlite', documentStore: 'sqlite', projections: { audit: 0, identity: 0, organizations: 0, mfa: 0, connections: 0, scans: 0, inventory: 0, partition_snapshots: 0, mail: 0 } });
  });

  it('projects appended events into the audit trail and reports lag until they are applied', async () => {
    const { position } = await server.stores.events.append('org-1', [testEvent('OrganizationCreated'), testEvent('MemberInvited')], { expected: 'no_stream' });
    const [audit] = server.projections;
    expect(await audit!.waitFor(position, 5000)).toBe(true);
    const body = (await (await get('/readyz')).json()) as { projections: Record<string, number> };
    expect(body.projections.audit).toBe(0);
  });

  it('serves the OpenAPI document generated from the route schemas', async () => {
    const response = await get('/api/openapi.json');
    expect(response.status).toBe(200);
    const document = (await response.json()) as { openapi: string; paths: Record<string, unknown> };
    expect(document.openapi).toBe('3.1.0');
    expect(Object.keys(document.paths)).toEqual(expect.arrayContaining(['/healthz', '/readyz']));
    expect(document.paths).toHaveProperty(['/readyz', 'get', 'responses', '200', 'content', 'application/json', 'schema', 'properties', 'eventStore']);
  });

  it('answers unknown API paths and methods in the one error shape', async () => {
    const response = await get('/api/does-not-exist');
    expect(response.status).toBe(404);
    expect(await response.json()).toEqual({ error: { code: 'NOT_FOUND', message: 'No route for GET /api/does-not-exist' } });
    // A known path with a method it does not take: 405, saying which ones it does.
    const post = await get('/healthz', { method: 'POST', body: '{}', headers: { 'content-type': 'application/json' } });
    expect(post.status).toBe(405);
    expect(post.headers.get('allow')).toBe('GET, HEAD');
    expect(await post.json()).toMatchObject({ error: { code: 'METHOD_NOT_ALLOWED' } });
    const put = await get('/api/does-not-exist', { method: 'PUT', body: '{}', headers: { 'content-type': 'application/json' } });
    expect(put.status).toBe(404);
  });

  it('serves the web app shell for page paths', async () => {
    const response = await get('/status');
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('text/html');
    const shell = await response.text();
    expect(shell).toContain('<div style="display: contents">');
    // The app's scripts load without a session: only /api/ is guarded.
    const asset = /\/_app\/immutable\/[^"]+\.js/.exec(shell)?.[0];
    expect(asset).toBeDefined();
    expect((await get(asset!)).status).toBe(200);
  });
});
