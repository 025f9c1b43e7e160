import { setTimeout as sleep } from 'node:timers/promises';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { AppError, hasCode, isAppError } from '../../domain/errors.ts';
import { aggregateStream } from '../../domain/eventsourcing/aggregate-stream.ts';
import { emailReservation, emailReservationStream } from '../../domain/identity/email-reservation.ts';
import { assertAcceptablePassword } from '../../domain/identity/password-policy.ts';
import { session, sessionStream } from '../../domain/identity/session.ts';
import { VERIFICATION_TOKEN_HOURS } from '../../domain/identity/tokens.ts';
import { user, userStream } from '../../domain/identity/user.ts';
import { organization, organizationStream } from '../../domain/organizations/organization.ts';
import { hashPassword, verifyAgainstDecoy, verifyPassword } from '../../infra/passwords.ts';
import { identityQueries } from '../../projections/identity/queries.ts';
import { execute, projected, type AppContext } from '../context.ts';
import { clearSessionCookie } from '../plugins/auth.ts';
import { rateLimited } from '../plugins/rate-limits.ts';
import * as s from '../schemas.ts';
import { hashToken, issueToken } from '../tokens.ts';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { loadUser } from '../users.ts';
import { failureDelays } from '../failure-delays.ts';
import { knownDevices } from '../known-devices.ts';
import { signInAttempts, signInAttemptsStream, type SignInFailureReason } from '../../domain/identity/sign-in-attempts.ts';
import { signIn } from '../sessions.ts';
import { loadMfa, proveSecondFactor, recoveryCode, signMfaChallenge, standingMfaChallenge, totpCode, verifiedMfaChallenge } from '../identity/second-factor.ts';

const HOUR = 3600_000;
/**
 * A sign-up is answered no sooner than this, whether or not the address has an account: both paths
 * hash the password, and the floor hides what is left (a few appends on one path, one on the other).
 */
export const SIGN_UP_FLOOR_MS = 400;

