import { CreateAccessKeyCommand, CreateUserCommand } from '@aws-sdk/client-iam';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { resetMoto, startMoto } from '../../infra/testing/peers.ts';
import { ec2InstanceCollector } from '../collectors/ec2-instances.ts';
import { iamCollector } from '../collectors/iam.ts';
import { s3BucketCollector } from '../collectors/s3-buckets.ts';
import type { Collector } from '../collectors/collector.ts';
import { createAwsClients, type AwsCredentialIdentity } from './clients.ts';
import { classifyAwsError } from './errors.ts';

// This file's own moto: IAM authorisation is switched on for it, which no other suite could bear.
const moto = await startMoto();
afterAll(() => moto.peer?.stop());
if (moto.reason) console.log(`access-denied tests skipped: ${moto.reason}`);

const ACCOUNT = '123456789012';

/**
 * moto's switch for IAM authorisation (what INITIAL_NO_AUTH_ACTION_COUNT sets at start-up): after
 * `afterRequests` more requests, every request is checked against the caller's IAM policies.
 */
async function authoriseRequestsAfter(url: string, afterRequests: number | 'never'): Promise<void> {
  const response = await fetch(`${url}/moto-api/reset-auth`, { method: 'POST', body: afterRequests === 'never' ? 'inf' : String(afterRequests) });
  if (!response.ok) throw new Error(`moto reset-auth failed with ${response.status}`);
}

async function failureOf(collector: Collector, credentials: AwsCredentialIdentity, region: string): Promise<unknown> {
  const aws = createAwsClients({ endpoint: moto.peer?.url, maxAttempts: 1 });
  try {
    for await (const _ of collector.collect({ aws, credentials, accountId: ACCOUNT, region })) return new Error('collected although denied');
    return new Error('completed although denied');
  } catch (error) {
    return error;
  }
}

describe.runIf(moto.peer)('collectors without permission', () => {
  beforeEach(async () => {
    await authoriseRequestsAfter(moto.peer!.url, 'never');
    await resetMoto(moto.peer!.url);
  });
  afterAll(() => moto.peer && authoriseRequestsAfter(moto.peer.url, 'never'));

  it('fail as "denied" with the AWS code when the identity has no policy', async () => {
    const aws = createAwsClients({ endpoint: moto.peer?.url });
    const iam = aws.iam({ accessKeyId: 'testing', secretAccessKey: 'testing' });
    await iam.send(new CreateUserCommand({ UserName: 'cv-no-permissions' }));
    const { AccessKey } = await iam.send(new CreateAccessKeyCommand({ UserName: 'cv-no-permissions' }));
    iam.destroy();
    const powerless = { accessKeyId: AccessKey!.AccessKeyId!, secretAccessKey: AccessKey!.SecretAccessKey! };
    await authoriseRequestsAfter(moto.peer!.url, 0);

    for (const [collector, region] of [
      [ec2InstanceCollector, 'eu-west-1'],
      [iamCollector, 'us-east-1'],
      [s3BucketCollector, 'us-east-1'],
    ] as const) {
      const classified = classifyAwsError(await failureOf(collector, powerless, region));
      expect(classified, collector.name).toMatchObject({ outcome: 'denied', code: 'AccessDenied' });
    }
  });

  it('fail as "denied" (AuthFailure) when EC2 does not know the keys', async () => {
    await authoriseRequestsAfter(moto.peer!.url, 0);
    const unknown = { accessKeyId: 'AKIAUNKNOWNKEY000000', secretAccessKey: 'not-a-secret' };

    const classified = classifyAwsError(await failureOf(ec2InstanceCollector, unknown, 'eu-west-1'));

    expect(classified).toMatchObject({ outcome: 'denied', code: 'AuthFailure', message: 'AWS was not able to validate the provided access credentials' });
  });
});
