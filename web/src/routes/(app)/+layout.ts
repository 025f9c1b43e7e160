import { error, redirect } from '@sveltejs/kit';
import { resolve } from '$app/paths';
import type { LayoutLoad } from './$types';

/** Pages that need a session: sign in first (and come back), or set up MFA first when an organisation requires it. */
export const load: LayoutLoad = async ({ parent, url }) => {
  const { me, meFailure } = await parent();
  if (meFailure) error(503, meFailure);
  if (!me) redirect(307, resolve(`/login?next=${encodeURIComponent(url.pathname + url.search)}`));
  if (me.mfaEnrollmentRequired && url.pathname !== resolve('/account/security')) redirect(307, resolve('/account/security'));
  return { me };
};
