import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer } from '../../infra/testing/server.ts';
import { resourceKey } from '../../projections/inventory/model.ts';
import type { RunningServer } from '../server.ts';
import type { ApiClient } from '../testing/client.ts';
import { recordInventory, recordListing, resource } from '../testing/inventory.ts';
import { joinAs, verifiedOwner, type Owner, type Person } from '../testing/organizations.ts';

/**
 * The inventory API on histories written to the log in the
 * scanner's shapes and projected by the running server: validation, tenant scoping, answers as of
 * an instant, pages, compare, one resource, the graph and the export.
 */

let server: RunningServer;
let a: Owner;
let viewer: Person;
let b: Owner;

const day = (n: number, hour = 0) => new Date(Date.UTC(2026, 0, n, hour)).toISOString();

// Organisation A's estate: names that test CSV escaping, a change, a deletion, a small network.
const web = resource('i-web', { name: 'web, "prod"\nline', tags: { Env: 'prod', Note: 'a,b' }, relationships: [{ kind: 'in-vpc', target: 'arn:aws:ec2:eu-west-1:111111111111:vpc/vpc-0a1' }, { kind: 'uses-security-group', target: 'arn:aws:ec2:eu-west-1:111111111111:security-group/sg-open' }] });
const formula = resource('i-formula', { name: '=HYPERLINK("http://x")', tags: { '+t': '-v', Team: '@ops' } });
const db = resource('db-1', { type: 'rds:db-instance', region: 'us-east-1', account: '222222222222' });
const bucket = resource('assets', { type: 's3:bucket', name: 'assets' });
const vpc = resource('vpc-0a1', { type: 'ec2:vpc' });
const openGroup = resource('sg-open', { type: 'ec2:security-group', relationships: [{ kind: 'in-vpc', target: vpc.arn }, { kind: 'allows-ingress-from', target: 'internet' }] });
const volumes = Array.from({ length: 7 }, (_, i) => resource(`vol-${i}`, { type: 'ec2:volume', name: `disk-${i % 3}` }));
/** The same ARN in both organisations: two resources. */
const shared = resource('i-shared', { name: 'ours' });
const theirs = { ...shared, name: 'theirs' };
const bOnly = resource('i-b-only', { account: '999999999999' });

const liveNow = [web, formula, bucket, vpc, openGroup, shared, ...volumes];

beforeAll(async () => {
  server = await startTestServer();
  a = await verifiedOwner(server);
  viewer = await joinAs(server, a, 'viewer');
  b = await verifiedOwner(server);
  await recordInventory(server, a.orgId, [
    ...[web, formula, bucket, vpc, openGroup, shared, ...volumes].map((r) => ({ seen: 'discovered' as const, resource: r, at: day(1) })),
    { seen: 'discovered', resource: db, at: day(2) },
    { seen: 'changed', resource: { ...web, config: { state: 'stopped' } }, at: day(3), changedPaths: ['config.state'] },
    { seen: 'deleted', resource: db, at: day(4) },
  ]);
  await recordInventory(server, b.orgId, [
    { seen: 'discovered', resource: theirs, at: day(1) },
    { seen: 'discovered', resource: bOnly, at: day(1) },
  ]);
});
afterAll(() => server?.close());

const path = (orgId: string, rest: string) => `/api/orgs/${orgId}${rest}`;
type Summary = { key: string; arn: string; name: string; validFrom: string; tags: Record<string, string> };
const names = (body: Record<string, unknown>, list = 'resources') => (body[list] as Summary[]).map((r) => r.name);

async function everyPage(client: ApiClient, orgId: string, query: string): Promise<Summary[]> {
  const rows: Summary[] = [];
  let cursor: string | null = null;
  do {
    const response = await client.get(path(orgId, `/inventory?${query}${cursor ? `&cursor=${cursor}` : ''}`));
    expect(response.status, JSON.stringify(response.body)).toBe(200);
    rows.push(...(response.body.resources as Summary[]));
    cursor = response.body.nextCursor as string | null;
  } while (cursor);
  return rows;
}

