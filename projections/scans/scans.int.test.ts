import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Position, RecordedEvent } from '../../domain/eventsourcing/event-store.ts';
import type { DocumentStore } from '../../domain/read-models/document-store.ts';
import { openSqliteDocumentStore } from '../../infra/document-store/sqlite.ts';
import { ensureGeneration, physicalName } from '../generations.ts';
import { applyBatch } from '../runner.ts';
import type { ScanEvent } from './events.ts';
import { scansProjection, type FreshnessDocument, type ScanDocument } from './scans.ts';

const orgId = 'org-1';
const connectionId = 'conn-1';
const scanId = 'scan-a';
const partitions = [
  { key: 'eu-west-1/ec2-instances', region: 'eu-west-1', collector: 'ec2-instances', types: ['ec2:instance'] },
  { key: 'us-east-1/ec2-instances', region: 'us-east-1', collector: 'ec2-instances', types: ['ec2:instance'] },
  { key: 'global/iam', region: 'global', collector: 'iam', types: ['iam:role', 'iam:user'] },
];

let position = 0;
function recorded(stream: string, event: ScanEvent, occurredAt: string): RecordedEvent {
  position += 1;
  return {
    eventId: `e-${position}`,
    type: event.type,
    data: event.data,
    metadata: { occurredAt, actor: 'user-1', orgId, correlationId: 'c', causationId: 'c' },
    stream,
    revision: 0n,
    position: String(position).padStart(20, '0') as Position,
  };
}

const finished = (key: string, outcome: 'ok' | 'denied', discovered: number, errorCode: string | null = null) => {
  const partition = partitions.find((p) => p.key === key)!;
  return { type: 'PartitionFinished' as const, data: { key, region: partition.region, collector: partition.collector, outcome, errorCode, message: errorCode ? `${errorCode}: no` : null, discovered, changed: 1, deleted: 0, durationMs: 40 } };
};

/** A first scan where IAM is denied, then a second one where it works but us-east-1 is denied. */
const history = (): RecordedEvent[] => [
  recorded(`scan-${scanId}`, { type: 'ScanRequested', data: { scanId, connectionId, orgId, accountId: '123456789012', requestedBy: 'user-1', trigger: 'manual', partitions } }, '2026-01-01T10:00:00.000Z'),
  recorded(`scan-${scanId}`, finished('eu-west-1/ec2-instances', 'ok', 3), '2026-01-01T10:00:01.000Z'),
  recorded(`scan-${scanId}`, finished('us-east-1/ec2-instances', 'ok', 2), '2026-01-01T10:00:02.000Z'),
  recorded(`scan-${scanId}`, finished('global/iam', 'denied', 0, 'AccessDenied'), '2026-01-01T10:00:03.000Z'),
  recorded(`scan-${scanId}`, { type: 'ScanFinished', data: { status: 'partial', discovered: 5, changed: 2, deleted: 0, durationMs: 3000 } }, '2026-01-01T10:00:03.500Z'),
  recorded('scan-b', { type: 'ScanRequested', data: { scanId: 'b', connectionId, orgId, accountId: '123456789012', requestedBy: 'schedule', trigger: 'schedule', partitions } }, '2026-01-02T10:00:00.000Z'),
  recorded('scan-b', finished('global/iam', 'ok', 4), '2026-01-02T10:00:01.000Z'),
  recorded('scan-b', { type: 'ScanCancellationRequested', data: { requestedBy: 'user-2' } }, '2026-01-02T10:00:01.500Z'),
  recorded('scan-b', finished('us-east-1/ec2-instances', 'denied', 0, 'UnauthorizedOperation'), '2026-01-02T10:00:02.000Z'),
];

async function project(events: readonly RecordedEvent[], batches = 1): Promise<{ documents: DocumentStore; scans: ScanDocument[]; freshness: FreshnessDocument[] }> {
  const documents = openSqliteDocumentStore(join(mkdtempSync(join(tmpdir(), 'cv-scans-')), 'read-models.db'));
  await ensureGeneration(documents, scansProjection, 1);
  const size = Math.ceil(events.length / batches);
  for (let i = 0; i < events.length; i += size) await applyBatch({ documents }, scansProjection, 1, events.slice(i, i + size), { mustBeActive: false });
  return {
    documents,
    scans: await documents.collection<ScanDocument>(physicalName('scans', 'scans', 1)).find({}, { sort: [['_id', 1]] }),
    freshness: await documents.collection<FreshnessDocument>(physicalName('scans', 'freshness', 1)).find({}, { sort: [['_id', 1]] }),
  };
}

