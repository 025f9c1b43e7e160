import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Secret, TOTP } from 'otpauth';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../infra/config.ts';
import { createLogger } from '../infra/logger.ts';
import { freePort, startMoto } from '../infra/testing/peers.ts';
import { startServer, type RunningServer } from './server.ts';
import { apiClient, strongPassword, type ApiClient } from './testing/client.ts';
import { awsFixtures, newAccountId } from './testing/connections.ts';
import { joinAs, signUp, verifiedOwner } from './testing/organizations.ts';

// The server's clock runs ahead of the real one by `offsetMs`, so a test can move to the next
// 30-second TOTP step instead of waiting for it.
let offsetMs = 0;
const now = () => new Date(Date.now() + offsetMs);
const nextTimeStep = () => (offsetMs += 30_000);

const moto = await startMoto();
afterAll(() => moto.peer?.stop());
if (moto.reason) console.log(`Idempotent connection test skipped: ${moto.reason}`);

let server: RunningServer;
beforeAll(async () => {
  const port = String(await freePort());
  const aws = moto.peer ? { AWS_ENDPOINT_URL: moto.peer.url } : {};
  const config = loadConfig({ DATA_DIR: mkdtempSync(join(tmpdir(), 'cv-idem-')), LOG_LEVEL: 'silent', PORT: port, PUBLIC_URL: `http://127.0.0.1:${port}`, ...aws });
  server = await startServer(config, createLogger(config.logLevel), { now });
});
afterAll(() => server?.close());

const keyed = (key: string) => ({ 'idempotency-key': key });
const newKey = () => `key-${Math.random().toString(36).slice(2, 12)}`;

async function eventsOf(stream: string) {
  const events = [];
  for await (const event of server.stores.events.readStream(stream)) events.push(event);
  return events;
}

describe("an Idempotency-Key on an organisation's routes", () => {
  it('belongs to the user who sent it: two admins renaming with the same key both rename', async () => {
    const owner = await verifiedOwner(server);
    const [first, second] = [await joinAs(server, owner, 'admin'), await joinAs(server, owner, 'admin')];
    const key = newKey();

    const byFirst = await first.client.patch(`/api/orgs/${owner.orgId}`, { name: 'Named by the first admin' }, keyed(key));
    expect(byFirst.status, JSON.stringify(byFirst.body)).toBe(200);
    const bySecond = await second.client.patch(`/api/orgs/${owner.orgId}`, { name: 'Named by the second admin' }, keyed(key));
    expect(bySecond.status, JSON.stringify(bySecond.body)).toBe(200);
    expect(bySecond.body.name).toBe('Named by the second admin');
    expect((await owner.client.get(`/api/orgs/${owner.orgId}`)).body.name).toBe('Named by the second admin');
  });

  it('answers a repeat of the same request as the first, without running it again, whatever the order of its keys', async () => {
    const owner = await verifiedOwner(server);
    const key = newKey();
    const first = await owner.client.patch(`/api/orgs/${owner.orgId}`, { name: 'Renamed once', requireMfa: false }, keyed(key));
    expect(first.status, JSON.stringify(first.body)).toBe(200);
    const recorded = await eventsOf(`org-${owner.orgId}`);

    const again = await owner.client.patch(`/api/orgs/${owner.orgId}`, { requireMfa: false, name: 'Renamed once' }, keyed(key));
    expect(again.status).toBe(200);
    expect(again.body).toEqual(first.body);
    expect(await eventsOf(`org-${owner.orgId}`)).toEqual(recorded);
    expect(recorded.filter((e) => e.type === 'OrganizationSettingsChanged')).toHaveLength(1);
  });

  it('refuses the key sent again with a different request (422) and runs nothing', async () => {
    const owner = await verifiedOwner(server);
    const member = await joinAs(server, owner, 'member');
    const key = newKey();
    expect((await owner.client.patch(`/api/orgs/${owner.orgId}`, { name: 'The first name' }, keyed(key))).status).toBe(200);
    const recorded = await eventsOf(`org-${owner.orgId}`);

    const otherBody = await owner.client.patch(`/api/orgs/${owner.orgId}`, { name: 'Another name' }, keyed(key));
    expect(otherBody.status).toBe(422);
    expect(otherBody.body.error).toEqual({ code: 'IDEMPOTENCY_KEY_REUSED', message: expect.stringMatching(/already used for a different request/) });
    const otherRoute = await owner.client.delete(`/api/orgs/${owner.orgId}/members/${member.userId}`, keyed(key));
    expect(otherRoute.status).toBe(422);

    expect(await eventsOf(`org-${owner.orgId}`)).toEqual(recorded);
    expect((await owner.client.get(`/api/orgs/${owner.orgId}`)).body.name).toBe('The first name');
    const members = (await owner.client.get(`/api/orgs/${owner.orgId}/members`)).body.members as Array<{ userId: string }>;
    expect(members.map((m) => m.userId)).toContain(member.userId);
  });

  it("removes the member an owner names with a key an admin used before, and answers the owner's retry the same", async () => {
    const owner = await verifiedOwner(server);
    const admin = await joinAs(server, owner, 'admin');
    const [removedByAdmin, removedByOwner] = [await joinAs(server, owner, 'member'), await joinAs(server, owner, 'member')];
    const key = newKey();

    expect((await admin.client.delete(`/api/orgs/${owner.orgId}/members/${removedByAdmin.userId}`, keyed(key))).status).toBe(204);
    expect((await owner.client.delete(`/api/orgs/${owner.orgId}/members/${removedByOwner.userId}`, keyed(key))).status).toBe(204);
    // A retry after a lost response: the member is gone, but it is the same request, so not a 404.
    expect((await owner.client.delete(`/api/orgs/${owner.orgId}/members/${removedByOwner.userId}`, keyed(key))).status).toBe(204);

    const members = (await owner.client.get(`/api/orgs/${owner.orgId}/members`)).body.members as Array<{ userId: string }>;
    expect(members.map((m) => m.userId).sort()).toEqual([owner.userId, admin.userId].sort());
    const removals = (await eventsOf(`org-${owner.orgId}`)).filter((e) => e.type === 'MemberRemoved');
    expect(removals.map((e) => (e.data as { userId: string }).userId)).toEqual([removedByAdmin.userId, removedByOwner.userId]);
  });
});

