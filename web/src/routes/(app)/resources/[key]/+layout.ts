import { readTimeline } from '$lib/inventory/timeline';
import { currentOrganization } from '$lib/session';
import type { LayoutLoad } from './$types';

/**
 * The resource's timeline is the same at every instant: read once per resource, not again when the
 * page moves to another instant. The page's load awaits it beside the state at its instant.
 */
export const load: LayoutLoad = async ({ params, parent, fetch }) => {
  const org = currentOrganization((await parent()).me);
  if (!org) return { timeline: undefined };
  const timeline = readTimeline(org.id, params.key, undefined, { fetch });
  // Its failure is the page's to report; this only keeps the browser from calling it unhandled meanwhile.
  timeline.catch(() => undefined);
  return { timeline };
};
