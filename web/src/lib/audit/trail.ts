import { get, seg, withQuery, type AuditPage } from '$lib/api';

/** Entries read at a time. */
const PAGE_SIZE = 50;

/** Who did what, with `from` and `to` as ISO instants; absent: any. */
export interface AuditFilters {
  actor?: string | undefined;
  action?: string | undefined;
  from?: string | undefined;
  to?: string | undefined;
}

/** Owners and admins read the organisation's trail; everyone else their own actions. */
export const trailPath = (orgId: string | undefined) => (orgId ? `/api/orgs/${seg(orgId)}/audit` : '/api/me/audit');

/** One page of a trail, newest first: the first, or the one after `cursor`. */
export const readTrail = (path: string, filters: AuditFilters, cursor?: string, options: { fetch?: typeof fetch } = {}) =>
  get<AuditPage>(withQuery(path, { ...filters, cursor, limit: PAGE_SIZE }), options);
