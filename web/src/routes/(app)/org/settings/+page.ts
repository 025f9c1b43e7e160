import { get, seg, type Organization } from '$lib/api';
import { failed } from '$lib/load';
import { currentOrganization } from '$lib/session';
import type { PageLoad } from './$types';

/** The current organisation's settings (read again whenever who is signed in is: after a save, or another organisation chosen). */
export const load: PageLoad = async ({ parent, fetch }) => {
  const org = currentOrganization((await parent()).me);
  if (!org) return { organization: undefined };
  return { organization: await get<Organization>(`/api/orgs/${seg(org.id)}`, { fetch }).catch(failed) };
};
