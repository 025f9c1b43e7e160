import { error } from '@sveltejs/kit';
import { ApiError } from './api';

/**
 * What a page's `load` does when the API refuses: the API's status and message become the page's
 * error (rendered by the nearest `+error.svelte`), and no answer at all is a 503. Given `notFound`,
 * the object the page is about is missing: a 404, or a 400 (the API refused its id in the address,
 * so no such object can exist) says which object and the way back.
 */
export function failed(cause: unknown, notFound?: App.Error): never {
  if (!(cause instanceof ApiError)) throw cause;
  if (notFound && (cause.status === 404 || cause.status === 400)) error(404, notFound);
  error(cause.status >= 400 && cause.status <= 599 ? cause.status : 503, cause.message);
}

/** The API's refusal of what was asked (400: a bad filter or instant in the URL), to show beside the page; anything else fails the page. */
export function refusedQuery(cause: unknown): { message: string } {
  if (cause instanceof ApiError && cause.status === 400) return { message: cause.message };
  return failed(cause);
}
