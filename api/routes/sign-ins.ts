import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { auditPage } from '../../projections/audit/queries.ts';
import type { AppContext } from '../context.ts';

const signIn = z.object({
  at: z.string(),
  outcome: z.enum(['success', 'failure']),
  reason: z.string().nullable(),
  ip: z.string().nullable(),
  userAgent: z.string().nullable(),
});

/** A person's sign-in history: sessions started, and failed attempts on their account. */
export function signInRoutes(ctx: AppContext): FastifyPluginAsyncZod {
  return async (app) => {
    app.get(
      '/api/me/sign-ins',
      { schema: { tags: ['me'], summary: 'Your recent sign-ins, failures included', response: { 200: z.object({ signIns: z.array(signIn) }) } } },
      async (request) => {
        const userId = request.auth!.userId;
        const [started, failed] = await Promise.all([
          auditPage(ctx.documents, { actor: userId, action: 'SessionStarted', limit: 100 }),
          auditPage(ctx.documents, { actor: userId, action: 'SignInFailed', limit: 100 }),
        ]);
        const signIns = [
          ...started.entries.map((e) => ({ at: e.at, position: e.position, outcome: 'success' as const, reason: null, ip: e.ip, userAgent: e.userAgent })),
          ...failed.entries.map((e) => ({ at: e.at, position: e.position, outcome: 'failure' as const, reason: e.detail ?? null, ip: e.ip, userAgent: e.userAgent })),
        ]
          .sort((a, b) => (a.position < b.position ? 1 : -1))
          .slice(0, 100)
          .map(({ position: _position, ...rest }) => rest);
        return { signIns };
      },
    );
  };
}
