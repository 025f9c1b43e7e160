import { SORT_KEYS, type SortKey } from './api';

/**
 * The inventory's view state as it lives in the page's URL, so a view can be shared and the back
 * button retraces it. Values are passed to the API as they are: it validates them and names a bad one.
 */

export interface InventoryFilters {
  type?: string | undefined;
  region?: string | undefined;
  account?: string | undefined;
  /** `Key:Value`, or `Key` alone for any value. */
  tag?: string | undefined;
  q?: string | undefined;
}

export interface InventoryView extends InventoryFilters {
  /** Absent: now. */
  asOf?: string | undefined;
  sort?: string | undefined;
  cursor?: string | undefined;
  limit?: number | undefined;
}

export const FILTER_KEYS = ['type', 'region', 'account', 'tag', 'q'] as const;

const value = (params: URLSearchParams, name: string) => params.get(name)?.trim() || undefined;

export function readFilters(params: URLSearchParams): InventoryFilters {
  return Object.fromEntries(FILTER_KEYS.map((name) => [name, value(params, name)]));
}

export function readInventoryView(params: URLSearchParams): InventoryView {
  const limit = Number(params.get('limit'));
  return {
    ...readFilters(params),
    asOf: value(params, 'asOf'),
    sort: value(params, 'sort'),
    cursor: value(params, 'cursor'),
    limit: Number.isInteger(limit) && limit > 0 ? limit : undefined,
  };
}

export const hasFilters = (filters: InventoryFilters) => FILTER_KEYS.some((name) => !!filters[name]);

/** A query string (without `?`) of the values given, empty ones left out, in a stable order. */
export function queryOf(values: Record<string, string | number | null | undefined>): string {
  const params = new URLSearchParams();
  for (const [name, v] of Object.entries(values)) if (v !== undefined && v !== null && v !== '') params.set(name, String(v));
  return params.toString();
}

/** The inventory's URL query for a view, in the order a person reads it. */
export const viewQuery = (view: InventoryView) =>
  queryOf({ asOf: view.asOf, type: view.type, region: view.region, account: view.account, tag: view.tag, q: view.q, sort: view.sort, limit: view.limit, cursor: view.cursor });

export interface SortState {
  key: SortKey;
  descending: boolean;
}

export function sortState(sort: string | undefined): SortState {
  const descending = !!sort?.startsWith('-');
  const key = (descending ? sort!.slice(1) : sort) as SortKey;
  return SORT_KEYS.includes(key) ? { key, descending } : { key: 'name', descending: false };
}

/** Pressing a column's heading: the same column turns around; another starts ascending (newest first for "last changed"). */
export function nextSort(current: string | undefined, key: SortKey): string | undefined {
  const state = sortState(current);
  const descending = state.key === key ? !state.descending : key === 'changed';
  const sort = `${descending ? '-' : ''}${key}`;
  return sort === 'name' ? undefined : sort;
}
