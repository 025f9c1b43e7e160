// scan-overhead: a full scan (every collector, two regions) of a moto account holding ~2,000
// resources through the real engine (requestScan + runScan: credentials, partitions, collectors,
// diff, appends, scan events) against the same AWS calls made with the bare SDK at the same
// parallelism, results discarded. Both sides are checked to make the same calls, page for page.
import { paginateDescribeDBClusters, paginateDescribeDBInstances } from '@aws-sdk/client-rds';
import { paginateDescribeInstances, paginateDescribeSecurityGroups, paginateDescribeSubnets, paginateDescribeVolumes, paginateDescribeVpcs, RunInstancesCommand } from '@aws-sdk/client-ec2';
import { GetAccountSummaryCommand, paginateListAccountAliases, paginateListPolicies, paginateListRoles, paginateListUsers } from '@aws-sdk/client-iam';
import { paginateListFunctions } from '@aws-sdk/client-lambda';
import { paginateListBuckets } from '@aws-sdk/client-s3';
import { userActor } from '../domain/organizations/actor.ts';
import type { ScanEvent } from '../domain/scans/scan.ts';
import type { AwsClients, AwsCredentialIdentity } from './aws/clients.ts';
import { collectors } from './collectors/index.ts';
import { createLimiter, type Limiter } from './limit.ts';
import { GLOBAL_API_REGION } from './partitions.ts';
import { PARTITIONS_PER_SCAN, runScan } from './run-scan.ts';
import { requestScan } from './scan-requests.ts';
import { onEveryAttempt } from './testing/instrument-clients.ts';
import { scanEngineFixture, type ScanEngineFixture } from './testing/scan-engine.ts';
import { startMoto } from '../infra/testing/peers.ts';
import { result, type BenchResult } from '../infra/bench/report.ts';

const REGIONS = ['eu-west-1', 'us-east-1'];
/** Each instance brings its root volume: 2 × 500 instances + 1,000 volumes, plus each region's default network. */
const INSTANCES_PER_REGION = 500;
const RUN_BATCH = 100;
const ACCOUNT = '210987654321';
/** Timed pairs (baseline, ours), after one untimed pair that also checks both make the same calls. */
const ROUNDS = 3;

async function seed(aws: AwsClients, credentials: AwsCredentialIdentity): Promise<void> {
  for (const region of REGIONS) {
    const ec2 = aws.ec2(credentials, region);
    try {
      for (let n = 0; n < INSTANCES_PER_REGION; n += RUN_BATCH) {
        await ec2.send(new RunInstancesCommand({ ImageId: 'ami-12c6146b', InstanceType: 't3.micro', MinCount: RUN_BATCH, MaxCount: RUN_BATCH }));
      }
    } finally {
      ec2.destroy();
    }
  }
}

/** Drains a paginator: the pages are fetched, their content discarded. */
async function drain(pages: AsyncIterable<unknown>): Promise<void> {
  for await (const _ of pages) void _;
}

/**
 * The calls each collector makes on an account with no buckets, databases, functions or IAM
 * entities (each page at the collector's page size): what the engine cannot do with less.
 */
function bareCalls(aws: AwsClients, credentials: AwsCredentialIdentity, collector: string, region: string): () => Promise<void> {
  const paged = (size: number) => ({ pageSize: size, stopOnSameToken: true });
  return async () => {
    if (collector === 'iam') {
      const iam = aws.iam(credentials);
      try {
        await drain(paginateListUsers({ client: iam, ...paged(1000) }, {}));
        await drain(paginateListRoles({ client: iam, ...paged(1000) }, {}));
        await drain(paginateListPolicies({ client: iam, ...paged(1000) }, { Scope: 'Local' }));
        await Promise.all([drain(paginateListAccountAliases({ client: iam, stopOnSameToken: true }, {})), iam.send(new GetAccountSummaryCommand({}))]);
      } finally {
        iam.destroy();
      }
      return;
    }
    if (collector === 's3-buckets') {
      const s3 = aws.s3(credentials, region);
      await drain(paginateListBuckets({ client: s3, ...paged(10_000) }, {})).finally(() => s3.destroy());
      return;
    }
    if (collector === 'rds') {
      const rds = aws.rds(credentials, region);
      try {
        await drain(paginateDescribeDBInstances({ client: rds, ...paged(100) }, {}));
        await drain(paginateDescribeDBClusters({ client: rds, ...paged(100) }, {}));
      } finally {
        rds.destroy();
      }
      return;
    }
    if (collector === 'lambda-functions') {
      const lambda = aws.lambda(credentials, region);
      await drain(paginateListFunctions({ client: lambda, ...paged(50) }, {})).finally(() => lambda.destroy());
      return;
    }
    const ec2 = aws.ec2(credentials, region);
    // The instance collector also makes an IAM client (for instance profiles); so does the baseline.
    const iam = collector === 'ec2-instances' ? aws.iam(credentials) : undefined;
    try {
      if (collector === 'ec2-instances') await drain(paginateDescribeInstances({ client: ec2, ...paged(1000) }, {}));
      else if (collector === 'ebs-volumes') await drain(paginateDescribeVolumes({ client: ec2, ...paged(500) }, {}));
      else if (collector === 'security-groups') await drain(paginateDescribeSecurityGroups({ client: ec2, ...paged(1000) }, {}));
      else if (collector === 'vpcs') {
        await drain(paginateDescribeVpcs({ client: ec2, ...paged(1000) }, {}));
        await drain(paginateDescribeSubnets({ client: ec2, ...paged(1000) }, {}));
      } else throw new Error(`scan-overhead has no bare calls for collector ${collector}`);
    } finally {
      ec2.destroy();
      iam?.destroy();
    }
  };
}

