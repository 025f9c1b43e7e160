import { get, withQuery } from '$lib/api';
import { inventoryApi, type InventoryComparison, type InventorySummary } from '$lib/inventory/api';
import { readFilters } from '$lib/inventory/query';
import { failed, refusedQuery } from '$lib/load';
import { currentOrganization } from '$lib/session';
import type { PageLoad } from './$types';

/**
 * What changed between the two instants of the URL, with its filters: without a first instant, the
 * scan before the latest one (so the page opens on the latest scan's changes), which is why the
 * slider's stops are awaited here; without a second, now.
 */
export const load: PageLoad = async ({ url, parent, fetch }) => {
  const { me, timeline } = await parent();
  const org = currentOrganization(me);
  const filters = readFilters(url.searchParams);
  const to = url.searchParams.get('to')?.trim() || undefined;
  const fromParam = url.searchParams.get('from')?.trim() || undefined;
  const nothing = { filters, to, fromParam, from: fromParam, instants: [], instantsProblem: undefined, options: { regions: [], accounts: [] }, comparison: undefined, problem: undefined };
  if (!org || !timeline) return nothing;
  const api = inventoryApi(org.id);
  const [{ instants, problem: instantsProblem }, summary] = await Promise.all([
    timeline.instants,
    get<InventorySummary>(api.summary, { fetch }).catch(failed),
  ]);
  /** Regions and accounts to offer in the filters, from the estate now. */
  const options = { regions: summary.byRegion.map((r) => r.region), accounts: summary.byAccount.map((a) => a.accountId) };
  const from = fromParam ?? (instants.length >= 2 ? instants[instants.length - 2]!.at : instants[0]?.at);
  const shown = { ...nothing, from, instants, instantsProblem, options };
  if (!from) return shown;
  const second = to ?? new Date().toISOString();
  if (Date.parse(from) >= Date.parse(second)) return { ...shown, problem: 'The first instant must be before the second: move one of them.' };
  try {
    return { ...shown, comparison: await get<InventoryComparison>(withQuery(api.compare, { from, to: second, ...filters }), { fetch }) };
  } catch (cause) {
    return { ...shown, problem: refusedQuery(cause).message };
  }
};
