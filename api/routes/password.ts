import { setTimeout as sleep } from 'node:timers/promises';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { hasCode, isAppError, ValidationError } from '../../domain/errors.ts';
import { assertAcceptablePassword } from '../../domain/identity/password-policy.ts';
import { RESET_TOKEN_HOURS } from '../../domain/identity/tokens.ts';
import { user, userStream } from '../../domain/identity/user.ts';
import { hashPassword, verifyPassword } from '../../infra/passwords.ts';
import { identityQueries } from '../../projections/identity/queries.ts';
import { execute, projected, type AppContext } from '../context.ts';
import { rateLimited } from '../plugins/rate-limits.ts';
import * as s from '../schemas.ts';
import { revokeAllSessions, signIn } from '../sessions.ts';
import { hashToken, issueToken } from '../tokens.ts';
import { loadUser } from '../users.ts';

const HOUR = 3600_000;

/**
 * A reset request is answered no sooner than this, whether or not the address has an account: the
 * real work (a stream read and an append) takes a few milliseconds, so the floor hides it.
 */
export const RESET_REQUEST_FLOOR_MS = 250;
/** Tokens for addresses without an account are sealed for this subject, so both paths do the same work. */
const ABSENT_ACCOUNT = 'password-reset-absent-account';

/** The policy's errors name the field `/password`; on this form it is `/newPassword`. */
function assertAcceptableNewPassword(password: string): void {
  try {
    assertAcceptablePassword(password);
  } catch (error) {
    if (!hasCode(error, 'VALIDATION_FAILED')) throw error;
    const { message, details } = error as ValidationError;
    throw new ValidationError(message, [{ path: '/newPassword', message: (details as Array<{ message?: string }> | undefined)?.[0]?.message ?? 'is not acceptable' }]);
  }
}

/** Forgotten passwords (by mail) and changing one's own password. */
export function passwordRoutes(ctx: AppContext): FastifyPluginAsyncZod {
  const identity = identityQueries(ctx.documents);

  return async (app) => {
    app.post(
      '/api/auth/password-reset',
      {
        preHandler: rateLimited(app, 'passwordReset', (request) => ctx.emailIndex((request.body as { email?: string }).email ?? '')),
        config: { access: 'public' },
        schema: { tags: ['auth'], summary: 'Mail a password reset link, if the address has an account', body: z.object({ email: s.email }), response: { 202: z.null() } },
      },
      async (request, reply) => {
        const floor = sleep(RESET_REQUEST_FLOOR_MS);
        const found = await identity.userByEmailHash(ctx.emailIndex(request.body.email));
        const reset = await issueToken(ctx, found?._id ?? ABSENT_ACCOUNT, RESET_TOKEN_HOURS * HOUR);
        if (found) {
          const userId = found._id;
          await execute(ctx, request, { userId }, userStream(userId), user, { type: 'RequestPasswordReset', reset: reset.issued, now: ctx.now() }).catch((error: unknown) => {
            // A refusal about this account must not show in the answer; an outage may.
            if (!isAppError(error) || error.status >= 500) throw error;
            request.log.info({ code: error.code }, 'password reset not issued');
          });
        }
        await floor;
        return reply.status(202).send(null);
      },
    );

    app.post(
      '/api/auth/password-reset/confirm',
      {
        preHandler: rateLimited(app, 'emailToken', (request) => (request.body as { userId?: string }).userId),
        config: { access: 'public' },
        schema: {
          tags: ['auth'],
          summary: 'Set a new password with the token from the reset mail; signs out every session',
          body: z.object({ userId: s.id, token: s.token, password: s.password }),
          response: { 204: z.null() },
        },
      },
      async (request, reply) => {
        const { userId, token, password } = request.body;
        assertAcceptablePassword(password);
        const passwordHash = await hashPassword(password);
        await execute(ctx, request, { userId }, userStream(userId), user, { type: 'ResetPassword', tokenHash: hashToken(token), passwordHash, now: ctx.now() }).catch(
          (error: unknown) => {
            if (hasCode(error, 'NOT_FOUND')) throw new ValidationError('This password reset link is not valid');
            throw error;
          },
        );
        await revokeAllSessions(ctx, request, userId, 'password_reset');
        return reply.status(204).send(null);
      },
    );

    app.put(
      '/api/me/password',
      {
        preHandler: rateLimited(app, 'passwordCheck', (request) => request.auth?.userId),
        schema: {
          tags: ['me'],
          summary: 'Change your password; signs out every other session and renews this one',
          body: z.object({ currentPassword: s.password, newPassword: s.password }),
          response: { 204: z.null() },
        },
      },
      async (request, reply) => {
        const { userId, sessionId } = request.auth!;
        const { currentPassword, newPassword } = request.body;
        const account = await loadUser(ctx, userId);
        if (!account.passwordHash || !(await verifyPassword(account.passwordHash, currentPassword)))
          throw new ValidationError('The current password is not right', [{ path: '/currentPassword', message: 'is not right' }]);
        if (newPassword === currentPassword) throw new ValidationError('The new password must differ from the current one', [{ path: '/newPassword', message: 'is the current password' }]);
        assertAcceptableNewPassword(newPassword);
        const result = await execute(ctx, request, { userId }, userStream(userId), user, { type: 'ChangePassword', passwordHash: await hashPassword(newPassword) });
        // The fresh session keeps the strength of the one it replaces (signed in with MFA or not).
        const mfa = (await identity.session(sessionId))?.mfa ?? false;
        await revokeAllSessions(ctx, request, userId, 'password_changed');
        await signIn(ctx, request, reply, userId, mfa);
        await projected(ctx, result.position);
        return reply.status(204).send(null);
      },
    );
  };
}
