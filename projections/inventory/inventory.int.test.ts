import fc from 'fast-check';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Position, RecordedEvent } from '../../domain/eventsourcing/event-store.ts';
import type { Document, DocumentStore } from '../../domain/read-models/document-store.ts';
import { openSqliteDocumentStore } from '../../infra/document-store/sqlite.ts';
import { ensureGeneration, physicalName } from '../generations.ts';
import type { ReadModelWriter } from '../projection.ts';
import { applyBatch } from '../runner.ts';
import { inventoryProjection } from './inventory.ts';
import { FAR_FUTURE, resourceId, scopeId, type CompletionDocument, type CurrentResourceDocument, type LiveCountDocument, type ResourceState, type ResourceVersionDocument } from './model.ts';

const orgId = 'org-1';
const account = '123456789012';
const region = 'eu-west-1';
const connectionId = 'conn-1';
const stream = `inventory-${connectionId}-${region}-ec2-instances`;
const scope = scopeId(orgId, account, region, 'ec2:instance');

const at = (minute: number) => new Date(Date.UTC(2026, 0, 1, 10, minute)).toISOString();
const instance = (id: string, state = 'running', tags: Record<string, string> = {}): ResourceState => ({
  arn: `arn:aws:ec2:${region}:${account}:instance/${id}`,
  type: 'ec2:instance',
  accountId: account,
  region,
  name: id,
  tags,
  config: { state },
  relationships: [],
});

/** Builds recorded events in log order; `observedAt` is set per event, so tests can make one arrive late. */
function log() {
  let position = 0;
  const events: RecordedEvent[] = [];
  const push = (type: string, data: object, metadataOrg = orgId, on = stream) => {
    position += 1;
    events.push({
      eventId: `e-${position}`,
      type,
      data,
      metadata: { occurredAt: new Date().toISOString(), actor: 'system', orgId: metadataOrg, correlationId: 's', causationId: 's' },
      stream: on,
      revision: BigInt(position - 1),
      position: String(position).padStart(20, '0') as Position,
    });
  };
  const observed = (r: ResourceState, minute: number) => ({ arn: r.arn, type: r.type, observedAt: at(minute), scanId: `scan-${minute}`, connectionId });
  return {
    events,
    discovered: (r: ResourceState, minute: number) => push('ResourceDiscovered', { ...observed(r, minute), resource: r, fingerprint: JSON.stringify(r) }),
    changed: (r: ResourceState, minute: number, changedPaths: string[] = []) => push('ResourceChanged', { ...observed(r, minute), resource: r, fingerprint: JSON.stringify(r), changedPaths }),
    deleted: (r: ResourceState, minute: number) => push('ResourceDeleted', observed(r, minute)),
    push,
  };
}

const stores: DocumentStore[] = [];
afterEach(async () => {
  for (const store of stores.splice(0)) await store.close();
});

async function project(events: readonly RecordedEvent[], { batches = 1, twice = false } = {}) {
  const documents = openSqliteDocumentStore(join(mkdtempSync(join(tmpdir(), 'cv-inventory-')), 'read-models.db'));
  stores.push(documents);
  await ensureGeneration(documents, inventoryProjection, 1);
  const size = Math.max(1, Math.ceil(events.length / batches));
  for (let i = 0; i < events.length; i += size) {
    const batch = events.slice(i, i + size);
    await applyBatch({ documents }, inventoryProjection, 1, batch, { mustBeActive: false });
    // As after a crash between a batch's writes and its checkpoint on a store without transactions.
    if (twice) await applyBatch({ documents }, inventoryProjection, 1, batch, { mustBeActive: false });
  }
  const collection = <T extends Document>(name: string) => documents.collection<T>(physicalName('inventory', name, 1));
  const versions = collection<ResourceVersionDocument>('versions');
  return {
    documents,
    versions: (arn: string) => versions.find({ resourceId: resourceId(orgId, arn) }, { sort: [['validFrom', 1], ['position', 1]] }),
    asOf: async (instant: string) =>
      (await versions.find({ orgId, live: true, validFrom: { $lte: instant }, validTo: { $gt: instant } }, { sort: [['arn', 1]] })).map((v) => v.resource),
    current: () => collection<CurrentResourceDocument>('current').find({ orgId }, { sort: [['arn', 1]] }),
    liveCount: async (instant: string, inScope = scope) =>
      (await collection<LiveCountDocument>('live_counts').find({ scopeId: inScope, at: { $lte: instant } }, { sort: [['at', -1]], limit: 1 }))[0]?.live ?? 0,
    completions: () => collection<CompletionDocument>('completions').find({ orgId }, { sort: [['_id', 1]] }),
    everything: async () => {
      const all: Record<string, Document[]> = {};
      for (const name of Object.keys(inventoryProjection.collections)) all[name] = await collection(name).find({}, { sort: [['_id', 1]] });
      return all;
    },
  };
}

