import { NotFoundError, ValidationError } from '../../domain/errors.ts';
import { changedPaths, changes, type PathChange } from '../../domain/inventory/resource-diff.ts';
import type { Collection, Condition, Document, DocumentStore, Filter } from '../../domain/read-models/document-store.ts';
import { readModel } from '../generations.ts';
import {
  arnOfKey,
  FAR_FUTURE,
  resourceId,
  resourceKey,
  scopeId,
  tagField,
  tagIndexKey,
  type CompletionDocument,
  type LiveCountDocument,
  type ResourceVersionDocument,
  type ScopeDocument,
} from './model.ts';

/**
 * The questions the API asks of the inventory read models: the estate as of an instant, what
 * changed between two, one resource and its history, the network graph, an export. Every one is
 * scoped to an organisation; every value in a filter was validated by the route.
 *
 * "As of T" is `live && validFrom <= T < validTo` over the versions, walked in the order of one of
 * the indexes in indexes.ts, so a page reads about as many index entries as it shows rows. On
 * SQLite a row is only read from the table once the conditions before the first one that needs the
 * document have passed (equalities and one range are checked from the index), which is why the
 * clauses below are ordered the way they are.
 */

/** Filters every inventory question accepts. */
export interface InventoryFilters {
  type?: string | undefined;
  region?: string | undefined;
  account?: string | undefined;
  /** A key alone: has the tag; with a value: has the tag with exactly that value. */
  tag?: { key: string; value?: string | undefined } | undefined;
  /** A case-insensitive substring of the name or the ARN. */
  q?: string | undefined;
}

export type SortKey = 'name' | 'type' | 'region' | 'account' | 'changed';
export const SORT_KEYS: readonly SortKey[] = ['name', 'type', 'region', 'account', 'changed'];

export interface InventorySort {
  key: SortKey;
  descending: boolean;
}

export interface ResourceSummary {
  key: string;
  arn: string;
  type: string;
  name: string;
  accountId: string;
  region: string;
  connectionId: string;
  tags: Record<string, string>;
  validFrom: string;
}

export type ScopeStatus = 'fresh' | 'stale' | 'unknown';

export interface Freshness {
  asOf: string;
  scopes: Array<{ accountId: string; region: string; type: string; lastCompleteAt: string | null; status: ScopeStatus }>;
  unknown: number;
  stale: number;
}

interface Relationship {
  kind: string;
  target: string;
  targetKey: string | null;
}

interface ResourceDetail extends ResourceSummary {
  config: Record<string, unknown>;
  relationships: Relationship[];
  validTo: string | null;
  versionId: string;
}

interface HistoryVersion {
  versionId: string;
  kind: 'discovered' | 'changed' | 'deleted' | 'disconnected';
  validFrom: string;
  validTo: string | null;
  scanId: string;
  changes: PathChange[];
}

interface TopologyNode {
  id: string;
  key: string | null;
  type: string;
  name: string;
  accountId: string | null;
  region: string | null;
  parent: string | null;
  exposed: boolean;
}

interface TopologyEdge {
  source: string;
  target: string;
  kind: string;
}

/** The target of an ingress rule open to the whole internet (scanner/resource.ts INTERNET). */
const INTERNET = 'internet';
/** What the network graph draws (scanner/resource.ts RESOURCE_TYPES). */
const TOPOLOGY_TYPES = ['ec2:vpc', 'ec2:subnet', 'ec2:instance', 'ec2:security-group', 'rds:db-instance', 'lambda:function', 'ec2:volume'] as const;
/** Nodes beyond this many are left out of a graph, which then says it is truncated. */
const TOPOLOGY_NODE_CAP = 2000;
/** A scope whose last complete listing is older than this, before the instant asked about, is stale. */
const STALE_AFTER_MS = 24 * 3600_000;
/** How many versions an export or a compare reads at a time: memory stays flat whatever the estate's size. */
const BATCH = 1000;

