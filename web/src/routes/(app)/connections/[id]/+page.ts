import { error } from '@sveltejs/kit';
import { get, withQuery, type Answer, type ScanHistory } from '$lib/api';
import { HISTORY_PAGE } from '$lib/connections/history';
import { connectionPaths } from '$lib/connections/paths';
import { failed } from '$lib/load';
import { currentOrganization } from '$lib/session';
import type { PageLoad } from './$types';

/** The connection, how fresh its inventory is, and its latest scans. */
export const load: PageLoad = async ({ params, parent, fetch }) => {
  const org = currentOrganization((await parent()).me);
  const notFound: App.Error = {
    title: 'Connection not found',
    message: `This connection does not exist in ${org?.name ?? 'this organisation'}, or it was deleted.`,
    back: { path: '/connections', label: 'AWS connections' },
  };
  if (!org) error(404, notFound);
  const paths = connectionPaths(org.id, params.id);
  const [{ connection }, { freshness }, history] = await Promise.all([
    get<Answer<'/api/orgs/{orgId}/connections/{connectionId}', 'get'>>(paths.connection, { fetch }),
    get<Answer<'/api/orgs/{orgId}/connections/{connectionId}/freshness', 'get'>>(paths.freshness, { fetch }),
    get<ScanHistory>(withQuery(paths.scans, { limit: HISTORY_PAGE }), { fetch }),
  ]).catch((cause: unknown) => failed(cause, notFound));
  return { orgId: org.id, connection, freshness, history };
};
