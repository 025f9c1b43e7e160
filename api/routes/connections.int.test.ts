import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectionSubject } from '../../domain/connections/connection.ts';
import type { Sealed } from '../../domain/privacy/personal-data.ts';
import { startMoto } from '../../infra/testing/peers.ts';
import { startTestServer } from '../../infra/testing/server.ts';
import type { RunningServer } from '../server.ts';
import type { ApiClient } from '../testing/client.ts';
import { awsFixtures, connect, MOTO_ACCOUNT, newAccountId, type ConnectionView } from '../testing/connections.ts';
import { joinAs, signUp, verifiedOwner, type Owner } from '../testing/organizations.ts';

const moto = await startMoto();
afterAll(() => moto.peer?.stop());
if (moto.reason) console.log(`AWS connection tests skipped: ${moto.reason}`);

let server: RunningServer;
let owner: Owner;
let aws: ReturnType<typeof awsFixtures>;
/** Every response body the tests saw, to prove no secret ever left the server. */
const seen: string[] = [];

beforeAll(async () => {
  if (!moto.peer) return;
  server = await startTestServer({ AWS_ENDPOINT_URL: moto.peer.url });
  owner = await verifiedOwner(server);
  aws = awsFixtures(moto.peer.url);
});
afterAll(() => server?.close());

const base = (orgId = owner.orgId) => `/api/orgs/${orgId}/connections`;

/** Records what the client was told, then hands it on. */
async function told<R extends { body: unknown }>(response: Promise<R>): Promise<R> {
  const settled = await response;
  seen.push(JSON.stringify(settled.body));
  return settled;
}

async function eventLog(): Promise<string> {
  const all: string[] = [];
  for await (const event of server.stores.events.readAll()) all.push(JSON.stringify({ type: event.type, data: event.data, metadata: event.metadata }));
  return all.join('\n');
}

async function sealedSecretOf(connectionId: string): Promise<Sealed> {
  for await (const event of server.stores.events.readStream(`connection-${connectionId}`))
    if (event.type === 'AwsConnectionCreated') return (event.data as { secret: Sealed }).secret;
  throw new Error('no AwsConnectionCreated');
}

/**
 * Turns on moto's IAM authentication for the duration, with Cloudventory's own identity (the default
 * provider chain reads the environment for every new client) set to the given keys.
 */
async function withIamAuthentication<T>(own: { accessKeyId: string; secretAccessKey: string } | undefined, run: () => Promise<T>): Promise<T> {
  const saved = { id: process.env.AWS_ACCESS_KEY_ID, secret: process.env.AWS_SECRET_ACCESS_KEY };
  if (own) Object.assign(process.env, { AWS_ACCESS_KEY_ID: own.accessKeyId, AWS_SECRET_ACCESS_KEY: own.secretAccessKey });
  await fetch(`${moto.peer!.url}/moto-api/reset-auth`, { method: 'POST', body: '0' });
  try {
    return await run();
  } finally {
    await fetch(`${moto.peer!.url}/moto-api/reset-auth`, { method: 'POST', body: 'inf' });
    Object.assign(process.env, { AWS_ACCESS_KEY_ID: saved.id, AWS_SECRET_ACCESS_KEY: saved.secret });
  }
}

interface AuditEntry {
  action: string;
  object: string;
  actor: { id: string };
  ip: string | null;
}

