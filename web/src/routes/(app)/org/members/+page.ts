import { get, seg, type Answer } from '$lib/api';
import { failed } from '$lib/load';
import { canManage, currentOrganization } from '$lib/session';
import type { PageLoad } from './$types';

/** The organisation's members and, for those who manage it, its pending invitations. Read again with invalidate('app:members'). */
export const load: PageLoad = async ({ parent, fetch, depends }) => {
  depends('app:members');
  const org = currentOrganization((await parent()).me);
  if (!org) return { members: undefined, invitations: undefined };
  const [found, pending] = await Promise.all([
    get<Answer<'/api/orgs/{orgId}/members', 'get'>>(`/api/orgs/${seg(org.id)}/members`, { fetch }),
    canManage(org.role) ? get<Answer<'/api/orgs/{orgId}/invitations', 'get'>>(`/api/orgs/${seg(org.id)}/invitations`, { fetch }) : undefined,
  ]).catch(failed);
  return { members: found.members, invitations: pending?.invitations.filter((i) => i.status === 'pending') };
};