/** Every partition of the scan, PARTITIONS_PER_SCAN at a time, as the runner schedules them. */
async function bareScan(aws: AwsClients, roleArn: string): Promise<void> {
  const credentials = await aws.credentialsFor({ method: 'role', roleArn, externalId: 'bench' });
  const limiter: Limiter = createLimiter(PARTITIONS_PER_SCAN);
  const partitions = collectors.flatMap((c) => (c.scope === 'global' ? [{ collector: c.name, region: GLOBAL_API_REGION }] : REGIONS.map((region) => ({ collector: c.name, region }))));
  await Promise.all(partitions.map((p) => limiter.run(bareCalls(aws, credentials, p.collector, p.region))));
}

/** requestScan and the runner to the scan's end, on a fresh connection (so every resource is a discovery). */
async function engineScan(engine: ScanEngineFixture): Promise<Extract<ScanEvent, { type: 'ScanFinished' }>['data']> {
  const { orgId, connectionId } = await engine.connect({ accountId: ACCOUNT, regions: REGIONS });
  const { scanId } = await requestScan(engine.deps, { orgId, connectionId, actor: userActor('bench', 'owner'), trigger: 'manual' });
  const ended = await runScan(engine.deps, scanId, { signal: new AbortController().signal, overall: createLimiter(8) });
  if (ended !== 'finished') throw new Error(`scan ${scanId} ended ${ended}`);
  const finished = (await engine.finished(scanId)).find((e): e is Extract<ScanEvent, { type: 'ScanFinished' }> => e.type === 'ScanFinished');
  if (finished?.data.status !== 'completed') throw new Error(`scan ${scanId} finished ${JSON.stringify(finished?.data)}`);
  return finished.data;
}

/** Counts calls by command name across every service, to hold the baseline to the engine's calls. */
function counting(aws: AwsClients): { aws: AwsClients; calls: Map<string, number> } {
  const calls = new Map<string, number>();
  const count = (name: string) => calls.set(name, (calls.get(name) ?? 0) + 1);
  let counted = aws;
  for (const service of ['ec2', 'iam', 's3', 'rds', 'lambda'] as const) counted = onEveryAttempt(counted, service, count);
  return { aws: counted, calls };
}
const sorted = (calls: Map<string, number>) => JSON.stringify([...calls].sort(([a], [b]) => (a < b ? -1 : 1)));

export async function scanOverheadBenches(): Promise<BenchResult[]> {
  const moto = await startMoto().catch((error: unknown) => ({ reason: `moto did not start: ${(error as Error).message.split('\n')[0]}`, peer: undefined }));
  if (!moto.peer) {
    console.error(`scan-overhead skipped: ${moto.reason}`);
    return [];
  }
  // Cloudventory's own identity against moto, as vitest.config.ts sets it for the integration tests.
  Object.assign(process.env, { AWS_ACCESS_KEY_ID: 'testing', AWS_SECRET_ACCESS_KEY: 'testing', AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' });
  const engine = scanEngineFixture(moto.peer.url);
  try {
    const aws = engine.deps.aws;
    const roleArn = `arn:aws:iam::${ACCOUNT}:role/CloudventoryReadOnly`;
    await seed(aws, await aws.credentialsFor({ method: 'role', roleArn: `arn:aws:iam::${ACCOUNT}:role/Admin`, externalId: 'owner' }));

    // Untimed: warms the SDK and moto, and checks that both sides make exactly the same calls.
    const oursCounted = counting(aws);
    const warm = await engineScan({ ...engine, deps: { ...engine.deps, aws: oursCounted.aws } });
    const bareCounted = counting(aws);
    await bareScan(bareCounted.aws, roleArn);
    if (sorted(oursCounted.calls) !== sorted(bareCounted.calls)) throw new Error(`scan-overhead: the baseline's calls ${sorted(bareCounted.calls)} differ from the engine's ${sorted(oursCounted.calls)}`);

    // Best of ROUNDS for each, interleaved so a busy moment of the machine hits both alike.
    let ours = Infinity;
    let baseline = Infinity;
    for (let round = 0; round < ROUNDS; round++) {
      let start = performance.now();
      await bareScan(aws, roleArn);
      baseline = Math.min(baseline, (performance.now() - start) / 1000);
      start = performance.now();
      await engineScan(engine);
      ours = Math.min(ours, (performance.now() - start) / 1000);
    }
    return [result('scan-overhead', 's', ours, baseline, 'ratio <= 1.3', { resources: warm.discovered, awsCalls: [...oursCounted.calls.values()].reduce((a, b) => a + b, 0) })];
  } finally {
    await engine.close();
    await moto.peer.stop();
  }
}
