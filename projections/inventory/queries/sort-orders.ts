import { versionsWalkIndex } from '../indexes.ts';
import type { InventoryFilters } from './filters.ts';

export type SortKey = 'name' | 'type' | 'region' | 'account' | 'changed';
export const SORT_KEYS: readonly SortKey[] = ['name', 'type', 'region', 'account', 'changed'];

export interface InventorySort {
  key: SortKey;
  descending: boolean;
}

/** Versions are walked in index order: a sort field, the name as a tie-break where it helps, then `_id`. */
const ORDERS: Record<SortKey, readonly string[]> = {
  name: ['name', '_id'],
  type: ['type', 'name', '_id'],
  region: ['region', 'name', '_id'],
  account: ['accountId', 'name', '_id'],
  changed: ['validFrom', 'name', '_id'],
};

/** What a cursor of a sort names (`-name` for descending). */
export const sortToken = (sort: InventorySort) => `${sort.descending ? '-' : ''}${sort.key}`;
export const SORT_TOKENS: readonly string[] = SORT_KEYS.flatMap((key) => [key, `-${key}`]);

/** The walk order of a sort, less a field a filter fixes (a filter on the type makes "by type" "by name"), and the index that walks it. */
export function orderOf(key: SortKey, filters: Pick<InventoryFilters, 'type' | 'region' | 'account'>): { fields: readonly string[]; index: string } {
  const fixed = new Set([filters.type && 'type', filters.region && 'region', filters.account && 'accountId']);
  const fields = ORDERS[key].filter((field) => !fixed.has(field));
  return { fields, index: versionsWalkIndex(fields[0]!, filters) };
}
