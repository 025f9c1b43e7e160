import { error } from '@sveltejs/kit';
import { ApiError, get, withQuery } from '$lib/api';
import { inventoryApi, type ResourceAnswer } from '$lib/inventory/api';
import { failed } from '$lib/load';
import { currentOrganization } from '$lib/session';
import type { PageLoad } from './$types';

/**
 * The resource as it was at the URL's instant (absent: now), and its timeline. A resource that did
 * not exist at that instant is no error: its timeline says when it did. One that never existed is.
 */
export const load: PageLoad = async ({ params, url, parent, fetch }) => {
  const { me, timeline } = await parent();
  const org = currentOrganization(me);
  const asOf = url.searchParams.get('asOf')?.trim() || undefined;
  const notFound: App.Error = {
    title: 'Resource not found',
    message: `This resource never existed in ${org?.name ?? 'this organisation'}.`,
    back: { path: '/inventory', label: 'Inventory' },
  };
  if (!org || !timeline) error(404, notFound);
  const [history, state] = await Promise.all([
    timeline.catch((cause: unknown) => failed(cause, notFound)),
    get<ResourceAnswer>(withQuery(inventoryApi(org.id).resource(params.key), { asOf }), { fetch }).then(
      (answer) => ({ answer, absence: undefined }),
      (cause: unknown) => {
        if (cause instanceof ApiError && cause.status === 404) return { answer: undefined, absence: cause.message };
        return failed(cause);
      },
    ),
  ]);
  return { key: params.key, asOf, history, ...state };
};
