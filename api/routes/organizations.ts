import type { FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { NotFoundError } from '../../domain/errors.ts';
import { roles } from '../../domain/organizations/roles.ts';
import { mfaQueries } from '../../projections/identity/mfa.ts';
import { identityQueries } from '../../projections/identity/queries.ts';
import { organizationQueries } from '../../projections/organizations/queries.ts';
import type { AppContext } from '../context.ts';
import { onOrganization } from '../organizations/commands.ts';
import * as s from '../schemas.ts';

const orgParams = z.object({ orgId: s.id });
const memberParams = z.object({ orgId: s.id, userId: s.id });
const noContent = { 204: z.null() };

const organizationView = z.object({ id: z.string(), name: z.string(), timezone: z.string(), requireMfa: z.boolean(), role: z.enum(roles) });
const memberView = z.object({
  userId: z.string(),
  email: z.string(),
  firstName: z.string().nullable(),
  lastName: z.string().nullable(),
  role: z.enum(roles),
  joinedAt: z.string(),
});

/** An organisation's settings, its members and their roles, and leaving it. */
export function organizationRoutes(ctx: AppContext): FastifyPluginAsyncZod {
  const organizations = organizationQueries(ctx.documents);
  const identity = identityQueries(ctx.documents);
  const mfa = mfaQueries(ctx.documents);

  async function view(request: FastifyRequest, orgId: string) {
    const org = await organizations.organization(orgId);
    if (!org) throw new NotFoundError('No such organisation');
    return { id: orgId, name: org.name, timezone: org.timezone, requireMfa: org.requireMfa, role: request.role! };
  }

  return async (app) => {
    app.get(
      '/api/orgs/:orgId',
      {
        config: { permission: 'organization:read' },
        schema: { tags: ['organizations'], summary: 'An organisation and your role in it', params: orgParams, response: { 200: organizationView } },
      },
      (request) => view(request, request.params.orgId),
    );

    app.patch(
      '/api/orgs/:orgId',
      {
        config: { permission: 'organization:update' },
        schema: {
          tags: ['organizations'],
          summary: "Rename the organisation or change whether its members must use MFA",
          params: orgParams,
          body: z.object({ name: z.string().trim().min(1, 'is required').max(100, 'must be at most 100 characters').optional(), requireMfa: z.boolean().optional() }),
          response: { 200: organizationView },
        },
      },
      async (request) => {
        const { orgId } = request.params;
        const changerHasMfa = await mfa.enabled(request.auth!.userId);
        await onOrganization(ctx, request, orgId, { type: 'ChangeOrganizationSettings', actorId: request.auth!.userId, ...request.body, changerHasMfa });
        return view(request, orgId);
      },
    );

    app.get(
      '/api/orgs/:orgId/members',
      {
        config: { permission: 'members:read' },
        schema: { tags: ['organizations'], summary: 'Who belongs to the organisation, in which role', params: orgParams, response: { 200: z.object({ members: z.array(memberView) }) } },
      },
      async (request) => {
        const memberships = await organizations.membersOf(request.params.orgId);
        const members = await Promise.all(
          memberships.map(async (m) => {
            const person = await identity.user(m.userId);
            return { userId: m.userId, email: person?.email ?? '[erased]', firstName: person?.firstName ?? null, lastName: person?.lastName ?? null, role: m.role, joinedAt: m.joinedAt };
          }),
        );
        return { members };
      },
    );

    app.put(
      '/api/orgs/:orgId/members/:userId/role',
      {
        config: { permission: 'members:change-role' },
        schema: {
          tags: ['organizations'],
          summary: "Change a member's role (only an owner makes or unmakes owners; the last owner stays)",
          params: memberParams,
          body: z.object({ role: z.enum(roles) }),
          response: noContent,
        },
      },
      async (request, reply) => {
        const { orgId, userId } = request.params;
        await onOrganization(ctx, request, orgId, { type: 'ChangeMemberRole', actorId: request.auth!.userId, userId, role: request.body.role });
        return reply.status(204).send(null);
      },
    );

    app.delete(
      '/api/orgs/:orgId/members/:userId',
      {
        config: { permission: 'members:remove' },
        schema: { tags: ['organizations'], summary: 'Remove a member (not the last owner)', params: memberParams, response: noContent },
      },
      async (request, reply) => {
        const { orgId, userId } = request.params;
        await onOrganization(ctx, request, orgId, { type: 'RemoveMember', actorId: request.auth!.userId, userId });
        return reply.status(204).send(null);
      },
    );

    app.post(
      '/api/orgs/:orgId/leave',
      { config: { permission: 'organization:leave' }, schema: { tags: ['organizations'], summary: 'Leave the organisation (the last owner cannot)', params: orgParams, response: noContent } },
      async (request, reply) => {
        await onOrganization(ctx, request, request.params.orgId, { type: 'LeaveOrganization', actorId: request.auth!.userId });
        return reply.status(204).send(null);
      },
    );
  };
}
