import { GLOBAL_REGION } from '../../../domain/inventory/resource.ts';
import { scopeId, type ScopeDocument } from '../model.ts';
import type { InventoryReadModels } from './read-models.ts';
import { scopesOf } from './scopes.ts';

export type ScopeStatus = 'fresh' | 'stale' | 'unknown';

/** How fresh an answer is: when each scope it covers was last listed completely, at or before `asOf`. */
export interface Freshness {
  asOf: string;
  scopes: Array<{ accountId: string; region: string; type: string; lastCompleteAt: string | null; status: ScopeStatus }>;
  unknown: number;
  stale: number;
}

/** A scope whose last complete listing is older than this, before the instant asked about, is stale. */
const STALE_AFTER_MS = 24 * 3600_000;

/**
 * When each scope was last listed completely, at or before `asOf`. A partition listed globally
 * (IAM, S3) completes the scope of region `global`, which stands for every region of its type.
 */
export async function freshness(models: InventoryReadModels, orgId: string, asOf: string, scopes: readonly ScopeDocument[]): Promise<Freshness> {
  const collection = await models.completions();
  const listedGlobally = new Set(scopes.some((s) => s.region !== GLOBAL_REGION) ? (await scopesOf(models, orgId, { region: GLOBAL_REGION })).map((s) => s._id) : []);
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
    scopes.map(async ({ _id, accountId, region, type }) => {
      const own = await lastCompletion(_id);
      const globalScope = scopeId(orgId, accountId, GLOBAL_REGION, type);
      const global = region !== GLOBAL_REGION && listedGlobally.has(globalScope) ? await lastCompletion(globalScope) : null;
      const lastCompleteAt = own && global ? (own > global ? own : global) : (own ?? global);
      const status: ScopeStatus = lastCompleteAt === null ? 'unknown' : Date.parse(asOf) - Date.parse(lastCompleteAt) > STALE_AFTER_MS ? 'stale' : 'fresh';
      return { accountId, region, type, lastCompleteAt, status };
    }),
  );
  return { asOf, scopes: entries, unknown: entries.filter((e) => e.status === 'unknown').length, stale: entries.filter((e) => e.status === 'stale').length };
}
