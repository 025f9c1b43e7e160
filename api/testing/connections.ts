import { CreateAccessKeyCommand, CreateAccountAliasCommand, CreateUserCommand } from '@aws-sdk/client-iam';
import { expect } from 'vitest';
import { createAwsClients, type AwsCredentialIdentity } from '../../scanner/aws/clients.ts';
import type { ApiClient } from './client.ts';

/**
 * Test helpers for AWS connections: accounts, roles and keys made in moto (the real peer), and
 * connections made through the real API.
 */

/** moto's own account: where plain (not assumed) credentials act. */
export const MOTO_ACCOUNT = '123456789012';
const admin: AwsCredentialIdentity = { accessKeyId: 'testing', secretAccessKey: 'testing' };
const unique = () => Math.random().toString(36).slice(2, 10);

/** A fresh account id nobody has connected yet (moto lets a role be assumed into any account id). */
export const newAccountId = () => String(100_000_000_000 + Math.floor(Math.random() * 899_999_999_999));

export function awsFixtures(endpoint: string) {
  const aws = createAwsClients({ endpoint, maxAttempts: 1 });
  /** Administrator credentials in the account, as its owner would have them. */
  const ownerOf = (accountId: string) =>
    accountId === MOTO_ACCOUNT ? Promise.resolve(admin) : aws.credentialsFor({ method: 'role', roleArn: `arn:aws:iam::${accountId}:role/Admin`, externalId: 'fixture' });

  return {
    /** A role ARN in the account (moto does not need the role to exist), giving the account an alias first when asked. */
    async roleIn(accountId: string, alias?: string): Promise<string> {
      if (alias) await aws.iam(await ownerOf(accountId)).send(new CreateAccountAliasCommand({ AccountAlias: alias }));
      return `arn:aws:iam::${accountId}:role/CloudventoryReadOnly`;
    },
    /** A new IAM user in the account and its access key; more keys for the same user when `userName` is given. */
    async keysIn(accountId = MOTO_ACCOUNT, userName?: string): Promise<{ accessKeyId: string; secretAccessKey: string; userName: string }> {
      const iam = aws.iam(await ownerOf(accountId));
      const name = userName ?? `cloudventory-${unique()}`;
      if (!userName) await iam.send(new CreateUserCommand({ UserName: name }));
      const { AccessKey } = await iam.send(new CreateAccessKeyCommand({ UserName: name }));
      return { accessKeyId: AccessKey!.AccessKeyId!, secretAccessKey: AccessKey!.SecretAccessKey!, userName: name };
    },
  };
}

export interface ConnectionView {
  id: string;
  name: string;
  method: 'role' | 'keys';
  roleArn: string | null;
  accessKeyId: string | null;
  accountId: string;
  alias: string | null;
  regions: 'all' | string[];
  enabledRegions: string[];
  validatedAt: string | null;
  keysRotatedAt: string | null;
  recommendation: string | null;
}

/** Connects an account through the API and expects it to work. */
export async function connect(client: ApiClient, orgId: string, body: Record<string, unknown>): Promise<ConnectionView> {
  const response = await client.post(`/api/orgs/${orgId}/connections`, { name: `Account ${unique()}`, ...body });
  expect(response.status, JSON.stringify(response.body)).toBe(201);
  return response.body.connection as ConnectionView;
}
