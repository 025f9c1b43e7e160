import { changes, type PathChange } from '../../../domain/inventory/resource-diff.ts';
import { VERSION_INDEXES } from '../indexes.ts';
import { arnOfKey, FAR_FUTURE, resourceId } from '../model.ts';
import { decodeCursor, encodeCursor, valuesOf } from './cursors.ts';
import { walk } from './keyset-walk.ts';
import type { InventoryReadModels } from './read-models.ts';

interface HistoryVersion {
  versionId: string;
  kind: 'discovered' | 'changed' | 'deleted' | 'disconnected';
  validFrom: string;
  validTo: string | null;
  scanId: string;
  changes: PathChange[];
}

/** A resource's versions, newest first, each with what changed against the version before it in time. */
export async function history(models: InventoryReadModels, orgId: string, key: string, { cursor, limit }: { cursor?: string | undefined; limit: number }) {
  const collection = await models.versions();
  const id = resourceId(orgId, arnOfKey(key));
  const [latest] = await collection.find({ resourceId: id }, { sort: [['validFrom', -1], ['position', -1]], limit: 1 });
  if (!latest || latest.orgId !== orgId) return undefined;
  const fields = ['validFrom', 'position'];
  const after = cursor ? decodeCursor(cursor, 'history', fields.length) : undefined;
  // One more than the page to know there is a next one, and one more again: the version before the page's oldest.
  const found = await walk(collection, { equal: [{ resourceId: id }], ranged: [], index: VERSION_INDEXES.byResource }, fields, -1, after, limit + 2);
  const page = found.slice(0, limit);
  return {
    key: latest.key,
    arn: latest.arn,
    type: latest.type,
    name: latest.name,
    versions: page.map((v, i): HistoryVersion => {
      const before = found[i + 1];
      return {
        versionId: v._id,
        kind: v.kind,
        validFrom: v.validFrom,
        validTo: v.validTo === FAR_FUTURE ? null : v.validTo,
        scanId: v.scanId,
        changes: v.kind === 'changed' && before?.resource && v.resource ? changes(before.resource, v.resource) : [],
      };
    }),
    nextCursor: found.length > limit ? encodeCursor('history', valuesOf(page.at(-1)!, fields)) : null,
  };
}
