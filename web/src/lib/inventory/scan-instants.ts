import { get, withQuery, type Connection, type ScanHistory, type ScanStatus } from '$lib/api';
import { inventoryApi } from './api';

/** An instant the estate is known at: when one of the organisation's scans finished. */
export interface ScanInstant {
  at: string;
  scanId: string;
  connectionName: string;
  status: ScanStatus;
}

const PAGE = 100;
/** Older scans than this many pages per connection are left off the slider (the date picker still reaches them). */
const MAX_PAGES = 10;

/**
 * Every finished scan of every connection of the organisation, oldest first: the stops of the
 * time-travel slider. Also answers the connections, so a page can tell "nothing connected yet".
 */
export async function loadScanInstants(orgId: string): Promise<{ connections: Connection[]; instants: ScanInstant[] }> {
  const api = inventoryApi(orgId);
  const { connections } = await get<{ connections: Connection[] }>(api.connections);
  const perConnection = await Promise.all(
    connections.map(async (connection) => {
      const found: ScanInstant[] = [];
      let cursor: string | undefined;
      for (let page = 0; page < MAX_PAGES; page++) {
        const history = await get<ScanHistory>(withQuery(api.scans(connection.id), { limit: PAGE, cursor }));
        for (const scan of history.scans) {
          if (scan.status === 'running') continue;
          found.push({ at: scan.finishedAt ?? scan.requestedAt, scanId: scan.id, connectionName: connection.name, status: scan.status });
        }
        if (!history.nextCursor) break;
        cursor = history.nextCursor;
      }
      return found;
    }),
  );
  const instants = perConnection.flat().sort((a, b) => Date.parse(a.at) - Date.parse(b.at) || a.scanId.localeCompare(b.scanId));
  return { connections, instants };
}
