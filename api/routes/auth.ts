import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { AppError, hasCode } from '../../domain/errors.ts';
import { emailReservation, emailReservationStream } from '../../domain/identity/email-reservation.ts';
import { assertAcceptablePassword } from '../../domain/identity/password-policy.ts';
import { session, sessionStream } from '../../domain/identity/session.ts';
import { VERIFICATION_TOKEN_HOURS } from '../../domain/identity/tokens.ts';
import { user, userStream } from '../../domain/identity/user.ts';
import { organization, organizationStream } from '../../domain/organizations/organization.ts';
import { hashPassword, verifyAgainstDecoy, verifyPassword } from '../../infra/passwords.ts';
import { identityQueries } from '../../projections/identity/queries.ts';
import { execute, projected, type AppContext } from '../context.ts';
import { clearSessionCookie, setSessionCookie } from '../plugins/auth.ts';
import { rateLimited } from '../plugins/rate-limits.ts';
import * as s from '../schemas.ts';
import { hashToken, issueToken } from '../tokens.ts';
import type { FastifyRequest } from 'fastify';
import { loadUser } from '../users.ts';
import { failureDelays } from '../failure-delays.ts';
import { signInAttempts, signInAttemptsStream, type SignInFailureReason } from '../../domain/identity/sign-in-attempts.ts';
import { startSession as startSessionOf } from '../sessions.ts';
import { loadMfa, proveSecondFactor, recoveryCode, signMfaChallenge, totpCode, userOfMfaChallenge } from './mfa.ts';

const HOUR = 3600_000;