// Relationship kinds (scanner/resource.ts RELATION) the graph uses for boxes and warnings.
const IN_VPC = 'in-vpc';
const IN_SUBNET = 'in-subnet';
const USES_SECURITY_GROUP = 'uses-security-group';
const ALLOWS_INGRESS_FROM = 'allows-ingress-from';
/**
 * Left out of the graph: IAM links are not network paths, and `attached-to` (volume → instance)
 * repeats `attached-volume` (instance → volume) the other way round.
 */
const NOT_DRAWN = new Set(['uses-role', 'uses-instance-profile', 'has-policy', 'attached-to']);

/** Versions are walked in index order: a sort field, the name as a tie-break where it helps, then `_id`. */
const ORDERS: Record<SortKey, readonly string[]> = {
  name: ['name', '_id'],
  type: ['type', 'name', '_id'],
  region: ['region', 'name', '_id'],
  account: ['accountId', 'name', '_id'],
  changed: ['validFrom', 'name', '_id'],
};

const sortToken = (sort: InventorySort) => `${sort.descending ? '-' : ''}${sort.key}`;

/** An opaque cursor: the sort it belongs to and the sort values of the last row of the previous page. */
function encodeCursor(kind: string, values: readonly string[]): string {
  return Buffer.from(JSON.stringify([kind, ...values]), 'utf8').toString('base64url');
}

function decodeCursor(cursor: string, kind: string, length: number, otherKinds: readonly string[] = []): string[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    parsed = undefined;
  }
  const valid = (p: unknown): p is string[] => Array.isArray(p) && p.every((v) => typeof v === 'string' && v.length <= 2048);
  if (valid(parsed) && parsed[0] !== kind && otherKinds.includes(parsed[0]!)) {
    throw new ValidationError(`This cursor belongs to another sort order (${parsed[0]}); start again without it`);
  }
  if (!valid(parsed) || parsed[0] !== kind || parsed.length !== length + 1) throw new ValidationError('The cursor is not one this API gave out');
  return parsed.slice(1);
}

const valuesOf = (document: Document, fields: readonly string[]) => fields.map((field) => String(document[field]));

/**
 * Conditions in the order they should be checked: equalities first (from the index), then ranges
 * and the rest; and the range of the first field of the walk order, which the walk applies itself.
 */
interface Conditions {
  equal: Filter[];
  ranged: Filter[];
  walkRange?: Condition | undefined;
}

/**
 * One page of documents in the order of `fields` (the last unique), resuming after the row whose
 * values are `after`. A resumption is one query per sort field, each an equality on the fields
 * before it and a range on it, so ties (thousands of versions share a type or an instant) never
 * make a page walk again through rows an earlier page showed; the resumption's bound replaces the
 * bound of `walkRange` on that side, so SQLite cannot start the walk from the older one. A query
 * sorts only by the fields it does not fix by equality: SQLite does not see that such a field is
 * constant, and would sort.
 */
async function walk<T extends Document>(collection: Collection<T>, where: Conditions, fields: readonly string[], direction: 1 | -1, after: readonly string[] | undefined, limit: number): Promise<T[]> {
  const sortFrom = (level: number) => fields.slice(level).map((field) => [field, direction] as const);
  const first = fields[0]!;
  // Without a range of its own, an always true one (every sort value is a string): it makes SQLite
  // walk the sort's index instead of sorting what another index finds.
  const range: Condition = where.walkRange ?? { $gte: '' };
  if (!after) return collection.find({ $and: [...where.equal, ...where.ranged, { [first]: range }] }, { sort: sortFrom(0), limit });
  const found: T[] = [];
  for (let level = fields.length - 1; level >= 0 && found.length < limit; level--) {
    const same = fields.slice(0, level).map((field, i): Filter => ({ [field]: after[i]! }));
    const value = after[level]!;
    let beyond: Condition;
    if (level > 0) beyond = direction === 1 ? { $gt: value } : { $lt: value };
    else if (direction === 1) beyond = { $gt: value, ...(range.$lt !== undefined && { $lt: range.$lt }), ...(range.$lte !== undefined && { $lte: range.$lte }) };
    else beyond = { $lt: value, ...(range.$gt !== undefined && { $gt: range.$gt }), ...(range.$gte !== undefined && { $gte: range.$gte }) };
    found.push(...(await collection.find({ $and: [...where.equal, ...same, ...where.ranged, { [fields[level]!]: beyond }] }, { sort: sortFrom(level), limit: limit - found.length })));
  }
  return found;
}

