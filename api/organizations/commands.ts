import type { FastifyRequest } from 'fastify';
import { organization, organizationStream, type OrganizationCommand } from '../../domain/organizations/organization.ts';
import { execute, projected, type AppContext } from '../context.ts';

/**
 * Runs a command on the organisation named in the path, waits until the read models show it, and
 * returns what it recorded. Membership and permission were checked by the one authorisation hook
 * (api/plugins/auth.ts), and are checked again by the decider, from the organisation's own members.
 */
export async function onOrganization(ctx: AppContext, request: FastifyRequest, orgId: string, command: OrganizationCommand) {
  const result = await execute(ctx, request, { userId: request.auth!.userId, orgId }, organizationStream(orgId), organization, command);
  await projected(ctx, result.position);
  return result;
}
