import { CreateRoleCommand } from '@aws-sdk/client-iam';
import { GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import { afterAll, describe, expect, it } from 'vitest';
import { startMoto } from '../../infra/testing/peers.ts';
import { createAwsClients } from './clients.ts';

const moto = await startMoto();
afterAll(() => moto.peer?.stop());
if (moto.reason) console.log(`AWS client tests skipped: ${moto.reason}`);

describe.runIf(moto.peer)('AWS clients against moto', () => {
  it('uses keys as given, and assumes a role in another account with an external id', async () => {
    const aws = createAwsClients({ endpoint: moto.peer!.url });
    const keys = await aws.credentialsFor({ method: 'keys', accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY' });
    const own = await aws.sts(keys).send(new GetCallerIdentityCommand({}));
    expect(own.Account).toBe('123456789012');

    await aws.iam(keys).send(new CreateRoleCommand({ RoleName: 'CloudventoryReadOnly', AssumeRolePolicyDocument: '{}' }));
    const session = await aws.credentialsFor({ method: 'role', roleArn: 'arn:aws:iam::210987654321:role/CloudventoryReadOnly', externalId: 'cv-ext-1' });
    expect(session.sessionToken).toBeTruthy();
    const assumed = await aws.sts(session).send(new GetCallerIdentityCommand({}));
    expect(assumed.Account).toBe('210987654321');
    expect(assumed.Arn).toContain('assumed-role/CloudventoryReadOnly/cloudventory-scan');
  });
});
