import { GetAccountSummaryCommand, paginateListAccountAliases, type IAMClient } from '@aws-sdk/client-iam';
import { accountArn } from '../../aws/arn.ts';
import { everyItem } from '../../aws/pages.ts';
import { normalise } from '../../resource.ts';
import { GLOBAL_REGION, type NormalizedResource } from '../../../domain/inventory/resource.ts';
import type { CollectInput } from '../collector.ts';
import { sortedUnique } from '../order.ts';

/**
 * The account itself, once: its alias and IAM summary (root MFA, root keys present, entity counts
 * and quotas). The counts move when IAM entities come and go, which is a change of the account.
 */
export async function collectIamAccount(input: CollectInput, iam: IAMClient): Promise<NormalizedResource> {
  const [aliases, summary] = await Promise.all([
    everyItem(paginateListAccountAliases({ client: iam, stopOnSameToken: true }, {}), (p) => p.AccountAliases),
    iam.send(new GetAccountSummaryCommand({})),
  ]);
  const sortedAliases = sortedUnique(aliases);
  return normalise({
    arn: accountArn(input.accountId),
    type: 'iam:account',
    accountId: input.accountId,
    region: GLOBAL_REGION,
    name: sortedAliases[0] ?? input.accountId,
    tags: {},
    config: { aliases: sortedAliases, summary: summary.SummaryMap ?? {} },
    relationships: [],
  });
}
