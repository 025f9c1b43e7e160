import { get, seg, type ConnectionSetup } from '$lib/api';
import { messageOf } from '$lib/form.svelte';
import { canManage, currentOrganization } from '$lib/session';
import type { PageLoad } from './$types';

/**
 * The role to create for a role connection (the organisation's external id, trust policy and
 * template), for those who may connect an account. Not reading it leaves the keys path open, so
 * its failure is said in the page, with a way to try again.
 */
export const load: PageLoad = async ({ parent, fetch, depends }) => {
  depends('app:connection-setup');
  const org = currentOrganization((await parent()).me);
  if (!org || !canManage(org.role)) return { setup: undefined, setupProblem: undefined };
  try {
    return { setup: await get<ConnectionSetup>(`/api/orgs/${seg(org.id)}/connections/setup`, { fetch }), setupProblem: undefined };
  } catch (cause) {
    return { setup: undefined, setupProblem: messageOf(cause) };
  }
};
