import { CreateAccessKeyCommand, CreateUserCommand, PutUserPolicyCommand } from '@aws-sdk/client-iam';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { userActor } from '../domain/organizations/actor.ts';
import type { ScanEvent } from '../domain/scans/scan.ts';
import { resetMoto, startMoto } from '../infra/testing/peers.ts';
import { createAwsClients } from './aws/clients.ts';
import { collectors } from './collectors/index.ts';
import { lambdaFunctionCollector } from './collectors/lambda-functions.ts';
import { requestScan } from './scan-requests.ts';
import { startScanWorker } from './scan-worker.ts';
import { scanEngineFixture, type ScanEngineFixture } from './testing/scan-engine.ts';
import { seedAccount } from './testing/seed-account.ts';

// This file's own moto: IAM authorisation is switched on for it, which no other suite could bear.
const moto = await startMoto();
afterAll(() => moto.peer?.stop());
if (moto.reason) console.log(`denied-partition scan tests skipped: ${moto.reason}`);

const ACCOUNT = '123456789012';
const REGIONS = ['eu-west-1', 'us-east-1'];

/** moto's switch for IAM authorisation: after `afterRequests` more requests, every request is checked against the caller's policies. */
async function authoriseRequestsAfter(url: string, afterRequests: number | 'never'): Promise<void> {
  const response = await fetch(`${url}/moto-api/reset-auth`, { method: 'POST', body: afterRequests === 'never' ? 'inf' : String(afterRequests) });
  if (!response.ok) throw new Error(`moto reset-auth failed with ${response.status}`);
}

const finishedStatus = (events: readonly ScanEvent[]) => events.find((e): e is Extract<ScanEvent, { type: 'ScanFinished' }> => e.type === 'ScanFinished')?.data.status;

describe.runIf(moto.peer)('a scan with one service denied', () => {
  let engine: ScanEngineFixture;
  let worker: { stop(): Promise<void> } | undefined;

  beforeEach(async () => {
    await authoriseRequestsAfter(moto.peer!.url, 'never');
    await resetMoto(moto.peer!.url);
    engine = scanEngineFixture(moto.peer!.url);
  });
  afterEach(async () => {
    await worker?.stop();
    worker = undefined;
    await engine.close();
    await authoriseRequestsAfter(moto.peer!.url, 'never');
  });

  it('marks that partition denied, the others ok, and deletes nothing it could not list', async () => {
    const aws = createAwsClients({ endpoint: moto.peer!.url });
    const admin = { accessKeyId: 'testing', secretAccessKey: 'testing' };
    const seeded = await seedAccount(aws, admin, ACCOUNT);
    // The customer's scanning user may read everything but S3.
    const iam = aws.iam(admin);
    await iam.send(new CreateUserCommand({ UserName: 'cv-scanner' }));
    const policy = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }, { Effect: 'Deny', Action: 's3:*', Resource: '*' }] };
    await iam.send(new PutUserPolicyCommand({ UserName: 'cv-scanner', PolicyName: 'all-but-s3', PolicyDocument: JSON.stringify(policy) }));
    const { AccessKey } = await iam.send(new CreateAccessKeyCommand({ UserName: 'cv-scanner' }));
    iam.destroy();
    const { orgId, connectionId } = await engine.connect({ accountId: ACCOUNT, regions: REGIONS, keys: { accessKeyId: AccessKey!.AccessKeyId!, secretAccessKey: AccessKey!.SecretAccessKey! } });
    // moto answers Lambda with an XML error page once authorisation is enforced, which no client can read: left out here.
    const deps = { ...engine.deps, collectors: collectors.filter((c) => c !== lambdaFunctionCollector) };
    worker = startScanWorker(deps);
    const scanOnce = async () => engine.finished((await requestScan(deps, { orgId, connectionId, actor: userActor('user-1', 'owner'), trigger: 'manual' })).scanId);

    // Before authorisation is enforced, everything is listed, buckets included.
    expect(finishedStatus(await scanOnce())).toBe('completed');
    const first = await engine.inventory(connectionId);
    // The seeded account without its functions, and the scanning user made above.
    const functions = [...seeded.resources.values()].filter((r) => r.type === 'lambda:function').length;
    expect(first).toHaveLength(seeded.resources.size - functions + 1);

    await authoriseRequestsAfter(moto.peer!.url, 0);
    const scanEvents = await scanOnce();

    const partitions = scanEvents.filter((e): e is Extract<ScanEvent, { type: 'PartitionFinished' }> => e.type === 'PartitionFinished').map((e) => e.data);
    expect(partitions.find((p) => p.key === 'global/s3-buckets')).toMatchObject({ outcome: 'denied', errorCode: 'AccessDenied', deleted: 0 });
    expect(partitions.filter((p) => p.key !== 'global/s3-buckets' && p.outcome !== 'ok').map((p) => `${p.key} ${p.outcome} ${p.errorCode} ${p.message}`)).toEqual([]);
    // The buckets went unseen, but an unlisted partition is no evidence: nothing was recorded at all.
    expect(await engine.inventory(connectionId)).toHaveLength(first.length);
    expect(scanEvents.find((e) => e.type === 'ScanFinished')?.data).toMatchObject({ status: 'partial', discovered: 0, changed: 0, deleted: 0 });
    expect(finishedStatus(scanEvents)).toBe('partial');
  }, 120_000);
});