async function download(client: ApiClient, orgId: string, query: string) {
  const response = await fetch(`${server.url}${path(orgId, `/inventory/export?${query}`)}`, { headers: { cookie: [...client.cookies].map(([k, v]) => `${k}=${v}`).join('; ') } });
  return { status: response.status, headers: response.headers, text: await response.text() };
}

describe('validation', () => {
  const future = () => new Date(Date.now() + 3600_000).toISOString();
  const instantMessage = (name: string) => `Invalid querystring: ${name} must be an ISO 8601 instant with Z or an offset, such as 2026-11-27T10:00:00Z`;
  it.each([
    ['/inventory?asOf=yesterday', instantMessage('asOf')],
    ['/inventory?asOf=2026-02-30T00:00:00Z', instantMessage('asOf')],
    ['/inventory?asOf=2026-01-05T10:00:00', instantMessage('asOf')],
    ['/inventory?type=ec2:banana', 'Invalid querystring: type must be one of ec2:instance, ec2:volume, ec2:vpc, ec2:subnet, ec2:security-group, s3:bucket, rds:db-instance, rds:db-cluster, lambda:function, iam:user, iam:role, iam:policy, iam:account'],
    ['/inventory?region=Mars', 'Invalid querystring: region must be a region name such as eu-west-1, or global'],
    ['/inventory?account=1234', 'Invalid querystring: account must be a 12-digit AWS account id'],
    ['/inventory?tag=:prod', 'Invalid querystring: tag must be Key or Key:Value (a key of 1 to 128 characters, a value of at most 256)'],
    [`/inventory?tag=${'k'.repeat(129)}`, 'Invalid querystring: tag must be Key or Key:Value (a key of 1 to 128 characters, a value of at most 256)'],
    ['/inventory?q=', 'Invalid querystring: q must be 1 to 200 characters'],
    [`/inventory?q=${'x'.repeat(201)}`, 'Invalid querystring: q must be 1 to 200 characters'],
    ['/inventory?sort=size', 'Invalid querystring: sort must be one of name, type, region, account, changed, -name, -type, -region, -account, -changed'],
    ['/inventory?limit=0', 'Invalid querystring: limit must be a whole number from 1 to 500'],
    ['/inventory?limit=501', 'Invalid querystring: limit must be a whole number from 1 to 500'],
    ['/inventory?limit=ten', 'Invalid querystring: limit must be a whole number from 1 to 500'],
    ['/inventory?cursor=bm90LWEtY3Vyc29y', 'The cursor is not one this API gave out'],
    ['/inventory?colour=red', 'Invalid querystring: Unknown query parameter colour'],
    ['/inventory/summary?q=web', 'Invalid querystring: Unknown query parameter q'],
    ['/inventory/compare?to=2026-01-05T00:00:00Z', 'Invalid querystring: from is required'],
    ['/inventory/compare?from=2026-01-05T00:00:00Z&to=2026-01-05T00:00:00Z', 'from must be before to'],
    ['/inventory/compare?from=2026-01-06T00:00:00Z&to=2026-01-05T00:00:00%2B02:00', 'from must be before to'],
    ['/inventory/compare?from=2026-01-05T00:00:00Z&to=2026-01-06T00:00:00Z&limit=5001', 'Invalid querystring: limit must be a whole number from 1 to 5000'],
    ['/inventory/export?format=xml', 'Invalid querystring: format must be csv or json'],
    ['/resources/aS13ZWI?asOf=soon', instantMessage('asOf')],
    ['/resources/aS13ZWI/history?limit=201', 'Invalid querystring: limit must be a whole number from 1 to 200'],
    ['/resources/aS13ZWI/history?asOf=2026-01-05T00:00:00Z', 'Invalid querystring: Unknown query parameter asOf'],
    ['/topology?vpc=my-vpc', 'Invalid querystring: vpc must be a VPC id (vpc-…) or a VPC ARN'],
  ])('GET %s is a 400: %s', async (query, message) => {
    const response = await a.client.get(path(a.orgId, query));
    expect(response.status, JSON.stringify(response.body)).toBe(400);
    expect(response.body.error?.message).toBe(message);
  });

  it('refuses an instant in the future, on every route that takes one', async () => {
    const key = resourceKey(web.arn);
    for (const [query, message] of [
      [`/inventory?asOf=${future()}`, 'asOf is in the future'],
      [`/inventory/summary?asOf=${future()}`, 'asOf is in the future'],
      [`/inventory/export?asOf=${future()}`, 'asOf is in the future'],
      [`/resources/${key}?asOf=${future()}`, 'asOf is in the future'],
      [`/topology?asOf=${future()}`, 'asOf is in the future'],
      [`/inventory/compare?from=2026-01-01T00:00:00Z&to=${future()}`, 'to is in the future'],
    ]) {
      const response = await a.client.get(path(a.orgId, query!));
      expect([response.status, response.body.error?.message], query).toEqual([400, message]);
    }
    // Up to a minute ahead is clock drift, not a mistake.
    expect((await a.client.get(path(a.orgId, `/inventory?asOf=${new Date(Date.now() + 30_000).toISOString()}`))).status).toBe(200);
  });

  it('refuses a cursor from another sort order', async () => {
    const first = await a.client.get(path(a.orgId, '/inventory?limit=2&sort=-changed'));
    const response = await a.client.get(path(a.orgId, `/inventory?limit=2&sort=name&cursor=${first.body.nextCursor as string}`));
    expect([response.status, response.body.error?.message]).toEqual([400, 'This cursor belongs to another sort order (-changed); start again without it']);
  });
});

