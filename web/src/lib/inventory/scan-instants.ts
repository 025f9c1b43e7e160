import { get, withQuery, type Answer, type Connection, type ScanHistory, type ScanStatus } from '$lib/api';
import { messageOf } from '$lib/form.svelte';
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
 * Every finished scan of the connections given, oldest first: the stops of the time-travel slider.
 * (Several pages of scans per connection: the slowest part of a time-travel page.)
 */
async function loadScanInstants(orgId: string, connections: readonly Connection[], options: { fetch?: typeof fetch } = {}): Promise<ScanInstant[]> {
  const api = inventoryApi(orgId);
  const perConnection = await Promise.all(
    connections.map(async (connection) => {
      const found: ScanInstant[] = [];
      let cursor: string | undefined;
      for (let page = 0; page < MAX_PAGES; page++) {
        const history = await get<ScanHistory>(withQuery(api.scans(connection.id), { limit: PAGE, cursor }), options);
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
  return perConnection.flat().sort((a, b) => Date.parse(a.at) - Date.parse(b.at) || a.scanId.localeCompare(b.scanId));
}

/** What the time-travel pages share, as promises that do not fail: a problem is said beside the slider, and the rest of the page stands. */
export interface ScanTimeline {
  /** The organisation's connections (to tell "nothing connected yet"); undefined when they could not be read. */
  connections: Promise<Connection[] | undefined>;
  /** The slider's stops, or why there are none. */
  instants: Promise<{ instants: ScanInstant[]; problem?: string }>;
}

/** Starts reading the organisation's connections, then the instants of their scans; a page shows each when it comes. */
export function scanTimeline(orgId: string, fetch: typeof globalThis.fetch): ScanTimeline {
  const connections = get<Answer<'/api/orgs/{orgId}/connections', 'get'>>(inventoryApi(orgId).connections, { fetch }).then((found) => found.connections);
  return {
    connections: connections.then(
      (found) => found,
      () => undefined,
    ),
    instants: connections
      .then((found) => loadScanInstants(orgId, found, { fetch }))
      .then(
        (instants) => ({ instants }),
        (cause: unknown) => ({ instants: [], problem: `The scans could not be listed: ${messageOf(cause)}` }),
      ),
  };
}
