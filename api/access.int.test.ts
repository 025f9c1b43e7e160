import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { can, roles, type Permission, type Role } from '../domain/organizations/roles.ts';
import { startMoto } from '../infra/testing/peers.ts';
import { startTestServer } from '../infra/testing/server.ts';
import { resourceKey } from '../projections/inventory/model.ts';
import type { RunningServer } from './server.ts';
import type { ApiClient } from './testing/client.ts';
import { connect, newAccountId } from './testing/connections.ts';
import { recordInventory, resource } from './testing/inventory.ts';
import { idParams, openApiOf, operationsOf, send, validRequest, type OpenApi, type Operation, type WalkRequest } from './testing/openapi.ts';
import { invite, joinAs, verifiedOwner, type Owner } from './testing/organizations.ts';

/**
 * THE GUARD WALK: every operation of /api/openapi.json, called without a session, with a session of
 * another organisation, with each role, and through every non-canonical spelling of its path, must
 * give exactly the answer the document promises. Operations come from the served document, so a
 * route added later is walked too.
 */

let server: RunningServer;
let openapi: OpenApi;
let owner: Owner;
let stranger: Owner;
const people = {} as Record<Role, ApiClient>;
/** Real objects of the walked organisation, by the path parameter that names them. */
const ids: Record<string, string> = {};
const moto = await startMoto();
afterAll(() => moto.peer?.stop());
if (moto.reason) console.log(`The walk has no AWS connection or scan to read: ${moto.reason}`);

beforeAll(async () => {
  server = await startTestServer(moto.peer ? { AWS_ENDPOINT_URL: moto.peer.url } : {});
  openapi = await openApiOf(server);
  owner = await verifiedOwner(server);
  stranger = await verifiedOwner(server);
  people.owner = owner.client;
  for (const role of ['admin', 'member', 'viewer'] as const) people[role] = (await joinAs(server, owner, role)).client;
  const walked = resource('i-guarded');
  await recordInventory(server, owner.orgId, [{ seen: 'discovered', resource: walked, at: '2026-01-01T00:00:00.000Z' }]);
  Object.assign(ids, { orgId: owner.orgId, userId: stranger.userId, key: resourceKey(walked.arn), invitationId: (await invite(server, owner.client, owner.orgId, 'viewer')).invitationId });
  if (moto.peer) {
    ids.connectionId = (await connect(owner.client, owner.orgId, { name: 'Guarded', method: 'role', roleArn: `arn:aws:iam::${newAccountId()}:role/Guarded` })).id;
    ids.scanId = (await owner.client.post(`/api/orgs/${owner.orgId}/connections/${ids.connectionId}/scans`)).body.scanId as string;
  }
});
afterAll(() => server?.close());

const isPublic = (operation: Operation) => operation.security?.length === 0;
const declared = (operation: Operation, status: number) => String(status) in (operation.responses ?? {});
const label = (request: WalkRequest) => `${request.method} ${request.target}`;
/** Operations that change the organisation itself are walked last, so that one leaving does not end the walk. */
const lastOfAll = (template: string) => (template.endsWith('/leave') ? 1 : 0);

