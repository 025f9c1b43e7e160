import { ValidationError } from '../../domain/errors.ts';
import type { DocumentStore, Filter } from '../../domain/read-models/document-store.ts';
import { readModel } from '../generations.ts';
import type { FreshnessDocument, ScanDocument } from './scans.ts';

/** An opaque cursor: the request time and id of the last scan of the previous page. */
const encodeCursor = (scan: ScanDocument) => Buffer.from(`scans:${scan.requestedAt}|${scan._id}`).toString('base64url');
function decodeCursor(cursor: string): { requestedAt: string; id: string } {
  const match = /^scans:([\dT:.+Z-]{10,40})\|([\w-]{1,100})$/.exec(Buffer.from(cursor, 'base64url').toString('utf8'));
  if (!match) throw new ValidationError('The cursor is not one this API gave out');
  return { requestedAt: match[1]!, id: match[2]! };
}

/** The questions the API asks of the scans read models; every one is scoped to an organisation. */
export const scanQueries = (store: DocumentStore) => {
  const scans = () => readModel<ScanDocument>(store, 'scans', 'scans');
  const freshness = () => readModel<FreshnessDocument>(store, 'scans', 'freshness');
  return {
    /** Another organisation's scan is not found. */
    scan: async (orgId: string, scanId: string) => {
      const found = await (await scans()).get(scanId);
      return found?.orgId === orgId ? found : undefined;
    },
    /** A connection's scans, newest first, one page at a time. */
    history: async (orgId: string, connectionId: string, { cursor, limit }: { cursor?: string | undefined; limit: number }) => {
      const clauses: Filter[] = [{ orgId }, { connectionId }];
      if (cursor) {
        // Ties on the request time are broken by id, so no scan is skipped or repeated across pages.
        const after = decodeCursor(cursor);
        clauses.push({ $or: [{ requestedAt: { $lt: after.requestedAt } }, { requestedAt: after.requestedAt, _id: { $lt: after.id } }] });
      }
      const found = await (await scans()).find({ $and: clauses }, { sort: [['requestedAt', -1], ['_id', -1]], limit: limit + 1 });
      const page = found.slice(0, limit);
      return { scans: page, nextCursor: found.length > limit ? encodeCursor(page.at(-1)!) : null };
    },
    freshnessOf: async (orgId: string, connectionId: string) =>
      (await freshness()).find({ orgId, connectionId }, { sort: [['region', 1], ['type', 1]] }),
  };
};

export type ScanQueries = ReturnType<typeof scanQueries>;
