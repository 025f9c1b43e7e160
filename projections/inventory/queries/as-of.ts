import type { Filter } from '../../../domain/read-models/document-store.ts';
import { VERSION_INDEXES } from '../indexes.ts';
import { resourceId, type ResourceVersionDocument } from '../model.ts';
import { filterConditions, type Filters } from './filters.ts';
import { walkAll, type Conditions } from './keyset-walk.ts';
import type { InventoryReadModels } from './read-models.ts';
import { orderOf } from './sort-orders.ts';

/**
 * "As of T" is `live && validFrom <= T < validTo` over the versions, walked in the order of one of
 * the indexes in indexes.ts, so a page reads about as many index entries as it shows rows.
 */

/**
 * "Valid at T" as conditions. Of its two bounds only the first is checked from the index before
 * the document is read, so it is the one that rules out more versions: `validTo > T` when T is
 * in the later half of the organisation's history (most versions have ended by then),
 * `validFrom <= T` in the earlier half (most have not started yet) — unless the index walked
 * applies one of them as its range already:
 * - `{ index }`: a sort's index, which applies neither;
 * - `changed`: the index by validFrom, which applies `validFrom <= T`;
 * - `count`: no order, so the index of the bound that rules out more is the one walked, and the
 *   other bound is checked first.
 */
export async function validAt(models: InventoryReadModels, orgId: string, at: string, filters: Filters, walked: 'changed' | 'count' | { index: string }): Promise<Conditions> {
  const { equal, ranged } = filterConditions(filters);
  const started = { validFrom: { $lte: at } };
  const notEnded = { validTo: { $gt: at } };
  if (walked === 'changed') return { equal: [{ orgId }, ...equal], ranged: [notEnded, { live: true }, ...ranged], walkRange: { $lte: at }, index: VERSION_INDEXES.byValidFrom };
  const earlier = await inEarlierHalf(models, orgId, at);
  let bounds: Filter[];
  let index: string;
  if (walked === 'count') [bounds, index] = earlier ? [[notEnded, started], VERSION_INDEXES.byValidFrom] : [[started, notEnded], VERSION_INDEXES.byValidTo];
  else [bounds, index] = [earlier ? [started, notEnded] : [notEnded, started], walked.index];
  return { equal: [{ orgId }, ...equal], ranged: [...bounds, { live: true }, ...ranged], index };
}

/** Whether `at` lies in the earlier half of the organisation's history (from its first version to its last). */
async function inEarlierHalf(models: InventoryReadModels, orgId: string, at: string): Promise<boolean> {
  const collection = await models.versions();
  const edge = async (direction: 1 | -1) =>
    (await collection.find({ orgId }, { sort: [['validFrom', direction], ['name', direction], ['_id', direction]], limit: 1, hint: { index: VERSION_INDEXES.byValidFrom } }))[0]?.validFrom;
  const [first, last] = [await edge(1), await edge(-1)];
  if (!first || !last) return false;
  return Date.parse(at) < (Date.parse(first) + Date.parse(last)) / 2;
}

/** How many versions are valid at `at` and match the filters: a scan of them (exact, and slower than the live counts). */
export async function countAsOf(models: InventoryReadModels, orgId: string, at: string, filters: Filters): Promise<number> {
  const where = await validAt(models, orgId, at, filters, 'count');
  return (await models.versions()).count({ $and: [...where.equal, ...where.ranged] }, { hint: { index: where.index } });
}

/** Every version live at `at` matching the filters, in name order, a batch at a time. */
export async function* everythingAsOf(models: InventoryReadModels, orgId: string, at: string, filters: Filters): AsyncGenerator<ResourceVersionDocument> {
  const { fields, index } = orderOf('name', filters);
  yield* walkAll(await models.versions(), await validAt(models, orgId, at, filters, { index }), fields);
}

/** The version of one resource that was current at `at` (live or a deletion), if any. */
export async function versionAt(models: InventoryReadModels, orgId: string, arn: string, at: string): Promise<ResourceVersionDocument | undefined> {
  const [found] = await (await models.versions()).find({ resourceId: resourceId(orgId, arn), validFrom: { $lte: at } }, { sort: [['validFrom', -1], ['position', -1]], limit: 1 });
  return found && found.orgId === orgId && found.validTo > at ? found : undefined;
}
