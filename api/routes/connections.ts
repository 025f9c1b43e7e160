import type { FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { accountReservation, accountReservationStream } from '../../domain/connections/account-reservation.ts';
import { assertMayConnect, connection, connectionStream, connectionSubject, type ConnectionCommand, type StoredAccess } from '../../domain/connections/connection.ts';
import { DEFAULT_SCAN_SCHEDULE, type ScanSchedule } from '../../domain/connections/scan-schedule.ts';
import { AppError, NotFoundError } from '../../domain/errors.ts';
import type { Position } from '../../domain/eventsourcing/event-store.ts';
import { authorize, userActor } from '../../domain/organizations/actor.ts';
import type { ConnectionDocument } from '../../projections/connections/connections.ts';
import { connectionQueries } from '../../projections/connections/queries.ts';
import { identityQueries } from '../../projections/identity/queries.ts';
import { organizationQueries } from '../../projections/organizations/queries.ts';
import type { AwsAccess } from '../../scanner/aws/clients.ts';
import { nextRunAt } from '../../scanner/next-run.ts';
import { checkAccount } from '../connections/account-check.ts';
import { connectionSetup } from '../connections/setup.ts';
import { accessOf, loadConnection, sealKeys } from '../connections/stored-access.ts';
import { execute, projected, type AppContext } from '../context.ts';
import * as s from '../schemas.ts';

const orgParams = z.object({ orgId: s.id });
const connectionParams = z.object({ orgId: s.id, connectionId: s.id });

const name = z.string().trim().min(1, 'is required').max(100, 'must be at most 100 characters');
const region = z.string().regex(/^[a-z]{2}(-[a-z]+)+-\d{1,2}$/, 'must be an AWS region such as eu-west-1');
const regions = z.union([z.literal('all'), z.array(region).min(1, 'choose at least one region, or "all"').max(64)]);
const roleArn = z
  .string()
  .trim()
  .regex(/^arn:aws(-[a-z]+)*:iam::\d{12}:role\/[\w+=,.@/-]{1,512}$/, 'must be an IAM role ARN such as arn:aws:iam::123456789012:role/CloudventoryReadOnly');
// Long-term keys only: temporary ones (ASIA…) need a session token and expire within hours.
const accessKeyId = z.string().trim().regex(/^AKIA[A-Z0-9]{12,124}$/, 'must be an access key id such as AKIAIOSFODNN7EXAMPLE');
const secretAccessKey = z.string().trim().min(16, 'is too short for a secret access key').max(128, 'is too long for a secret access key');
const keys = { accessKeyId, secretAccessKey };

const createBody = z.discriminatedUnion('method', [
  z.object({ name, method: z.literal('role'), roleArn, regions: regions.optional() }),
  z.object({ name, method: z.literal('keys'), ...keys, regions: regions.optional() }),
]);

const schedule = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('off') }),
  z.object({ kind: z.literal('hourly') }),
  z.object({ kind: z.literal('daily'), hour: z.number().int('must be a whole hour').min(0, 'must be from 0 to 23').max(23, 'must be from 0 to 23') }),
]);
const scheduled = z.object({
  schedule,
  /** When the scheduler runs it next (ISO); null when off. */
  nextRunAt: z.string().nullable(),
});

const connectionView = z.object({
  id: z.string(),
  name: z.string(),
  method: z.enum(['role', 'keys']),
  roleArn: z.string().nullable(),
  /** Masked: `AKIA…WXYZ`. */
  accessKeyId: z.string().nullable(),
  accountId: z.string(),
  alias: z.string().nullable(),
  regions,
  enabledRegions: z.array(z.string()),
  validatedAt: z.string().nullable(),
  keysRotatedAt: z.string().nullable(),
  createdBy: z.string(),
  createdAt: z.string(),
  recommendation: z.string().nullable(),
  ...scheduled.shape,
});
const one = z.object({ connection: connectionView });

