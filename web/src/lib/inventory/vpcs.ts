import { get, withQuery } from '$lib/api';
import { inventoryApi, type InventoryPage, type ResourceSummary } from './api';

/** The VPCs to offer in the topology's picker: those of the account and region chosen (absent: any), at the instant. */
export async function vpcsOf(orgId: string, scope: { asOf?: string | undefined; account?: string | undefined; region?: string | undefined }, options: { fetch?: typeof fetch } = {}): Promise<ResourceSummary[]> {
  const found = await get<InventoryPage>(withQuery(inventoryApi(orgId).list, { ...scope, type: 'ec2:vpc', limit: 500 }), options);
  return found.resources;
}