describe('inventory projection: resource versions', () => {
  const web = instance('i-web', 'running', { Env: 'prod' });

  it('opens a version at discovery, valid from the observation time with an open end', async () => {
    const { events, discovered } = log();
    discovered(web, 0);
    const model = await project(events);
    expect(await model.versions(web.arn)).toMatchObject([{ kind: 'discovered', live: true, validFrom: at(0), validTo: FAR_FUTURE, resource: web, tagIndex: { RW52: 'prod' } }]);
    expect(await model.current()).toMatchObject([{ arn: web.arn, firstSeenAt: at(0), lastChangedAt: at(0), tags: { Env: 'prod' } }]);
    expect(await model.liveCount(at(0))).toBe(1);
    expect(await model.liveCount(at(-1))).toBe(0);
  });

  it('closes the previous version where a change starts, and keeps the changed paths', async () => {
    const { events, discovered, changed } = log();
    discovered(web, 0);
    changed({ ...web, config: { state: 'stopped' } }, 10, ['config.state']);
    const model = await project(events);
    const [first, second] = await model.versions(web.arn);
    expect(first).toMatchObject({ validFrom: at(0), validTo: at(10), live: true });
    expect(second).toMatchObject({ kind: 'changed', validFrom: at(10), validTo: FAR_FUTURE, changedPaths: ['config.state'] });
    expect(await model.asOf(at(5))).toEqual([web]);
    expect((await model.asOf(at(10)))[0]?.config).toEqual({ state: 'stopped' });
    expect(await model.current()).toMatchObject([{ firstSeenAt: at(0), lastChangedAt: at(10) }]);
    expect([await model.liveCount(at(5)), await model.liveCount(at(10))]).toEqual([1, 1]);
  });

  it('records a deletion as the end of the resource: gone from then on, still in its history', async () => {
    const { events, discovered, deleted } = log();
    discovered(web, 0);
    deleted(web, 20);
    const model = await project(events);
    expect(await model.versions(web.arn)).toMatchObject([
      { live: true, validFrom: at(0), validTo: at(20) },
      { kind: 'deleted', live: false, resource: null, validFrom: at(20), validTo: FAR_FUTURE, name: 'i-web' },
    ]);
    expect(await model.asOf(at(19))).toEqual([web]);
    expect(await model.asOf(at(20))).toEqual([]);
    expect(await model.current()).toEqual([]);
    expect([await model.liveCount(at(19)), await model.liveCount(at(20))]).toEqual([1, 0]);
  });

  it('starts a new live version when a deleted resource re-appears, first seen kept', async () => {
    const { events, discovered, deleted } = log();
    discovered(web, 0);
    deleted(web, 20);
    discovered(web, 30);
    const model = await project(events);
    expect((await model.versions(web.arn)).map((v) => [v.kind, v.validFrom, v.validTo])).toEqual([
      ['discovered', at(0), at(20)],
      ['deleted', at(20), at(30)],
      ['discovered', at(30), FAR_FUTURE],
    ]);
    expect(await model.asOf(at(25))).toEqual([]);
    expect(await model.asOf(at(30))).toEqual([web]);
    expect(await model.current()).toMatchObject([{ firstSeenAt: at(0), lastChangedAt: at(30) }]);
    expect([await model.liveCount(at(25)), await model.liveCount(at(35))]).toEqual([0, 1]);
  });

  it('slots a late-arriving observation into its place in time, not at the end', async () => {
    const { events, discovered, changed } = log();
    const stopped = { ...web, config: { state: 'stopped' } };
    const resized = { ...web, config: { state: 'running', size: 'large' } };
    discovered(web, 0);
    changed(resized, 30);
    // Observed at minute 10, projected after the minute-30 observation.
    changed(stopped, 10);
    const model = await project(events);
    expect((await model.versions(web.arn)).map((v) => [v.resource?.config, v.validFrom, v.validTo])).toEqual([
      [web.config, at(0), at(10)],
      [stopped.config, at(10), at(30)],
      [resized.config, at(30), FAR_FUTURE],
    ]);
    expect(await model.asOf(at(15))).toEqual([stopped]);
    // The current inventory is still the latest in time.
    expect((await model.current())[0]?.resource).toEqual(resized);
  });

  it('counts a late discovery and a late deletion over exactly the time they cover', async () => {
    const { events, discovered, deleted } = log();
    const db = instance('i-db');
    discovered(web, 0);
    discovered(web, 40); // a second sighting (another scan) — no count change
    discovered(db, 30);
    deleted(web, 20); // late: the web instance was gone between 20 and 40
    const model = await project(events);
    const counts = await Promise.all([0, 10, 20, 30, 40, 50].map((m) => model.liveCount(at(m))));
    expect(counts).toEqual([1, 1, 0, 1, 2, 2]);
  });

  it('stops watching a removed connection\'s resources: a last version at the removal, gone from the inventory and its counts', async () => {
    const { events, discovered, push } = log();
    const db = instance('i-db');
    discovered(web, 0);
    discovered(db, 0);
    push('AwsConnectionDeleted', { connectionId, accountId: account }, orgId, `connection-${connectionId}`);
    const removedAt = events.at(-1)!.metadata.occurredAt;
    const model = await project(events);
    expect((await model.versions(web.arn)).map((v) => [v.kind, v.live, v.validTo === FAR_FUTURE])).toEqual([
      ['discovered', true, false],
      ['disconnected', false, true],
    ]);
    expect(await model.current()).toEqual([]);
    expect(await model.liveCount(removedAt)).toBe(0);
    // Replayed, it ends nothing twice.
    const again = await project(events, { batches: 3, twice: true });
    expect(await again.everything()).toEqual(await model.everything());
  });

  it('ends as a clean run does when an event is applied again after a crash part-way through its writes (no transactions)', async () => {
    const db = instance('i-db');
    const scenarios = {
      'a late observation': (l: ReturnType<typeof log>) => {
        l.discovered(web, 0);
        l.discovered(db, 5);
        l.deleted(web, 30);
        l.changed({ ...web, config: { state: 'stopped' } }, 10);
      },
      'a connection removed': (l: ReturnType<typeof log>) => {
        l.discovered(web, 0);
        l.discovered(db, 5);
        l.discovered(instance('i-cache'), 6);
        l.push('AwsConnectionDeleted', { connectionId, accountId: account }, orgId, `connection-${connectionId}`);
      },
    };
    for (const [name, write] of Object.entries(scenarios)) {
      const l = log();
      write(l);
      const clean = await (await project(l.events)).everything();
      for (const cut of [1, 2, 3, 5, 8, 13]) {
        const model = await project(l.events.slice(0, -1));
        const last = l.events.at(-1)!;
        // Writes committed one by one, as on a store without transactions, until the crash.
        let writes = 0;
        const crashing: ReadModelWriter = {
          collection: <T extends Document>(collectionName: string) => {
            const real = model.documents.collection<T>(physicalName('inventory', collectionName, 1));
            const counted = <A extends unknown[], R>(write: (...args: A) => Promise<R>) => async (...args: A) => {
              if (++writes > cut) throw new Error('crash');
              return write(...args);
            };
            return { ...real, get: real.get, find: real.find, upsert: counted(real.upsert), updateMany: counted(real.updateMany), deleteMany: counted(real.deleteMany), bulk: counted(real.bulk) };
          },
        };
        await inventoryProjection.apply(last, crashing).catch(() => undefined);
        await applyBatch({ documents: model.documents }, inventoryProjection, 1, [last], { mustBeActive: false });
        expect(await model.everything(), `${name}, crashed after ${cut} writes`).toEqual(clean);
      }
    }
  });

  it('keeps organisations apart: the same ARN in two organisations is two resources', async () => {
    const { events, discovered, push } = log();
    discovered(web, 0);
    push('ResourceDiscovered', { arn: web.arn, type: web.type, observedAt: at(0), scanId: 's', connectionId: 'conn-b', resource: { ...web, name: 'theirs' }, fingerprint: 'x' }, 'org-2');
    const model = await project(events);
    expect(await model.current()).toMatchObject([{ orgId, name: 'i-web' }]);
    expect(await model.versions(web.arn)).toHaveLength(1);
  });

  it('gives the same documents when replayed, whatever the batches, and when a batch is applied twice', async () => {
    const { events, discovered, changed, deleted } = log();
    const db = instance('i-db');
    discovered(web, 0);
    discovered(db, 0);
    changed({ ...web, tags: { Env: 'staging' } }, 10, ['tags.Env']);
    deleted(db, 20);
    changed({ ...web, tags: { Env: 'dev' } }, 5); // late
    discovered(db, 30);
    const once = await (await project(events)).everything();
    expect(await (await project(events, { batches: events.length })).everything()).toEqual(once);
    expect(await (await project(events, { batches: 3, twice: true })).everything()).toEqual(once);
  });
});

