import type { Filter } from '../../../domain/read-models/document-store.ts';
import { tagField, tagIndexKey, type ResourceVersionDocument } from '../model.ts';

/** Filters every inventory question accepts. Every value was validated by the route. */
export interface InventoryFilters {
  type?: string | undefined;
  region?: string | undefined;
  account?: string | undefined;
  /** A key alone: has the tag; with a value: has the tag with exactly that value. */
  tag?: { key: string; value?: string | undefined } | undefined;
  /** A case-insensitive substring of the name or the ARN. */
  q?: string | undefined;
}

/** The filters, plus one the routes do not offer: any of several types (for the network graph). */
export type Filters = InventoryFilters & { types?: readonly string[] | undefined };

/** The filters as conditions on versions: equalities (checked from the index), then the rest. */
export function filterConditions(filters: Filters): { equal: Filter[]; ranged: Filter[] } {
  const equal: Filter[] = [];
  const ranged: Filter[] = [];
  if (filters.type) equal.push({ type: filters.type });
  if (filters.types) equal.push({ type: { $in: filters.types } });
  if (filters.region) equal.push({ region: filters.region });
  if (filters.account) equal.push({ accountId: filters.account });
  if (filters.tag) ranged.push({ [tagField(filters.tag.key)]: filters.tag.value === undefined ? { $exists: true } : filters.tag.value });
  // The search text is stored lower-cased; lowering the needle too makes non-ASCII letters match on every store.
  if (filters.q) ranged.push({ search: { $contains: filters.q.toLowerCase() } });
  return { equal, ranged };
}

/** The tag and search filters as a test of one version (compare applies them in memory, to both instants). */
export function matcher({ tag, q }: InventoryFilters): (v: ResourceVersionDocument) => boolean {
  const needle = q?.toLowerCase();
  const tagKey = tag && tagIndexKey(tag.key);
  return (v) => {
    if (needle !== undefined && !v.search.includes(needle)) return false;
    if (tag && tagKey !== undefined && (v.tagIndex[tagKey] === undefined || (tag.value !== undefined && v.tagIndex[tagKey] !== tag.value))) return false;
    return true;
  };
}
