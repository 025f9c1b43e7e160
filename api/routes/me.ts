import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { NotFoundError } from '../../domain/errors.ts';
import { roles } from '../../domain/organizations/roles.ts';
import { mfaQueries } from '../../projections/identity/mfa.ts';
import { organizationQueries } from '../../projections/organizations/queries.ts';
import type { AppContext } from '../context.ts';
import { meUser, meUserView } from '../identity/me-view.ts';
import * as s from '../schemas.ts';

const CURRENT_ORG_COOKIE = 'cv_org';

const me = z.object({
  user: meUser,
  organizations: z.array(z.object({ id: z.string(), name: z.string(), role: z.enum(roles) })),
  currentOrganizationId: z.string().nullable(),
  /** An organisation of theirs requires MFA and they have none: everything else is closed until they set it up. */
  mfaEnrollmentRequired: z.boolean(),
});

/** Who the caller is, where they belong, and which organisation they are working in. */
export function meRoutes(ctx: AppContext): FastifyPluginAsyncZod {
  const organizations = organizationQueries(ctx.documents);
  const mfa = mfaQueries(ctx.documents);
  return async (app) => {
    app.get('/api/me', { schema: { tags: ['me'], summary: 'The signed-in user, their organisations and roles', response: { 200: me } } }, async (request) => {
      const userId = request.auth!.userId;
      const memberships = await organizations.membershipsOf(userId);
      const mine = await Promise.all(
        memberships.map(async (m) => ({ id: m.orgId, name: (await organizations.organization(m.orgId))?.name ?? '', role: m.role })),
      );
      const chosen = request.cookies[CURRENT_ORG_COOKIE];
      const current = mine.find((o) => o.id === chosen) ?? mine[0];
      return {
        user: await meUserView(ctx, userId),
        organizations: mine,
        currentOrganizationId: current?.id ?? null,
        mfaEnrollmentRequired: await mfa.enrollmentRequired(userId),
      };
    });

    app.put(
      '/api/me/current-organization',
      { schema: { tags: ['me'], summary: 'Switch the organisation you are working in', body: z.object({ organizationId: s.id }), response: { 204: z.null() } } },
      async (request, reply) => {
        if (!(await organizations.membership(request.body.organizationId, request.auth!.userId))) throw new NotFoundError('No such organisation');
        reply.setCookie(CURRENT_ORG_COOKIE, request.body.organizationId, { path: '/', sameSite: 'lax', httpOnly: true });
        return reply.status(204).send(null);
      },
    );
  };
}