/** Sign-up, e-mail verification, sign-in and sign-out. */
export function authRoutes(ctx: AppContext): FastifyPluginAsyncZod {
  const identity = identityQueries(ctx.documents);

  const startSession = (request: FastifyRequest, userId: string, mfa: boolean) => startSessionOf(ctx, request, userId, mfa);
  const failures = failureDelays();
  const pause = (ms: number) => (ms > 0 ? new Promise((resolve) => setTimeout(resolve, ms)) : Promise.resolve());
  const recordFailedSignIn = (request: FastifyRequest, userId: string, reason: SignInFailureReason) =>
    execute(ctx, request, { userId }, signInAttemptsStream(userId), signInAttempts, { type: 'RecordFailedSignIn', userId, reason });

  return async (app) => {
    app.post(
      '/api/auth/signup',
      {
        preHandler: rateLimited(app, 'signUp'),
        config: { access: 'public' },
        schema: {
          tags: ['auth'],
          summary: 'Create an account and its organisation, and sign in',
          body: z.object({
            email: s.email,
            firstName: s.personName.optional(),
            lastName: s.personName.optional(),
            organizationName: z.string().trim().min(1, 'is required').max(100, 'must be at most 100 characters'),
            password: s.password,
            timezone: s.timezone,
          }),
          response: { 201: z.object({ userId: z.string(), orgId: z.string() }) },
        },
      },
      async (request, reply) => {
        const body = request.body;
        assertAcceptablePassword(body.password);
        const userId = ctx.newId();
        const emailHash = ctx.emailIndex(body.email);
        const actor = { userId };
        await execute(ctx, request, actor, emailReservationStream(emailHash), emailReservation, { type: 'ReserveEmail', userId });
        try {
          const verification = await issueToken(ctx, userId, VERIFICATION_TOKEN_HOURS * HOUR);
          await execute(ctx, request, actor, userStream(userId), user, {
            type: 'RegisterUser',
            userId,
            email: await ctx.vault.seal(userId, body.email),
            emailHash,
            ...(body.firstName ? { firstName: await ctx.vault.seal(userId, body.firstName) } : {}),
            ...(body.lastName ? { lastName: await ctx.vault.seal(userId, body.lastName) } : {}),
            timezone: body.timezone,
            passwordHash: await hashPassword(body.password),
            verification: verification.issued,
          });
        } catch (error) {
          // Nothing else holds the address yet: give it back so a retry can succeed.
          await execute(ctx, request, actor, emailReservationStream(emailHash), emailReservation, { type: 'ReleaseEmail', userId });
          throw error;
        }
        const orgId = ctx.newId();
        await execute(ctx, request, { userId, orgId }, organizationStream(orgId), organization, {
          type: 'CreateOrganization',
          orgId,
          name: body.organizationName,
          timezone: body.timezone,
          ownerId: userId,
        });
        const sessionId = await startSession(request, userId, false);
        await setSessionCookie(reply, ctx, sessionId, userId);
        return reply.status(201).send({ userId, orgId });
      },
    );

    app.post(
      '/api/auth/verify-email',
      {
        preHandler: rateLimited(app, 'emailToken', (request) => (request.body as { userId?: string }).userId),
        config: { access: 'public' },
        schema: { tags: ['auth'], summary: 'Verify an e-mail address with the token from the mail', body: z.object({ userId: s.id, token: s.token }), response: { 200: z.object({ verified: z.literal(true) }) } },
      },
      async (request) => {
        const { userId, token } = request.body;
        const result = await execute(ctx, request, { userId }, userStream(userId), user, { type: 'VerifyEmail', tokenHash: hashToken(token), now: ctx.now() }).catch((error: unknown) => {
          if (hasCode(error, 'NOT_FOUND')) throw new AppError('VALIDATION_FAILED', 'This verification link is not valid');
          throw error;
        });
        await projected(ctx, result.position);
        return { verified: true as const };
      },
    );

    app.post(
      '/api/auth/verify-email/resend',
      { preHandler: rateLimited(app, 'emailToken', (request) => request.auth?.userId), schema: { tags: ['auth'], summary: 'Send the verification mail again', response: { 202: z.object({ sent: z.literal(true) }) } } },
      async (request, reply) => {
        const userId = request.auth!.userId;
        const verification = await issueToken(ctx, userId, VERIFICATION_TOKEN_HOURS * HOUR);
        await execute(ctx, request, { userId }, userStream(userId), user, { type: 'RequestVerificationMail', verification: verification.issued, now: ctx.now() });
        return reply.status(202).send({ sent: true as const });
      },
    );

    app.post(
      '/api/auth/login',
      {
        preHandler: rateLimited(app, 'signIn', (request) => ctx.emailIndex((request.body as { email?: string }).email ?? '')),
        config: { access: 'public' },
        schema: {
          tags: ['auth'],
          summary: 'Sign in with e-mail and password',
          body: z.object({ email: s.email, password: s.password }),
          // With MFA on, the password only earns a challenge to answer at /api/auth/login/mfa.
          response: { 200: z.union([z.object({ userId: z.string() }), z.object({ mfaRequired: z.literal(true), challenge: z.string() })]) },
        },
      },
      async (request, reply) => {
        const emailHash = ctx.emailIndex(request.body.email);
        await pause(failures.delayMs(emailHash));
        const found = await identity.userByEmailHash(emailHash);
        const account = found ? await loadUser(ctx, found._id) : undefined;
        // An absent account costs the same password check, so timing does not reveal it.
        const valid = account?.passwordHash ? await verifyPassword(account.passwordHash, request.body.password) : await verifyAgainstDecoy(request.body.password);
        if (!valid || !found) {
          failures.recordFailure(emailHash);
          if (found) await recordFailedSignIn(request, found._id, 'wrong_password');
          throw new AppError('UNAUTHENTICATED', 'The e-mail address or password is not right');
        }
        failures.clear(emailHash);
        if ((await loadMfa(ctx, found._id)).enabled) return { mfaRequired: true as const, challenge: signMfaChallenge(app, ctx, found._id) };
        const sessionId = await startSession(request, found._id, false);
        await setSessionCookie(reply, ctx, sessionId, found._id);
        return { userId: found._id };
      },
    );

    app.post(
      '/api/auth/login/mfa',
      {
        preHandler: rateLimited(app, 'secondFactor', (request) => app.jwt.decode<{ sub?: string }>((request.body as { challenge?: string }).challenge ?? '')?.sub),
        config: { access: 'public' },
        schema: {
          tags: ['auth'],
          summary: 'Finish signing in with a code from the authenticator app or a recovery code',
          body: z.object({ challenge: z.string().max(4096), code: totpCode.optional(), recoveryCode: recoveryCode.optional() }),
          response: { 200: z.object({ userId: z.string() }) },
        },
      },
      async (request, reply) => {
        const userId = userOfMfaChallenge(app, ctx, request.body.challenge);
        await pause(failures.delayMs(userId));
        try {
          await proveSecondFactor(ctx, request, userId, request.body);
        } catch (error) {
          if (hasCode(error, 'UNAUTHENTICATED')) {
            failures.recordFailure(userId);
            await recordFailedSignIn(request, userId, request.body.code === undefined ? 'wrong_recovery_code' : 'wrong_mfa_code');
          }
          throw error;
        }
        failures.clear(userId);
        const sessionId = await startSession(request, userId, true);
        await setSessionCookie(reply, ctx, sessionId, userId);
        return { userId };
      },
    );

    app.post(
      '/api/auth/logout',
      { config: { access: 'public' }, schema: { tags: ['auth'], summary: 'Sign out of this session', response: { 204: z.null() } } },
      async (request, reply) => {
        if (request.auth) {
          const { sessionId, userId } = request.auth;
          const result = await execute(ctx, request, { userId }, sessionStream(sessionId), session, { type: 'RevokeSession', reason: 'signed_out' });
          await projected(ctx, result.position);
        }
        clearSessionCookie(reply);
        return reply.status(204).send(null);
      },
    );
  };
}
