import { error } from '@sveltejs/kit';
import { get, seg, type Answer } from '$lib/api';
import { connectionPaths } from '$lib/connections/paths';
import { failed } from '$lib/load';
import { currentOrganization } from '$lib/session';
import type { PageLoad } from './$types';

/** The scan as it stands, and its connection (for the way back; the page does without it if it cannot be read). */
export const load: PageLoad = async ({ params, parent, fetch }) => {
  const org = currentOrganization((await parent()).me);
  const notFound: App.Error = {
    title: 'Scan not found',
    message: `This scan does not exist in ${org?.name ?? 'this organisation'}.`,
    back: { path: '/connections', label: 'AWS connections' },
  };
  if (!org) error(404, notFound);
  const { scan } = await get<Answer<'/api/orgs/{orgId}/scans/{scanId}', 'get'>>(`/api/orgs/${seg(org.id)}/scans/${seg(params.id)}`, { fetch }).catch((cause: unknown) => failed(cause, notFound));
  const connection = await get<Answer<'/api/orgs/{orgId}/connections/{connectionId}', 'get'>>(connectionPaths(org.id, scan.connectionId).connection, { fetch }).then(
    (found) => found.connection,
    () => undefined,
  );
  return { orgId: org.id, scan, connection };
};