describe('tenant scoping', () => {
  it("answers 404 for another organisation's resource key, and for another organisation's paths", async () => {
    const key = resourceKey(bOnly.arn);
    const missing = await a.client.get(path(a.orgId, `/resources/${key}`));
    expect(missing.status).toBe(404);
    expect(missing.body.error?.message).toMatch(/^This resource did not exist as of \d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    expect((await a.client.get(path(a.orgId, `/resources/${key}/history`))).status).toBe(404);
    for (const rest of ['/inventory', '/inventory/summary', '/inventory/export', `/resources/${key}`, `/resources/${key}/history`, '/topology', '/inventory/compare?from=2026-01-01T00:00:00Z&to=2026-01-02T00:00:00Z']) {
      expect((await a.client.get(path(b.orgId, rest))).status, rest).toBe(404);
    }
  });

  it("never shows one organisation another's resources, even under the same ARN", async () => {
    const bRows = await everyPage(b.client, b.orgId, 'limit=500');
    expect(bRows.map((r) => r.name).sort()).toEqual(['i-b-only', 'theirs']);
    expect((await b.client.get(path(b.orgId, '/inventory/summary'))).body.total).toBe(2);
    expect((await b.client.get(path(b.orgId, `/resources/${resourceKey(shared.arn)}`))).body.resource).toMatchObject({ name: 'theirs' });
    expect((await a.client.get(path(a.orgId, `/resources/${resourceKey(shared.arn)}`))).body.resource).toMatchObject({ name: 'ours' });
    const exported = await download(b.client, b.orgId, 'format=json');
    expect((JSON.parse(exported.text) as Summary[]).map((r) => r.name).sort()).toEqual(['i-b-only', 'theirs']);
    const graph = await b.client.get(path(b.orgId, '/topology'));
    expect((graph.body.nodes as Array<{ name: string }>).map((n) => n.name).sort()).toEqual(['i-b-only', 'theirs']);
    const changes = await b.client.get(path(b.orgId, `/inventory/compare?from=${day(0)}&to=${day(10)}`));
    expect(names(changes.body, 'added').sort()).toEqual(['i-b-only', 'theirs']);
  });
});

describe('the estate as of an instant', () => {
  it('answers now by default, in name order, with the total, and the time answered normalised to UTC', async () => {
    const response = await viewer.client.get(path(a.orgId, '/inventory?limit=500'));
    expect(response.status, JSON.stringify(response.body)).toBe(200);
    expect(response.body.total).toBe(liveNow.length);
    expect(names(response.body)).toEqual(liveNow.map((r) => r.name).sort());
    expect(Date.now() - Date.parse(response.body.asOf as string)).toBeLessThan(60_000);
    const at = await a.client.get(path(a.orgId, '/inventory?asOf=2026-01-02T14:00:00%2B02:00'));
    expect(at.body.asOf).toBe('2026-01-02T12:00:00.000Z');
  });

  it('answers as of earlier instants: before a change, while a resource lived, before anything', async () => {
    const onDay = async (instant: string, query = '') => (await a.client.get(path(a.orgId, `/inventory?limit=500&asOf=${instant}${query}`))).body;
    expect(names(await onDay(day(2, 12), '&type=rds:db-instance'))).toEqual(['db-1']);
    expect(names(await onDay(day(5), '&type=rds:db-instance'))).toEqual([]);
    const before = (await onDay(day(2), '&q=PROD')).resources as Summary[];
    expect(before).toEqual([{ key: resourceKey(web.arn), arn: web.arn, type: 'ec2:instance', name: web.name, accountId: '111111111111', region: 'eu-west-1', connectionId: 'conn-test', tags: { Env: 'prod', Note: 'a,b' }, validFrom: day(1) }]);
    expect(((await onDay(day(3), '&q=PROD')).resources as Summary[])[0]?.validFrom).toBe(day(3));
    const empty = await onDay(day(0));
    expect([empty.total, empty.resources, empty.nextCursor]).toEqual([0, [], null]);
    expect((await onDay(day(2, 12))).total).toBe(liveNow.length + 1);
  });

  it('filters by type, region, account, tag and text', async () => {
    const filtered = async (query: string) => names((await a.client.get(path(a.orgId, `/inventory?limit=500&asOf=${day(2, 12)}&${query}`))).body);
    expect(await filtered('type=ec2:volume&sort=-name')).toEqual(volumes.map((v) => v.name).sort().reverse());
    expect(await filtered('region=us-east-1')).toEqual(['db-1']);
    expect(await filtered('account=222222222222')).toEqual(['db-1']);
    expect(await filtered('tag=Env:prod')).toEqual([web.name]);
    expect(await filtered('tag=Note:a,b')).toEqual([web.name]);
    expect(await filtered('tag=%2Bt')).toEqual([formula.name]);
    expect(await filtered('tag=Env:dev')).toEqual([]);
    expect(await filtered('q=hyperlink')).toEqual([formula.name]);
    expect(await filtered('q=s3:::assets')).toEqual(['assets']);
  });

  it('pages through the estate in every order with no repeats or gaps', async () => {
    for (const sort of ['name', '-name', 'type', '-region', 'account', '-changed']) {
      const paged = await everyPage(a.client, a.orgId, `limit=2&sort=${sort}&asOf=${day(2, 12)}`);
      const whole = (await a.client.get(path(a.orgId, `/inventory?limit=500&sort=${sort}&asOf=${day(2, 12)}`))).body.resources as Summary[];
      expect(paged, sort).toEqual(whole);
      expect(new Set(paged.map((r) => r.key)).size).toBe(liveNow.length + 1);
    }
  });

  it('sums up by type, region and account', async () => {
    const response = await a.client.get(path(a.orgId, `/inventory/summary?asOf=${day(2, 12)}`));
    expect(response.status, JSON.stringify(response.body)).toBe(200);
    expect(response.body).toMatchObject({
      asOf: day(2, 12),
      total: liveNow.length + 1,
      byType: [
        { type: 'ec2:volume', count: 7 },
        { type: 'ec2:instance', count: 3 },
        { type: 'ec2:security-group', count: 1 },
        { type: 'ec2:vpc', count: 1 },
        { type: 'rds:db-instance', count: 1 },
        { type: 's3:bucket', count: 1 },
      ],
      byRegion: [
        { region: 'eu-west-1', count: liveNow.length },
        { region: 'us-east-1', count: 1 },
      ],
      byAccount: [
        { accountId: '111111111111', count: liveNow.length },
        { accountId: '222222222222', count: 1 },
      ],
    });
    expect((await a.client.get(path(a.orgId, `/inventory/summary?asOf=${day(2, 12)}&account=222222222222`))).body).toMatchObject({ total: 1, byAccount: [{ accountId: '222222222222', count: 1 }] });
  });
});

describe('compare', () => {
  it('lists what was added, removed and changed between two instants, with counts', async () => {
    const response = await a.client.get(path(a.orgId, `/inventory/compare?from=${day(2, 12)}&to=${day(5)}`));
    expect(response.status, JSON.stringify(response.body)).toBe(200);
    expect(response.body).toMatchObject({ from: day(2, 12), to: day(5), counts: { added: 0, removed: 1, changed: 1 }, added: [], truncated: false });
    expect(response.body.removed).toEqual([expect.objectContaining({ name: 'db-1', validFrom: day(2) })]);
    expect(response.body.changed).toEqual([expect.objectContaining({ name: web.name, validFrom: day(3), changedPaths: ['config.state'] })]);
    expect(response.body.freshness).toMatchObject({ from: { asOf: day(2, 12) }, to: { asOf: day(5) } });
    const capped = await a.client.get(path(a.orgId, `/inventory/compare?from=${day(0)}&to=${day(5)}&type=ec2:volume&limit=2`));
    expect(capped.body).toMatchObject({ counts: { added: 7, removed: 0, changed: 0 }, truncated: true });
    expect(names(capped.body, 'added')).toEqual(['disk-0', 'disk-0']);
  });
});

describe('one resource', () => {
  it('shows it as of an instant, with its relationships; 404 when it did not exist then', async () => {
    const key = resourceKey(web.arn);
    const response = await a.client.get(path(a.orgId, `/resources/${key}?asOf=${day(2)}`));
    expect(response.status, JSON.stringify(response.body)).toBe(200);
    expect(response.body.resource).toEqual({
      key,
      arn: web.arn,
      type: 'ec2:instance',
      name: web.name,
      accountId: '111111111111',
      region: 'eu-west-1',
      connectionId: 'conn-test',
      tags: web.tags,
      config: { state: 'running' },
      relationships: web.relationships.map((r) => ({ ...r, targetKey: resourceKey(r.target) })),
      validFrom: day(1),
      validTo: day(3),
      versionId: expect.any(String),
    });
    expect((await a.client.get(path(a.orgId, `/resources/${key}`))).body.resource).toMatchObject({ config: { state: 'stopped' }, validTo: null });
    const group = await a.client.get(path(a.orgId, `/resources/${resourceKey(openGroup.arn)}`));
    expect((group.body.resource as { relationships: unknown[] }).relationships).toContainEqual({ kind: 'allows-ingress-from', target: 'internet', targetKey: null });
    const gone = await a.client.get(path(a.orgId, `/resources/${resourceKey(db.arn)}?asOf=${day(4)}`));
    expect([gone.status, gone.body.error?.message]).toEqual([404, `This resource did not exist as of ${day(4)}`]);
    expect((await a.client.get(path(a.orgId, `/resources/${resourceKey(db.arn)}?asOf=${day(3)}`))).status).toBe(200);
  });

  it('lists its history, newest first, with the diff of each change', async () => {
    const first = await a.client.get(path(a.orgId, `/resources/${resourceKey(db.arn)}/history?limit=1`));
    expect(first.status, JSON.stringify(first.body)).toBe(200);
    expect(first.body).toMatchObject({ key: resourceKey(db.arn), arn: db.arn, type: 'rds:db-instance', name: 'db-1', versions: [{ kind: 'deleted', validFrom: day(4), validTo: null, changes: [] }] });
    const second = await a.client.get(path(a.orgId, `/resources/${resourceKey(db.arn)}/history?limit=1&cursor=${first.body.nextCursor as string}`));
    expect(second.body).toMatchObject({ versions: [{ kind: 'discovered', validFrom: day(2), validTo: day(4), scanId: `scan-${day(2)}` }], nextCursor: null });
    const webHistory = await a.client.get(path(a.orgId, `/resources/${resourceKey(web.arn)}/history`));
    expect((webHistory.body.versions as Array<{ changes: unknown[] }>)[0]!.changes).toEqual([{ path: 'config.state', before: 'running', after: 'stopped' }]);
  });
});

describe('topology', () => {
  it('draws the network of an account and region, and of one VPC', async () => {
    const response = await a.client.get(path(a.orgId, '/topology?account=111111111111&region=eu-west-1'));
    expect(response.status, JSON.stringify(response.body)).toBe(200);
    const nodes = response.body.nodes as Array<{ id: string; type: string; exposed: boolean }>;
    expect(nodes.find((n) => n.id === web.arn)).toMatchObject({ type: 'ec2:instance', exposed: true });
    expect(nodes.find((n) => n.id === 'internet')).toMatchObject({ type: 'internet' });
    expect(response.body.edges).toContainEqual({ source: web.arn, target: openGroup.arn, kind: 'uses-security-group' });
    expect(response.body).toMatchObject({ truncated: false, freshness: { unknown: expect.any(Number) } });
    const inVpc = await a.client.get(path(a.orgId, '/topology?vpc=vpc-0a1'));
    expect((inVpc.body.nodes as Array<{ id: string }>).map((n) => n.id).sort()).toEqual([vpc.arn, openGroup.arn, web.arn, 'internet'].sort());
    const unknownVpc = await a.client.get(path(a.orgId, '/topology?vpc=vpc-0ff'));
    expect(unknownVpc.status).toBe(404);
  });
});

describe('export', () => {
  it('streams CSV with escaped cells and no formulas, named after the instant', async () => {
    const response = await download(a.client, a.orgId, `format=csv&asOf=${day(2)}&type=ec2:instance`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(response.headers.get('content-disposition')).toBe(`attachment; filename="cloudventory-inventory-${day(2)}.csv"`);
    expect(response.text).toBe(
      [
        'arn,type,name,account,region,tags,validFrom',
        `${formula.arn},ec2:instance,"'=HYPERLINK(""http://x"")",111111111111,eu-west-1,'+t=-v; Team=@ops,${day(1)}`,
        `${shared.arn},ec2:instance,ours,111111111111,eu-west-1,,${day(1)}`,
        `${web.arn},ec2:instance,"web, ""prod""\nline",111111111111,eu-west-1,"Env=prod; Note=a,b",${day(1)}`,
        '',
      ].join('\n'),
    );
  });

  it('streams JSON as one array of resource summaries; CSV by default', async () => {
    const json = await download(a.client, a.orgId, `format=json&asOf=${day(2)}&tag=Env`);
    expect(json.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(json.headers.get('content-disposition')).toBe(`attachment; filename="cloudventory-inventory-${day(2)}.json"`);
    expect(JSON.parse(json.text)).toEqual([{ key: resourceKey(web.arn), arn: web.arn, type: 'ec2:instance', name: web.name, accountId: '111111111111', region: 'eu-west-1', connectionId: 'conn-test', tags: web.tags, validFrom: day(1) }]);
    const csv = await download(a.client, a.orgId, '');
    expect(csv.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(csv.text.split('\n').filter((line) => line.startsWith('arn:aws:'))).toHaveLength(liveNow.length);
  });
});

describe('freshness', () => {
  it('is unknown before any complete listing, then fresh, then stale a day later', async () => {
    const owner = await verifiedOwner(server);
    await recordInventory(server, owner.orgId, [{ seen: 'discovered', resource: resource('i-lonely', { account: '555555555555' }), at: day(1) }]);
    const before = await owner.client.get(path(owner.orgId, '/inventory'));
    expect(before.body.freshness).toMatchObject({ unknown: 1, stale: 0, scopes: [{ accountId: '555555555555', region: 'eu-west-1', type: 'ec2:instance', lastCompleteAt: null, status: 'unknown' }] });

    await recordListing(server, owner.orgId, '555555555555', [{ region: 'eu-west-1', types: ['ec2:instance'], outcome: 'ok', at: day(2) }]);
    const fresh = await owner.client.get(path(owner.orgId, `/inventory/summary?asOf=${day(2, 23)}`));
    expect(fresh.body.freshness).toEqual({ asOf: day(2, 23), unknown: 0, stale: 0, scopes: [{ accountId: '555555555555', region: 'eu-west-1', type: 'ec2:instance', lastCompleteAt: day(2), status: 'fresh' }] });
    const stale = await owner.client.get(path(owner.orgId, '/inventory'));
    expect(stale.body.freshness).toMatchObject({ unknown: 0, stale: 1, scopes: [{ lastCompleteAt: day(2), status: 'stale' }] });
    expect((await owner.client.get(path(owner.orgId, `/inventory?asOf=${day(1, 12)}`))).body.freshness).toMatchObject({ unknown: 1 });
  });
});