/** Sign-up, e-mail verification (which ends sign-up by signing in), sign-in and sign-out. */
export function authRoutes(ctx: AppContext): FastifyPluginAsyncZod {
  const identity = identityQueries(ctx.documents);

  const devices = knownDevices(ctx);
  const failures = failureDelays();
  const pause = (ms: number) => (ms > 0 ? new Promise((resolve) => setTimeout(resolve, ms)) : Promise.resolve());
  const recordFailedSignIn = (request: FastifyRequest, userId: string, reason: SignInFailureReason) =>
    execute(ctx, request, { userId }, signInAttemptsStream(userId), signInAttempts, { type: 'RecordFailedSignIn', userId, reason });

  /** A session, its cookie, and the mark that this browser is now known to the account. */
  async function signInHere(request: FastifyRequest, reply: FastifyReply, userId: string, mfa: boolean): Promise<void> {
    await signIn(ctx, request, reply, userId, mfa);
    devices.remember(request, reply, userId);
  }

  /**
   * Where a password attempt counts, for the rate limit and the growing delay: a browser known to the
   * account counts on its own, everyone else together per account. Worked out once per request.
   */
  const buckets = new WeakMap<FastifyRequest, Promise<string>>();
  function signInBucket(request: FastifyRequest): Promise<string> {
    let bucket = buckets.get(request);
    if (!bucket) {
      const emailHash = ctx.emailIndex((request.body as { email?: string }).email ?? '');
      bucket = identity.userByEmailHash(emailHash).then((found) => {
        const device = found && devices.deviceOf(request, found._id);
        return device ? `device:${found._id}:${device}` : emailHash;
      });
      buckets.set(request, bucket);
    }
    return bucket;
  }

  /** The account holding the address, from its reservation stream (the source of truth). */
  async function holderOf(emailHash: string): Promise<string | undefined> {
    return (await aggregateStream(ctx.events, emailReservation, emailReservationStream(emailHash))).state.holder;
  }

  return async (app) => {
    app.post(
      '/api/auth/signup',
      {
        preHandler: rateLimited(app, 'signUp'),
        config: { access: 'public' },
        schema: {
          tags: ['auth'],
          summary: 'Sign up: mails a link that verifies the address and signs in; answers the same whether or not the address has an account',
          body: z.object({
            email: s.email,
            firstName: s.personName.optional(),
            lastName: s.personName.optional(),
            organizationName: z.string().trim().min(1, 'is required').max(100, 'must be at most 100 characters'),
            password: s.password,
            timezone: s.timezone,
          }),
          response: { 202: z.object({ status: z.literal('check-your-email') }) },
        },
      },
      async (request, reply) => {
        const body = request.body;
        assertAcceptablePassword(body.password);
        const floor = sleep(SIGN_UP_FLOOR_MS);
        // Hashed whichever way it goes, so the time taken does not tell whether the address has an account.
        const passwordHash = await hashPassword(body.password);
        const userId = ctx.newId();
        const emailHash = ctx.emailIndex(body.email);
        const actor = { userId };
        // Asked first, so a taken address costs no reservation attempt (nor a data key for a user never made).
        const reserved =
          !(await holderOf(emailHash)) &&
          (await execute(ctx, request, actor, emailReservationStream(emailHash), emailReservation, { type: 'ReserveEmail', userId }).then(
            () => true,
            (error: unknown) => {
              if (hasCode(error, 'CONFLICT')) return false;
              throw error;
            },
          ));
        if (!reserved) {
          // The address has an account: create nothing, and tell its owner (not the caller).
          await noteSignUpAttempt(request, emailHash);
          await floor;
          return reply.status(202).send({ status: 'check-your-email' as const });
        }
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
            passwordHash,
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
        await floor;
        return reply.status(202).send({ status: 'check-your-email' as const });
      },
    );

    /** Records the attempt on the account holding the address, which mails its owner (at most hourly). */
    async function noteSignUpAttempt(request: FastifyRequest, emailHash: string): Promise<void> {
      const holder = await holderOf(emailHash);
      if (!holder) return;
      await execute(ctx, request, { userId: holder }, userStream(holder), user, { type: 'NoteSignUpAttempt', emailHash, now: ctx.now() }).catch((error: unknown) => {
        // E.g. the holder is a sign-up racing this one, not registered yet: nothing to tell, and the
        // answer must not differ. An outage may show.
        if (!isAppError(error) || error.status >= 500) throw error;
      });
    }

    app.post(
      '/api/auth/verify-email',
      {
        preHandler: rateLimited(app, 'emailToken', (request) => (request.body as { userId?: string }).userId),
        config: { access: 'public' },
        schema: {
          tags: ['auth'],
          summary: 'Verify an e-mail address with the token from the mail; signs the new account in',
          body: z.object({ userId: s.id, token: s.token }),
          response: { 200: z.object({ verified: z.literal(true), signedIn: z.boolean() }) },
        },
      },
      async (request, reply) => {
        const { userId, token } = request.body;
        const result = await execute(ctx, request, { userId }, userStream(userId), user, { type: 'VerifyEmail', tokenHash: hashToken(token), now: ctx.now() }).catch((error: unknown) => {
          if (hasCode(error, 'NOT_FOUND')) throw new AppError('VALIDATION_FAILED', 'This verification link is not valid');
          throw error;
        });
        await projected(ctx, result.position);
        // The link proves the mailbox, which is how sign-up ends. It is not a second factor, and it
        // does not switch a browser signed in as someone else.
        if (request.auth) return { verified: true as const, signedIn: request.auth.userId === userId };
        if ((await loadMfa(ctx, userId)).enabled) return { verified: true as const, signedIn: false };
        await signInHere(request, reply, userId, false);
        return { verified: true as const, signedIn: true };
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
        preHandler: rateLimited(app, 'signIn', signInBucket),
        config: { access: 'public' },
        schema: {
          tags: ['auth'],
          summary: 'Sign in with e-mail and password',
          body: z.object({ email: s.email, password: s.password }),
          // With MFA on, the password only earns a challenge to answer at /api/auth/login/mfa.
          // Public, yet a wrong e-mail address or password is a 401.
          response: { 200: z.union([z.object({ userId: z.string() }), z.object({ mfaRequired: z.literal(true), challenge: z.string() })]), 401: s.errorResponse },
        },
      },
      async (request, reply) => {
        const bucket = await signInBucket(request);
        await pause(failures.delayMs(bucket));
        const found = await identity.userByEmailHash(ctx.emailIndex(request.body.email));
        const account = found ? await loadUser(ctx, found._id) : undefined;
        // An absent account costs the same password check, so timing does not reveal it.
        const valid = account?.passwordHash ? await verifyPassword(account.passwordHash, request.body.password) : await verifyAgainstDecoy(request.body.password);
        if (!valid || !found) {
          failures.recordFailure(bucket);
          if (found) await recordFailedSignIn(request, found._id, 'wrong_password');
          throw new AppError('UNAUTHENTICATED', 'The e-mail address or password is not right');
        }
        failures.clear(bucket);
        if ((await loadMfa(ctx, found._id)).enabled) return { mfaRequired: true as const, challenge: signMfaChallenge(app, ctx, found._id, account!.passwordVersion) };
        await signInHere(request, reply, found._id, false);
        return { userId: found._id };
      },
    );

    app.post(
      '/api/auth/login/mfa',
      {
        // Counted per account only for a challenge signed here: a forged one names whoever it likes.
        preHandler: rateLimited(app, 'secondFactor', (request) => verifiedMfaChallenge(app, ctx, (request.body as { challenge?: string }).challenge ?? '')?.userId),
        config: { access: 'public' },
        schema: {
          tags: ['auth'],
          summary: 'Finish signing in with a code from the authenticator app or a recovery code',
          body: z.object({ challenge: z.string().max(4096), code: totpCode.optional(), recoveryCode: recoveryCode.optional() }),
          // Public, yet an expired or forged challenge is a 401.
          response: { 200: z.object({ userId: z.string() }), 401: s.errorResponse },
        },
      },
      async (request, reply) => {
        const challenge = await standingMfaChallenge(app, ctx, request.body.challenge);
        const { userId } = challenge;
        await pause(failures.delayMs(userId));
        try {
          await proveSecondFactor(ctx, request, challenge, request.body);
        } catch (error) {
          if (hasCode(error, 'UNAUTHENTICATED')) {
            failures.recordFailure(userId);
            await recordFailedSignIn(request, userId, request.body.code === undefined ? 'wrong_recovery_code' : 'wrong_mfa_code');
          }
          throw error;
        }
        failures.clear(userId);
        await signInHere(request, reply, userId, true);
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
