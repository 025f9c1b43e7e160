import type { FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { hasCode, ValidationError } from '../../domain/errors.ts';
import { emailReservation, emailReservationStream } from '../../domain/identity/email-reservation.ts';
import { VERIFICATION_TOKEN_HOURS } from '../../domain/identity/tokens.ts';
import { user, userStream, type UserEvent } from '../../domain/identity/user.ts';
import { verifyPassword } from '../../infra/passwords.ts';
import { execute, projected, type AppContext } from '../context.ts';
import { rateLimited } from '../plugins/rate-limits.ts';
import * as s from '../schemas.ts';
import { hashToken, issueToken } from '../tokens.ts';
import { loadUser } from '../users.ts';
import { meUser, meUserView } from '../identity/me-view.ts';

const HOUR = 3600_000;

/** An empty name removes it. */
const nameChange = z.union([s.personName, z.null()]).optional();

/** One's own name, time zone and e-mail address. */
export function profileRoutes(ctx: AppContext): FastifyPluginAsyncZod {
  const sealName = async (userId: string, name: string | null | undefined) => (name === undefined ? undefined : name ? await ctx.vault.seal(userId, name) : null);

  const releaseEmail = (request: FastifyRequest, userId: string, emailHash: string) =>
    execute(ctx, request, { userId }, emailReservationStream(emailHash), emailReservation, { type: 'ReleaseEmail', userId });

  return async (app) => {
    app.patch(
      '/api/me/profile',
      {
        schema: {
          tags: ['me'],
          summary: 'Change your name or time zone',
          body: z.object({ firstName: nameChange, lastName: nameChange, timezone: s.timezone.optional() }),
          response: { 200: meUser },
        },
      },
      async (request) => {
        const userId = request.auth!.userId;
        const { firstName, lastName, timezone } = request.body;
        const result = await execute(ctx, request, { userId }, userStream(userId), user, {
          type: 'UpdateProfile',
          firstName: await sealName(userId, firstName),
          lastName: await sealName(userId, lastName),
          timezone,
        });
        await projected(ctx, result.position);
        return meUserView(ctx, userId);
      },
    );

    app.post(
      '/api/me/email',
      {
        preHandler: rateLimited(app, 'passwordCheck', (request) => request.auth?.userId),
        schema: {
          tags: ['me'],
          summary: 'Change your e-mail address: a link is mailed to the new one and takes effect once followed',
          body: z.object({ newEmail: s.email, password: s.password }),
          response: { 202: z.null() },
        },
      },
      async (request, reply) => {
        const userId = request.auth!.userId;
        const { newEmail, password } = request.body;
        const account = await loadUser(ctx, userId);
        if (!account.passwordHash || !(await verifyPassword(account.passwordHash, password)))
          throw new ValidationError('The password is not right', [{ path: '/password', message: 'is not right' }]);
        const newEmailHash = ctx.emailIndex(newEmail);
        if (newEmailHash === account.emailHash) throw new ValidationError('This is already your e-mail address', [{ path: '/newEmail', message: 'is your current address' }]);
        const pending = account.pendingEmailChange?.usedAt ? undefined : account.pendingEmailChange?.emailHash;

        // The new address is held from now on, so nobody can sign up with it while the mail travels.
        await execute(ctx, request, { userId }, emailReservationStream(newEmailHash), emailReservation, { type: 'ReserveEmail', userId });
        try {
          const confirmation = await issueToken(ctx, userId, VERIFICATION_TOKEN_HOURS * HOUR);
          await execute(ctx, request, { userId }, userStream(userId), user, {
            type: 'RequestEmailChange',
            newEmail: await ctx.vault.seal(userId, newEmail),
            newEmailHash,
            confirmation: confirmation.issued,
          });
        } catch (error) {
          if (newEmailHash !== pending) await releaseEmail(request, userId, newEmailHash);
          throw error;
        }
        // A change asked for earlier is superseded: its address is free again.
        if (pending && pending !== newEmailHash) await releaseEmail(request, userId, pending);
        return reply.status(202).send(null);
      },
    );

    app.post(
      '/api/auth/confirm-email',
      {
        preHandler: rateLimited(app, 'emailToken', (request) => (request.body as { userId?: string }).userId),
        config: { access: 'public' },
        schema: {
          tags: ['auth'],
          summary: 'Confirm a new e-mail address with the token mailed to it (the token is the proof)',
          body: z.object({ userId: s.id, token: s.token }),
          response: { 204: z.null() },
        },
      },
      async (request, reply) => {
        const { userId, token } = request.body;
        const result = await execute(ctx, request, { userId }, userStream(userId), user, { type: 'ConfirmEmailChange', tokenHash: hashToken(token), now: ctx.now() }).catch(
          (error: unknown) => {
            if (hasCode(error, 'NOT_FOUND')) throw new ValidationError('This confirmation link is not valid');
            throw error;
          },
        );
        await projected(ctx, result.position);
        const changed = result.events.find((e): e is Extract<UserEvent, { type: 'EmailChanged' }> => e.type === 'EmailChanged');
        if (changed) await releaseEmail(request, userId, changed.data.previousEmailHash);
        return reply.status(204).send(null);
      },
    );
  };
}
