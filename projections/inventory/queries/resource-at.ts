import { arnOfKey, FAR_FUTURE, resourceKey } from '../model.ts';
import { versionAt } from './as-of.ts';
import { freshness, type Freshness } from './freshness.ts';
import type { InventoryReadModels } from './read-models.ts';
import { summaryOf, type ResourceSummary } from './resource-summary.ts';
import { scopesOf } from './scopes.ts';
import { INTERNET } from './relationships.ts';

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

/** One resource as it was at `asOf`; undefined when it did not exist then (or never in this organisation). */
export async function resourceAt(models: InventoryReadModels, orgId: string, key: string, asOf: string): Promise<{ resource: ResourceDetail; freshness: Freshness } | undefined> {
  const version = await versionAt(models, orgId, arnOfKey(key), asOf);
  if (!version?.live || !version.resource) return undefined;
  const { resource } = version;
  return {
    resource: {
      ...summaryOf(version),
      config: resource.config,
      // A link only to what the inventory holds at that instant (an instance profile, say, is not inventoried).
      relationships: await Promise.all(
        resource.relationships.map(async ({ kind, target }) => ({ kind, target, targetKey: target !== INTERNET && (await versionAt(models, orgId, target, asOf))?.live ? resourceKey(target) : null })),
      ),
      validTo: version.validTo === FAR_FUTURE ? null : version.validTo,
      versionId: version._id,
    },
    freshness: await freshness(models, orgId, asOf, await scopesOf(models, orgId, { type: version.type, region: version.region, account: version.accountId })),
  };
}
