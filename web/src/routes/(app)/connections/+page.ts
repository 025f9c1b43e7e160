import { get, seg, withQuery, type Answer, type Freshness, type Scan, type ScanHistory } from '$lib/api';
import { connectionPaths } from '$lib/connections/paths';
import { failed } from '$lib/load';
import { currentOrganization } from '$lib/session';
import type { PageLoad } from './$types';

/** The organisation's connections, each with its latest scan (null: none yet) and its freshness. */
export const load: PageLoad = async ({ parent, fetch }) => {
  const org = currentOrganization((await parent()).me);
  const lastScans: Record<string, Scan | null> = {};
  const freshness: Record<string, Freshness[]> = {};
  if (!org) return { connections: undefined, lastScans, freshness };
  const { connections } = await get<Answer<'/api/orgs/{orgId}/connections', 'get'>>(`/api/orgs/${seg(org.id)}/connections`, { fetch }).catch(failed);
  // The scan columns are extras: one connection's failure leaves its cells empty (undefined), not the page.
  await Promise.all(
    connections.map(async (connection) => {
      const paths = connectionPaths(org.id, connection.id);
      const [history, fresh] = await Promise.allSettled([
        get<ScanHistory>(withQuery(paths.scans, { limit: 1 }), { fetch }),
        get<Answer<'/api/orgs/{orgId}/connections/{connectionId}/freshness', 'get'>>(paths.freshness, { fetch }),
      ]);
      if (history.status === 'fulfilled') lastScans[connection.id] = history.value.scans[0] ?? null;
      if (fresh.status === 'fulfilled') freshness[connection.id] = fresh.value.freshness;
    }),
  );
  return { connections, lastScans, freshness };
};
