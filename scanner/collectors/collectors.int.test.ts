import { PutBucketTaggingCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { resetMoto, startMoto } from '../../infra/testing/peers.ts';
import { createAwsClients } from '../aws/clients.ts';
import { changedPaths, fingerprint } from '../fingerprint.ts';
import { normalise } from '../resource.ts';
import { type NormalizedResource } from '../../domain/inventory/resource.ts';
import { collectAccount } from '../testing/collect-account.ts';
import { seedAccount, type SeededAccount } from '../testing/seed-account.ts';

const moto = await startMoto();
afterAll(() => moto.peer?.stop());
if (moto.reason) console.log(`collector tests skipped: ${moto.reason}`);

const MAIN_ACCOUNT = '123456789012';
const OTHER_ACCOUNT = '210987654321';
const REGIONS = ['eu-west-1', 'us-east-1'];

function inventoryOf(resources: NormalizedResource[]) {
  return {
    resources: resources.map((r) => `${r.type} ${r.arn}`).sort(),
    relationships: resources.flatMap((r) => r.relationships.map((rel) => `${r.arn} ${rel.kind} ${rel.target}`)).sort(),
  };
}

function expectedInventory(seeded: SeededAccount) {
  const entries = [...seeded.resources];
  return {
    resources: entries.map(([arn, r]) => `${r.type} ${arn}`).sort(),
    relationships: entries.flatMap(([arn, r]) => [...r.relationships].map((rel) => `${arn} ${rel}`)).sort(),
  };
}

const byArn = (resources: NormalizedResource[], arn: string) => {
  const found = resources.find((r) => r.arn === arn);
  if (!found) throw new Error(`${arn} was not collected`);
  return found;
};

describe.runIf(moto.peer)('collectors against a seeded moto account', () => {
  const aws = createAwsClients({ endpoint: moto.peer?.url });
  const mainKeys = { method: 'keys', accessKeyId: 'testing', secretAccessKey: 'testing' } as const;

  beforeEach(() => resetMoto(moto.peer!.url));

  it('find exactly the seeded resources, with their relationships, across two regions', async () => {
    const credentials = await aws.credentialsFor(mainKeys);
    const seeded = await seedAccount(aws, credentials, MAIN_ACCOUNT);

    const found = await collectAccount({ aws, credentials, accountId: MAIN_ACCOUNT, regions: REGIONS });

    expect(inventoryOf(found)).toEqual(expectedInventory(seeded));
    // Fingerprints rely on it: every collector hands over resources already in normalised form.
    expect(found.filter((r) => JSON.stringify(normalise(r)) !== JSON.stringify(r)).map((r) => r.arn)).toEqual([]);
    expect(found.every((r) => r.accountId === MAIN_ACCOUNT)).toBe(true);
    expect(found.filter((r) => r.type.startsWith('iam:')).every((r) => r.region === 'global')).toBe(true);
  }, 60_000);

  it('describe each type with its settings and tags', async () => {
    const credentials = await aws.credentialsFor(mainKeys);
    const { ids } = await seedAccount(aws, credentials, MAIN_ACCOUNT);
    const found = await collectAccount({ aws, credentials, accountId: MAIN_ACCOUNT, regions: REGIONS });

    const web = byArn(found, `arn:aws:ec2:eu-west-1:${MAIN_ACCOUNT}:instance/${ids.webInstance}`);
    expect(web).toMatchObject({ name: 'cv-seed-web', tags: { Env: 'prod', Name: 'cv-seed-web' }, config: { state: 'running', instanceType: 't3.micro', subnetId: ids.subnetA } });

    const data = byArn(found, `arn:aws:ec2:eu-west-1:${MAIN_ACCOUNT}:volume/${ids.dataVolume}`);
    expect(data.config).toMatchObject({ size: 20, volumeType: 'gp3', encrypted: true, state: 'in-use', attachments: [{ instanceId: ids.webInstance, device: '/dev/sdf' }] });

    const webGroup = byArn(found, `arn:aws:ec2:eu-west-1:${MAIN_ACCOUNT}:security-group/${ids.webGroup}`);
    expect(webGroup.config.ingress).toEqual([
      { protocol: 'tcp', fromPort: 443, toPort: 443, peer: 'cidr:0.0.0.0/0', description: 'https' },
      { protocol: 'tcp', fromPort: 443, toPort: 443, peer: 'cidr:::/0' },
    ]);
    expect(webGroup.config.egress).toEqual([
      { protocol: 'all', peer: 'cidr:0.0.0.0/0' },
      { protocol: 'tcp', fromPort: 5432, toPort: 5432, peer: `group:${MAIN_ACCOUNT}/${ids.dbGroup}` },
    ]);
    const dbGroup = byArn(found, `arn:aws:ec2:eu-west-1:${MAIN_ACCOUNT}:security-group/${ids.dbGroup}`);
    expect(dbGroup.config.ingress).toEqual([{ protocol: 'tcp', fromPort: 5432, toPort: 5432, peer: `group:${MAIN_ACCOUNT}/${ids.webGroup}` }]);

    const euBucket = byArn(found, `arn:aws:s3:::${ids.euBucket}`);
    expect(euBucket).toMatchObject({ region: 'eu-west-1', tags: { Env: 'prod', Team: 'data' } });
    expect(euBucket.config).toMatchObject({
      versioning: 'Enabled',
      encryption: [{ algorithm: 'AES256' }],
      publicAccessBlock: { blockPublicAcls: true, ignorePublicAcls: true, blockPublicPolicy: true, restrictPublicBuckets: true },
      // moto serves GetBucketPolicyStatus as a ListObjects: no IsPublic, so no claim either way.
      policyStatus: 'unknown',
    });
    const usBucket = byArn(found, `arn:aws:s3:::${ids.usBucket}`);
    expect(usBucket).toMatchObject({ region: 'us-east-1', tags: {}, config: { versioning: 'Disabled', encryption: [], publicAccessBlock: 'none' } });

    const db = byArn(found, `arn:aws:rds:eu-west-1:${MAIN_ACCOUNT}:db:cv-seed-db`);
    expect(db).toMatchObject({ tags: { Env: 'prod' }, config: { engine: 'postgres', instanceClass: 'db.t3.micro', storageEncrypted: true, publiclyAccessible: false } });

    const cluster = byArn(found, `arn:aws:rds:eu-west-1:${MAIN_ACCOUNT}:cluster:cv-seed-aurora`);
    expect(cluster.config).toMatchObject({ engine: 'aurora-postgresql', members: [{ instanceId: 'cv-seed-aurora-1', isWriter: true }] });

    const api = byArn(found, `arn:aws:lambda:eu-west-1:${MAIN_ACCOUNT}:function:cv-seed-api`);
    expect(api).toMatchObject({ tags: { Team: 'platform' }, config: { runtime: 'nodejs20.x', memorySize: 256, timeout: 10, environmentVariableNames: ['DATABASE_PASSWORD'] } });
    expect(JSON.stringify(api)).not.toContain('not-for-the-inventory');

    const alice = byArn(found, `arn:aws:iam::${MAIN_ACCOUNT}:user/cv-seed-alice`);
    expect(alice.config).toMatchObject({ accessKeys: [{ accessKeyId: ids.accessKeyId, status: 'Active', age: 'under-30-days' }], mfaDevices: [ids.mfaSerial] });
    const app = byArn(found, ids.appRoleArn as string);
    expect(app.config.trustPrincipals).toEqual(['Service:ec2.amazonaws.com']);
    const account = byArn(found, `arn:aws:iam::${MAIN_ACCOUNT}:root`);
    expect(account).toMatchObject({ type: 'iam:account', name: `cv-seed-${MAIN_ACCOUNT}`, config: { aliases: [`cv-seed-${MAIN_ACCOUNT}`], summary: { Users: 1 } } });
  }, 60_000);

  it('fingerprint an unchanged account the same on every scan, and name what changed', async () => {
    const credentials = await aws.credentialsFor(mainKeys);
    const { ids } = await seedAccount(aws, credentials, MAIN_ACCOUNT);
    const scan = async () => new Map((await collectAccount({ aws, credentials, accountId: MAIN_ACCOUNT, regions: REGIONS })).map((r) => [r.arn, r]));

    const first = await scan();
    const second = await scan();
    expect([...second.values()].map(fingerprint)).toEqual([...first.values()].map(fingerprint));

    const s3 = aws.s3(credentials, 'eu-west-1');
    await s3.send(new PutBucketTaggingCommand({ Bucket: ids.euBucket, Tagging: { TagSet: [{ Key: 'Team', Value: 'data' }, { Key: 'Env', Value: 'staging' }] } }));
    s3.destroy();
    const third = await scan();
    const arn = `arn:aws:s3:::${ids.euBucket}`;
    expect(changedPaths(first.get(arn)!, third.get(arn)!)).toEqual(['tags.Env']);
    const changed = [...third.values()].filter((r) => fingerprint(r) !== fingerprint(first.get(r.arn)!));
    expect(changed.map((r) => r.arn)).toEqual([arn]);
  }, 90_000);

  it('scan a second account reached by AssumeRole, and only that account', async () => {
    const mainCredentials = await aws.credentialsFor(mainKeys);
    await seedAccount(aws, mainCredentials, MAIN_ACCOUNT);
    const session = await aws.credentialsFor({ method: 'role', roleArn: `arn:aws:iam::${OTHER_ACCOUNT}:role/CloudventoryReadOnly`, externalId: 'cv-ext-1' });
    const seeded = await seedAccount(aws, session, OTHER_ACCOUNT);

    const found = await collectAccount({ aws, credentials: session, accountId: OTHER_ACCOUNT, regions: REGIONS });

    expect(inventoryOf(found)).toEqual(expectedInventory(seeded));
    expect(found.filter((r) => r.arn.includes(MAIN_ACCOUNT) || JSON.stringify(r.relationships).includes(MAIN_ACCOUNT))).toEqual([]);
  }, 90_000);
});
