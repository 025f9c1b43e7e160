import { DescribeRegionsCommand } from '@aws-sdk/client-ec2';
import { ListAccountAliasesCommand } from '@aws-sdk/client-iam';
import { GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import type { AccountCheck } from '../../domain/connections/connection.ts';
import { AppError } from '../../domain/errors.ts';
import type { AwsAccess, AwsClients, AwsCredentialIdentity } from '../../scanner/aws/clients.ts';

/** The steps of a check, in order; a failure names the one that failed. */
type Step = 'AssumeRole' | 'GetCallerIdentity' | 'ListAccountAliases' | 'DescribeRegions';

interface AwsFailure {
  name?: string;
  message?: string;
  $metadata?: { httpStatusCode?: number };
}

const permissionOf: Record<Step, string> = {
  AssumeRole: 'sts:AssumeRole',
  GetCallerIdentity: 'sts:GetCallerIdentity',
  ListAccountAliases: 'iam:ListAccountAliases',
  DescribeRegions: 'ec2:DescribeRegions',
};
const DENIED = new Set(['AccessDenied', 'AccessDeniedException', 'UnauthorizedOperation']);
const OWN_CREDENTIALS = new Set(['InvalidClientTokenId', 'SignatureDoesNotMatch', 'ExpiredToken']);

/**
 * What AWS said, as a message a customer can act on. AWS refusing is 422 (the request was fine, the
 * access is not); AWS being unreachable or failing is 503 (try again later).
 */
function explain(error: unknown, step: Step, access: AwsAccess): AppError {
  const failure = (error ?? {}) as AwsFailure;
  const code = failure.name ?? 'UnknownError';
  const status = failure.$metadata?.httpStatusCode;
  const said = failure.message ? ` (AWS said: ${failure.message})` : '';
  const details = { step, awsError: code };
  if (status === undefined || status >= 500)
    return new AppError('STORE_UNAVAILABLE', `AWS could not be reached to check the connection; try again in a moment${said}`, { cause: error });

  const unprocessable = (message: string) => new AppError('UNPROCESSABLE', message + said, { details, cause: error });
  if (step === 'AssumeRole' && access.method === 'role') {
    // Our own credentials being refused is our fault, not the customer's.
    if (OWN_CREDENTIALS.has(code)) return new AppError('STORE_UNAVAILABLE', "Cloudventory's own AWS credentials were refused; this is on our side and has been logged", { cause: error });
    if (DENIED.has(code))
      return unprocessable(
        `Cloudventory was not allowed to assume the role ${access.roleArn}. Check the role's trust policy: it must trust Cloudventory's AWS account ` +
          `and require the external id ${access.externalId} (sts:ExternalId). Copy both from the connection setup (trust policy or CloudFormation snippet)`,
      );
    return unprocessable(`AWS refused to let Cloudventory assume the role ${access.roleArn}; check the role ARN`);
  }
  if (code === 'InvalidClientTokenId') return unprocessable('AWS does not know this access key id; check that it was copied whole and that the key is active');
  if (code === 'SignatureDoesNotMatch') return unprocessable('The secret access key does not match the access key id; check that it was copied whole');
  if (code === 'ExpiredToken') return unprocessable('These credentials have expired');
  const who = access.method === 'role' ? 'The role' : 'The access key';
  if (DENIED.has(code))
    return unprocessable(`${who} works but is not allowed ${permissionOf[step]}; attach the AWS managed policies ReadOnlyAccess and SecurityAudit to it`);
  return unprocessable(`AWS refused ${step} with ${code}`);
}

async function step<T>(name: Step, access: AwsAccess, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    throw explain(error, name, access);
  }
}

/** Regions the account can use: DescribeRegions also lists opt-in regions that are not enabled. */
const enabled = (status: string | undefined) => status === undefined || status === 'opt-in-not-required' || status === 'opted-in';

/**
 * Proves the access works before anything is stored: assume the role with the organisation's
 * external id (or take the keys), then find out which account it reaches, its alias, and its
 * enabled regions — the same reads a scan will need.
 */
export async function checkAccount(aws: AwsClients, access: AwsAccess): Promise<AccountCheck> {
  const credentials: AwsCredentialIdentity = await step('AssumeRole', access, () => aws.credentialsFor(access));
  const sts = aws.sts(credentials);
  const iam = aws.iam(credentials);
  const ec2 = aws.ec2(credentials, 'us-east-1');
  try {
    const identity = await step('GetCallerIdentity', access, () => sts.send(new GetCallerIdentityCommand({})));
    const aliases = await step('ListAccountAliases', access, () => iam.send(new ListAccountAliasesCommand({})));
    const regions = await step('DescribeRegions', access, () => ec2.send(new DescribeRegionsCommand({ AllRegions: true })));
    return {
      accountId: identity.Account!,
      alias: aliases.AccountAliases?.[0] ?? null,
      enabledRegions: (regions.Regions ?? [])
        .filter((r) => r.RegionName && enabled(r.OptInStatus))
        .map((r) => r.RegionName!)
        .sort(),
    };
  } finally {
    sts.destroy();
    iam.destroy();
    ec2.destroy();
  }
}
