import type { DocumentStore } from '../../domain/read-models/document-store.ts';
import { asOfPage } from './queries/as-of-page.ts';
import { asOfSummary } from './queries/as-of-summary.ts';
import { compare } from './queries/compare.ts';
import { exportAsOf } from './queries/export.ts';
import type { InventoryFilters } from './queries/filters.ts';
import { history } from './queries/history.ts';
import { inventoryReadModels } from './queries/read-models.ts';
import { resourceAt } from './queries/resource-at.ts';
import { topology } from './queries/topology.ts';

export type { InventoryFilters } from './queries/filters.ts';
export type { Freshness, ScopeStatus } from './queries/freshness.ts';
export type { ResourceSummary } from './queries/resource-summary.ts';
export { SORT_KEYS, type InventorySort, type SortKey } from './queries/sort-orders.ts';

/**
 * The questions the API asks of the inventory read models, one file each under queries/: the estate
 * as of an instant (as-of-page, as-of-summary, export), what changed between two (compare), one
 * resource then (resource-at) and its history, the network graph (topology). Every one is scoped to
 * an organisation; every value in a filter was validated by the route.
 */
export const inventoryQueries = (store: DocumentStore) => {
  const models = inventoryReadModels(store);
  return {
    page: (orgId: string, query: Parameters<typeof asOfPage>[2]) => asOfPage(models, orgId, query),
    summary: (orgId: string, query: Parameters<typeof asOfSummary>[2]) => asOfSummary(models, orgId, query),
    compare: (orgId: string, query: Parameters<typeof compare>[2]) => compare(models, orgId, query),
    resource: (orgId: string, key: string, asOf: string) => resourceAt(models, orgId, key, asOf),
    history: (orgId: string, key: string, page: Parameters<typeof history>[3]) => history(models, orgId, key, page),
    topology: (orgId: string, query: Parameters<typeof topology>[2]) => topology(models, orgId, query),
    export: (orgId: string, query: { asOf: string; filters: InventoryFilters }) => exportAsOf(models, orgId, query),
  };
};

export type InventoryQueries = ReturnType<typeof inventoryQueries>;
