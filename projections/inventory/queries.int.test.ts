import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Position, RecordedEvent } from '../../domain/eventsourcing/event-store.ts';
import type { DocumentStore } from '../../domain/read-models/document-store.ts';
import { openMongoDocumentStore } from '../../infra/document-store/mongo.ts';
import { openSqliteDocumentStore } from '../../infra/document-store/sqlite.ts';
import { startFerretDb } from '../../infra/testing/peers.ts';
import { ensureGeneration, readModel } from '../generations.ts';
import { applyBatch } from '../runner.ts';
import { inventoryProjection } from './inventory.ts';
import { resourceKey, type ResourceState, type ResourceVersionDocument } from './model.ts';
import { resource, type ResourceSpec } from './testing.ts';
import { inventoryQueries, SORT_KEYS, type InventoryFilters, type InventoryQueries, type InventorySort, type ResourceSummary } from './queries.ts';

/**
 * The inventory queries on histories fed through the real projection: every answer is checked
 * against what the events say (or a brute-force reading of every version), on SQLite and, when
 * FerretDB is built, on the MongoDB adapter.
 */

const ferret = await startFerretDb();
afterAll(() => ferret.peer?.stop());
if (ferret.reason) console.log(`Inventory queries on mongo (FerretDB) skipped: ${ferret.reason}`);

const at = (day: number, hour = 0) => new Date(Date.UTC(2026, 0, day, hour)).toISOString();

let position = 0;
/** Events of one organisation in log order, as the scanner and the scan engine append them. */
function history(orgId: string, connectionId = 'conn-1') {
  const events: RecordedEvent[] = [];
  const push = (stream: string, type: string, data: object, occurredAt = new Date().toISOString()) => {
    position += 1;
    events.push({
      eventId: `e-${position}`,
      type,
      data,
      metadata: { occurredAt, actor: 'system', orgId, correlationId: 'c', causationId: 'c' },
      stream,
      revision: 0n,
      position: String(position).padStart(20, '0') as Position,
    });
  };
  const observed = (r: ResourceState, when: string) => [`inventory-${connectionId}-${r.region}-${r.type.replace(':', '-')}`, { arn: r.arn, type: r.type, observedAt: when, scanId: `scan-${when}`, connectionId }] as const;
  return {
    events,
    discovered(r: ResourceState, when: string) {
      const [stream, data] = observed(r, when);
      push(stream, 'ResourceDiscovered', { ...data, resource: r, fingerprint: JSON.stringify(r) });
    },
    changed(r: ResourceState, when: string, changedPaths: string[] = []) {
      const [stream, data] = observed(r, when);
      push(stream, 'ResourceChanged', { ...data, resource: r, fingerprint: JSON.stringify(r), changedPaths });
    },
    deleted(r: ResourceState, when: string) {
      const [stream, data] = observed(r, when);
      push(stream, 'ResourceDeleted', data);
    },
    /** A scan of one account whose partitions each ended as given, at the given instants. */
    scan(accountId: string, partitions: Array<{ region: string; types: string[]; outcome: 'ok' | 'denied'; at: string }>) {
      const scanId = randomUUID();
      const planned = partitions.map((p, i) => ({ key: `${p.region}/c${i}`, region: p.region, collector: `c${i}`, types: p.types }));
      push(`scan-${scanId}`, 'ScanRequested', { scanId, connectionId, orgId, accountId, requestedBy: 'u', trigger: 'manual', partitions: planned }, partitions[0]!.at);
      partitions.forEach((p, i) => {
        const { key, region, collector } = planned[i]!;
        push(`scan-${scanId}`, 'PartitionFinished', { key, region, collector, outcome: p.outcome, errorCode: null, message: null, discovered: 0, changed: 0, deleted: 0, durationMs: 5 }, p.at);
      });
    },
  };
}

interface Backend {
  name: string;
  open: () => Promise<DocumentStore>;
}
const backends: Backend[] = [{ name: 'sqlite', open: async () => openSqliteDocumentStore(join(mkdtempSync(join(tmpdir(), 'cv-inventory-queries-')), 'read-models.db')) }];
if (ferret.peer) backends.push({ name: 'mongo (FerretDB)', open: () => openMongoDocumentStore(ferret.peer!.url) });