describe('a create retried under the same Idempotency-Key', () => {
  it('invites once, and answers the retry with the same invitation', async () => {
    const owner = await verifiedOwner(server);
    const key = newKey();
    const body = { email: `retried-${newKey()}@example.com`, role: 'member' };
    const first = await owner.client.post(`/api/orgs/${owner.orgId}/invitations`, body, keyed(key));
    expect(first.status, JSON.stringify(first.body)).toBe(201);
    const retried = await owner.client.post(`/api/orgs/${owner.orgId}/invitations`, body, keyed(key));
    expect(retried.status, JSON.stringify(retried.body)).toBe(201);
    expect(retried.body.invitationId).toBe(first.body.invitationId);
    const invitations = (await owner.client.get(`/api/orgs/${owner.orgId}/invitations`)).body.invitations as Array<{ id: string }>;
    expect(invitations.map((i) => i.id)).toEqual([first.body.invitationId]);
  });

  it.runIf(moto.peer)('connects an account once, and answers the retry with the same connection', async () => {
    const owner = await verifiedOwner(server);
    const key = newKey();
    const body = { name: 'Production', method: 'role', roleArn: await awsFixtures(moto.peer!.url).roleIn(newAccountId()) };
    const first = await owner.client.post(`/api/orgs/${owner.orgId}/connections`, body, keyed(key));
    expect(first.status, JSON.stringify(first.body)).toBe(201);
    const retried = await owner.client.post(`/api/orgs/${owner.orgId}/connections`, body, keyed(key));
    expect(retried.status, JSON.stringify(retried.body)).toBe(201);
    const id = (response: typeof first) => (response.body.connection as { id: string }).id;
    expect(id(retried)).toBe(id(first));
    const connections = (await owner.client.get(`/api/orgs/${owner.orgId}/connections`)).body.connections as Array<{ id: string }>;
    expect(connections.map((c) => c.id)).toEqual([id(first)]);
    expect((await owner.client.post(`/api/orgs/${owner.orgId}/connections`, { ...body, name: 'Staging' }, keyed(key))).status).toBe(422);
  });
});

describe('an Idempotency-Key on sign-in routes is ignored', () => {
  const key = keyed('fixed-key-0001');
  const codeOf = (secret: string) => TOTP.generate({ secret: Secret.fromBase32(secret), timestamp: now().getTime() });

  async function signIn(client: ApiClient, email: string, proof: { code: string } | { recoveryCode: string }) {
    const login = await client.post('/api/auth/login', { email, password: strongPassword }, key);
    expect(login.body.mfaRequired).toBe(true);
    const answered = await client.post('/api/auth/login/mfa', { challenge: login.body.challenge, ...proof }, key);
    if (answered.status === 200) expect((await client.post('/api/auth/logout', {}, key)).status).toBe(204);
    return answered.status;
  }

  it('counts every wrong password as a failure', async () => {
    const owner = await signUp(server);
    const attacker = apiClient(server);
    for (let i = 0; i < 4; i++) expect((await attacker.post('/api/auth/login', { email: owner.email, password: 'wrong-password-guess' }, key)).status).toBe(401);

    const failures = async () => ((await owner.client.get('/api/me/sign-ins')).body.signIns as Array<{ outcome: string }>).filter((s) => s.outcome === 'failure').length;
    await expect.poll(failures).toBe(4);
  }, 30_000);

  /** A signed-out user with MFA on, who has already signed in once under the fixed key (so the key names a recorded command). */
  async function enrolledAndSignedInOnce() {
    const { client, email } = await signUp(server);
    const secret = (await client.post('/api/me/mfa/setup')).body.secret as string;
    const enabled = await client.post('/api/me/mfa/enable', { code: codeOf(secret) });
    expect(enabled.status).toBe(200);
    const [used, ...recoveryCodes] = enabled.body.recoveryCodes as string[];
    expect((await client.post('/api/auth/logout')).status).toBe(204);
    expect(await signIn(client, email, { recoveryCode: used! })).toBe(200);
    nextTimeStep();
    return { client, email, secret, recoveryCodes };
  }

  it('accepts a recovery code once', async () => {
    const { client, email, recoveryCodes } = await enrolledAndSignedInOnce();
    expect(await signIn(client, email, { recoveryCode: recoveryCodes[0]! })).toBe(200);
    expect(await signIn(client, email, { recoveryCode: recoveryCodes[0]! })).toBe(401);
    expect(await signIn(client, email, { recoveryCode: recoveryCodes[0]! })).toBe(401);
  }, 30_000);

  it('accepts a TOTP code once', async () => {
    const { client, email, secret } = await enrolledAndSignedInOnce();
    const code = codeOf(secret);
    expect(await signIn(client, email, { code })).toBe(200);
    expect(await signIn(client, email, { code })).toBe(401);
    expect(await signIn(client, email, { code })).toBe(401);
  }, 30_000);
});
