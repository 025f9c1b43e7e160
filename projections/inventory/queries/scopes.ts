import type { Filter } from '../../../domain/read-models/document-store.ts';
import type { ScopeDocument } from '../model.ts';
import type { InventoryReadModels } from './read-models.ts';

/** The scopes (account, region, type) of the organisation an answer covers. */
export async function scopesOf(
  models: InventoryReadModels,
  orgId: string,
  filters: { type?: string | readonly string[] | undefined; region?: string | undefined; account?: string | undefined },
): Promise<ScopeDocument[]> {
  const clauses: Filter[] = [{ orgId }];
  if (filters.account) clauses.push({ accountId: filters.account });
  if (filters.region) clauses.push({ region: filters.region });
  if (typeof filters.type === 'string') clauses.push({ type: filters.type });
  else if (filters.type) clauses.push({ type: { $in: filters.type } });
  return (await models.scopes()).find({ $and: clauses }, { sort: [['accountId', 1], ['region', 1], ['type', 1]] });
}

/** Live resources per scope as of T: the latest count document at or before T, one indexed lookup per scope. */
export async function liveCountsOf(models: InventoryReadModels, scopes: readonly ScopeDocument[], at: string): Promise<Array<{ scope: ScopeDocument; live: number }>> {
  const collection = await models.liveCounts();
  return Promise.all(
    scopes.map(async (scope) => {
      const [latest] = await collection.find({ scopeId: scope._id, at: { $lte: at } }, { sort: [['at', -1], ['_id', -1]], limit: 1 });
      return { scope, live: latest?.live ?? 0 };
    }),
  );
}
