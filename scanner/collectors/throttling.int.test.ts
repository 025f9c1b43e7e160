import { EC2ServiceException } from '@aws-sdk/client-ec2';
import { IAMServiceException } from '@aws-sdk/client-iam';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { resetMoto, startMoto } from '../../infra/testing/peers.ts';
import { createAwsClients } from '../aws/clients.ts';
import { classifyAwsError } from '../aws/errors.ts';
import { onEveryAttempt } from '../testing/instrument-clients.ts';
import { runInstance } from '../testing/seed-account.ts';
import { ec2InstanceCollector } from './ec2-instances.ts';
import { iamCollector } from './iam.ts';

const moto = await startMoto();
afterAll(() => moto.peer?.stop());
if (moto.reason) console.log(`throttling tests skipped: ${moto.reason}`);

const ACCOUNT = '123456789012';
const credentials = { accessKeyId: 'testing', secretAccessKey: 'testing' };

async function drain<T>(stream: AsyncIterable<T>): Promise<T[]> {
  const items: T[] = [];
  for await (const item of stream) items.push(item);
  return items;
}

// moto never throttles: these are the errors EC2 and IAM answer when they do.
const ec2SlowDown = () => new EC2ServiceException({ name: 'RequestLimitExceeded', $fault: 'client', $metadata: { httpStatusCode: 503 }, message: 'Request limit exceeded.' });
const iamSlowDown = () => new IAMServiceException({ name: 'Throttling', $fault: 'client', $metadata: { httpStatusCode: 400 }, message: 'Rate exceeded' });

describe.runIf(moto.peer)('collectors under throttling', () => {
  beforeEach(() => resetMoto(moto.peer!.url));

  it('complete when AWS throttles the first calls, thanks to the adaptive retry', async () => {
    const aws = createAwsClients({ endpoint: moto.peer?.url });
    const ec2 = aws.ec2(credentials, 'eu-west-1');
    const instance = await runInstance(ec2, {});
    ec2.destroy();
    let attempts = 0;
    const throttled = onEveryAttempt(aws, 'ec2', () => {
      if (++attempts <= 2) throw ec2SlowDown();
    });

    const found = await drain(ec2InstanceCollector.collect({ aws: throttled, credentials, accountId: ACCOUNT, region: 'eu-west-1' }));

    expect(found.map((r) => r.config.instanceId)).toEqual([instance.InstanceId]);
    expect(attempts).toBe(3);
  });

  it('give up as "throttled" when every attempt is throttled', async () => {
    const aws = createAwsClients({ endpoint: moto.peer?.url, maxAttempts: 2 });
    let attempts = 0;
    const throttled = onEveryAttempt(aws, 'iam', () => {
      attempts++;
      throw iamSlowDown();
    });

    const failure = await drain(iamCollector.collect({ aws: throttled, credentials, accountId: ACCOUNT, region: 'us-east-1' })).catch((error: unknown) => error);

    expect(classifyAwsError(failure)).toEqual({ outcome: 'throttled', code: 'Throttling', message: 'Rate exceeded' });
    expect(attempts).toBe(2);
  });
});
