import type { InventoryFilters } from './filters.ts';
import { freshness } from './freshness.ts';
import type { InventoryReadModels } from './read-models.ts';
import { liveCountsOf, scopesOf } from './scopes.ts';
import type { ScopeDocument } from '../model.ts';

/** How many resources as of `asOf`, by type, region and account, from the per-scope live counts. */
export async function asOfSummary(models: InventoryReadModels, orgId: string, { asOf, filters }: { asOf: string; filters: Pick<InventoryFilters, 'type' | 'region' | 'account'> }) {
  const covered = await scopesOf(models, orgId, filters);
  const counts = await liveCountsOf(models, covered, asOf);
  const tally = (keyOf: (s: ScopeDocument) => string) => {
    const totals = new Map<string, number>();
    for (const { scope, live } of counts) if (live > 0) totals.set(keyOf(scope), (totals.get(keyOf(scope)) ?? 0) + live);
    // Largest first; equal counts by name, so the order is stable.
    return [...totals].sort(([a, x], [b, y]) => y - x || (a < b ? -1 : a > b ? 1 : 0));
  };
  return {
    total: counts.reduce((sum, c) => sum + c.live, 0),
    byType: tally((s) => s.type).map(([type, count]) => ({ type, count })),
    byRegion: tally((s) => s.region).map(([region, count]) => ({ region, count })),
    byAccount: tally((s) => s.accountId).map(([accountId, count]) => ({ accountId, count })),
    freshness: await freshness(models, orgId, asOf, covered),
  };
}
