import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { NotFoundError } from '../../domain/errors.ts';
import { identityQueries } from '../../projections/identity/queries.ts';
import type { AppContext } from '../context.ts';
import { clearSessionCookie } from '../plugins/auth.ts';
import * as s from '../schemas.ts';
import { revokeAllSessions, revokeSession, usableSessionsOf } from '../sessions.ts';

const sessionView = z.object({
  id: z.string(),
  startedAt: z.string(),
  lastSeenAt: z.string(),
  userAgent: z.string(),
  ip: z.string(),
  current: z.boolean(),
});

/** The devices one is signed in on, and signing them out. */
export function sessionRoutes(ctx: AppContext): FastifyPluginAsyncZod {
  const identity = identityQueries(ctx.documents);

  return async (app) => {
    app.get(
      '/api/me/sessions',
      { schema: { tags: ['me'], summary: 'Where you are signed in', response: { 200: z.object({ sessions: z.array(sessionView) }) } } },
      async (request) => {
        const { userId, sessionId } = request.auth!;
        const sessions = await usableSessionsOf(ctx, userId);
        return {
          sessions: sessions.map((x) => ({ id: x._id, startedAt: x.startedAt, lastSeenAt: x.lastSeenAt, userAgent: x.userAgent, ip: x.ip, current: x._id === sessionId })),
        };
      },
    );

    app.delete(
      '/api/me/sessions/:sessionId',
      { schema: { tags: ['me'], summary: 'Sign out one of your sessions', params: z.object({ sessionId: s.id }), response: { 204: z.null() } } },
      async (request, reply) => {
        const { userId, sessionId: current } = request.auth!;
        const target = request.params.sessionId;
        // Another user's session answers exactly like one that does not exist.
        const found = await identity.session(target);
        if (!found || found.userId !== userId || found.revokedAt || Date.parse(found.expiresAt) <= ctx.now().getTime()) throw new NotFoundError('No such session');
        await revokeSession(ctx, request, userId, target, 'revoked');
        if (target === current) clearSessionCookie(reply);
        return reply.status(204).send(null);
      },
    );

    app.post(
      '/api/me/sessions/revoke-all',
      { schema: { tags: ['me'], summary: 'Sign out everywhere, this session included', response: { 204: z.null() } } },
      async (request, reply) => {
        await revokeAllSessions(ctx, request, request.auth!.userId, 'signed_out_everywhere');
        clearSessionCookie(reply);
        return reply.status(204).send(null);
      },
    );
  };
}
