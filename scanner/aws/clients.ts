import { EC2Client } from '@aws-sdk/client-ec2';
import { IAMClient } from '@aws-sdk/client-iam';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { RDSClient } from '@aws-sdk/client-rds';
import { S3Client } from '@aws-sdk/client-s3';
import { AssumeRoleCommand, GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';

/** Credentials for one account, as the SDK takes them. */
export interface AwsCredentialIdentity {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string | undefined;
  expiration?: Date | undefined;
}

/** How Cloudventory reaches a customer's account: a role it assumes, or access keys it was given. */
export type AwsAccess =
  | { method: 'role'; roleArn: string; externalId: string }
  | { method: 'keys'; accessKeyId: string; secretAccessKey: string };

export interface AwsClientOptions {
  /** Every client talks to this endpoint instead of AWS (a local emulator in tests and demos). */
  endpoint?: string | undefined;
  /** Attempts per call, with the SDK's adaptive retry (backs off on throttling). */
  maxAttempts?: number;
}

interface ClientConfig {
  region: string;
  credentials: AwsCredentialIdentity;
  endpoint?: string;
  maxAttempts: number;
  retryMode: 'adaptive';
}

/** Short-lived role sessions: long enough for one scan, short enough to be worthless if leaked. */
const ROLE_SESSION_SECONDS = 900;
const GLOBAL_REGION = 'us-east-1';

/**
 * The one place AWS SDK clients are made: every client gets the same endpoint, retry policy and
 * credentials, so tests and the scanner can point everything at an emulator in one setting.
 */
export function createAwsClients(options: AwsClientOptions = {}) {
  const maxAttempts = options.maxAttempts ?? 6;
  const config = (region: string, credentials: AwsCredentialIdentity): ClientConfig => ({
    region,
    credentials,
    maxAttempts,
    retryMode: 'adaptive',
    ...(options.endpoint ? { endpoint: options.endpoint } : {}),
  });

  return {
    /** Credentials for the customer's account: the keys themselves, or a fresh role session with the external id. */
    async credentialsFor(access: AwsAccess): Promise<AwsCredentialIdentity> {
      if (access.method === 'keys') return { accessKeyId: access.accessKeyId, secretAccessKey: access.secretAccessKey };
      // Cloudventory's own identity (the default provider chain) assumes the customer's role.
      const sts = new STSClient({ region: GLOBAL_REGION, maxAttempts, ...(options.endpoint ? { endpoint: options.endpoint } : {}) });
      try {
        const { Credentials: c } = await sts.send(
          new AssumeRoleCommand({ RoleArn: access.roleArn, ExternalId: access.externalId, RoleSessionName: 'cloudventory-scan', DurationSeconds: ROLE_SESSION_SECONDS }),
        );
        if (!c?.AccessKeyId || !c.SecretAccessKey) throw new Error('AssumeRole returned no credentials');
        return { accessKeyId: c.AccessKeyId, secretAccessKey: c.SecretAccessKey, sessionToken: c.SessionToken, expiration: c.Expiration };
      } finally {
        sts.destroy();
      }
    },
    /** Cloudventory's own identity (the default provider chain): the account customers' roles must trust. */
    async ownIdentity(): Promise<{ accountId: string; arn: string }> {
      const sts = new STSClient({ region: GLOBAL_REGION, maxAttempts, ...(options.endpoint ? { endpoint: options.endpoint } : {}) });
      try {
        const { Account, Arn } = await sts.send(new GetCallerIdentityCommand({}));
        if (!Account || !Arn) throw new Error('GetCallerIdentity returned no account');
        return { accountId: Account, arn: Arn };
      } finally {
        sts.destroy();
      }
    },
    sts: (credentials: AwsCredentialIdentity, region = GLOBAL_REGION) => new STSClient(config(region, credentials)),
    iam: (credentials: AwsCredentialIdentity) => new IAMClient(config(GLOBAL_REGION, credentials)),
    ec2: (credentials: AwsCredentialIdentity, region: string) => new EC2Client(config(region, credentials)),
    // Emulators serve buckets by path, not by subdomain.
    s3: (credentials: AwsCredentialIdentity, region: string) => new S3Client({ ...config(region, credentials), forcePathStyle: Boolean(options.endpoint) }),
    rds: (credentials: AwsCredentialIdentity, region: string) => new RDSClient(config(region, credentials)),
    lambda: (credentials: AwsCredentialIdentity, region: string) => new LambdaClient(config(region, credentials)),
  };
}

export type AwsClients = ReturnType<typeof createAwsClients>;
