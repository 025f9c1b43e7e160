import { parseEventOf } from '../../domain/eventsourcing/registry.ts';
import type { Collection, Document } from '../../domain/read-models/document-store.ts';
import type { Projection } from '../projection.ts';
import { SCAN_STREAM_PREFIX, type PartitionFinishedData, type PartitionOutcome, type ScanRequestedData, type ScanTrigger } from './events.ts';

export type ScanState = 'running' | 'completed' | 'partial' | 'failed' | 'cancelled';

export interface PartitionView {
  key: string;
  region: string;
  collector: string;
  types: string[];
  outcome: 'pending' | PartitionOutcome;
  errorCode: string | null;
  message: string | null;
  discovered: number;
  changed: number;
  deleted: number;
  durationMs: number | null;
}

export interface Counts {
  discovered: number;
  changed: number;
  deleted: number;
}

/** One scan as its screen shows it, from request to finish. */
export interface ScanDocument extends Document {
  orgId: string;
  connectionId: string;
  trigger: ScanTrigger;
  requestedBy: string;
  status: ScanState;
  cancelRequested: boolean;
  requestedAt: string;
  finishedAt: string | null;
  durationMs: number | null;
  counts: Counts;
  partitions: PartitionView[];
  progress: { finished: number; total: number };
}

/** How current the inventory of one resource type in one region of a connection is. */
export interface FreshnessDocument extends Document {
  orgId: string;
  connectionId: string;
  region: string;
  type: string;
  /** When a partition covering this type last finished 'ok': the last complete view. Null: never. */
  lastCompleteAt: string | null;
  lastScanId: string | null;
  lastOutcome: PartitionOutcome | null;
  lastAttemptAt: string | null;
}

const HANDLED = ['ScanRequested', 'PartitionFinished', 'ScanCancellationRequested', 'ScanFinished'] as const;

export const freshnessId = (connectionId: string, region: string, type: string) => `${connectionId}/${region}/${type}`;

/**
 * Scans and freshness. Every write is derived from the event and the documents alone (counts are
 * summed from the partitions, never incremented), so applying an event twice changes nothing.
 */
export const scansProjection: Projection = {
  name: 'scans',
  filter: { streamPrefixes: [SCAN_STREAM_PREFIX] },
  collections: {
    scans: {
      indexes: [
        { name: 'by_connection', fields: [['orgId', 1], ['connectionId', 1], ['requestedAt', 1]] },
        { name: 'by_org', fields: [['orgId', 1], ['requestedAt', 1]] },
      ],
    },
    freshness: { indexes: [{ name: 'by_connection', fields: [['orgId', 1], ['connectionId', 1]] }] },
  },
  async apply(recorded, model) {
    const event = parseEventOf(recorded, HANDLED);
    if (!event) return;
    const scans = model.collection<ScanDocument>('scans');
    const freshness = model.collection<FreshnessDocument>('freshness');
    const scanId = recorded.stream.slice(SCAN_STREAM_PREFIX.length);
    const at = recorded.metadata.occurredAt;
    switch (event.type) {
      case 'ScanRequested':
        await scans.upsert(requested(scanId, event.data, at));
        await knowTypes(freshness, event.data);
        return;
      case 'PartitionFinished': {
        const scan = await scans.get(scanId);
        if (!scan) return;
        await scans.upsert(withPartition(scan, event.data));
        await recordAttempt(freshness, scan, scanId, event.data, at);
        return;
      }
      case 'ScanCancellationRequested':
        await scans.updateMany({ _id: scanId }, { $set: { cancelRequested: true } });
        return;
      case 'ScanFinished': {
        const { status, discovered, changed, deleted, durationMs } = event.data;
        await scans.updateMany({ _id: scanId }, { $set: { status, finishedAt: at, durationMs, counts: { discovered, changed, deleted } } });
        return;
      }
    }
  },
};

function requested(scanId: string, data: ScanRequestedData, at: string): ScanDocument {
  return {
    _id: scanId,
    orgId: data.orgId,
    connectionId: data.connectionId,
    trigger: data.trigger,
    requestedBy: data.requestedBy,
    status: 'running',
    cancelRequested: false,
    requestedAt: at,
    finishedAt: null,
    durationMs: null,
    counts: { discovered: 0, changed: 0, deleted: 0 },
    partitions: data.partitions.map((p) => ({
      key: p.key,
      region: p.region,
      collector: p.collector,
      types: [...p.types],
      outcome: 'pending',
      errorCode: null,
      message: null,
      discovered: 0,
      changed: 0,
      deleted: 0,
      durationMs: null,
    })),
    progress: { finished: 0, total: data.partitions.length },
  };
}

/** The scan with one partition's result in place; running totals and progress follow from the partitions. */
function withPartition(scan: ScanDocument, finished: PartitionFinishedData): ScanDocument {
  const partitions = scan.partitions.map((p) => (p.key === finished.key ? { ...p, ...finished, types: p.types } : p));
  const done = partitions.filter((p) => p.outcome !== 'pending');
  // Once finished, the scan's own totals are the truth; until then, the sum so far.
  const counts =
    scan.status === 'running'
      ? { discovered: sum(done, 'discovered'), changed: sum(done, 'changed'), deleted: sum(done, 'deleted') }
      : scan.counts;
  return { ...scan, partitions, counts, progress: { finished: done.length, total: partitions.length } };
}

const sum = (partitions: PartitionView[], field: keyof Counts) => partitions.reduce((total, p) => total + p[field], 0);

/** Every (region, type) a scan covers gets a document, so one that never completes shows as unknown. */
async function knowTypes(freshness: Collection<FreshnessDocument>, data: ScanRequestedData): Promise<void> {
  for (const partition of data.partitions)
    for (const type of partition.types) {
      const _id = freshnessId(data.connectionId, partition.region, type);
      if (await freshness.get(_id)) continue;
      await freshness.upsert({
        _id,
        orgId: data.orgId,
        connectionId: data.connectionId,
        region: partition.region,
        type,
        lastCompleteAt: null,
        lastScanId: null,
        lastOutcome: null,
        lastAttemptAt: null,
      });
    }
}

/** Every attempt is recorded; only an 'ok' listing moves the last complete view forward. */
async function recordAttempt(freshness: Collection<FreshnessDocument>, scan: ScanDocument, scanId: string, finished: PartitionFinishedData, at: string): Promise<void> {
  const types = scan.partitions.find((p) => p.key === finished.key)?.types ?? [];
  for (const type of types) {
    const attempt = { lastScanId: scanId, lastOutcome: finished.outcome, lastAttemptAt: at };
    await freshness.updateMany({ _id: freshnessId(scan.connectionId, finished.region, type) }, { $set: finished.outcome === 'ok' ? { ...attempt, lastCompleteAt: at } : attempt });
  }
}

