import { ValidationError } from '../../domain/errors.ts';
import type { DocumentStore, Filter } from '../../domain/read-models/document-store.ts';
import { readModel } from '../generations.ts';
import type { AuditEntry } from './audit-trail.ts';

export interface AuditQuery {
  orgId?: string;
  actor?: string;
  action?: string;
  /** The stream the action was on, e.g. `org-…` or `user-…`. */
  object?: string;
  from?: string;
  to?: string;
  cursor?: string;
  limit: number;
}

/** An opaque cursor: the log position of the last entry of the previous page. */
const encodeCursor = (entry: AuditEntry) => Buffer.from(`audit:${entry.position}`).toString('base64url');
function decodeCursor(cursor: string): string {
  const match = /^audit:([\d-]{1,64})$/.exec(Buffer.from(cursor, 'base64url').toString('utf8'));
  if (!match) throw new ValidationError('The cursor is not one this API gave out');
  return match[1]!;
}

/** Newest first (in log order), filtered, one page at a time; every filter value was validated by the route. */
export async function auditPage(store: DocumentStore, query: AuditQuery): Promise<{ entries: AuditEntry[]; nextCursor: string | null }> {
  const clauses: Filter[] = [];
  if (query.orgId) clauses.push({ orgId: query.orgId });
  if (query.actor) clauses.push({ actor: query.actor });
  if (query.action) clauses.push({ action: query.action });
  if (query.object) clauses.push({ stream: query.object });
  if (query.from) clauses.push({ at: { $gte: query.from } });
  if (query.to) clauses.push({ at: { $lt: query.to } });
  if (query.cursor) clauses.push({ position: { $lt: decodeCursor(query.cursor) } });
  const entries = await (await readModel<AuditEntry>(store, 'audit', 'entries')).find(clauses.length ? { $and: clauses } : {}, {
    // Log order: events of one command share a time, but never a position.
    sort: [['position', -1]],
    limit: query.limit + 1,
  });
  const page = entries.slice(0, query.limit);
  return { entries: page, nextCursor: entries.length > query.limit ? encodeCursor(page.at(-1)!) : null };
}
