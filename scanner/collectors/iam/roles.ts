import { paginateListAttachedRolePolicies, paginateListRolePolicies, paginateListRoles, paginateListRoleTags, type IAMClient, type IAMPaginationConfiguration, type Role } from '@aws-sdk/client-iam';
import { recoverFrom } from '../../aws/errors.ts';
import { everyItem } from '../../aws/pages.ts';
import { parsePolicyDocument, trustPrincipals } from '../../aws/policy-document.ts';
import { tagMap } from '../../aws/tags.ts';
import { normalise } from '../../resource.ts';
import { GLOBAL_REGION, RELATION, type NormalizedResource } from '../../../domain/inventory/resource.ts';
import { pageSize, type CollectInput } from '../collector.ts';
import { sortedUnique } from '../order.ts';

const GONE = ['NoSuchEntity', 'NoSuchEntityException'];

/** IAM roles: who may assume them (trust principals) and what they may do (attached policies). RoleLastUsed is volatile and left out. */
export async function* collectIamRoles(input: CollectInput, iam: IAMClient): AsyncIterable<NormalizedResource> {
  const config = { client: iam, pageSize: pageSize(input, { min: 1, max: 1000 }), stopOnSameToken: true };
  for await (const page of paginateListRoles(config, {})) {
    for (const role of page.Roles ?? []) {
      if (!role.RoleName || !role.Arn) continue;
      const resource = await recoverFrom(describeRole(input, config, role), GONE, undefined);
      if (resource) yield resource;
    }
  }
}

async function describeRole(input: CollectInput, config: IAMPaginationConfiguration, role: Role): Promise<NormalizedResource> {
  const RoleName = role.RoleName as string;
  const [tags, attached, inlineNames] = await Promise.all([
    everyItem(paginateListRoleTags(config, { RoleName }), (p) => p.Tags),
    everyItem(paginateListAttachedRolePolicies(config, { RoleName }), (p) => p.AttachedPolicies),
    everyItem(paginateListRolePolicies(config, { RoleName }), (p) => p.PolicyNames),
  ]);
  const trustPolicy = parsePolicyDocument(role.AssumeRolePolicyDocument);
  const policyArns = sortedUnique(attached.map((p) => p.PolicyArn));
  return normalise({
    arn: role.Arn as string,
    type: 'iam:role',
    accountId: input.accountId,
    region: GLOBAL_REGION,
    name: RoleName,
    tags: tagMap(tags),
    config: {
      roleId: role.RoleId,
      path: role.Path,
      createDate: role.CreateDate,
      description: role.Description || undefined,
      maxSessionDuration: role.MaxSessionDuration,
      trustPrincipals: trustPrincipals(trustPolicy),
      // The whole trust policy too: its conditions (external id, source account) matter as much as the principals.
      trustPolicy,
      attachedPolicyArns: policyArns,
      inlinePolicyNames: sortedUnique(inlineNames),
    },
    relationships: policyArns.map((policyArn) => ({ kind: RELATION.hasPolicy, target: policyArn })),
  });
}
