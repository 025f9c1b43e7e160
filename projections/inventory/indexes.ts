import type { CollectionSpec, SortSpec } from '../../domain/read-models/document-store.ts';

/**
 * What "as of T" checks besides the walk order, appended to each walking index so that on SQLite a
 * version that is not valid at T, or not of the type, region or account asked for, is passed over
 * from the index alone, without reading its document (see queries/keyset-walk.ts).
 */
const checked = (...walk: string[]): SortSpec =>
  [...walk, ...['validTo', 'validFrom', 'type', 'region', 'accountId'].filter((field) => !walk.includes(field))].map((field) => [field, 1] as const);

/** The indexes of `versions` by name: queries name the one they walk (see versionsWalkIndex). */
export const VERSION_INDEXES = {
  byResource: 'by_resource',
  asOf: 'as_of',
  asOfByType: 'as_of_by_type',
  asOfByRegion: 'as_of_by_region',
  asOfByAccount: 'as_of_by_account',
  byValidFrom: 'by_valid_from',
  byValidTo: 'by_valid_to',
} as const;

/**
 * The inventory collections and the indexes their queries need (projections/indexes.int.test.ts
 * checks with EXPLAIN that each is used). Physical names: readModel(store, 'inventory', <name>).
 */
export const inventoryCollections: Record<string, CollectionSpec> = {
  versions: {
    indexes: [
      // A resource's timeline: the versions either side of an instant, and its history.
      { name: VERSION_INDEXES.byResource, fields: [['resourceId', 1], ['validFrom', 1], ['position', 1]] },
      // "As of T", one index per sort order, walked in that order (name breaks ties, then _id);
      // each also serves a filter on its leading field with the list in name order.
      { name: VERSION_INDEXES.asOf, fields: checked('orgId', 'name', '_id') },
      { name: VERSION_INDEXES.asOfByType, fields: checked('orgId', 'type', 'name', '_id') },
      { name: VERSION_INDEXES.asOfByRegion, fields: checked('orgId', 'region', 'name', '_id') },
      { name: VERSION_INDEXES.asOfByAccount, fields: checked('orgId', 'accountId', 'name', '_id') },
      // "As of T" by last change; and for compare, what started between two instants ...
      { name: VERSION_INDEXES.byValidFrom, fields: checked('orgId', 'validFrom', 'name', '_id') },
      // ... and what ended between them.
      { name: VERSION_INDEXES.byValidTo, fields: checked('orgId', 'validTo', '_id') },
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

/**
 * The index of `versions` that walks an order starting with `first`, for the organisation and the
 * fields `fixed` by an equality: it holds them ahead of `first`, so a page reads its rows in order
 * and checks the rest of "as of T" from the index. A walk by name with a field fixed takes the index
 * that leads with that field (the account's, else the region's, else the type's): it skips the other
 * accounts, regions or types rather than checking them row by row. The queries name it to the store
 * as a hint: SQLite, which keeps no statistics, would otherwise often sort what the index of an
 * equality finds rather than walk the order's own index.
 */
export function versionsWalkIndex(first: string, fixed: { type?: string | undefined; region?: string | undefined; account?: string | undefined }): string {
  switch (first) {
    case 'name':
      return fixed.account ? VERSION_INDEXES.asOfByAccount : fixed.region ? VERSION_INDEXES.asOfByRegion : fixed.type ? VERSION_INDEXES.asOfByType : VERSION_INDEXES.asOf;
    case 'type':
      return VERSION_INDEXES.asOfByType;
    case 'region':
      return VERSION_INDEXES.asOfByRegion;
    case 'accountId':
      return VERSION_INDEXES.asOfByAccount;
    case 'validFrom':
      return VERSION_INDEXES.byValidFrom;
    case 'validTo':
      return VERSION_INDEXES.byValidTo;
    default:
      throw new Error(`No index of versions walks ${first}`);
  }
}
