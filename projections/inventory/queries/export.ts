import { everythingAsOf } from './as-of.ts';
import type { InventoryFilters } from './filters.ts';
import type { InventoryReadModels } from './read-models.ts';
import { summaryOf, type ResourceSummary } from './resource-summary.ts';

/** Every resource as of `asOf` matching the filters, in name order, read a batch at a time. */
export async function* exportAsOf(models: InventoryReadModels, orgId: string, { asOf, filters }: { asOf: string; filters: InventoryFilters }): AsyncGenerator<ResourceSummary> {
  for await (const v of everythingAsOf(models, orgId, asOf, filters)) yield summaryOf(v);
}
