import { AuthorizeSecurityGroupIngressCommand, CreateTagsCommand, StopInstancesCommand } from '@aws-sdk/client-ec2';
import { CreateFunctionCommand } from '@aws-sdk/client-lambda';
import { DeleteBucketCommand } from '@aws-sdk/client-s3';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { RecordedEvent } from '../domain/eventsourcing/event-store.ts';
import { userActor } from '../domain/organizations/actor.ts';
import type { ScanEvent } from '../domain/scans/scan.ts';
import { startMoto } from '../infra/testing/peers.ts';
import { createAwsClients } from './aws/clients.ts';
import { collectors } from './collectors/index.ts';
import { cancelScan, requestScan } from './scan-requests.ts';
import { startScanWorker } from './scan-worker.ts';
import { scanEngineFixture, type ScanEngineFixture } from './testing/scan-engine.ts';
import { seedAccount } from './testing/seed-account.ts';
import { onEveryAttempt } from './testing/instrument-clients.ts';
import { EC2ServiceException } from '@aws-sdk/client-ec2';

const moto = await startMoto();
afterAll(() => moto.peer?.stop());
if (moto.reason) console.log(`scan engine tests skipped: ${moto.reason}`);

const REGIONS = ['eu-west-1', 'us-east-1'];
/** A fresh account per test (moto assumes a role into any account id), so tests share one moto without a reset. */
const newAccountId = () => String(100_000_000_000 + Math.floor(Math.random() * 899_999_999_999));
const EMPTY_ZIP = new Uint8Array([0x50, 0x4b, 0x05, 0x06, ...new Array<number>(18).fill(0)]);

const byType = (events: readonly RecordedEvent[], type: string) =>
  events
    .filter((e) => e.type === type)
    .map((e) => (e.data as { arn: string }).arn)
    .sort();
const finishedOf = (events: readonly ScanEvent[]) => events.find((e): e is Extract<ScanEvent, { type: 'ScanFinished' }> => e.type === 'ScanFinished')?.data;

