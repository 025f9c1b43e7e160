import { countAsOf, validAt } from './as-of.ts';
import { decodeCursor, encodeCursor, valuesOf } from './cursors.ts';
import type { InventoryFilters } from './filters.ts';
import { freshness } from './freshness.ts';
import { walk } from './keyset-walk.ts';
import type { InventoryReadModels } from './read-models.ts';
import { summaryOf } from './resource-summary.ts';
import { liveCountsOf, scopesOf } from './scopes.ts';
import { orderOf, SORT_TOKENS, sortToken, type InventorySort } from './sort-orders.ts';

/** One page of the estate as of `asOf`, with its total and how fresh the scopes it covers are. */
export async function asOfPage(
  models: InventoryReadModels,
  orgId: string,
  query: { asOf: string; filters: InventoryFilters; sort: InventorySort; cursor?: string | undefined; limit: number },
) {
  const { asOf, filters, sort, limit } = query;
  const { fields, index } = orderOf(sort.key, filters);
  const token = sortToken(sort);
  const after = query.cursor ? decodeCursor(query.cursor, token, fields.length, SORT_TOKENS) : undefined;
  const where = await validAt(models, orgId, asOf, filters, sort.key === 'changed' ? 'changed' : { index });
  const found = await walk(await models.versions(), where, fields, sort.descending ? -1 : 1, after, limit + 1);
  const page = found.slice(0, limit);
  const covered = await scopesOf(models, orgId, filters);
  // Counted from the per-scope live counts, never from the versions; except that no count is kept
  // per tag or search text, so with `tag` or `q` the matching versions are counted (a scan of the
  // organisation's versions valid at asOf: slower, and exact).
  const total = filters.tag || filters.q ? await countAsOf(models, orgId, asOf, filters) : (await liveCountsOf(models, covered, asOf)).reduce((sum, c) => sum + c.live, 0);
  return {
    total,
    resources: page.map(summaryOf),
    nextCursor: found.length > limit ? encodeCursor(token, valuesOf(page.at(-1)!, fields)) : null,
    freshness: await freshness(models, orgId, asOf, covered),
  };
}
