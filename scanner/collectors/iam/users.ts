import {
  GetLoginProfileCommand,
  paginateListAccessKeys,
  paginateListAttachedUserPolicies,
  paginateListGroupsForUser,
  paginateListMFADevices,
  paginateListUserPolicies,
  paginateListUsers,
  paginateListUserTags,
  type IAMClient,
  type IAMPaginationConfiguration,
  type User,
} from '@aws-sdk/client-iam';
import { recoverFrom } from '../../aws/errors.ts';
import { everyItem } from '../../aws/pages.ts';
import { tagMap } from '../../aws/tags.ts';
import { normalise } from '../../resource.ts';
import { GLOBAL_REGION, RELATION, type NormalizedResource } from '../../../domain/inventory/resource.ts';
import { pageSize, type CollectInput } from '../collector.ts';
import { byText, sortedUnique } from '../order.ts';
import { accessKeyAge } from './access-key-age.ts';

const GONE = ['NoSuchEntity', 'NoSuchEntityException'];

/**
 * IAM users with their access keys (status and age bucket), MFA devices, groups and attached
 * policies. Left out as volatile: PasswordLastUsed and each key's LastUsedDate, which move on use.
 */
export async function* collectIamUsers(input: CollectInput, iam: IAMClient): AsyncIterable<NormalizedResource> {
  const config = { client: iam, pageSize: pageSize(input, { min: 1, max: 1000 }), stopOnSameToken: true };
  for await (const page of paginateListUsers(config, {})) {
    for (const user of page.Users ?? []) {
      if (!user.UserName || !user.Arn) continue;
      // A user deleted between the listing and these reads is gone: leave it out.
      const resource = await recoverFrom(describeUser(input, iam, config, user), GONE, undefined);
      if (resource) yield resource;
    }
  }
}

async function describeUser(input: CollectInput, iam: IAMClient, config: IAMPaginationConfiguration, user: User): Promise<NormalizedResource> {
  const UserName = user.UserName as string;
  const now = input.now ?? new Date();
  const [tags, keys, mfaDevices, attached, inlineNames, groups, loginProfile] = await Promise.all([
    everyItem(paginateListUserTags(config, { UserName }), (p) => p.Tags),
    everyItem(paginateListAccessKeys(config, { UserName }), (p) => p.AccessKeyMetadata),
    everyItem(paginateListMFADevices(config, { UserName }), (p) => p.MFADevices),
    everyItem(paginateListAttachedUserPolicies(config, { UserName }), (p) => p.AttachedPolicies),
    everyItem(paginateListUserPolicies(config, { UserName }), (p) => p.PolicyNames),
    everyItem(paginateListGroupsForUser(config, { UserName }), (p) => p.Groups),
    recoverFrom(iam.send(new GetLoginProfileCommand({ UserName })), GONE, undefined),
  ]);
  const policyArns = sortedUnique(attached.map((p) => p.PolicyArn));
  return normalise({
    arn: user.Arn as string,
    type: 'iam:user',
    accountId: input.accountId,
    region: GLOBAL_REGION,
    name: UserName,
    tags: tagMap(tags),
    config: {
      userId: user.UserId,
      path: user.Path,
      createDate: user.CreateDate,
      consolePassword: loginProfile !== undefined,
      accessKeys: keys
        .map((key) => ({ accessKeyId: key.AccessKeyId, status: key.Status, createDate: key.CreateDate, age: accessKeyAge(key.CreateDate, now) }))
        .sort(byText((key) => key.accessKeyId)),
      mfaDevices: sortedUnique(mfaDevices.map((device) => device.SerialNumber)),
      groups: sortedUnique(groups.map((group) => group.GroupName)),
      attachedPolicyArns: policyArns,
      inlinePolicyNames: sortedUnique(inlineNames),
    },
    relationships: policyArns.map((policyArn) => ({ kind: RELATION.hasPolicy, target: policyArn })),
  });
}
