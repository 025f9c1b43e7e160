import { copyFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { RecordedEvent } from '../domain/eventsourcing/event-store.ts';
import { partitionKey } from '../domain/scans/scan.ts';
import { openSqliteDocumentStore } from '../infra/document-store/sqlite.ts';
import { openSqliteEventStore } from '../infra/event-store/sqlite.ts';
import { ensureGeneration } from '../projections/generations.ts';
import { partitionSnapshots, partitionSnapshotsProjection } from '../projections/inventory/partition-snapshots.ts';
import { applyBatch } from '../projections/runner.ts';
import type { AwsClients } from './aws/clients.ts';
import type { Collector } from './collectors/index.ts';
import { scanPartition } from './partition-scan.ts';
import { normalise } from './resource.ts';
import { type NormalizedResource } from '../domain/inventory/resource.ts';

const REGION = 'eu-west-1';
const volume = (i: number, size: number): NormalizedResource =>
  normalise({ arn: `arn:aws:ec2:${REGION}:123456789012:volume/vol-${i}`, type: 'ec2:volume', accountId: '123456789012', region: REGION, name: `vol-${i}`, tags: {}, config: { size }, relationships: [] });

async function scan(file: string, scanId: string, listing: NormalizedResource[], snapshotsFile?: string, { stopAfterParts = Infinity } = {}) {
  let parts = 0;
  const events = openSqliteEventStore(file);
  const documents = snapshotsFile ? openSqliteDocumentStore(snapshotsFile) : undefined;
  const collector: Collector = { name: 'ebs-volumes', scope: 'regional', types: ['ec2:volume'], collect: async function* () { yield* listing; } };
  try {
    const result = await scanPartition({
      events,
      aws: undefined as unknown as AwsClients,
      credentials: async () => ({ accessKeyId: 'x', secretAccessKey: 'x' }),
      collector,
      partition: { key: partitionKey(REGION, 'ebs-volumes'), region: REGION, collector: 'ebs-volumes', types: ['ec2:volume'] },
      scanId,
      connectionId: 'conn-1',
      orgId: 'org-1',
      accountId: '123456789012',
      now: () => new Date('2026-01-01T00:00:00Z'),
      shouldStop: async () => (++parts >= stopAfterParts ? 'interrupted' : undefined),
      snapshots: documents && partitionSnapshots(documents),
      resourcesPerPart: 3,
    });
    const appended: RecordedEvent[] = [];
    for await (const e of events.readAll()) if (e.data && (e.data as { scanId?: string }).scanId === scanId) appended.push(e);
    return { result, appended: appended.map((e) => ({ type: e.type, revision: e.revision, data: e.data })) };
  } finally {
    await documents?.close();
    await events.close();
  }
}

/** The snapshot read model brought up to the first `upTo` events of the log (all when omitted). */
async function snapshotOf(eventsFile: string, file: string, upTo?: number) {
  const events = openSqliteEventStore(eventsFile);
  const documents = openSqliteDocumentStore(file);
  await ensureGeneration(documents, partitionSnapshotsProjection, 1);
  const all: RecordedEvent[] = [];
  for await (const e of events.readAll()) all.push(e);
  await applyBatch({ documents }, partitionSnapshotsProjection, 1, all.slice(0, upTo ?? all.length), { mustBeActive: false });
  await documents.close();
  await events.close();
}

describe('a rescan from the partition snapshot', () => {
  it('records exactly what a fold of the whole stream records, whether the snapshot is current, lagging or missing', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cv-snapshot-'));
    const seed = join(dir, 'seed.db');
    await scan(seed, 'scan-1', Array.from({ length: 20 }, (_, i) => volume(i, 8)));
    // A second scan changes, deletes and adds, so the stream holds every kind of event before the snapshot.
    await scan(seed, 'scan-2', [...Array.from({ length: 18 }, (_, i) => volume(i, i % 4 === 0 ? 16 : 8)), volume(30, 8)]);
    const next = [...Array.from({ length: 15 }, (_, i) => volume(i, i % 3 === 0 ? 32 : i % 4 === 0 ? 16 : 8)), volume(30, 8), volume(31, 8)];

    const runs = [];
    for (const [name, upTo] of [['without', -1], ['current', undefined], ['lagging', 12], ['empty', 0]] as const) {
      const file = join(dir, `${name}.db`);
      copyFileSync(seed, file);
      const snapshots = upTo === -1 ? undefined : join(dir, `${name}-snapshots.db`);
      if (snapshots) await snapshotOf(file, snapshots, upTo);
      runs.push(await scan(file, 'scan-3', next, snapshots));
    }
    const [whole, ...fromSnapshots] = runs;
    expect(whole!.result).toMatchObject({ outcome: 'ok', discovered: 1, changed: 5, deleted: 3 });
    for (const run of fromSnapshots) expect(run).toEqual(whole);
  });

  it('counts on, when a scan is resumed, from what it recorded before it was interrupted', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cv-snapshot-'));
    const file = join(dir, 'events.db');
    const snapshots = join(dir, 'snapshots.db');
    await scan(file, 'scan-1', Array.from({ length: 10 }, (_, i) => volume(i, 8)));
    const next = [...Array.from({ length: 8 }, (_, i) => volume(i, i < 5 ? 16 : 8)), volume(20, 8), volume(21, 8)];
    const interrupted = await scan(file, 'scan-2', next, undefined, { stopAfterParts: 2 });
    expect(interrupted.result).toEqual({ outcome: 'interrupted' });
    await snapshotOf(file, snapshots);
    const resumed = await scan(file, 'scan-2', next, snapshots);
    expect(resumed.result).toMatchObject({ outcome: 'ok', discovered: 2, changed: 5, deleted: 2 });
  });
});
