import type { CollectionSpec, SortSpec } from '../../domain/read-models/document-store.ts';

/**
 * What "as of T" checks besides the walk order, appended to each walking index so that on SQLite a
 * version that is not valid at T, or not of the type, region or account asked for, is passed over
 * from the index alone, without reading its document (see queries.ts).
 */
const checked = (...walk: string[]): SortSpec =>
  [...walk, ...['validTo', 'validFrom', 'type', 'region', 'accountId'].filter((field) => !walk.includes(field))].map((field) => [field, 1] as const);

/**
 * The inventory collections and the indexes their queries need (projections/indexes.int.test.ts
 * checks with EXPLAIN that each is used). Physical names: readModel(store, 'inventory', <name>).
 */
export const inventoryCollections: Record<string, CollectionSpec> = {
  versions: {
    indexes: [
      // A resource's timeline: the versions either side of an instant, and its history.
      { name: 'by_resource', fields: [['resourceId', 1], ['validFrom', 1], ['position', 1]] },
      // "As of T", one index per sort order, walked in that order (name breaks ties, then _id);
      // each also serves a filter on its leading field with the list in name order.
      { name: 'as_of', fields: checked('orgId', 'name', '_id') },
      { name: 'as_of_by_type', fields: checked('orgId', 'type', 'name', '_id') },
      { name: 'as_of_by_region', fields: checked('orgId', 'region', 'name', '_id') },
      { name: 'as_of_by_account', fields: checked('orgId', 'accountId', 'name', '_id') },
      // "As of T" by last change; and for compare, what started between two instants ...
      { name: 'by_valid_from', fields: checked('orgId', 'validFrom', 'name', '_id') },
      // ... and what ended between them.
      { name: 'by_valid_to', fields: checked('orgId', 'validTo', '_id') },
    ],
  },
  current: {
    indexes: [
      { name: 'by_org_name', fields: [['orgId', 1], ['name', 1], ['_id', 1]] },
      { name: 'by_org_arn', fields: [['orgId', 1], ['arn', 1]] },
    ],
  },
  scopes: { indexes: [{ name: 'by_org', fields: [['orgId', 1], ['accountId', 1], ['region', 1], ['type', 1]] }] },
  // The latest document at or before an instant, per scope (_id too, so SQLite sorts nothing).
  live_counts: { indexes: [{ name: 'by_scope', fields: [['scopeId', 1], ['at', 1], ['_id', 1]] }] },
  completions: { indexes: [{ name: 'by_scope', fields: [['scopeId', 1], ['completedAt', 1], ['_id', 1]] }] },
  scan_coverage: {},
};