const PREFER_ROLES =
  "Access keys are a long-lived secret you must rotate yourself. Prefer a role: Cloudventory assumes it with your organisation's external id and holds no secret at all.";

/** The schedule and its next run in the organisation's timezone, counted from now. */
const scheduleOf = (chosen: ScanSchedule, timezone: string, now: Date): z.infer<typeof scheduled> => ({
  schedule: chosen,
  nextRunAt: nextRunAt(chosen, timezone, now)?.toISOString() ?? null,
});

const view = (c: ConnectionDocument, timezone: string, now: Date): z.infer<typeof connectionView> => ({
  id: c._id,
  name: c.name,
  method: c.method,
  roleArn: c.roleArn,
  accessKeyId: c.maskedAccessKeyId,
  accountId: c.accountId,
  alias: c.alias,
  regions: c.regions,
  enabledRegions: c.enabledRegions,
  validatedAt: c.validatedAt,
  keysRotatedAt: c.keysRotatedAt,
  createdBy: c.createdBy,
  createdAt: c.createdAt,
  recommendation: c.method === 'keys' ? PREFER_ROLES : null,
  ...scheduleOf(c.schedule ?? DEFAULT_SCAN_SCHEDULE, timezone, now),
});

/**
 * Connecting AWS accounts: the role to create (with the organisation's external id), and
 * connections checked against AWS before they are stored. One connection per account and
 * organisation; keys are stored sealed and shredded on delete; no response ever carries a secret.
 */