describe('inventory projection: complete listings', () => {
  it('records each type of a partition that ended ok, and nothing for one that did not', async () => {
    const { events, push } = log();
    const partitions = [
      { key: `${region}/ec2-instances`, region, collector: 'ec2-instances', types: ['ec2:instance'] },
      { key: 'global/iam', region: 'global', collector: 'iam', types: ['iam:user', 'iam:role'] },
    ];
    const finished = (key: string, outcome: string) => ({ key, region: key.split('/')[0], collector: key.split('/')[1], outcome, errorCode: null, message: null, discovered: 0, changed: 0, deleted: 0, durationMs: 5 });
    push('ScanRequested', { scanId: 'a', connectionId, orgId, accountId: account, requestedBy: 'u', trigger: 'manual', partitions }, orgId, 'scan-a');
    push('PartitionFinished', finished(`${region}/ec2-instances`, 'ok'), orgId, 'scan-a');
    push('PartitionFinished', finished('global/iam', 'denied'), orgId, 'scan-a');
    const model = await project(events);
    expect((await model.completions()).map((c) => [c.scopeId, c.scanId])).toEqual([[scope, 'a']]);
    const scopes = await model.documents.collection(physicalName('inventory', 'scopes', 1)).find({}, { sort: [['_id', 1]] });
    expect(scopes.map((s) => s._id)).toEqual([scope, scopeId(orgId, account, 'global', 'iam:role'), scopeId(orgId, account, 'global', 'iam:user')].sort());
  });
});