/** The walk order of a sort, less a field a filter fixes (a filter on the type makes "by type" "by name"). */
function orderOf(key: SortKey, filters: InventoryFilters): readonly string[] {
  const fixed = new Set([filters.type && 'type', filters.region && 'region', filters.account && 'accountId']);
  return ORDERS[key].filter((field) => !fixed.has(field));
}

/** The filters, plus one the routes do not offer: any of several types (for the network graph). */
type Filters = InventoryFilters & { types?: readonly string[] | undefined };

function filterConditions(filters: Filters): Conditions {
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
function matcher({ tag, q }: InventoryFilters): (v: ResourceVersionDocument) => boolean {
  const needle = q?.toLowerCase();
  const tagKey = tag && tagIndexKey(tag.key);
  return (v) => {
    if (needle !== undefined && !v.search.includes(needle)) return false;
    if (tag && tagKey !== undefined && (v.tagIndex[tagKey] === undefined || (tag.value !== undefined && v.tagIndex[tagKey] !== tag.value))) return false;
    return true;
  };
}

const summaryOf = (v: ResourceVersionDocument): ResourceSummary => ({
  key: v.key,
  arn: v.arn,
  type: v.type,
  name: v.name,
  accountId: v.accountId,
  region: v.region,
  connectionId: v.connectionId,
  tags: v.resource?.tags ?? {},
  validFrom: v.validFrom,
});

const byNameThenArn = (a: { name: string; arn: string }, b: { name: string; arn: string }) =>
  a.name < b.name ? -1 : a.name > b.name ? 1 : a.arn < b.arn ? -1 : a.arn > b.arn ? 1 : 0;

export const inventoryQueries = (store: DocumentStore) => {
  const versions = () => readModel<ResourceVersionDocument>(store, 'inventory', 'versions');
  const scopes = () => readModel<ScopeDocument>(store, 'inventory', 'scopes');
  const liveCounts = () => readModel<LiveCountDocument>(store, 'inventory', 'live_counts');
  const completions = () => readModel<CompletionDocument>(store, 'inventory', 'completions');

  /**
   * "Valid at T" as conditions. Of its two bounds only the first is checked from the index before
   * the document is read, so it is the one that rules out more versions: `validTo > T` when T is
   * in the later half of the organisation's history (most versions have ended by then),
   * `validFrom <= T` in the earlier half (most have not started yet) — unless the index walked
   * applies one of them as its range already:
   * - `walk`: a sort's index, which applies neither;
   * - `changed`: the index by validFrom, which applies `validFrom <= T`;
   * - `count`: no order, so the index of the bound that rules out more is made the walked one
   *   (a second, always true, bound on it makes SQLite prefer it) and the other is checked first.
   */
  async function validAt(orgId: string, at: string, filters: Filters, walked: 'walk' | 'changed' | 'count'): Promise<Conditions> {
    const { equal, ranged } = filterConditions(filters);
    const started = { validFrom: { $lte: at } };
    const notEnded = { validTo: { $gt: at } };
    if (walked === 'changed') return { equal: [{ orgId }, ...equal], ranged: [notEnded, { live: true }, ...ranged], walkRange: { $lte: at } };
    let bounds: Filter[];
    if (walked === 'walk') bounds = (await inEarlierHalf(orgId, at)) ? [started, notEnded] : [notEnded, started];
    else bounds = (await inEarlierHalf(orgId, at)) ? [notEnded, started, { validFrom: { $gte: '' } }] : [started, notEnded, { validTo: { $lte: FAR_FUTURE } }];
    return { equal: [{ orgId }, ...equal], ranged: [...bounds, { live: true }, ...ranged] };
  }

  async function inEarlierHalf(orgId: string, at: string): Promise<boolean> {
    const collection = await versions();
    const edge = async (direction: 1 | -1) => (await collection.find({ $and: [{ orgId }, { validFrom: { $gte: '' } }] }, { sort: [['validFrom', direction], ['name', direction], ['_id', direction]], limit: 1 }))[0]?.validFrom;
    const [first, last] = [await edge(1), await edge(-1)];
    if (!first || !last) return false;
    return Date.parse(at) < (Date.parse(first) + Date.parse(last)) / 2;
  }

  async function countAsOf(orgId: string, at: string, filters: Filters): Promise<number> {
    const where = await validAt(orgId, at, filters, 'count');
    return (await versions()).count({ $and: [...where.equal, ...where.ranged] });
  }

  /** The scopes (account, region, type) of the organisation an answer covers. */
  async function scopesOf(orgId: string, filters: { type?: string | readonly string[] | undefined; region?: string | undefined; account?: string | undefined }): Promise<ScopeDocument[]> {
    const clauses: Filter[] = [{ orgId }];
    if (filters.account) clauses.push({ accountId: filters.account });
    if (filters.region) clauses.push({ region: filters.region });
    if (typeof filters.type === 'string') clauses.push({ type: filters.type });
    else if (filters.type) clauses.push({ type: { $in: filters.type } });
    return (await scopes()).find({ $and: clauses }, { sort: [['accountId', 1], ['region', 1], ['type', 1]] });
  }

  /** Live resources per scope as of T: the latest count document at or before T, one indexed lookup per scope. */
  async function countsOf(scopeList: readonly ScopeDocument[], at: string): Promise<Array<{ scope: ScopeDocument; live: number }>> {
    const collection = await liveCounts();
    return Promise.all(
      scopeList.map(async (scope) => {
        const [latest] = await collection.find({ scopeId: scope._id, at: { $lte: at } }, { sort: [['at', -1], ['_id', -1]], limit: 1 });
        return { scope, live: latest?.live ?? 0 };
      }),
    );
  }

  /**
   * When each scope was last listed completely, at or before `asOf`. A partition listed globally
   * (IAM, S3) completes the scope of region `global`, which stands for every region of its type.
   */
  async function freshness(orgId: string, asOf: string, scopeList: readonly ScopeDocument[]): Promise<Freshness> {
    const collection = await completions();
    const listedGlobally = new Set(scopeList.some((s) => s.region !== 'global') ? (await scopesOf(orgId, { region: 'global' })).map((s) => s._id) : []);
    const latest = new Map<string, Promise<string | null>>();
    const lastCompletion = (id: string) => {
      let found = latest.get(id);
      if (!found) {
        found = collection.find({ scopeId: id, completedAt: { $lte: asOf } }, { sort: [['completedAt', -1], ['_id', -1]], limit: 1 }).then(([c]) => c?.completedAt ?? null);
        latest.set(id, found);
      }
      return found;
    };
    const entries = await Promise.all(
      scopeList.map(async ({ _id, accountId, region, type }) => {
        const own = await lastCompletion(_id);
        const globalScope = scopeId(orgId, accountId, 'global', type);
        const global = region !== 'global' && listedGlobally.has(globalScope) ? await lastCompletion(globalScope) : null;
        const lastCompleteAt = own && global ? (own > global ? own : global) : (own ?? global);
        const status: ScopeStatus = lastCompleteAt === null ? 'unknown' : Date.parse(asOf) - Date.parse(lastCompleteAt) > STALE_AFTER_MS ? 'stale' : 'fresh';
        return { accountId, region, type, lastCompleteAt, status };
      }),
    );
    return { asOf, scopes: entries, unknown: entries.filter((e) => e.status === 'unknown').length, stale: entries.filter((e) => e.status === 'stale').length };
  }

  /** Every version live at `at` matching the filters, in name order, a batch at a time. */
  async function* everythingAsOf(orgId: string, at: string, filters: Filters): AsyncGenerator<ResourceVersionDocument> {
    yield* walkAll(await validAt(orgId, at, filters, 'walk'), orderOf('name', filters));
  }

  /** Versions matching `where`, walked in `fields` order a batch at a time (for exports and compare). */
  async function* walkAll(where: Conditions, fields: readonly string[]): AsyncGenerator<ResourceVersionDocument> {
    const collection = await versions();
    let after: string[] | undefined;
    for (;;) {
      const batch = await walk(collection, where, fields, 1, after, BATCH);
      yield* batch;
      if (batch.length < BATCH) return;
      after = valuesOf(batch.at(-1)!, fields);
    }
  }

  /** The version of one resource that was current at `at` (live or a deletion), if any. */
  async function versionAt(orgId: string, arn: string, at: string): Promise<ResourceVersionDocument | undefined> {
    const [found] = await (await versions()).find({ resourceId: resourceId(orgId, arn), validFrom: { $lte: at } }, { sort: [['validFrom', -1], ['position', -1]], limit: 1 });
    return found && found.orgId === orgId && found.validTo > at ? found : undefined;
  }

  return {
    /** One page of the estate as of `asOf`, with its total and how fresh the scopes it covers are. */
    async page(orgId: string, query: { asOf: string; filters: InventoryFilters; sort: InventorySort; cursor?: string | undefined; limit: number }) {
      const { asOf, filters, sort, limit } = query;
      const fields = orderOf(sort.key, filters);
      const token = sortToken(sort);
      const after = query.cursor ? decodeCursor(query.cursor, token, fields.length, SORT_KEYS.flatMap((k) => [k, `-${k}`])) : undefined;
      const where = await validAt(orgId, asOf, filters, sort.key === 'changed' ? 'changed' : 'walk');
      const found = await walk(await versions(), where, fields, sort.descending ? -1 : 1, after, limit + 1);
      const page = found.slice(0, limit);
      const covered = await scopesOf(orgId, filters);
      // Counted from the per-scope live counts, never from the versions; except that no count is kept
      // per tag or search text, so with `tag` or `q` the matching versions are counted (a scan of the
      // organisation's versions valid at asOf: slower, and exact).
      const total = filters.tag || filters.q ? await countAsOf(orgId, asOf, filters) : (await countsOf(covered, asOf)).reduce((sum, c) => sum + c.live, 0);
      return {
        total,
        resources: page.map(summaryOf),
        nextCursor: found.length > limit ? encodeCursor(token, valuesOf(page.at(-1)!, fields)) : null,
        freshness: await freshness(orgId, asOf, covered),
      };
    },

    /** How many resources as of `asOf`, by type, region and account, from the per-scope live counts. */
    async summary(orgId: string, { asOf, filters }: { asOf: string; filters: Pick<InventoryFilters, 'type' | 'region' | 'account'> }) {
      const covered = await scopesOf(orgId, filters);
      const counts = await countsOf(covered, asOf);
      const tally = (keyOf: (s: ScopeDocument) => string) => {
        const totals = new Map<string, number>();
        for (const { scope, live } of counts) if (live > 0) totals.set(keyOf(scope), (totals.get(keyOf(scope)) ?? 0) + live);
        // Largest first; equal counts by name, so the order is stable.
        return [...totals].sort(([a, x], [b, y]) => y - x || (a < b ? -1 : a > b ? 1 : 0));
      };
      return {
        total: counts.reduce((sum, c) => sum + c.live, 0),
        byType: tally((s) => s.type).map(([type, count]) => ({ type, count })),
        byRegion: tally((s) => s.region).map(([region, count]) => ({ region, count })),
        byAccount: tally((s) => s.accountId).map(([accountId, count]) => ({ accountId, count })),
        freshness: await freshness(orgId, asOf, covered),
      };
    },

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
    async compare(orgId: string, { from, to, filters, limit }: { from: string; to: string; filters: InventoryFilters; limit: number }) {
      const { equal } = filterConditions({ ...filters, tag: undefined, q: undefined });
      const matches = matcher(filters);
      const atFrom = new Map<string, { id: string; name: string; arn: string; fingerprint: string | null; matched: boolean }>();
      const ended: Conditions = { equal: [{ orgId }, ...equal], ranged: [{ validFrom: { $lte: from } }, { live: true }], walkRange: { $gt: from, $lte: to } };
      for await (const v of walkAll(ended, ['validTo', '_id'])) atFrom.set(v.resourceId, { id: v._id, name: v.name, arn: v.arn, fingerprint: v.fingerprint, matched: matches(v) });

      const added: Array<{ id: string; name: string; arn: string }> = [];
      const changed: Array<{ id: string; before: string; name: string; arn: string }> = [];
      const started: Conditions = { equal: [{ orgId }, ...equal], ranged: [{ validTo: { $gt: to } }, { live: true }], walkRange: { $gt: from, $lte: to } };
      for await (const v of walkAll(started, orderOf('changed', filters))) {
        const before = atFrom.get(v.resourceId);
        if (!before) {
          if (matches(v)) added.push({ id: v._id, name: v.name, arn: v.arn });
          continue;
        }
        atFrom.delete(v.resourceId);
        if ((before.matched || matches(v)) && before.fingerprint !== v.fingerprint) changed.push({ id: v._id, before: before.id, name: v.name, arn: v.arn });
      }
      const removed = [...atFrom.values()].filter((r) => r.matched);

      const collection = await versions();
      const load = async (id: string) => {
        const found = await collection.get(id);
        if (!found) throw new Error(`Version ${id} vanished while comparing`);
        return found;
      };
      const first = <T extends { name: string; arn: string }>(list: T[]) => list.sort(byNameThenArn).slice(0, limit);
      const covered = await scopesOf(orgId, filters);
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
        freshness: { from: await freshness(orgId, from, covered), to: await freshness(orgId, to, covered) },
      };
    },

    /** One resource as it was at `asOf`; undefined when it did not exist then (or never in this organisation). */
    async resource(orgId: string, key: string, asOf: string): Promise<{ resource: ResourceDetail; freshness: Freshness } | undefined> {
      const version = await versionAt(orgId, arnOfKey(key), asOf);
      if (!version?.live || !version.resource) return undefined;
      const { resource } = version;
      return {
        resource: {
          ...summaryOf(version),
          config: resource.config,
          // A link only to what the inventory holds at that instant (an instance profile, say, is not inventoried).
          relationships: await Promise.all(
            resource.relationships.map(async ({ kind, target }) => ({ kind, target, targetKey: target !== INTERNET && (await versionAt(orgId, target, asOf))?.live ? resourceKey(target) : null })),
          ),
          validTo: version.validTo === FAR_FUTURE ? null : version.validTo,
          versionId: version._id,
        },
        freshness: await freshness(orgId, asOf, await scopesOf(orgId, { type: version.type, region: version.region, account: version.accountId })),
      };
    },

    /** A resource's versions, newest first, each with what changed against the version before it in time. */
    async history(orgId: string, key: string, { cursor, limit }: { cursor?: string | undefined; limit: number }) {
      const collection = await versions();
      const id = resourceId(orgId, arnOfKey(key));
      const [latest] = await collection.find({ resourceId: id }, { sort: [['validFrom', -1], ['position', -1]], limit: 1 });
      if (!latest || latest.orgId !== orgId) return undefined;
      const fields = ['validFrom', 'position'];
      const after = cursor ? decodeCursor(cursor, 'history', fields.length) : undefined;
      // One more than the page to know there is a next one, and one more again: the version before the page's oldest.
      const found = await walk(collection, { equal: [{ resourceId: id }], ranged: [] }, fields, -1, after, limit + 2);
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
    },

    /**
     * The network as of `asOf`: VPCs, subnets, instances, security groups, databases, functions and
     * volumes of an account and region, or of one VPC (the VPC, everything in it, and one step of
     * what those use: their security groups, volumes, ...). Nodes are resources, `internet`, or
     * `external` for a relationship target not in the inventory then.
     */
    async topology(orgId: string, { asOf, account, region, vpc }: { asOf: string; account?: string | undefined; region?: string | undefined; vpc?: string | undefined }) {
      let truncated = false;
      let inVpc: ((v: ResourceVersionDocument) => boolean) | undefined;
      let where = { account, region };
      if (vpc) {
        const found = await findVpc(vpc);
        if (!found) throw new NotFoundError(`No VPC ${vpc} as of ${asOf}`);
        inVpc = (v) => v.arn === found.arn || (v.resource?.relationships.some((r) => r.kind === IN_VPC && r.target === found.arn) ?? false);
        where = { account, region: found.region };
      }

      const nodes = new Map<string, ResourceVersionDocument | null>();
      for await (const v of everythingAsOf(orgId, asOf, { ...where, types: TOPOLOGY_TYPES })) {
        if (inVpc && !inVpc(v)) continue;
        if (nodes.size >= TOPOLOGY_NODE_CAP) {
          truncated = true;
          break;
        }
        nodes.set(v.arn, v);
      }
      // One step out: what the resources drawn point at, looked up as of the same instant.
      for (const v of [...nodes.values()]) {
        for (const { kind, target } of v?.resource?.relationships ?? []) {
          if (NOT_DRAWN.has(kind) || nodes.has(target)) continue;
          if (nodes.size >= TOPOLOGY_NODE_CAP) {
            truncated = true;
            break;
          }
          const version = target === INTERNET ? undefined : await versionAt(orgId, target, asOf);
          nodes.set(target, version?.live ? version : null);
        }
      }
      return { nodes: graphNodes(nodes), edges: graphEdges(nodes), truncated, freshness: await freshness(orgId, asOf, await scopesOf(orgId, { ...where, type: TOPOLOGY_TYPES })) };

      async function findVpc(wanted: string): Promise<ResourceVersionDocument | undefined> {
        if (wanted.startsWith('arn:')) {
          const version = await versionAt(orgId, wanted, asOf);
          return version?.live && version.type === 'ec2:vpc' ? version : undefined;
        }
        for await (const v of everythingAsOf(orgId, asOf, { type: 'ec2:vpc', account, region })) if (v.arn.endsWith(`:vpc/${wanted}`)) return v;
        return undefined;
      }
    },

    /** Every resource as of `asOf` matching the filters, in name order, read a batch at a time. */
    async *export(orgId: string, { asOf, filters }: { asOf: string; filters: InventoryFilters }): AsyncGenerator<ResourceSummary> {
      for await (const v of everythingAsOf(orgId, asOf, filters)) yield summaryOf(v);
    },
  };
};

