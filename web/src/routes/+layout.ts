import { ApiError, get, type Me } from '$lib/api';
import type { LayoutLoad } from './$types';

// Rendered in the browser only: the API on the same origin serves the data.
export const ssr = false;
export const prerender = false;

/** Who is signed in, for every page: `me` is null when nobody is (401). Refreshed with invalidate('app:me'). */
export const load: LayoutLoad = async ({ fetch, depends }) => {
  depends('app:me');
  try {
    return { me: await get<Me>('/api/me', { fetch }), meFailure: undefined };
  } catch (error) {
    if (error instanceof ApiError && error.status === 401) return { me: null, meFailure: undefined };
    return { me: null, meFailure: error instanceof ApiError ? error.message : 'Your account could not be loaded.' };
  }
};
