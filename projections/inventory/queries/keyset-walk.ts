import type { Collection, Condition, Document, Filter } from '../../../domain/read-models/document-store.ts';
import { valuesOf } from './cursors.ts';

/**
 * Conditions in the order they should be checked: equalities first (from the index), then ranges
 * and the rest; the range of the first field of the walk order, which the walk applies itself; and
 * the index walked (indexes.ts), which holds the walk order after the equalities.
 *
 * On SQLite a row is only read from the table once the conditions before the first one that needs
 * the document have passed (equalities and one range are checked from the index), which is why the
 * clauses are ordered the way they are.
 */
export interface Conditions {
  equal: Filter[];
  ranged: Filter[];
  walkRange?: Condition | undefined;
  index: string;
}

/** How many documents a walk of everything reads at a time: memory stays flat whatever the estate's size. */
const BATCH = 1000;

/**
 * One page of documents in the order of `fields` (the last unique), resuming after the row whose
 * values are `after`. A resumption is one query per sort field, each an equality on the fields
 * before it and a range on it, so ties (thousands of versions share a type or an instant) never
 * make a page walk again through rows an earlier page showed; the resumption's bound replaces the
 * bound of `walkRange` on that side, so the walk cannot start from the older one. A query sorts
 * only by the fields it does not fix by equality: SQLite does not see that such a field is
 * constant, and would sort. Every query walks `where.index`: left to itself SQLite would rather
 * sort what the index of an equality finds than walk the index of the sort.
 */
export async function walk<T extends Document>(collection: Collection<T>, where: Conditions, fields: readonly string[], direction: 1 | -1, after: readonly string[] | undefined, limit: number): Promise<T[]> {
  const sortFrom = (level: number) => fields.slice(level).map((field) => [field, direction] as const);
  const hint = { index: where.index };
  const first = fields[0]!;
  const range: Condition = where.walkRange ?? {};
  if (!after) return collection.find({ $and: [...where.equal, ...where.ranged, ...(where.walkRange ? [{ [first]: where.walkRange }] : [])] }, { sort: sortFrom(0), limit, hint });
  const found: T[] = [];
  for (let level = fields.length - 1; level >= 0 && found.length < limit; level--) {
    const same = fields.slice(0, level).map((field, i): Filter => ({ [field]: after[i]! }));
    const value = after[level]!;
    let beyond: Condition;
    if (level > 0) beyond = direction === 1 ? { $gt: value } : { $lt: value };
    else if (direction === 1) beyond = { $gt: value, ...(range.$lt !== undefined && { $lt: range.$lt }), ...(range.$lte !== undefined && { $lte: range.$lte }) };
    else beyond = { $lt: value, ...(range.$gt !== undefined && { $gt: range.$gt }), ...(range.$gte !== undefined && { $gte: range.$gte }) };
    found.push(...(await collection.find({ $and: [...where.equal, ...same, ...where.ranged, { [fields[level]!]: beyond }] }, { sort: sortFrom(level), limit: limit - found.length, hint })));
  }
  return found;
}

/** Documents matching `where`, walked in `fields` order a batch at a time (for exports and compare). */
export async function* walkAll<T extends Document>(collection: Collection<T>, where: Conditions, fields: readonly string[]): AsyncGenerator<T> {
  let after: string[] | undefined;
  for (;;) {
    const batch = await walk(collection, where, fields, 1, after, BATCH);
    yield* batch;
    if (batch.length < BATCH) return;
    after = valuesOf(batch.at(-1)!, fields);
  }
}
