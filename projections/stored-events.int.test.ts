import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { EventMetadata, RecordedEvent } from '../domain/eventsourcing/event-store.ts';
import { inventoryStream } from '../domain/inventory/partition.ts';
import { openSqliteDocumentStore } from '../infra/document-store/sqlite.ts';
import { openSqliteEventStore } from '../infra/event-store/sqlite.ts';
import { createVault } from '../infra/keys/vault.ts';
import { collect } from '../infra/testing/collect.ts';
import { checkpointOf, applyBatch } from './runner.ts';
import { ensureGeneration, readModel } from './generations.ts';
import type { CurrentResourceDocument, ResourceVersionDocument } from './inventory/model.ts';
import { partitionSnapshots } from './inventory/partition-snapshots.ts';
import { createProjections } from './registry.ts';
import type { Projection } from './projection.ts';

/** Projections read the log through the events' schemas: an old shape is upcast, a malformed event stops them loudly. */

let cleanup: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const step of cleanup.reverse()) await step();
  cleanup = [];
});

function openStores() {
  const dir = mkdtempSync(join(tmpdir(), 'cv-stored-'));
  const events = openSqliteEventStore(join(dir, 'events.db'));
  const documents = openSqliteDocumentStore(join(dir, 'read-models.db'));
  cleanup.push(async () => {
    await documents.close();
    await events.close();
  });
  const projections = createProjections({ vault: createVault(documents, randomBytes(32)) });
  const named = (name: string) => projections.find((projection) => projection.name === name)!;
  return { events, documents, projections, named };
}

const metadata: EventMetadata = { occurredAt: '2026-12-01T10:00:00.000Z', actor: 'system', orgId: 'org-1', correlationId: 'scan-1', causationId: 'scan-1' };
const CONNECTION = '0b6f7a52-3d2e-4f18-8c11-5a9e2c7d4b10';
const resource = { arn: 'arn:aws:ec2:eu-west-1:123456789012:volume/vol-1', type: 'ec2:volume', accountId: '123456789012', region: 'eu-west-1', name: 'data', tags: {}, config: { size: 8 }, relationships: [] };

async function project(documents: ReturnType<typeof openStores>['documents'], projection: Projection, batch: readonly RecordedEvent[]) {
  await ensureGeneration(documents, projection, 1);
  await applyBatch({ documents }, projection, 1, batch, { mustBeActive: false });
}

describe('projections reading stored events', () => {
  it('project an inventory event stored before a416449 with the connection its stream names', async () => {
    const { events, documents, named } = openStores();
    const stream = inventoryStream(CONNECTION, 'eu-west-1', 'ebs-volumes');
    const old = { arn: resource.arn, type: resource.type, resource, fingerprint: 'fp-1', observedAt: '2026-12-01T09:59:00.000Z', scanId: 'scan-1' };
    await events.append(stream, [{ eventId: randomUUID(), type: 'ResourceDiscovered', data: old, metadata }], { expected: 'no_stream' });
    const batch = await collect(events.readAll());
    await project(documents, named('inventory'), batch);
    await project(documents, named('partition_snapshots'), batch);

    const [version] = await (await readModel<ResourceVersionDocument>(documents, 'inventory', 'versions')).find({});
    expect(version).toMatchObject({ arn: resource.arn, connectionId: CONNECTION, kind: 'discovered', resource });
    const [current] = await (await readModel<CurrentResourceDocument>(documents, 'inventory', 'current')).find({});
    expect(current).toMatchObject({ arn: resource.arn, connectionId: CONNECTION });
    expect((await partitionSnapshots(documents)(stream))?.known.get(resource.arn)).toEqual({ type: resource.type, fingerprint: 'fp-1', revision: 0n });
  });

  it('stop at a malformed event of a type they handle, naming its stream and revision, and keep their checkpoint', async () => {
    const { events, documents, named } = openStores();
    const malformed: Array<[projection: string, stream: string, type: string, data: object]> = [
      ['identity', 'session-s-1', 'SessionStarted', { sessionId: 's-1', userId: 'u-1' }],
      ['organizations', 'org-o-1', 'MemberJoined', { userId: 'u-1', role: 'emperor' }],
      ['mfa', 'mfa-u-1', 'MfaEnabled', { recoveryCodeHashes: 'all of them' }],
      ['connections', 'connection-c-1', 'ConnectionRenamed', {}],
      ['scans', 'scan-sc-1', 'ScanFinished', { status: 'done' }],
      ['inventory', inventoryStream(CONNECTION, 'eu-west-1', 'ebs-volumes'), 'ResourceDeleted', { arn: 42 }],
      ['partition_snapshots', inventoryStream(CONNECTION, 'us-east-1', 'ebs-volumes'), 'ResourceChanged', { ...resource, changedPaths: [] }],
    ];
    for (const [name, stream, type, data] of malformed) {
      await events.append(stream, [{ eventId: randomUUID(), type, data, metadata }], { expected: 'no_stream' });
      const [recorded] = await collect(events.readStream(stream));
      await expect(project(documents, named(name), [recorded!]), name).rejects.toThrow(`The stored event ${type} at revision 0 of stream ${stream} `);
      expect(await checkpointOf(documents, name, 1), name).toBeUndefined();
    }
  });

  it('pass by the event types they do not handle', async () => {
    const { events, documents, named } = openStores();
    await events.append('user-u-9', [{ eventId: randomUUID(), type: 'SomethingNobodyKnows', data: {}, metadata }], { expected: 'no_stream' });
    const batch = await collect(events.readAll());
    for (const name of ['identity', 'mfa', 'organizations', 'connections', 'scans', 'inventory', 'partition_snapshots', 'audit']) await project(documents, named(name), batch);
    expect(await checkpointOf(documents, 'identity', 1)).toBe(batch[0]!.position);
  });
});