/** The non-canonical spellings of a path an attacker would try; each must be refused, never routed. */
function spellings(target: string): string[] {
  const [path, query] = target.split('?') as [string, string | undefined];
  const withQuery = (p: string) => (query ? `${p}?${query}` : p);
  return [
    withQuery(path.replace(/^\/([a-z])/, (_, c: string) => `/%${c.charCodeAt(0).toString(16)}`)),
    withQuery(path.replace(/\/([a-z])/g, (_, c: string) => `/%${c.charCodeAt(0).toString(16).toUpperCase()}`)),
    withQuery(path.replace(/^\/([^/]+)\//, '/$1//').replace(/^\/([^/]+)$/, '//$1')),
    withQuery(`/.${path}`),
    withQuery(`/walk/..${path}`),
    // Paths are case-sensitive: another case of a route's path is no route, except for the /api prefix, which is refused.
    ...(path.startsWith('/api/') ? [withQuery(path.replace('/api/', '/API/'))] : []),
    `${server.url}${target}`,
  ];
}

describe('the guard', () => {
  it('answers 401 to every private operation without a session, and a documented answer to every public one', async () => {
    const wrong: string[] = [];
    for (const [template, method, operation] of operationsOf(openapi)) {
      const request = validRequest(server, undefined, method, template, operation, ids);
      const { status, body } = await send(server, request);
      if (isPublic(operation) ? !declared(operation, status) || status >= 500 : status !== 401) wrong.push(`${label(request)} answered ${status}: ${body}`);
    }
    expect(wrong).toEqual([]);
    // The document must say which routes are public; today these and no others.
    const open = operationsOf(openapi).filter(([, , operation]) => isPublic(operation)).map(([template, method]) => `${method.toUpperCase()} ${template}`);
    expect(open.sort()).toEqual(
      [
        'GET /healthz',
        'GET /readyz',
        'GET /api/invitations/preview',
        'POST /api/auth/confirm-email',
        'POST /api/auth/login',
        'POST /api/auth/login/mfa',
        'POST /api/auth/logout',
        'POST /api/auth/password-reset',
        'POST /api/auth/password-reset/confirm',
        'POST /api/auth/signup',
        'POST /api/auth/signup-invited',
        'POST /api/auth/verify-email',
      ].sort(),
    );
  });

  it('refuses every non-canonical spelling of every path with 400, with a session or without', async () => {
    const wrong: string[] = [];
    for (const [template, method, operation] of operationsOf(openapi)) {
      for (const client of [undefined, owner.client]) {
        const canonical = validRequest(server, client, method, template, operation, ids);
        for (const target of spellings(canonical.target)) {
          const { status, body } = await send(server, { ...canonical, target });
          if (status !== 400 || !body.includes('not in canonical form')) wrong.push(`${method.toUpperCase()} ${target} answered ${status}: ${body}`);
        }
      }
    }
    expect(wrong).toEqual([]);
  });

  it("answers 404 to a member of another organisation on every route of this one", async () => {
    const wrong: string[] = [];
    for (const [template, method, operation] of operationsOf(openapi).filter(([template]) => template.includes('{orgId}'))) {
      const request = validRequest(server, stranger.client, method, template, operation, ids);
      const { status, body } = await send(server, request);
      if (status !== 404 || !body.includes('No such organisation')) wrong.push(`${label(request)} answered ${status}: ${body}`);
    }
    expect(wrong).toEqual([]);
  });

  it('lets each role do exactly what the permission table allows on every route of its organisation', async () => {
    const wrong: string[] = [];
    const walk = operationsOf(openapi)
      .filter(([template]) => template.includes('{orgId}'))
      .sort(([x], [y]) => lastOfAll(x) - lastOfAll(y));
    for (const [template, method, operation] of walk) {
      const permission = operation['x-permission'] as Permission | undefined;
      if (!permission) wrong.push(`${method.toUpperCase()} ${template} documents no permission`);
      // Reads name the organisation's real objects; writes name none but the organisation, so they change nothing else.
      const names = method === 'get' ? ids : { orgId: ids.orgId! };
      for (const role of [...roles].reverse()) {
        const request = validRequest(server, people[role], method, template, operation, names);
        const { status, body } = await send(server, request);
        const refused = status === 403 && body.includes('does not allow this');
        const allowed = permission !== undefined && can(role, permission);
        const everyIdReal = idParams(template).every((name) => name in names);
        const expected = allowed ? !refused && status !== 401 && declared(operation, status) && status < 500 && (method !== 'get' || !everyIdReal || status === 200) : refused;
        if (!expected) wrong.push(`${role}: ${label(request)} answered ${status} (${allowed ? 'allowed' : 'not allowed'}): ${body}`);
      }
    }
    expect(wrong).toEqual([]);
  });
});
