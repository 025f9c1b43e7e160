import { seg } from '$lib/api';

/** The API paths of one AWS connection of an organisation. */
export const connectionPaths = (orgId: string, connectionId: string) => {
  const base = `/api/orgs/${seg(orgId)}/connections/${seg(connectionId)}`;
  return {
    connection: base,
    freshness: `${base}/freshness`,
    scans: `${base}/scans`,
    validate: `${base}/validate`,
    schedule: `${base}/schedule`,
    keys: `${base}/keys`,
  };
};
