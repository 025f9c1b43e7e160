import { get, seg, type Answer } from '$lib/api';
import { readTrail, trailPath } from '$lib/audit/trail';
import { failed } from '$lib/load';
import { canManage, currentOrganization } from '$lib/session';
import type { PageLoad } from './$types';

/** The newest entries of the trail the person may read, and for a whole organisation's trail its members (to filter by; none if they cannot be read). */
export const load: PageLoad = async ({ parent, fetch }) => {
  const org = currentOrganization((await parent()).me);
  const managed = org && canManage(org.role) ? org : undefined;
  const path = trailPath(managed?.id);
  const [first, members] = await Promise.all([
    readTrail(path, {}, undefined, { fetch }).catch(failed),
    managed
      ? get<Answer<'/api/orgs/{orgId}/members', 'get'>>(`/api/orgs/${seg(managed.id)}/members`, { fetch }).then(
          (found) => found.members,
          () => [],
        )
      : [],
  ]);
  return { path, first, members };
};
