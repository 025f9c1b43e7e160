import { scanTimeline } from '$lib/inventory/scan-instants';
import { currentOrganization } from '$lib/session';
import type { LayoutLoad } from './$types';

/** The time-travel slider's stops, read once for the topology (not again at each choice or instant). */
export const load: LayoutLoad = async ({ parent, fetch }) => {
  const org = currentOrganization((await parent()).me);
  return { timeline: org ? scanTimeline(org.id, fetch) : undefined };
};
