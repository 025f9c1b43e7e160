import { get, withQuery } from '$lib/api';
import { inventoryApi, type ResourceHistory } from './api';

/** Versions read at a time. */
const PAGE_SIZE = 20;

/** One page of a resource's timeline, newest first: the first, or the one after `cursor`. */
export const readTimeline = (orgId: string, key: string, cursor?: string, options: { fetch?: typeof fetch } = {}) =>
  get<ResourceHistory>(withQuery(inventoryApi(orgId).history(key), { limit: PAGE_SIZE, cursor }), options);
