import { CreateRoleCommand } from '@aws-sdk/client-iam';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { resetMoto, startMoto } from '../../infra/testing/peers.ts';
import { createAwsClients } from '../aws/clients.ts';
import { onEveryAttempt } from '../testing/instrument-clients.ts';
import { runInstance, tagged } from '../testing/seed-account.ts';
import { ec2InstanceCollector } from './ec2-instances.ts';
import { iamCollector } from './iam.ts';

const moto = await startMoto();
afterAll(() => moto.peer?.stop());
if (moto.reason) console.log(`pagination tests skipped: ${moto.reason}`);

const ACCOUNT = '123456789012';

describe.runIf(moto.peer)('collectors follow every page', () => {
  const aws = createAwsClients({ endpoint: moto.peer?.url });
  const credentials = { accessKeyId: 'testing', secretAccessKey: 'testing' };
  beforeEach(() => resetMoto(moto.peer!.url));

  it('read instances over several DescribeInstances pages, yielding the first page before asking for the next', async () => {
    const ec2 = aws.ec2(credentials, 'eu-west-1');
    const launched: string[] = [];
    // moto pages DescribeInstances by reservation: 7 launches are 7 reservations, two pages of 5.
    for (let i = 0; i < 7; i++) launched.push((await runInstance(ec2, { TagSpecifications: tagged('instance', { Name: `cv-page-${i}` }) })).InstanceId as string);
    ec2.destroy();
    const calls: string[] = [];
    const counted = onEveryAttempt(aws, 'ec2', (command) => calls.push(command));

    const stream = ec2InstanceCollector.collect({ aws: counted, credentials, accountId: ACCOUNT, region: 'eu-west-1', pageSize: 5 })[Symbol.asyncIterator]();
    const first = await stream.next();
    expect(first.done).toBe(false);
    expect(calls).toEqual(['DescribeInstancesCommand']);
    const ids = [(first.value as { config: { instanceId: string } }).config.instanceId];
    for (let next = await stream.next(); !next.done; next = await stream.next()) ids.push(next.value.config.instanceId as string);

    expect(ids.sort()).toEqual(launched.sort());
    expect(calls).toEqual(['DescribeInstancesCommand', 'DescribeInstancesCommand']);
  });

  it('read IAM roles over several ListRoles pages (MaxItems and Marker)', async () => {
    const iam = aws.iam(credentials);
    const trust = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' }] });
    const roles = ['cv-page-a', 'cv-page-b', 'cv-page-c', 'cv-page-d', 'cv-page-e'];
    for (const RoleName of roles) await iam.send(new CreateRoleCommand({ RoleName, AssumeRolePolicyDocument: trust }));
    iam.destroy();
    const calls: string[] = [];
    const counted = onEveryAttempt(aws, 'iam', (command) => calls.push(command));

    const found: string[] = [];
    for await (const resource of iamCollector.collect({ aws: counted, credentials, accountId: ACCOUNT, region: 'us-east-1', pageSize: 2 })) {
      if (resource.type === 'iam:role') found.push(resource.name);
    }

    expect(found.sort()).toEqual(roles);
    expect(calls.filter((c) => c === 'ListRolesCommand')).toHaveLength(3);
  });
});