/**
 * For random histories — resources discovered, changed, deleted and re-discovered, some observations
 * arriving late — "as of T" from the read model equals replaying, in observation order, every
 * event observed at or before T; and so do the live counts.
 */
describe('inventory projection: as of T equals a replay of the events up to T', () => {
  const step = fc.record({ resource: fc.integer({ min: 0, max: 4 }), action: fc.constantFrom<'seen' | 'gone'>('seen', 'seen', 'gone'), minute: fc.integer({ min: 0, max: 60 }), variant: fc.integer({ min: 0, max: 2 }) });

  it('holds for many histories and instants', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(step, { minLength: 1, maxLength: 25 }), fc.array(fc.integer({ min: -1, max: 62 }), { minLength: 5, maxLength: 10 }), async (steps, instants) => {
        // The scanner's view of each stream: a change event only when the state moves, in log order.
        const { events, discovered, changed, deleted } = log();
        const live = new Map<number, string>();
        for (const { resource, action, minute, variant } of steps) {
          const state = instance(`i-${resource}`, ['running', 'stopped', 'pending'][variant]);
          const was = live.get(resource);
          if (action === 'gone') {
            if (was === undefined) continue;
            deleted(state, minute);
            live.delete(resource);
          } else if (was === undefined) {
            discovered(state, minute);
            live.set(resource, JSON.stringify(state));
          } else if (was !== JSON.stringify(state)) {
            changed(state, minute);
            live.set(resource, JSON.stringify(state));
          }
        }
        const model = await project(events, { batches: 2 });
        // Brute force: events in observation order (log order breaks ties), replayed up to T.
        const ordered = events.map((e, index) => ({ e, index })).sort((a, b) => {
          const [x, y] = [(a.e.data as { observedAt: string }).observedAt, (b.e.data as { observedAt: string }).observedAt];
          return x < y ? -1 : x > y ? 1 : a.index - b.index;
        });
        for (const minute of instants) {
          const instant = at(minute);
          const state = new Map<string, ResourceState>();
          for (const { e } of ordered) {
            const data = e.data as { arn: string; observedAt: string; resource?: ResourceState };
            if (data.observedAt > instant) break;
            if (e.type === 'ResourceDeleted') state.delete(data.arn);
            else state.set(data.arn, data.resource!);
          }
          const expected = [...state.values()].sort((a, b) => (a.arn < b.arn ? -1 : 1));
          expect(await model.asOf(instant)).toEqual(expected);
          expect(await model.liveCount(instant)).toBe(expected.length);
        }
        await model.documents.close();
        stores.splice(stores.indexOf(model.documents), 1);
      }),
      { numRuns: 60 },
    );
  });
});
