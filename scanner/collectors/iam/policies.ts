import { GetPolicyVersionCommand, paginateListPolicies, paginateListPolicyTags, type IAMClient, type IAMPaginationConfiguration, type Policy } from '@aws-sdk/client-iam';
import { recoverFrom } from '../../aws/errors.ts';
import { everyItem } from '../../aws/pages.ts';
import { parsePolicyDocument } from '../../aws/policy-document.ts';
import { tagMap } from '../../aws/tags.ts';
import { normalise } from '../../resource.ts';
import { GLOBAL_REGION, type NormalizedResource } from '../../../domain/inventory/resource.ts';
import { pageSize, type CollectInput } from '../collector.ts';

const GONE = ['NoSuchEntity', 'NoSuchEntityException'];

/**
 * Customer-managed policies with their default version's document. AttachmentCount and UpdateDate
 * are left out: attachments are recorded on the users and roles, and a new version shows as a new document.
 */
export async function* collectIamPolicies(input: CollectInput, iam: IAMClient): AsyncIterable<NormalizedResource> {
  const config = { client: iam, pageSize: pageSize(input, { min: 1, max: 1000 }), stopOnSameToken: true };
  for await (const page of paginateListPolicies(config, { Scope: 'Local' })) {
    for (const policy of page.Policies ?? []) {
      if (!policy.Arn || !policy.PolicyName) continue;
      const resource = await recoverFrom(describePolicy(input, iam, config, policy), GONE, undefined);
      if (resource) yield resource;
    }
  }
}

async function describePolicy(input: CollectInput, iam: IAMClient, config: IAMPaginationConfiguration, policy: Policy): Promise<NormalizedResource> {
  const PolicyArn = policy.Arn as string;
  const [tags, version] = await Promise.all([
    everyItem(paginateListPolicyTags(config, { PolicyArn }), (p) => p.Tags),
    policy.DefaultVersionId ? iam.send(new GetPolicyVersionCommand({ PolicyArn, VersionId: policy.DefaultVersionId })) : undefined,
  ]);
  return normalise({
    arn: PolicyArn,
    type: 'iam:policy',
    accountId: input.accountId,
    region: GLOBAL_REGION,
    name: policy.PolicyName as string,
    tags: tagMap(tags),
    config: {
      policyId: policy.PolicyId,
      path: policy.Path,
      createDate: policy.CreateDate,
      description: policy.Description || undefined,
      isAttachable: policy.IsAttachable,
      defaultVersionId: policy.DefaultVersionId,
      document: parsePolicyDocument(version?.PolicyVersion?.Document),
    },
    relationships: [],
  });
}