describe('the scans projection', () => {
  it('follows a scan from request to finish: partitions, running totals, progress, status', async () => {
    const events = history();
    const { scans } = await project(events.slice(0, 3));
    expect(scans[0]).toMatchObject({ _id: scanId, status: 'running', progress: { finished: 2, total: 3 }, counts: { discovered: 5, changed: 2, deleted: 0 }, finishedAt: null });
    expect(scans[0]!.partitions.map((p) => p.outcome)).toEqual(['ok', 'ok', 'pending']);

    const all = await project(events);
    const first = all.scans.find((s) => s._id === scanId)!;
    expect(first).toEqual({
      _id: scanId,
      orgId,
      connectionId,
      trigger: 'manual',
      requestedBy: 'user-1',
      status: 'partial',
      cancelRequested: false,
      requestedAt: '2026-01-01T10:00:00.000Z',
      finishedAt: '2026-01-01T10:00:03.500Z',
      durationMs: 3000,
      counts: { discovered: 5, changed: 2, deleted: 0 },
      partitions: [
        { ...partitions[0], outcome: 'ok', errorCode: null, message: null, discovered: 3, changed: 1, deleted: 0, durationMs: 40 },
        { ...partitions[1], outcome: 'ok', errorCode: null, message: null, discovered: 2, changed: 1, deleted: 0, durationMs: 40 },
        { ...partitions[2], outcome: 'denied', errorCode: 'AccessDenied', message: 'AccessDenied: no', discovered: 0, changed: 1, deleted: 0, durationMs: 40 },
      ],
      progress: { finished: 3, total: 3 },
    });
    expect(all.scans.find((s) => s._id === 'b')).toMatchObject({ status: 'running', cancelRequested: true, trigger: 'schedule', requestedBy: 'schedule', progress: { finished: 2, total: 3 } });
  });

  it('advances the last complete view of a type only when its partition finished ok', async () => {
    const { freshness } = await project(history());
    const of = (region: string, type: string) => freshness.find((f) => f.region === region && f.type === type);
    // Complete in the first scan; the second has not reached it.
    expect(of('eu-west-1', 'ec2:instance')).toEqual({
      _id: `${connectionId}/eu-west-1/ec2:instance`,
      orgId,
      connectionId,
      region: 'eu-west-1',
      type: 'ec2:instance',
      lastCompleteAt: '2026-01-01T10:00:01.000Z',
      lastScanId: scanId,
      lastOutcome: 'ok',
      lastAttemptAt: '2026-01-01T10:00:01.000Z',
    });
    // Denied in the second scan: the attempt is recorded, the last complete view stays the first scan's.
    expect(of('us-east-1', 'ec2:instance')).toMatchObject({ lastCompleteAt: '2026-01-01T10:00:02.000Z', lastScanId: 'b', lastOutcome: 'denied', lastAttemptAt: '2026-01-02T10:00:02.000Z' });
    // Denied first, then complete: both IAM types move together.
    for (const type of ['iam:role', 'iam:user']) expect(of('global', type)).toMatchObject({ lastCompleteAt: '2026-01-02T10:00:01.000Z', lastOutcome: 'ok', lastScanId: 'b' });
    expect(freshness).toHaveLength(4);
  });

  it('shows a type that was never completed as unknown', async () => {
    const { freshness } = await project(history().slice(0, 4));
    expect(freshness.filter((f) => f.lastCompleteAt === null).map((f) => [f.region, f.type, f.lastOutcome])).toEqual([
      ['global', 'iam:role', 'denied'],
      ['global', 'iam:user', 'denied'],
    ]);
  });

  it('gives the same documents when the events are replayed, in one batch or many, or applied twice', async () => {
    const events = history();
    const once = await project(events);
    const inBatches = await project(events, 4);
    const twice = await project([...events, ...events.map((e) => ({ ...e, position: `9${e.position}` as Position }))]);
    expect(inBatches.scans).toEqual(once.scans);
    expect(inBatches.freshness).toEqual(once.freshness);
    expect(twice.scans).toEqual(once.scans);
    expect(twice.freshness).toEqual(once.freshness);
  });
});
