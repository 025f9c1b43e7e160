import { get, withQuery } from '$lib/api';
import { inventoryApi, type InventoryPage, type InventorySummary } from '$lib/inventory/api';
import { readInventoryView } from '$lib/inventory/query';
import { refusedQuery } from '$lib/load';
import { currentOrganization } from '$lib/session';
import type { PageLoad } from './$types';

/**
 * The resources the URL asks for (filters, sort, page and instant: going back and forth re-reads
 * them), their counts, and the regions and accounts to offer in the filters: those of the whole
 * estate at the instant, not only what matches.
 */
export const load: PageLoad = async ({ url, parent, fetch }) => {
  const { me, timeline } = await parent();
  const org = currentOrganization(me);
  const view = readInventoryView(url.searchParams);
  const nothing = { view, list: undefined, summary: undefined, options: { regions: [], accounts: [] }, noConnections: false, refusal: undefined };
  if (!org || !timeline) return nothing;
  const paths = inventoryApi(org.id);
  const scope = { asOf: view.asOf, type: view.type, region: view.region, account: view.account };
  const wholeEstate = !view.type && !view.region && !view.account;
  try {
    const [list, summary, everything, connections] = await Promise.all([
      get<InventoryPage>(withQuery(paths.list, { ...scope, tag: view.tag, q: view.q, sort: view.sort, cursor: view.cursor, limit: view.limit }), { fetch }),
      get<InventorySummary>(withQuery(paths.summary, scope), { fetch }),
      wholeEstate ? undefined : get<InventorySummary>(withQuery(paths.summary, { asOf: view.asOf }), { fetch }),
      timeline.connections,
    ]);
    const all = everything ?? summary;
    const options = { regions: all.byRegion.map((r) => r.region), accounts: all.byAccount.map((a) => a.accountId) };
    return { ...nothing, list, summary, options, noConnections: connections?.length === 0 };
  } catch (cause) {
    return { ...nothing, refusal: refusedQuery(cause) };
  }
};
