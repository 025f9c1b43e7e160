import { changedPaths } from '../../../domain/inventory/resource-diff.ts';
import { VERSION_INDEXES } from '../indexes.ts';
import { filterConditions, matcher, type InventoryFilters } from './filters.ts';
import { freshness } from './freshness.ts';
import { walkAll, type Conditions } from './keyset-walk.ts';
import type { InventoryReadModels } from './read-models.ts';
import { summaryOf } from './resource-summary.ts';
import { scopesOf } from './scopes.ts';
import { orderOf } from './sort-orders.ts';

const byNameThenArn = (a: { name: string; arn: string }, b: { name: string; arn: string }) =>
  a.name < b.name ? -1 : a.name > b.name ? 1 : a.arn < b.arn ? -1 : a.arn > b.arn ? 1 : 0;

/**
 * What changed between `from` and `to`: the state at `to` against the state at `from`, resource
 * by resource (by ARN), with the filters applied to both. Only versions that end or start in
 * (from, to] are read: the ones valid at `from` that ended in between (the state at `from`)
 * and the ones that started in between and are valid at `to` (the state at `to`). A resource in
 * both is changed when the fingerprints differ: changed and changed back is not a change, and
 * deleted and re-created with the same ARN is a change only if it came back different (the two
 * snapshots both hold it). Counts are exact; each list holds the first `limit` by name.
 * A tag or search filter selects resources that match it at either instant, so a resource
 * re-tagged into (or out of) the filter shows as changed, not as added (or removed).
 */
export async function compare(models: InventoryReadModels, orgId: string, { from, to, filters, limit }: { from: string; to: string; filters: InventoryFilters; limit: number }) {
  const { equal } = filterConditions({ ...filters, tag: undefined, q: undefined });
  const matches = matcher(filters);
  const collection = await models.versions();
  const atFrom = new Map<string, { id: string; name: string; arn: string; fingerprint: string | null; matched: boolean }>();
  const ended: Conditions = { equal: [{ orgId }, ...equal], ranged: [{ validFrom: { $lte: from } }, { live: true }], walkRange: { $gt: from, $lte: to }, index: VERSION_INDEXES.byValidTo };
  for await (const v of walkAll(collection, ended, ['validTo', '_id'])) atFrom.set(v.resourceId, { id: v._id, name: v.name, arn: v.arn, fingerprint: v.fingerprint, matched: matches(v) });

  const added: Array<{ id: string; name: string; arn: string }> = [];
  const changed: Array<{ id: string; before: string; name: string; arn: string }> = [];
  const byChange = orderOf('changed', filters);
  const started: Conditions = { equal: [{ orgId }, ...equal], ranged: [{ validTo: { $gt: to } }, { live: true }], walkRange: { $gt: from, $lte: to }, index: byChange.index };
  for await (const v of walkAll(collection, started, byChange.fields)) {
    const before = atFrom.get(v.resourceId);
    if (!before) {
      if (matches(v)) added.push({ id: v._id, name: v.name, arn: v.arn });
      continue;
    }
    atFrom.delete(v.resourceId);
    if ((before.matched || matches(v)) && before.fingerprint !== v.fingerprint) changed.push({ id: v._id, before: before.id, name: v.name, arn: v.arn });
  }
  const removed = [...atFrom.values()].filter((r) => r.matched);

  const load = async (id: string) => {
    const found = await collection.get(id);
    if (!found) throw new Error(`Version ${id} vanished while comparing`);
    return found;
  };
  const first = <T extends { name: string; arn: string }>(list: T[]) => list.sort(byNameThenArn).slice(0, limit);
  const covered = await scopesOf(models, orgId, filters);
  return {
    counts: { added: added.length, removed: removed.length, changed: changed.length },
    added: await Promise.all(first(added).map(async (a) => summaryOf(await load(a.id)))),
    removed: await Promise.all(first(removed).map(async (r) => summaryOf(await load(r.id)))),
    changed: await Promise.all(
      first(changed).map(async (c) => {
        const [before, after] = [await load(c.before), await load(c.id)];
        return { ...summaryOf(after), changedPaths: before.resource && after.resource ? changedPaths(before.resource, after.resource) : [] };
      }),
    ),
    truncated: added.length > limit || removed.length > limit || changed.length > limit,
    freshness: { from: await freshness(models, orgId, from, covered), to: await freshness(models, orgId, to, covered) },
  };
}
