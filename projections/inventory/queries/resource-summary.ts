import type { ResourceVersionDocument } from '../model.ts';

/** One resource in a list, an export or a comparison: what it was in the version shown. */
export interface ResourceSummary {
  key: string;
  arn: string;
  type: string;
  name: string;
  accountId: string;
  region: string;
  connectionId: string;
  tags: Record<string, string>;
  validFrom: string;
}

export const summaryOf = (v: ResourceVersionDocument): ResourceSummary => ({
  key: v.key,
  arn: v.arn,
  type: v.type,
  name: v.name,
  accountId: v.accountId,
  region: v.region,
  connectionId: v.connectionId,
  tags: v.resource?.tags ?? {},
  validFrom: v.validFrom,
});
