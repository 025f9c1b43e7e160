import { get, withQuery } from '$lib/api';
import { inventoryApi, type InventorySummary, type Topology } from '$lib/inventory/api';
import { vpcsOf } from '$lib/inventory/vpcs';
import { refusedQuery } from '$lib/load';
import { currentOrganization } from '$lib/session';
import type { PageLoad } from './$types';

/**
 * The topology the URL asks for (instant, account, region, VPC: going back and forth re-reads it),
 * with what the pickers offer: the accounts and regions of the estate at the instant, and the VPCs
 * of the account and region chosen.
 */
export const load: PageLoad = async ({ url, parent, fetch }) => {
  const { me } = await parent();
  const org = currentOrganization(me);
  const param = (name: string) => url.searchParams.get(name)?.trim() || undefined;
  const chosen = { asOf: param('asOf'), account: param('account'), region: param('region'), vpc: param('vpc') };
  const nothing = { ...chosen, topology: undefined, summary: undefined, vpcs: [], refusal: undefined };
  if (!org) return nothing;
  const api = inventoryApi(org.id);
  try {
    const [topology, summary, vpcs] = await Promise.all([
      get<Topology>(withQuery(api.topology, chosen), { fetch }),
      get<InventorySummary>(withQuery(api.summary, { asOf: chosen.asOf }), { fetch }),
      vpcsOf(org.id, { asOf: chosen.asOf, account: chosen.account, region: chosen.region }, { fetch }),
    ]);
    return { ...nothing, topology, summary, vpcs };
  } catch (cause) {
    return { ...nothing, refusal: refusedQuery(cause) };
  }
};
