import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer } from '../../infra/testing/server.ts';
import type { RunningServer } from '../server.ts';
import { apiClient, strongPassword, type ApiClient } from '../testing/client.ts';
import { signUpAndVerify } from '../testing/sign-up.ts';

let server: RunningServer;
let owner: ApiClient;
let orgId: string;
let userId: string;
let email: string;

beforeAll(async () => {
  server = await startTestServer();
  ({ client: owner, orgId, userId, email } = await signUpAndVerify(server, {}, { 'user-agent': 'AuditTest/1.0' }));
  await owner.post('/api/auth/logout');
  await owner.post('/api/auth/login', { email, password: strongPassword });
});
afterAll(() => server?.close());

interface Entry {
  id: string;
  at: string;
  actor: { id: string; email: string | null };
  action: string;
  object: string;
  ip: string | null;
  userAgent: string | null;
}
const entriesOf = (body: unknown) => (body as { entries: Entry[] }).entries;

describe('audit trail', () => {
  it("shows a person their own actions, newest first, with where they came from", async () => {
    const response = await owner.get('/api/me/audit');
    expect(response.status).toBe(200);
    const entries = entriesOf(response.body);
    expect(entries.map((e) => e.action)).toEqual(['SessionStarted', 'SessionRevoked', 'SessionStarted', 'EmailVerified', 'MemberJoined', 'OrganizationCreated', 'UserRegistered', 'EmailReserved']);
    expect(entries.every((e) => e.actor.id === userId && e.actor.email === email)).toBe(true);
    expect(entries.find((e) => e.action === 'UserRegistered')).toMatchObject({ ip: '127.0.0.1', userAgent: 'AuditTest/1.0', object: `user-${userId}` });
  });

  it("shows owners the organisation's trail, filtered and paginated with a cursor", async () => {
    const all = entriesOf((await owner.get(`/api/orgs/${orgId}/audit`)).body);
    expect(all.map((e) => e.action)).toEqual(['MemberJoined', 'OrganizationCreated']);
    const first = await owner.get(`/api/orgs/${orgId}/audit?limit=1`);
    expect(entriesOf(first.body).map((e) => e.action)).toEqual(['MemberJoined']);
    const second = await owner.get(`/api/orgs/${orgId}/audit?limit=1&cursor=${first.body.nextCursor as string}`);
    expect(entriesOf(second.body).map((e) => e.action)).toEqual(['OrganizationCreated']);
    expect(second.body.nextCursor).toBeNull();
    const filtered = await owner.get(`/api/orgs/${orgId}/audit?action=OrganizationCreated&actor=${userId}&object=org-${orgId}`);
    expect(entriesOf(filtered.body)).toHaveLength(1);
    const window = await owner.get(`/api/orgs/${orgId}/audit?from=2000-01-01T00:00:00Z&to=2001-01-01T00:00:00Z`);
    expect(entriesOf(window.body)).toEqual([]);
  });

  it.each([
    ['limit=0', 'Invalid querystring: must be 1 to 200'],
    ['limit=1000', 'Invalid querystring: must be 1 to 200'],
    ['from=yesterday', 'Invalid querystring: must be an ISO 8601 date-time'],
    ['action=$where', 'Invalid querystring: must be an action name such as MemberInvited'],
    ['cursor=bm90LWEtY3Vyc29y', 'The cursor is not one this API gave out'],
  ])('refuses %s with a clear 400', async (query, message) => {
    const response = await owner.get(`/api/orgs/${orgId}/audit?${query}`);
    expect(response.status).toBe(400);
    expect(response.body.error?.message).toBe(message);
  });

  it('exports the trail as CSV and as JSON', async () => {
    const csv = await fetch(`${server.url}/api/me/audit/export?format=csv`, { headers: { cookie: [...owner.cookies].map(([k, v]) => `${k}=${v}`).join('; ') } });
    expect(csv.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(csv.headers.get('content-disposition')).toMatch(/^attachment; filename="cloudventory-audit-\d{4}-\d{2}-\d{2}\.csv"$/);
    const lines = (await csv.text()).trim().split('\n');
    expect(lines[0]).toBe('time,actor_id,actor_email,action,object,ip,user_agent');
    expect(lines).toHaveLength(9);
    expect(lines.some((line) => line.includes(',UserRegistered,') && line.endsWith(',127.0.0.1,AuditTest/1.0'))).toBe(true);

    const json = await owner.get(`/api/orgs/${orgId}/audit/export?format=json`);
    expect(json.status).toBe(200);
    expect((json.body as unknown as Entry[]).map((e) => e.action)).toEqual(['MemberJoined', 'OrganizationCreated']);
  });

  it('requires a session', async () => {
    expect((await apiClient(server).get('/api/me/audit')).status).toBe(401);
  });
});