export function connectionRoutes(ctx: AppContext): FastifyPluginAsyncZod {
  const connections = connectionQueries(ctx.documents);
  const identity = identityQueries(ctx.documents);
  const organizations = organizationQueries(ctx.documents);
  /** Schedules run in the organisation's timezone (UTC only if its read model lags behind). */
  const timezoneOf = async (orgId: string) => (await organizations.organization(orgId))?.timezone ?? 'UTC';
  const viewIn = async (orgId: string) => {
    const timezone = await timezoneOf(orgId);
    const now = ctx.now();
    return (c: ConnectionDocument) => view(c, timezone, now);
  };

  /** Our own account never changes while we run: asked of AWS once, again only after a failure. */
  let ownAccount: Promise<string> | undefined;
  const cloudventoryAccountId = () => {
    ownAccount ??= ctx.aws.ownIdentity().then(
      (own) => own.accountId,
      (error: unknown) => {
        ownAccount = undefined;
        throw new AppError('STORE_UNAVAILABLE', "Cloudventory's own AWS identity could not be determined, so the role to create cannot be described; try again later", { cause: error });
      },
    );
    return ownAccount;
  };

  const onConnection = async (request: FastifyRequest, orgId: string, connectionId: string, command: ConnectionCommand) =>
    execute(ctx, request, { userId: request.auth!.userId, orgId }, connectionStream(connectionId), connection, command);

  const onReservation = (request: FastifyRequest, orgId: string, accountId: string, connectionId: string, type: 'ReserveAwsAccount' | 'ReleaseAwsAccount') =>
    execute(ctx, request, { userId: request.auth!.userId, orgId }, accountReservationStream(orgId, accountId), accountReservation, { type, accountId, connectionId });

  /** The connection as the read model shows it once it has caught up with this write. */
  async function shown(orgId: string, connectionId: string, position: Position | undefined) {
    await projected(ctx, position);
    const found = await connections.connection(orgId, connectionId);
    if (!found) throw new NotFoundError('No such connection');
    return { connection: (await viewIn(orgId))(found) };
  }

  return async (app) => {
    app.get(
      '/api/orgs/:orgId/connections/setup',
      {
        config: { permission: 'connections:read' },
        schema: {
          tags: ['connections'],
          summary: 'What to create in AWS to connect an account by role: the external id, the trust policy, a CloudFormation template',
          params: orgParams,
          response: {
            200: z.object({
              externalId: z.string(),
              cloudventoryAccountId: z.string(),
              trustPolicy: z.string(),
              cloudFormation: z.string(),
              roleName: z.string(),
              managedPolicies: z.array(z.string()),
            }),
          },
        },
      },
      async (request) => connectionSetup(await cloudventoryAccountId(), ctx.externalId(request.params.orgId)),
    );

    app.get(
      '/api/orgs/:orgId/connections',
      {
        config: { permission: 'connections:read' },
        schema: { tags: ['connections'], summary: "The organisation's AWS connections (never a secret)", params: orgParams, response: { 200: z.object({ connections: z.array(connectionView) }) } },
      },
      async (request) => ({ connections: (await connections.connectionsOf(request.params.orgId)).map(await viewIn(request.params.orgId)) }),
    );

    app.get(
      '/api/orgs/:orgId/connections/:connectionId',
      { config: { permission: 'connections:read' }, schema: { tags: ['connections'], summary: 'One AWS connection (never a secret)', params: connectionParams, response: { 200: one } } },
      async (request) => {
        const found = await connections.connection(request.params.orgId, request.params.connectionId);
        if (!found) throw new NotFoundError('No such connection');
        return { connection: (await viewIn(request.params.orgId))(found) };
      },
    );

    app.post(
      '/api/orgs/:orgId/connections',
      {
        config: { permission: 'connections:manage' },
        schema: {
          tags: ['connections'],
          summary: 'Connect an AWS account by role (preferred) or access keys; the access is checked against AWS first',
          params: orgParams,
          body: createBody,
          response: { 201: one },
        },
      },
      async (request, reply) => {
        const { orgId } = request.params;
        const userId = request.auth!.userId;
        const body = request.body;
        // Before any AWS call: neither a role without the permission (should the guard ever be
        // fooled) nor an unverified account may probe AWS through us.
        authorize(userActor(userId, request.role), { permission: 'connections:manage' }, 'No such organisation');
        const creatorVerified = (await identity.user(userId))?.verified === true;
        assertMayConnect(creatorVerified);

        const access: AwsAccess =
          body.method === 'role'
            ? { method: 'role', roleArn: body.roleArn, externalId: ctx.externalId(orgId) }
            : { method: 'keys', accessKeyId: body.accessKeyId, secretAccessKey: body.secretAccessKey };
        const check = await checkAccount(ctx.aws, access);

        const reserved = await onReservation(request, orgId, check.accountId, ctx.newId(), 'ReserveAwsAccount');
        // A retry under the same Idempotency-Key is answered with its first run's reservation, so it
        // finishes that connection instead of starting a second one.
        const connectionId = reserved.events[0]!.data.connectionId;
        let created: Awaited<ReturnType<typeof onConnection>>;
        try {
          const stored: StoredAccess = body.method === 'role' ? { method: 'role', roleArn: body.roleArn } : await sealKeys(ctx, connectionId, body);
          created = await onConnection(request, orgId, connectionId, {
            type: 'CreateConnection',
            actor: userActor(userId, request.role),
            connectionId,
            orgId,
            name: body.name,
            access: stored,
            check,
            regions: body.regions ?? 'all',
            creatorVerified,
            now: ctx.now(),
          });
        } catch (error) {
          // Not created: give the account and the key back, so a corrected request can succeed.
          await ctx.vault.forget(connectionSubject(connectionId));
          await onReservation(request, orgId, check.accountId, connectionId, 'ReleaseAwsAccount');
          throw error;
        }
        return reply.status(201).send(await shown(orgId, connectionId, created.position));
      },
    );

    app.patch(
      '/api/orgs/:orgId/connections/:connectionId',
      {
        config: { permission: 'connections:manage' },
        schema: {
          tags: ['connections'],
          summary: 'Rename a connection or change the regions it covers',
          params: connectionParams,
          body: z.object({ name: name.optional(), regions: regions.optional() }),
          response: { 200: one },
        },
      },
      async (request) => {
        const { orgId, connectionId } = request.params;
        const changed = await onConnection(request, orgId, connectionId, { type: 'ChangeConnection', actor: userActor(request.auth!.userId, request.role), orgId, ...request.body });
        return shown(orgId, connectionId, changed.position);
      },
    );

    app.put(
      '/api/orgs/:orgId/connections/:connectionId/keys',
      {
        config: { permission: 'connections:manage' },
        schema: {
          tags: ['connections'],
          summary: "Rotate a connection's access keys: the new keys are checked and must reach the same account",
          params: connectionParams,
          body: z.object(keys),
          response: { 200: one },
        },
      },
      async (request) => {
        const { orgId, connectionId } = request.params;
        await loadConnection(ctx, orgId, connectionId);
        const check = await checkAccount(ctx.aws, { method: 'keys', ...request.body });
        const { maskedAccessKeyId, secret } = await sealKeys(ctx, connectionId, request.body);
        const rotated = await onConnection(request, orgId, connectionId, { type: 'RotateConnectionKeys', actor: userActor(request.auth!.userId, request.role), orgId, maskedAccessKeyId, secret, check, now: ctx.now() });
        return shown(orgId, connectionId, rotated.position);
      },
    );

    app.put(
      '/api/orgs/:orgId/connections/:connectionId/schedule',
      {
        config: { permission: 'connections:manage' },
        schema: {
          tags: ['connections'],
          summary: "When the connection is scanned by itself: off, hourly, or daily at an hour of the organisation's timezone",
          params: connectionParams,
          body: schedule,
          response: { 200: scheduled },
        },
      },
      async (request) => {
        const { orgId, connectionId } = request.params;
        const changed = await onConnection(request, orgId, connectionId, { type: 'ChangeScanSchedule', actor: userActor(request.auth!.userId, request.role), orgId, schedule: request.body });
        await projected(ctx, changed.position);
        const state = await loadConnection(ctx, orgId, connectionId);
        return scheduleOf(state.schedule, await timezoneOf(orgId), ctx.now());
      },
    );

    app.post(
      '/api/orgs/:orgId/connections/:connectionId/validate',
      {
        config: { permission: 'connections:manage' },
        schema: { tags: ['connections'], summary: "Check a connection's access against AWS again and record what it finds", params: connectionParams, response: { 200: one } },
      },
      async (request) => {
        const { orgId, connectionId } = request.params;
        const state = await loadConnection(ctx, orgId, connectionId);
        const check = await checkAccount(ctx.aws, await accessOf(ctx, state));
        const validated = await onConnection(request, orgId, connectionId, { type: 'RecordConnectionValidation', actor: userActor(request.auth!.userId, request.role), orgId, check, now: ctx.now() });
        return shown(orgId, connectionId, validated.position);
      },
    );

    app.delete(
      '/api/orgs/:orgId/connections/:connectionId',
      {
        config: { permission: 'connections:manage' },
        schema: { tags: ['connections'], summary: 'Delete a connection: its stored keys are destroyed and the account can be connected again', params: connectionParams, response: { 204: z.null() } },
      },
      async (request, reply) => {
        const { orgId, connectionId } = request.params;
        // A repeated delete finishes what an interrupted one left undone.
        const state = await loadConnection(ctx, orgId, connectionId, { includeDeleted: true });
        const deleted = await onConnection(request, orgId, connectionId, { type: 'DeleteConnection', actor: userActor(request.auth!.userId, request.role), orgId });
        // Crypto-shredding: every sealed copy of the keys in the log becomes unreadable.
        await ctx.vault.forget(connectionSubject(connectionId));
        const released = await onReservation(request, orgId, state.accountId!, connectionId, 'ReleaseAwsAccount');
        await projected(ctx, released.position ?? deleted.position);
        return reply.status(204).send(null);
      },
    );
  };
}