describe.runIf(moto.peer)('AWS connections', () => {
  describe('setup', () => {
    it("describes the role to create: trusting Cloudventory's own account, only with the organisation's external id", async () => {
      const first = await told(owner.client.get(`${base()}/setup`));
      expect(first.status, JSON.stringify(first.body)).toBe(200);
      const { externalId, trustPolicy, cloudFormation, cloudventoryAccountId } = first.body as { externalId: string; trustPolicy: string; cloudFormation: string; cloudventoryAccountId: string };
      expect(cloudventoryAccountId).toBe(MOTO_ACCOUNT);
      expect(externalId).toMatch(/^cloudventory-[0-9a-f]{32}$/);
      expect(JSON.parse(trustPolicy)).toEqual({
        Version: '2012-10-17',
        Statement: [
          { Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${MOTO_ACCOUNT}:root` }, Action: 'sts:AssumeRole', Condition: { StringEquals: { 'sts:ExternalId': externalId } } },
        ],
      });
      for (const part of ['AWS::IAM::Role', 'arn:aws:iam::aws:policy/ReadOnlyAccess', 'arn:aws:iam::aws:policy/SecurityAudit', `'sts:ExternalId': '${externalId}'`, `arn:aws:iam::${MOTO_ACCOUNT}:root`])
        expect(cloudFormation).toContain(part);

      // Stable for the organisation, different for another one.
      expect((await owner.client.get(`${base()}/setup`)).body.externalId).toBe(externalId);
      const other = await verifiedOwner(server);
      expect((await other.client.get(`${base(other.orgId)}/setup`)).body.externalId).not.toBe(externalId);
    });
  });

  describe('connecting by role', () => {
    it('assumes the role in the other account and records its id, alias and enabled regions', async () => {
      const accountId = newAccountId();
      const roleArn = await aws.roleIn(accountId, 'acme-prod');
      const created = await told(owner.client.post(base(), { name: ' Production ', method: 'role', roleArn, regions: ['eu-west-1', 'us-east-1'] }));
      expect(created.status, JSON.stringify(created.body)).toBe(201);
      const connection = created.body.connection as ConnectionView;
      expect(connection).toMatchObject({ name: 'Production', method: 'role', roleArn, accessKeyId: null, accountId, alias: 'acme-prod', regions: ['eu-west-1', 'us-east-1'], recommendation: null });
      expect(connection.enabledRegions).toEqual(expect.arrayContaining(['eu-west-1', 'us-east-1']));
      // Listed by AWS, but needs opting in: not a region to scan.
      expect(connection.enabledRegions).not.toContain('ap-east-1');
      expect(connection.validatedAt).toBeTruthy();

      const one = await told(owner.client.get(`${base()}/${connection.id}`));
      expect(one.body.connection).toEqual(connection);
      const list = await told(owner.client.get(base()));
      expect((list.body.connections as ConnectionView[]).map((c) => c.id)).toContain(connection.id);
    });

    it('refuses a second connection to the same account, and a malformed role ARN', async () => {
      const accountId = newAccountId();
      await connect(owner.client, owner.orgId, { method: 'role', roleArn: await aws.roleIn(accountId) });
      const again = await told(owner.client.post(base(), { name: 'Again', method: 'role', roleArn: `arn:aws:iam::${accountId}:role/AnotherRole` }));
      expect(again.status).toBe(409);
      expect(again.body.error?.message).toBe(`AWS account ${accountId} is already connected to this organisation`);

      const malformed = await told(owner.client.post(base(), { name: 'Typo', method: 'role', roleArn: 'arn:aws:iam::12345:role/Short' }));
      expect(malformed.status).toBe(400);
      expect(malformed.body.error?.message).toContain('must be an IAM role ARN such as arn:aws:iam::123456789012:role/CloudventoryReadOnly');
    });

    it('explains an AccessDenied on AssumeRole: the trust policy and the external id', async () => {
      // Cloudventory's own identity, allowed nothing: AWS denies the AssumeRole as it does when a role does not trust us.
      const own = await aws.keysIn();
      const roleArn = await aws.roleIn(newAccountId());
      const externalId = (await owner.client.get(`${base()}/setup`)).body.externalId as string;
      const denied = await withIamAuthentication(own, () => told(owner.client.post(base(), { name: 'Denied', method: 'role', roleArn })));
      expect(denied.status, JSON.stringify(denied.body)).toBe(422);
      expect(denied.body.error?.code).toBe('UNPROCESSABLE');
      expect(denied.body.error?.message).toContain(`Cloudventory was not allowed to assume the role ${roleArn}`);
      expect(denied.body.error?.message).toContain("trust policy: it must trust Cloudventory's AWS account");
      expect(denied.body.error?.message).toContain(`external id ${externalId} (sts:ExternalId)`);
      expect((denied.body.error as { details?: unknown } | undefined)?.details).toEqual({ step: 'AssumeRole', awsError: 'AccessDenied' });
    });
  });

  describe('connecting with access keys', () => {
    it('stores the keys sealed: never in a response, never in clear in the event log', async () => {
      const keys = await aws.keysIn();
      const connection = await connect(owner.client, owner.orgId, { method: 'keys', ...keys });
      seen.push(JSON.stringify(connection));
      expect(connection).toMatchObject({ method: 'keys', accountId: MOTO_ACCOUNT, roleArn: null, accessKeyId: `${keys.accessKeyId.slice(0, 4)}…${keys.accessKeyId.slice(-4)}` });
      expect(connection.recommendation).toMatch(/Prefer a role/);
      await told(owner.client.get(`${base()}/${connection.id}`));
      await told(owner.client.get(base()));
      await told(owner.client.post(`${base()}/${connection.id}/validate`));

      const responses = seen.join('\n');
      const log = await eventLog();
      for (const secret of [keys.secretAccessKey, keys.accessKeyId]) {
        expect(responses).not.toContain(secret);
        expect(log).not.toContain(secret);
      }
      // Sealed, and readable by the server for the connection.
      const opened = await server.context.vault.open(connectionSubject(connection.id), await sealedSecretOf(connection.id));
      expect(JSON.parse(opened!)).toEqual({ accessKeyId: keys.accessKeyId, secretAccessKey: keys.secretAccessKey });

      // The same account again, whichever way: refused. (Then freed, for the tests after this one.)
      const again = await told(owner.client.post(base(), { name: 'Again', method: 'keys', ...(await aws.keysIn()) }));
      expect(again.status).toBe(409);
      expect((await owner.client.delete(`${base()}/${connection.id}`)).status).toBe(204);
    });

    it('explains keys AWS does not know, and keys without the read permissions', async () => {
      const weak = await aws.keysIn();
      const [unknown, unprivileged] = await withIamAuthentication(undefined, async () => [
        await told(owner.client.post(base(), { name: 'Unknown', method: 'keys', accessKeyId: 'AKIAIOSFODNN7UNKNOWN', secretAccessKey: 'x'.repeat(40) })),
        await told(owner.client.post(base(), { name: 'Weak', method: 'keys', ...weak })),
      ]);
      expect(unknown.status).toBe(422);
      expect(unknown.body.error?.message).toMatch(/^AWS does not know this access key id/);
      expect(unprivileged.status).toBe(422);
      expect(unprivileged.body.error?.message).toMatch(/^The access key works but is not allowed iam:ListAccountAliases; attach the AWS managed policies ReadOnlyAccess and SecurityAudit/);
    });
  });

  describe('who may connect', () => {
    it('refuses someone whose address is not verified, before asking AWS anything', async () => {
      const unverified = await signUp(server);
      const refused = await unverified.client.post(base(unverified.orgId), { name: 'Mine', method: 'role', roleArn: await aws.roleIn(newAccountId()) });
      expect(refused.status).toBe(403);
      expect(refused.body.error?.message).toBe('Please verify your e-mail address before connecting an AWS account');
    });

    it('lets a viewer read connections but not change them', async () => {
      const viewer = await joinAs(server, owner, 'viewer');
      expect((await viewer.client.get(base())).status).toBe(200);
      const refused = await viewer.client.post(base(), { name: 'Mine', method: 'role', roleArn: await aws.roleIn(newAccountId()) });
      expect(refused.status).toBe(403);
      expect(refused.body.error?.message).toBe('Your role in this organisation (viewer) does not allow this; ask an owner or admin');
    });
  });

  describe('changing a connection', () => {
    let connection: ConnectionView;
    let keys: { accessKeyId: string; secretAccessKey: string; userName: string };
    let client: ApiClient;
    beforeAll(async () => {
      // In its own account, so these keys do not collide with the moto account's other tests.
      const accountId = newAccountId();
      keys = await aws.keysIn(accountId);
      client = owner.client;
      connection = await connect(client, owner.orgId, { method: 'keys', ...keys });
    });

    it('renames it and narrows its regions, only to enabled ones', async () => {
      const changed = await told(client.patch(`${base()}/${connection.id}`, { name: 'Staging', regions: ['eu-west-1'] }));
      expect(changed.status, JSON.stringify(changed.body)).toBe(200);
      expect(changed.body.connection).toMatchObject({ name: 'Staging', regions: ['eu-west-1'] });
      const refused = await told(client.patch(`${base()}/${connection.id}`, { name: 'Never', regions: ['ap-east-1'] }));
      expect(refused.status).toBe(400);
      expect(refused.body.error?.message).toContain('Not enabled in AWS account');
      expect((await client.get(`${base()}/${connection.id}`)).body.connection).toMatchObject({ name: 'Staging' });
    });

    it('rotates its keys to new keys of the same account, and refuses keys of another account', async () => {
      const next = await aws.keysIn(connection.accountId, keys.userName);
      const rotated = await told(client.put(`${base()}/${connection.id}/keys`, { accessKeyId: next.accessKeyId, secretAccessKey: next.secretAccessKey }));
      expect(rotated.status, JSON.stringify(rotated.body)).toBe(200);
      expect(rotated.body.connection).toMatchObject({ accessKeyId: `AKIA…${next.accessKeyId.slice(-4)}`, keysRotatedAt: expect.any(String) });

      const elsewhere = await aws.keysIn(newAccountId());
      const refused = await told(client.put(`${base()}/${connection.id}/keys`, { accessKeyId: elsewhere.accessKeyId, secretAccessKey: elsewhere.secretAccessKey }));
      expect(refused.status).toBe(409);
      expect(refused.body.error?.message).toMatch(/^These credentials belong to AWS account \d{12}, but this connection is for account \d{12}/);
    });

    it('refuses to rotate keys of a role connection', async () => {
      const role = await connect(client, owner.orgId, { method: 'role', roleArn: await aws.roleIn(newAccountId()) });
      const refused = await client.put(`${base()}/${role.id}/keys`, await aws.keysIn());
      expect(refused.status).toBe(409);
      expect(refused.body.error?.message).toBe('This connection uses a role, which has no keys to rotate');
    });

    it('validates it again and records when', async () => {
      const before = (await client.get(`${base()}/${connection.id}`)).body.connection as ConnectionView;
      const validated = await told(client.post(`${base()}/${connection.id}/validate`));
      expect(validated.status, JSON.stringify(validated.body)).toBe(200);
      expect(Date.parse((validated.body.connection as ConnectionView).validatedAt!)).toBeGreaterThanOrEqual(Date.parse(before.validatedAt!));
    });

    it('puts every change in the audit trail, with who made it', async () => {
      const trail = await client.get(`/api/orgs/${owner.orgId}/audit?object=connection-${connection.id}`);
      expect(trail.status).toBe(200);
      const entries = trail.body.entries as AuditEntry[];
      expect(entries.map((e) => e.action).reverse()).toEqual([
        'AwsConnectionCreated',
        'ConnectionValidated',
        'ConnectionRenamed',
        'ConnectionRegionsChanged',
        'ConnectionKeysRotated',
        'ConnectionValidated',
        'ConnectionValidated',
      ]);
      expect(entries.every((e) => e.actor.id === owner.userId && e.ip === '127.0.0.1')).toBe(true);
    });
  });

  describe('deleting', () => {
    it('destroys the stored keys, frees the account for a new connection, and keeps the history', async () => {
      const accountId = newAccountId();
      const keys = await aws.keysIn(accountId);
      const connection = await connect(owner.client, owner.orgId, { method: 'keys', ...keys });
      const sealed = await sealedSecretOf(connection.id);
      expect(await server.context.vault.open(connectionSubject(connection.id), sealed)).toBeTruthy();

      expect((await owner.client.delete(`${base()}/${connection.id}`)).status).toBe(204);
      expect(await server.context.vault.open(connectionSubject(connection.id), sealed)).toBeUndefined();
      expect((await owner.client.get(`${base()}/${connection.id}`)).status).toBe(404);
      expect(((await owner.client.get(base())).body.connections as ConnectionView[]).map((c) => c.id)).not.toContain(connection.id);
      expect((await owner.client.post(`${base()}/${connection.id}/validate`)).status).toBe(404);
      // Deleting again finishes nothing new and is not an error.
      expect((await owner.client.delete(`${base()}/${connection.id}`)).status).toBe(204);

      const reconnected = await connect(owner.client, owner.orgId, { method: 'role', roleArn: await aws.roleIn(accountId) });
      expect(reconnected.accountId).toBe(accountId);

      const trail = (await owner.client.get(`/api/orgs/${owner.orgId}/audit?action=AwsConnectionDeleted&object=connection-${connection.id}`)).body.entries as AuditEntry[];
      expect(trail).toHaveLength(1);
      expect(trail[0]).toMatchObject({ actor: { id: owner.userId } });
    });
  });

  describe('between organisations', () => {
    it("answers 404 for another organisation's connection, and lets each connect the same account", async () => {
      const accountId = newAccountId();
      const mine = await connect(owner.client, owner.orgId, { method: 'role', roleArn: await aws.roleIn(accountId) });
      const other = await verifiedOwner(server);
      expect((await other.client.get(`${base(other.orgId)}/${mine.id}`)).status).toBe(404);
      expect((await other.client.delete(`${base(other.orgId)}/${mine.id}`)).status).toBe(404);
      const theirs = await connect(other.client, other.orgId, { method: 'role', roleArn: await aws.roleIn(accountId) });
      expect(theirs.accountId).toBe(accountId);
      expect((await owner.client.get(`${base()}/${mine.id}`)).status).toBe(200);
    });
  });
});