describe.each(backends)('inventory queries on $name', ({ name, open }) => {
  let store: DocumentStore;
  let queries: InventoryQueries;
  beforeAll(async () => {
    store = await open();
    await ensureGeneration(store, inventoryProjection, 1);
    queries = inventoryQueries(store);
  });
  afterAll(() => store?.close());

  /** Projects a history (each test has its own organisation, so they share the store). */
  const project = (events: readonly RecordedEvent[]) => applyBatch({ documents: store }, inventoryProjection, 1, events, { mustBeActive: false });

  const page = (orgId: string, asOf: string, options: { filters?: InventoryFilters; sort?: InventorySort; cursor?: string; limit?: number } = {}) =>
    queries.page(orgId, { asOf, filters: options.filters ?? {}, sort: options.sort ?? { key: 'name', descending: false }, cursor: options.cursor, limit: options.limit ?? 50 });

  /** Every page, following the cursors. */
  async function allPages(orgId: string, asOf: string, options: { filters?: InventoryFilters; sort?: InventorySort; limit: number }): Promise<ResourceSummary[]> {
    const rows: ResourceSummary[] = [];
    let cursor: string | undefined;
    for (let i = 0; i < 100; i++) {
      const answer = await page(orgId, asOf, { ...options, ...(cursor && { cursor }) });
      expect(answer.resources.length).toBeLessThanOrEqual(options.limit);
      rows.push(...answer.resources);
      if (!answer.nextCursor) return rows;
      cursor = answer.nextCursor;
    }
    throw new Error('more than 100 pages');
  }

  describe('compare', () => {
    const orgId = `org-${randomUUID()}`;
    const [from, to] = [at(10), at(20)];
    const r = {
      steady: resource('i-steady'),
      edited: resource('i-edited'),
      restored: resource('i-restored'),
      born: resource('i-born'),
      gone: resource('i-gone'),
      reborn: resource('i-reborn'),
      rebornDifferent: resource('i-reborn-different'),
      ephemeral: resource('i-ephemeral'),
      later: resource('i-later'),
      bucket: resource('logs', { type: 's3:bucket', tags: { Env: 'prod' } }),
    };
    const stopped = (x: ResourceState) => ({ ...x, config: { state: 'stopped' } });

    beforeAll(async () => {
      const h = history(orgId);
      for (const x of [r.steady, r.edited, r.restored, r.gone, r.reborn, r.rebornDifferent, r.later, r.bucket]) h.discovered(x, at(1));
      h.changed(stopped(r.edited), at(12), ['config.state']);
      h.changed(stopped(r.restored), at(12), ['config.state']);
      h.changed(r.restored, at(14), ['config.state']);
      h.discovered(r.born, at(11));
      h.deleted(r.gone, at(13));
      h.deleted(r.reborn, at(12));
      h.discovered(r.reborn, at(15));
      h.deleted(r.rebornDifferent, at(12));
      h.discovered(stopped(r.rebornDifferent), at(15));
      h.discovered(r.ephemeral, at(11));
      h.deleted(r.ephemeral, at(16));
      h.changed(stopped(r.later), at(25), ['config.state']);
      h.changed({ ...r.bucket, tags: { Env: 'dev' } }, at(18), ['tags.Env']);
      await project(h.events);
    });

    it('returns exactly what was added, removed and changed, with the changed paths', async () => {
      const answer = await queries.compare(orgId, { from, to, filters: {}, limit: 500 });
      expect(answer.counts).toEqual({ added: 1, removed: 1, changed: 3 });
      expect(answer.added.map((x) => x.name)).toEqual(['i-born']);
      expect(answer.removed.map((x) => x.name)).toEqual(['i-gone']);
      // Changed and changed back is not a change. Deleted and re-created with the same ARN: the
      // resource is in both snapshots, so it is changed only when it came back different.
      expect(answer.changed.map((x) => [x.name, x.changedPaths])).toEqual([
        ['i-edited', ['config.state']],
        ['i-reborn-different', ['config.state']],
        ['logs', ['tags.Env']],
      ]);
      expect(answer.truncated).toBe(false);
      // Added and changed show the state at `to`, removed the state at `from`.
      expect(answer.changed.find((x) => x.name === 'logs')).toMatchObject({ key: resourceKey(r.bucket.arn), arn: r.bucket.arn, tags: { Env: 'dev' }, validFrom: at(18) });
      expect(answer.removed[0]).toMatchObject({ arn: r.gone.arn, validFrom: at(1), type: 'ec2:instance', region: 'eu-west-1', accountId: '111111111111', connectionId: 'conn-1' });
    });

    it('sees nothing between two instants with no change between them, and everything since before the first discovery', async () => {
      expect((await queries.compare(orgId, { from: at(20), to: at(24), filters: {}, limit: 500 })).counts).toEqual({ added: 0, removed: 0, changed: 0 });
      const since = await queries.compare(orgId, { from: at(0), to, filters: {}, limit: 500 });
      expect(since.counts).toEqual({ added: 8, removed: 0, changed: 0 });
      expect(since.added.map((x) => x.name)).toEqual(['i-born', 'i-edited', 'i-reborn', 'i-reborn-different', 'i-restored', 'i-later', 'i-steady', 'logs'].sort());
    });

    it('selects by tag or search at either instant: a resource re-tagged into or out of the filter is changed, not added or removed', async () => {
      for (const value of ['prod', 'dev']) {
        const tagged = await queries.compare(orgId, { from, to, filters: { tag: { key: 'Env', value } }, limit: 500 });
        expect([tagged.counts, tagged.changed.map((x) => [x.name, x.changedPaths])]).toEqual([{ added: 0, removed: 0, changed: 1 }, [['logs', ['tags.Env']]]]);
      }
      const untagged = await queries.compare(orgId, { from, to, filters: { tag: { key: 'Env', value: 'staging' } }, limit: 500 });
      expect(untagged.counts).toEqual({ added: 0, removed: 0, changed: 0 });
      const buckets = await queries.compare(orgId, { from, to, filters: { type: 's3:bucket' }, limit: 500 });
      expect(buckets.counts).toEqual({ added: 0, removed: 0, changed: 1 });
      const searched = await queries.compare(orgId, { from, to, filters: { q: 'I-REBORN' }, limit: 500 });
      expect(searched.changed.map((x) => x.name)).toEqual(['i-reborn-different']);
    });

    it('counts exactly and caps each list at the limit, in name order', async () => {
      const answer = await queries.compare(orgId, { from, to, filters: {}, limit: 2 });
      expect(answer.counts).toEqual({ added: 1, removed: 1, changed: 3 });
      expect(answer.changed.map((x) => x.name)).toEqual(['i-edited', 'i-reborn-different']);
      expect(answer.truncated).toBe(true);
    });
  });

  describe('as of an instant', () => {
    const orgId = `org-${randomUUID()}`;
    const regions = ['eu-west-1', 'us-east-1', 'ap-south-1'];
    const accounts = ['111111111111', '222222222222'];
    const types = ['ec2:instance', 'ec2:volume', 'rds:db-instance'];
    // FerretDB answers a query in tens of milliseconds: there, fewer combinations.
    const thorough = name === 'sqlite';
    const instants = thorough ? [at(3), at(6, 12), at(9), at(30)] : [at(9)];
    // AWS tag keys may hold dots, slashes and spaces; FerretDB refuses a dot in any stored key (and
    // the versions keep the resource's own tags), so there the key has only a slash and a space.
    const clusterTag = name === 'sqlite' ? 'kubernetes.io/cluster/a b' : 'kubernetes/cluster a b';

    beforeAll(async () => {
      // 24 resources, some sharing a name, changing, disappearing and coming back over nine days.
      const h = history(orgId);
      for (let i = 0; i < 24; i++) {
        const spec = { type: types[i % 3], region: regions[i % 3 === 0 ? i % 2 : 2], account: accounts[(i >> 1) % 2], name: `node-${String(i % 9).padStart(2, '0')}`, tags: { Team: `t${i % 4}`, [clusterTag]: 'owned' } };
        const first = resource(`r-${i}`, spec);
        h.discovered(first, at(1 + (i % 5)));
        if (i % 2 === 0) h.changed({ ...first, config: { state: 'stopped' } }, at(6, i % 5), ['config.state']);
        if (i % 5 === 0) h.deleted(first, at(7));
        if (i % 10 === 0) h.discovered({ ...first, name: `reborn-${i}` }, at(8));
      }
      await project(h.events);
    });

    /** The answer worked out from every version of the organisation, by hand. */
    async function expected(asOf: string, sort: InventorySort, filters: InventoryFilters = {}): Promise<string[]> {
      const all = await (await readModel<ResourceVersionDocument>(store, 'inventory', 'versions')).find({ orgId });
      const fields = { name: ['name'], type: ['type', 'name'], region: ['region', 'name'], account: ['accountId', 'name'], changed: ['validFrom', 'name'] }[sort.key];
      const compare = (a: ResourceVersionDocument, b: ResourceVersionDocument) => {
        for (const f of [...fields, '_id']) if (a[f] !== b[f]) return (a[f] as string) < (b[f] as string) ? -1 : 1;
        return 0;
      };
      return all
        .filter((v) => v.live && v.validFrom <= asOf && v.validTo > asOf)
        .filter((v) => (!filters.type || v.type === filters.type) && (!filters.region || v.region === filters.region) && (!filters.account || v.accountId === filters.account))
        .filter((v) => !filters.tag || (filters.tag.value === undefined ? filters.tag.key in v.resource!.tags : v.resource!.tags[filters.tag.key] === filters.tag.value))
        .filter((v) => !filters.q || v.search.includes(filters.q.toLowerCase()))
        .sort((a, b) => (sort.descending ? -compare(a, b) : compare(a, b)))
        .map((v) => `${v.key}@${v.validFrom}`);
    }

    it('pages through every sort, both ways, with no row repeated or left out', async () => {
      for (const asOf of instants) {
        for (const key of SORT_KEYS) {
          for (const descending of [false, true]) {
            const sort = { key, descending };
            const rows = await allPages(orgId, asOf, { sort, limit: thorough ? 4 : 7 });
            expect(rows.map((x) => `${x.key}@${x.validFrom}`), `${asOf} ${descending ? '-' : ''}${key}`).toEqual(await expected(asOf, sort));
          }
        }
      }
    });

    it('filters by type, region, account, tag and search text, alone and together, in any sort', async () => {
      const cases: InventoryFilters[] = [
        { type: 'ec2:volume' },
        { region: 'ap-south-1' },
        { account: '222222222222' },
        { type: 'ec2:instance', region: 'eu-west-1', account: '111111111111' },
        { tag: { key: 'Team', value: 't1' } },
        { tag: { key: clusterTag } },
        { tag: { key: 'Team', value: 'nobody' } },
        { q: 'NODE-0' },
        { q: 'volume/r-1' },
        { q: '%' },
        { type: 'rds:db-instance', tag: { key: 'Team' }, q: 'node' },
      ];
      for (const filters of cases) {
        const sorts: InventorySort[] = [{ key: 'name', descending: false }, { key: 'type', descending: true }, { key: 'changed', descending: true }, { key: 'region', descending: false }];
        for (const sort of thorough ? sorts : sorts.slice(1, 3)) {
          const rows = await allPages(orgId, at(9), { filters, sort, limit: thorough ? 3 : 5 });
          expect(rows.map((x) => `${x.key}@${x.validFrom}`), `${JSON.stringify(filters)} ${sort.key}`).toEqual(await expected(at(9), sort, filters));
        }
        const answer = await page(orgId, at(9), { filters, limit: 3 });
        expect(answer.total, JSON.stringify(filters)).toBe((await expected(at(9), { key: 'name', descending: false }, filters)).length);
      }
    });

    it('totals from the live counts, and a summary by type, region and account that adds up', async () => {
      for (const asOf of instants) {
        const total = (await expected(asOf, { key: 'name', descending: false })).length;
        expect((await page(orgId, asOf, { limit: 1 })).total).toBe(total);
        const summary = await queries.summary(orgId, { asOf, filters: {} });
        expect(summary.total).toBe(total);
        for (const list of [summary.byType, summary.byRegion, summary.byAccount]) expect(list.reduce((sum, x) => sum + x.count, 0)).toBe(total);
      }
      const summary = await queries.summary(orgId, { asOf: at(30), filters: { account: '111111111111' } });
      expect(summary.byAccount).toEqual([{ accountId: '111111111111', count: summary.total }]);
      expect(summary.byType.map((x) => x.count)).toEqual([...summary.byType.map((x) => x.count)].sort((a, b) => b - a));
      expect((await queries.summary(orgId, { asOf: at(0), filters: {} })).total).toBe(0);
    });

    it('refuses a cursor it did not give out, and one from another sort order', async () => {
      const first = await page(orgId, at(9), { limit: 2 });
      await expect(page(orgId, at(9), { cursor: 'bm90LWEtY3Vyc29y' })).rejects.toThrow('The cursor is not one this API gave out');
      await expect(page(orgId, at(9), { cursor: Buffer.from('["name","a"]').toString('base64url') })).rejects.toThrow('The cursor is not one this API gave out');
      await expect(page(orgId, at(9), { cursor: first.nextCursor!, sort: { key: 'name', descending: true } })).rejects.toThrow('This cursor belongs to another sort order (name); start again without it');
    });

    it('exports everything as of an instant, in name order', async () => {
      const exported: ResourceSummary[] = [];
      for await (const x of queries.export(orgId, { asOf: at(9), filters: {} })) exported.push(x);
      expect(exported.map((x) => `${x.key}@${x.validFrom}`)).toEqual(await expected(at(9), { key: 'name', descending: false }));
    });
  });

  describe('freshness', () => {
    const orgId = `org-${randomUUID()}`;
    const account = '333333333333';
    beforeAll(async () => {
      const h = history(orgId);
      h.discovered(resource('i-1', { account }), at(1));
      h.discovered(resource('bucket-eu', { type: 's3:bucket', region: 'eu-west-1', account }), at(1));
      h.scan(account, [
        { region: 'eu-west-1', types: ['ec2:instance'], outcome: 'denied', at: at(2) },
        { region: 'global', types: ['s3:bucket', 'iam:role'], outcome: 'ok', at: at(2, 1) },
      ]);
      h.scan(account, [{ region: 'eu-west-1', types: ['ec2:instance'], outcome: 'ok', at: at(3) }]);
      await project(h.events);
    });

    it('says unknown until a listing completes, fresh for a day after, then stale', async () => {
      const before = (await page(orgId, at(1, 12))).freshness;
      expect(before).toMatchObject({ asOf: at(1, 12), unknown: before.scopes.length, stale: 0 });
      expect(before.scopes.every((s) => s.lastCompleteAt === null && s.status === 'unknown')).toBe(true);

      const of = async (asOf: string, region: string, type: string) =>
        (await page(orgId, asOf)).freshness.scopes.find((s) => s.region === region && s.type === type);
      // Denied: still unknown.
      expect(await of(at(2, 12), 'eu-west-1', 'ec2:instance')).toEqual({ accountId: account, region: 'eu-west-1', type: 'ec2:instance', lastCompleteAt: null, status: 'unknown' });
      expect(await of(at(3, 12), 'eu-west-1', 'ec2:instance')).toMatchObject({ lastCompleteAt: at(3), status: 'fresh' });
      expect(await of(at(4), 'eu-west-1', 'ec2:instance')).toMatchObject({ status: 'fresh' });
      expect(await of(at(4, 1), 'eu-west-1', 'ec2:instance')).toMatchObject({ lastCompleteAt: at(3), status: 'stale' });
      // A global S3 listing is a complete view of the buckets of every region.
      expect(await of(at(2, 12), 'eu-west-1', 's3:bucket')).toMatchObject({ lastCompleteAt: at(2, 1), status: 'fresh' });
      expect(await of(at(2, 12), 'global', 'iam:role')).toMatchObject({ lastCompleteAt: at(2, 1), status: 'fresh' });
    });

    it('covers the scopes the filters leave, and counts them', async () => {
      const freshness = (await page(orgId, at(3, 12), { filters: { type: 'ec2:instance' } })).freshness;
      expect(freshness).toEqual({ asOf: at(3, 12), scopes: [{ accountId: account, region: 'eu-west-1', type: 'ec2:instance', lastCompleteAt: at(3), status: 'fresh' }], unknown: 0, stale: 0 });
      const all = (await queries.summary(orgId, { asOf: at(5), filters: {} })).freshness;
      expect([all.unknown, all.stale, all.scopes.length]).toEqual([0, 4, 4]);
    });
  });

  describe('one resource', () => {
    const orgId = `org-${randomUUID()}`;
    const group = resource('sg-1', { type: 'ec2:security-group' });
    const profile = 'arn:aws:iam::111111111111:instance-profile/web';
    const vm = resource('i-history', {
      tags: { Env: 'prod' },
      relationships: [
        { kind: 'uses-instance-profile', target: profile },
        { kind: 'uses-security-group', target: group.arn },
      ],
    });
    beforeAll(async () => {
      const h = history(orgId);
      h.discovered(group, at(1));
      h.discovered(vm, at(1));
      h.changed({ ...vm, tags: { Env: 'dev' }, config: { state: 'running', size: 'large' } }, at(2), ['config.size', 'tags.Env']);
      h.deleted(vm, at(3));
      h.discovered(vm, at(4));
      h.changed({ ...vm, name: 'renamed' }, at(5), ['name']);
      await project(h.events);
    });

    it('shows the version valid at the instant, and nothing while it did not exist', async () => {
      const key = resourceKey(vm.arn);
      const answer = await queries.resource(orgId, key, at(2, 1));
      expect(answer?.resource).toMatchObject({
        key,
        arn: vm.arn,
        name: 'i-history',
        tags: { Env: 'dev' },
        config: { state: 'running', size: 'large' },
        // Linked only to what the inventory holds: an instance profile is not inventoried.
        relationships: [
          { kind: 'uses-instance-profile', target: profile, targetKey: null },
          { kind: 'uses-security-group', target: group.arn, targetKey: resourceKey(group.arn) },
        ],
        validFrom: at(2),
        validTo: at(3),
      });
      expect((await queries.resource(orgId, key, at(6)))?.resource).toMatchObject({ name: 'renamed', validTo: null });
      expect(await queries.resource(orgId, key, at(3, 1))).toBeUndefined();
      expect(await queries.resource(orgId, key, at(0))).toBeUndefined();
      expect(await queries.resource(`org-${randomUUID()}`, key, at(2, 1))).toBeUndefined();
      expect(await queries.history(`org-${randomUUID()}`, key, { limit: 10 })).toBeUndefined();
    });

    it('lists its versions newest first, each with its diff from the one before, a page at a time', async () => {
      const key = resourceKey(vm.arn);
      const first = await queries.history(orgId, key, { limit: 2 });
      expect(first).toMatchObject({ key, arn: vm.arn, type: 'ec2:instance', name: 'renamed' });
      const second = await queries.history(orgId, key, { limit: 2, cursor: first!.nextCursor! });
      const third = await queries.history(orgId, key, { limit: 2, cursor: second!.nextCursor! });
      expect(third!.nextCursor).toBeNull();
      const versions = [...first!.versions, ...second!.versions, ...third!.versions];
      expect(versions.map((v) => [v.kind, v.validFrom, v.validTo])).toEqual([
        ['changed', at(5), null],
        ['discovered', at(4), at(5)],
        ['deleted', at(3), at(4)],
        ['changed', at(2), at(3)],
        ['discovered', at(1), at(2)],
      ]);
      expect(versions[0]!.changes).toEqual([{ path: 'name', before: 'i-history', after: 'renamed' }]);
      expect(versions[3]!.changes).toEqual([
        { path: 'config.size', after: 'large' },
        { path: 'tags.Env', before: 'prod', after: 'dev' },
      ]);
      expect(versions.filter((v) => v.kind !== 'changed').every((v) => v.changes.length === 0)).toBe(true);
      await expect(queries.history(orgId, key, { limit: 2, cursor: 'eA' })).rejects.toThrow('The cursor is not one this API gave out');
    });
  });

  describe('topology', () => {
    const orgId = `org-${randomUUID()}`;
    const account = '444444444444';
    const ec2 = (kind: string, id: string) => `arn:aws:ec2:eu-west-1:${account}:${kind}/${id}`;
    const on = (spec: ResourceSpec) => ({ account, ...spec });
    const vpc = resource('vpc-0a1', on({ type: 'ec2:vpc' }));
    const other = resource('vpc-0b2', on({ type: 'ec2:vpc' }));
    const subnet = resource('subnet-1', on({ type: 'ec2:subnet', relationships: [{ kind: 'in-vpc', target: vpc.arn }] }));
    const open = resource('sg-open', on({ type: 'ec2:security-group', relationships: [{ kind: 'in-vpc', target: vpc.arn }, { kind: 'allows-ingress-from', target: 'internet' }] }));
    const closed = resource('sg-closed', on({ type: 'ec2:security-group', relationships: [{ kind: 'in-vpc', target: vpc.arn }, { kind: 'allows-ingress-from', target: ec2('security-group', 'sg-open') }] }));
    const web = resource('i-web', on({
      relationships: [
        { kind: 'in-vpc', target: vpc.arn },
        { kind: 'in-subnet', target: subnet.arn },
        { kind: 'uses-security-group', target: open.arn },
        { kind: 'attached-volume', target: ec2('volume', 'vol-1') },
        { kind: 'uses-role', target: `arn:aws:iam::${account}:role/web` },
        { kind: 'member-of-cluster', target: 'arn:aws:ecs:eu-west-1:444444444444:cluster/gone' },
      ],
    }));
    const volume = resource('vol-1', on({ type: 'ec2:volume', relationships: [{ kind: 'attached-to', target: web.arn }] }));
    const db = resource('db-1', on({ type: 'rds:db-instance', relationships: [{ kind: 'in-vpc', target: vpc.arn }, { kind: 'in-subnet', target: subnet.arn }, { kind: 'uses-security-group', target: closed.arn }] }));
    const elsewhere = resource('i-elsewhere', on({ relationships: [{ kind: 'in-vpc', target: other.arn }] }));
    const role = resource('web', on({ type: 'iam:role' }));

    beforeAll(async () => {
      const h = history(orgId);
      for (const x of [vpc, other, subnet, open, closed, web, volume, db, elsewhere, role]) h.discovered(x, at(1));
      h.deleted(db, at(3));
      await project(h.events);
    });

    it('draws the network: boxes, exposure to the internet, and what lies outside the inventory', async () => {
      const graph = await queries.topology(orgId, { asOf: at(2), account, region: 'eu-west-1' });
      const node = (id: string) => graph.nodes.find((n) => n.id === id);
      expect(graph.nodes.map((n) => n.id).sort()).toEqual([vpc.arn, other.arn, subnet.arn, open.arn, closed.arn, web.arn, volume.arn, db.arn, elsewhere.arn, 'internet', 'arn:aws:ecs:eu-west-1:444444444444:cluster/gone'].sort());
      expect(node(subnet.arn)).toEqual({ id: subnet.arn, key: resourceKey(subnet.arn), type: 'ec2:subnet', name: 'subnet-1', accountId: account, region: 'eu-west-1', parent: vpc.arn, exposed: false });
      expect(node(web.arn)).toMatchObject({ parent: subnet.arn, exposed: true });
      expect(node(open.arn)).toMatchObject({ exposed: true, parent: null });
      expect(node(db.arn)).toMatchObject({ parent: subnet.arn, exposed: false });
      expect(node('internet')).toEqual({ id: 'internet', key: null, type: 'internet', name: 'Internet', accountId: null, region: null, parent: null, exposed: false });
      expect(node('arn:aws:ecs:eu-west-1:444444444444:cluster/gone')).toEqual({ id: 'arn:aws:ecs:eu-west-1:444444444444:cluster/gone', key: null, type: 'external', name: 'gone', accountId: account, region: 'eu-west-1', parent: null, exposed: false });
      expect(graph.edges).toEqual(expect.arrayContaining([
        { source: web.arn, target: open.arn, kind: 'uses-security-group' },
        { source: web.arn, target: volume.arn, kind: 'attached-volume' },
        { source: open.arn, target: 'internet', kind: 'allows-ingress-from' },
        { source: closed.arn, target: open.arn, kind: 'allows-ingress-from' },
      ]));
      // IAM links are not network paths; a volume's link back to its instance repeats attached-volume.
      expect(graph.edges.some((e) => e.kind === 'uses-role' || e.kind === 'attached-to')).toBe(false);
      expect(graph.truncated).toBe(false);
    });

    it('narrows to one VPC, by id or ARN: the VPC, what is in it, and what those use', async () => {
      for (const wanted of ['vpc-0a1', vpc.arn]) {
        const graph = await queries.topology(orgId, { asOf: at(4), vpc: wanted });
        expect(graph.nodes.map((n) => n.id).sort()).toEqual([vpc.arn, subnet.arn, open.arn, closed.arn, web.arn, volume.arn, 'internet', 'arn:aws:ecs:eu-west-1:444444444444:cluster/gone'].sort());
      }
      await expect(queries.topology(orgId, { asOf: at(0), vpc: 'vpc-0a1' })).rejects.toThrow(`No VPC vpc-0a1 as of ${at(0)}`);
    });
  });
});