describe.runIf(moto.peer)('the scan engine against moto', () => {
  const aws = createAwsClients({ endpoint: moto.peer?.url, maxAttempts: 2 });
  let engine: ScanEngineFixture;
  let worker: { stop(): Promise<void> } | undefined;

  beforeEach(() => {
    engine = scanEngineFixture(moto.peer!.url);
  });
  afterEach(async () => {
    await worker?.stop();
    worker = undefined;
    await engine.close();
  });

  async function seededConnection() {
    const accountId = newAccountId();
    const owner = await aws.credentialsFor({ method: 'role', roleArn: `arn:aws:iam::${accountId}:role/Admin`, externalId: 'owner' });
    const seeded = await seedAccount(aws, owner, accountId, { primary: 'eu-west-1', secondary: 'us-east-1' });
    const { orgId, connectionId } = await engine.connect({ accountId, regions: REGIONS });
    return { accountId, owner, seeded, orgId, connectionId };
  }

  const scanNow = async (orgId: string, connectionId: string) => {
    const { scanId } = await requestScan(engine.deps, { orgId, connectionId, actor: userActor('user-1', 'owner'), trigger: 'manual' });
    return engine.finished(scanId);
  };

  it('discovers exactly the seeded resources, one partition per region and collector', async () => {
    const { seeded, orgId, connectionId } = await seededConnection();
    worker = startScanWorker(engine.deps);

    const scanEvents = await scanNow(orgId, connectionId);

    const inventory = await engine.inventory(connectionId);
    expect(byType(inventory, 'ResourceDiscovered')).toEqual([...seeded.resources.keys()].sort());
    expect(inventory).toHaveLength(seeded.resources.size);
    expect(inventory.every((e) => e.metadata.orgId === orgId)).toBe(true);
    const partitions = scanEvents.filter((e) => e.type === 'PartitionFinished');
    const regional = collectors.filter((c) => c.scope === 'regional').length;
    expect(partitions).toHaveLength(regional * REGIONS.length + collectors.length - regional);
    expect(partitions.every((p) => p.data.outcome === 'ok')).toBe(true);
    expect(finishedOf(scanEvents)).toMatchObject({ status: 'completed', discovered: seeded.resources.size, changed: 0, deleted: 0 });
    // Each resource lands in the stream of the partition that lists it.
    const iamUser = inventory.find((e) => (e.data as { type: string }).type === 'iam:user');
    expect(iamUser?.stream).toBe(`inventory-${connectionId}-global-iam`);
  }, 120_000);

  it('completes a scan while AWS throttles, retrying with backoff', async () => {
    const { seeded, orgId, connectionId } = await seededConnection();
    // moto never throttles: the first three EC2 attempts answer as AWS does when it does. With the
    // production retry budget (6 attempts) every call gets through, so nothing may be lost.
    let attempts = 0;
    const throttled = onEveryAttempt(createAwsClients({ endpoint: moto.peer!.url }), 'ec2', () => {
      if (++attempts <= 3)
        throw new EC2ServiceException({ name: 'RequestLimitExceeded', $fault: 'client', $metadata: { httpStatusCode: 503 }, message: 'Request limit exceeded.' });
    });
    worker = startScanWorker({ ...engine.deps, aws: throttled });

    const scanEvents = await scanNow(orgId, connectionId);

    expect(attempts).toBeGreaterThan(3);
    expect(scanEvents.filter((e) => e.type === 'PartitionFinished').every((p) => p.data.outcome === 'ok')).toBe(true);
    expect(finishedOf(scanEvents)).toMatchObject({ status: 'completed', discovered: seeded.resources.size });
    expect(byType(await engine.inventory(connectionId), 'ResourceDiscovered')).toEqual([...seeded.resources.keys()].sort());
  }, 120_000);

  it('records exactly what changed in the account between two scans', async () => {
    const { accountId, owner, seeded, orgId, connectionId } = await seededConnection();
    worker = startScanWorker(engine.deps);
    await scanNow(orgId, connectionId);
    const before = (await engine.inventory(connectionId)).length;

    const { ids } = seeded;
    const ec2 = aws.ec2(owner, 'eu-west-1');
    await ec2.send(new AuthorizeSecurityGroupIngressCommand({ GroupId: ids.webGroup, IpPermissions: [{ IpProtocol: 'tcp', FromPort: 22, ToPort: 22, IpRanges: [{ CidrIp: '10.0.0.0/8' }] }] }));
    await ec2.send(new CreateTagsCommand({ Resources: [ids.vpc!], Tags: [{ Key: 'Env', Value: 'staging' }] }));
    await ec2.send(new StopInstancesCommand({ InstanceIds: [ids.webInstance!] }));
    await aws.s3(owner, 'us-east-1').send(new DeleteBucketCommand({ Bucket: ids.usBucket }));
    await aws.lambda(owner, 'eu-west-1').send(
      new CreateFunctionCommand({ FunctionName: 'cv-new', Runtime: 'nodejs20.x', Handler: 'index.handler', Role: ids.functionRoleArn, Code: { ZipFile: EMPTY_ZIP } }),
    );

    const scanEvents = await scanNow(orgId, connectionId);

    const changes = (await engine.inventory(connectionId)).slice(before);
    const ec2Arn = (kind: string, id: string) => `arn:aws:ec2:eu-west-1:${accountId}:${kind}/${id}`;
    expect(byType(changes, 'ResourceChanged')).toEqual([ec2Arn('instance', ids.webInstance!), ec2Arn('security-group', ids.webGroup!), ec2Arn('vpc', ids.vpc!)].sort());
    expect(byType(changes, 'ResourceDeleted')).toEqual([`arn:aws:s3:::${ids.usBucket}`]);
    expect(byType(changes, 'ResourceDiscovered')).toEqual([`arn:aws:lambda:eu-west-1:${accountId}:function:cv-new`]);
    expect(changes).toHaveLength(5);
    const pathsOf = (arn: string) => (changes.find((e) => (e.data as { arn: string }).arn === arn)?.data as { changedPaths: string[] }).changedPaths;
    expect(pathsOf(ec2Arn('vpc', ids.vpc!))).toEqual(['tags.Env']);
    expect(pathsOf(ec2Arn('instance', ids.webInstance!))).toEqual(['config.state']);
    expect(pathsOf(ec2Arn('security-group', ids.webGroup!))).toEqual(['config.ingress']);
    expect(finishedOf(scanEvents)).toMatchObject({ status: 'completed', discovered: 1, changed: 3, deleted: 1 });
  }, 120_000);

  it('runs one scan when two are requested at once for a connection', async () => {
    const { seeded, orgId, connectionId } = await seededConnection();

    const [first, second] = await Promise.all([
      requestScan(engine.deps, { orgId, connectionId, actor: userActor('user-1', 'owner'), trigger: 'manual' }),
      requestScan(engine.deps, { orgId, connectionId, actor: userActor('user-2', 'owner'), trigger: 'manual' }),
    ]);
    worker = startScanWorker(engine.deps);
    await engine.finished(first.scanId);

    expect(second.scanId).toBe(first.scanId);
    expect([first.joined, second.joined].sort()).toEqual([false, true]);
    const requested = [];
    for await (const e of engine.events.readAll({ filter: { eventTypes: ['ScanRequested'] } })) requested.push(e);
    expect(requested).toHaveLength(1);
    expect(await engine.inventory(connectionId)).toHaveLength(seeded.resources.size);
    // Released: the next request starts a new scan.
    const next = await requestScan(engine.deps, { orgId, connectionId, actor: userActor('user-1', 'owner'), trigger: 'manual' });
    expect(next).toMatchObject({ joined: false });
    expect(next.scanId).not.toBe(first.scanId);
  }, 120_000);

  it('ends a scan cancelled before it ran as cancelled, recording nothing, and releases the connection', async () => {
    const { orgId, connectionId } = await seededConnection();
    const { scanId } = await requestScan(engine.deps, { orgId, connectionId, actor: userActor('user-1', 'owner'), trigger: 'manual' });
    await cancelScan(engine.deps, { orgId, scanId, actor: userActor('user-2', 'owner') });
    worker = startScanWorker(engine.deps);

    const scanEvents = await engine.finished(scanId);

    expect(finishedOf(scanEvents)).toMatchObject({ status: 'cancelled', discovered: 0 });
    expect(scanEvents.filter((e) => e.type === 'PartitionFinished').every((e) => e.data.outcome === 'cancelled')).toBe(true);
    expect(await engine.inventory(connectionId)).toHaveLength(0);
    await expect(cancelScan(engine.deps, { orgId, scanId, actor: userActor('user-2', 'owner') })).rejects.toMatchObject({ code: 'CONFLICT' });
    await waitUntil(async () => !(await requestScan(engine.deps, { orgId, connectionId, actor: userActor('user-1', 'owner'), trigger: 'manual' })).joined);
  }, 120_000);

  it('resumes a scan interrupted by a worker restart without duplicating an event', async () => {
    const { seeded, orgId, connectionId } = await seededConnection();
    const { scanId } = await requestScan(engine.deps, { orgId, connectionId, actor: userActor('user-1', 'owner'), trigger: 'manual' });
    // One resource per append and one partition at a time, so the stop lands mid-listing.
    const slow = { ...engine.deps, resourcesPerPart: 1 };
    worker = startScanWorker(slow, { concurrentPartitions: 1 });
    await waitUntil(async () => (await engine.inventory(connectionId)).length > 0);
    await worker.stop();
    const partial = await engine.inventory(connectionId);
    expect(partial.length).toBeLessThan(seeded.resources.size);

    worker = startScanWorker(slow);
    const scanEvents = await engine.finished(scanId);

    const inventory = await engine.inventory(connectionId);
    expect(byType(inventory, 'ResourceDiscovered')).toEqual([...seeded.resources.keys()].sort());
    expect(inventory).toHaveLength(seeded.resources.size);
    expect(finishedOf(scanEvents)).toMatchObject({ status: 'completed' });
    expect(scanEvents.filter((e) => e.type === 'ScanFinished')).toHaveLength(1);
    expect(new Set(scanEvents.filter((e) => e.type === 'PartitionFinished').map((e) => e.data.key)).size).toBe(scanEvents.filter((e) => e.type === 'PartitionFinished').length);
  }, 120_000);
});

async function waitUntil(condition: () => Promise<boolean>, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 20));
  }
}