export type InventoryQueries = ReturnType<typeof inventoryQueries>;

/** Nodes for the resources drawn (or null: not in the inventory), the internet, and whether each is exposed to it. */
function graphNodes(nodes: ReadonlyMap<string, ResourceVersionDocument | null>): TopologyNode[] {
  const exposedGroups = new Set<string>();
  for (const [id, v] of nodes) if (v?.type === 'ec2:security-group' && v.resource?.relationships.some((r) => r.kind === ALLOWS_INGRESS_FROM && r.target === INTERNET)) exposedGroups.add(id);
  const drawn = (target: string | undefined) => (target !== undefined && nodes.has(target) ? target : null);
  return [...nodes].map(([id, v]): TopologyNode => {
    if (id === INTERNET) return { id, key: null, type: 'internet', name: 'Internet', accountId: null, region: null, parent: null, exposed: false };
    if (!v?.resource) {
      const [, , , region, accountId, ...rest] = id.split(':');
      return { id, key: null, type: 'external', name: rest.join(':').split('/').at(-1) || id, accountId: accountId || null, region: region || null, parent: null, exposed: false };
    }
    const relationships = v.resource.relationships;
    const parent = v.type === 'ec2:subnet' ? relationships.find((r) => r.kind === IN_VPC)?.target : relationships.find((r) => r.kind === IN_SUBNET)?.target;
    const exposed = exposedGroups.has(id) || relationships.some((r) => r.kind === USES_SECURITY_GROUP && exposedGroups.has(r.target));
    return { id, key: v.key, type: v.type, name: v.name, accountId: v.accountId, region: v.region, parent: drawn(parent), exposed };
  });
}

function graphEdges(nodes: ReadonlyMap<string, ResourceVersionDocument | null>): TopologyEdge[] {
  const edges: TopologyEdge[] = [];
  for (const [source, v] of nodes) {
    for (const { kind, target } of v?.resource?.relationships ?? []) if (!NOT_DRAWN.has(kind) && nodes.has(target)) edges.push({ source, target, kind });
  }
  return edges;
}
