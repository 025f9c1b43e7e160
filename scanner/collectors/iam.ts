import type { Collector } from './collector.ts';
import { collectIamAccount } from './iam/account.ts';
import { collectIamPolicies } from './iam/policies.ts';
import { collectIamRoles } from './iam/roles.ts';
import { collectIamUsers } from './iam/users.ts';

/** IAM is global: users, roles, customer-managed policies and the account, once per account. */
export const iamCollector: Collector = {
  name: 'iam',
  scope: 'global',
  types: ['iam:user', 'iam:role', 'iam:policy', 'iam:account'],
  async *collect(input) {
    const iam = input.aws.iam(input.credentials);
    try {
      yield* collectIamUsers(input, iam);
      yield* collectIamRoles(input, iam);
      yield* collectIamPolicies(input, iam);
      yield await collectIamAccount(input, iam);
    } finally {
      iam.destroy();
    }
  },
};
