import type { CollectionSpec } from '../../domain/read-models/document-store.ts';

/**
 * The inventory collections and the indexes their queries need (projections/indexes.int.test.ts
 * checks with EXPLAIN that each is used). Physical names: readModel(store, 'inventory', <name>).
 */
export const inventoryCollections: Record<string, CollectionSpec> = {
  versions: {
    indexes: [
      // A resource's timeline: the versions either side of an instant, and its history.
      { name: 'by_resource', fields: [['resourceId', 1], ['validFrom', 1], ['position', 1]] },
      // "As of T", by type or not, walked in name order: validity is checked from the index.
      { name: 'as_of_by_type', fields: [['orgId', 1], ['type', 1], ['name', 1], ['_id', 1]] },
      { name: 'as_of', fields: [['orgId', 1], ['name', 1], ['_id', 1]] },
      // Compare: what started, and what ended, between two instants.
      { name: 'by_valid_from', fields: [['orgId', 1], ['validFrom', 1]] },
      { name: 'by_valid_to', fields: [['orgId', 1], ['validTo', 1]] },
    ],
  },
  current: {
    indexes: [
      { name: 'by_org_name', fields: [['orgId', 1], ['name', 1], ['_id', 1]] },
      { name: 'by_org_arn', fields: [['orgId', 1], ['arn', 1]] },
    ],
  },
  scopes: { indexes: [{ name: 'by_org', fields: [['orgId', 1], ['accountId', 1], ['region', 1], ['type', 1]] }] },
  live_counts: { indexes: [{ name: 'by_scope', fields: [['scopeId', 1], ['at', 1]] }] },
  completions: { indexes: [{ name: 'by_scope', fields: [['scopeId', 1], ['completedAt', 1]] }] },
  scan_coverage: {},
};
