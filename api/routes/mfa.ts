import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import QRCode from 'qrcode';
import { z } from 'zod';
import { AppError, NotFoundError, ValidationError } from '../../domain/errors.ts';
import { aggregateStream } from '../../domain/eventsourcing/aggregate-stream.ts';
import { mfa, mfaStream, RECOVERY_CODE_COUNT, type MfaState } from '../../domain/identity/mfa.ts';
import type { Sealed } from '../../domain/privacy/personal-data.ts';
import { verifyPassword } from '../../infra/passwords.ts';
import { matchTotp, newTotpSecret, otpauthUrl } from '../../infra/totp.ts';
import { identityQueries } from '../../projections/identity/queries.ts';
import { execute, projected, type AppContext } from '../context.ts';
import { rateLimited } from '../plugins/rate-limits.ts';
import * as s from '../schemas.ts';
import { hashToken } from '../tokens.ts';
import { loadUser } from '../users.ts';

export const totpCode = z.string().trim().regex(/^\d{6}$/, 'must be the 6-digit code from your authenticator app');
export const recoveryCode = z.string().trim().min(1, 'is required').max(100, 'is too long');

/** A sign-in half done: the password was right, the second factor is still to come. */
const CHALLENGE_SECONDS = 5 * 60;
const CHALLENGE_PURPOSE = 'mfa' as const;

/** The MFA state from its stream (the source of truth): sign-in must not trust a lagging read model. */
export async function loadMfa(ctx: AppContext, userId: string): Promise<MfaState> {
  return (await aggregateStream(ctx.events, mfa, mfaStream(userId))).state;
}

/** The time step the code matches for this sealed secret, or null (also when the secret is shredded). */
async function timeStepOf(ctx: AppContext, userId: string, secret: Sealed | undefined, code: string): Promise<number | null> {
  const opened = secret && (await ctx.vault.open(userId, secret));
  return opened ? matchTotp(opened, code, ctx.now()) : null;
}

/** Recovery codes are compared case- and punctuation-insensitively: people retype them. */
const recoveryCodeHash = (code: string) => hashToken(code.toLowerCase().replace(/[^a-z0-9]/g, ''));

/** 10 characters from an alphabet without look-alikes (about 50 bits), shown as `xxxxx-xxxxx`. */
function newRecoveryCode(randomInt: (max: number) => number): string {
  const alphabet = 'abcdefghjkmnpqrstuvwxyz23456789';
  const chars = Array.from({ length: 10 }, () => alphabet[randomInt(alphabet.length)]).join('');
  return `${chars.slice(0, 5)}-${chars.slice(5)}`;
}

/** A password step passed: answered once (by `challengeId`), and only while `passwordVersion` is the account's password. */
export interface MfaChallenge {
  userId: string;
  challengeId: string;
  passwordVersion: number;
}

/**
 * The challenge is signed like a session token, so each side checks the other's marks: a challenge
 * carries `purpose: 'mfa'` and no session id; the session check refuses any token with a purpose.
 */
export function signMfaChallenge(app: FastifyInstance, ctx: AppContext, userId: string, passwordVersion: number): string {
  const claims = { sub: userId, purpose: CHALLENGE_PURPOSE, jti: ctx.newId(), pv: passwordVersion };
  return app.jwt.sign(claims, { expiresIn: CHALLENGE_SECONDS, clockTimestamp: ctx.now().getTime() });
}

/** The challenge when it is an unexpired MFA challenge signed here; undefined for anything else (forged, empty, garbage). */
export function verifiedMfaChallenge(app: FastifyInstance, ctx: AppContext, token: string): MfaChallenge | undefined {
  let claims: { sub?: unknown; sid?: unknown; purpose?: unknown; jti?: unknown; pv?: unknown };
  try {
    claims = app.jwt.verify(token, { clockTimestamp: ctx.now().getTime() });
  } catch {
    return undefined;
  }
  if (claims.purpose !== CHALLENGE_PURPOSE || claims.sid !== undefined || typeof claims.sub !== 'string' || typeof claims.jti !== 'string' || typeof claims.pv !== 'number')
    return undefined;
  return { userId: claims.sub, challengeId: claims.jti, passwordVersion: claims.pv };
}

/**
 * The challenge, if it still stands: signed here, unexpired, and earned with the password the account
 * has now (a change or reset since makes it void). UNAUTHENTICATED otherwise.
 */
export async function standingMfaChallenge(app: FastifyInstance, ctx: AppContext, token: string): Promise<MfaChallenge> {
  const challenge = verifiedMfaChallenge(app, ctx, token);
  if (!challenge || (await loadUser(ctx, challenge.userId)).passwordVersion !== challenge.passwordVersion)
    throw new AppError('UNAUTHENTICATED', 'This sign-in has expired or is not valid; please sign in again');
  return challenge;
}

/** Checks the second factor of a sign-in and records its use and the challenge's, so none can be used again. */
export async function proveSecondFactor(ctx: AppContext, request: FastifyRequest, challenge: MfaChallenge, proof: { code?: string | undefined; recoveryCode?: string | undefined }): Promise<void> {
  if ((proof.code === undefined) === (proof.recoveryCode === undefined))
    throw new ValidationError('Give either the code from your authenticator app or a recovery code', [{ path: '/code', message: 'exactly one of code and recoveryCode' }]);
  const { userId, challengeId } = challenge;
  const command =
    proof.code !== undefined
      ? { type: 'SignInWithCode' as const, timeStep: await timeStepOf(ctx, userId, (await loadMfa(ctx, userId)).secret, proof.code), challengeId }
      : { type: 'SignInWithRecoveryCode' as const, codeHash: recoveryCodeHash(proof.recoveryCode!), challengeId };
  await execute(ctx, request, { userId }, mfaStream(userId), mfa, command);
}

/** Setting up, turning on and turning off TOTP multi-factor authentication for the signed-in user. */
export function mfaRoutes(ctx: AppContext): FastifyPluginAsyncZod {
  const identity = identityQueries(ctx.documents);
  return async (app) => {
    app.post(
      '/api/me/mfa/setup',
      {
        schema: {
          tags: ['mfa'],
          summary: 'Start setting up an authenticator app: a new secret, as text and as a QR code (shown once)',
          response: { 200: z.object({ secret: z.string(), otpauthUrl: z.string(), qrSvg: z.string() }) },
        },
      },
      async (request, reply) => {
        const userId = request.auth!.userId;
        const account = await identity.user(userId);
        if (!account) throw new NotFoundError('No such user');
        const secret = newTotpSecret();
        await execute(ctx, request, { userId }, mfaStream(userId), mfa, { type: 'StartMfaSetup', secret: await ctx.vault.seal(userId, secret) });
        const url = otpauthUrl(secret, account.email);
        reply.header('cache-control', 'no-store');
        return { secret, otpauthUrl: url, qrSvg: await QRCode.toString(url, { type: 'svg' }) };
      },
    );

    app.post(
      '/api/me/mfa/enable',
      {
        preHandler: rateLimited(app, 'secondFactor', (request) => request.auth?.userId),
        schema: {
          tags: ['mfa'],
          summary: 'Turn MFA on with a first code from the app; answers the recovery codes (shown once)',
          body: z.object({ code: totpCode }),
          response: { 200: z.object({ recoveryCodes: z.array(z.string()).length(RECOVERY_CODE_COUNT) }) },
        },
      },
      async (request, reply) => {
        const userId = request.auth!.userId;
        const secret = (await loadMfa(ctx, userId)).pendingSecret;
        const recoveryCodes = Array.from({ length: RECOVERY_CODE_COUNT }, () => newRecoveryCode(ctx.randomInt));
        const result = await execute(ctx, request, { userId }, mfaStream(userId), mfa, {
          type: 'EnableMfa',
          secret,
          timeStep: await timeStepOf(ctx, userId, secret, request.body.code),
          recoveryCodeHashes: recoveryCodes.map(recoveryCodeHash),
        });
        await projected(ctx, result.position);
        reply.header('cache-control', 'no-store');
        return { recoveryCodes };
      },
    );

    app.post(
      '/api/me/mfa/disable',
      {
        preHandler: rateLimited(app, 'secondFactor', (request) => request.auth?.userId),
        schema: {
          tags: ['mfa'],
          summary: 'Turn MFA off; needs the password and a current code',
          body: z.object({ password: s.password, code: totpCode }),
          response: { 204: z.null() },
        },
      },
      async (request, reply) => {
        const userId = request.auth!.userId;
        const account = await loadUser(ctx, userId);
        if (!account.passwordHash || !(await verifyPassword(account.passwordHash, request.body.password)))
          throw new ValidationError('The password is not right', [{ path: '/password', message: 'is not right' }]);
        const timeStep = await timeStepOf(ctx, userId, (await loadMfa(ctx, userId)).secret, request.body.code);
        const result = await execute(ctx, request, { userId }, mfaStream(userId), mfa, { type: 'DisableMfa', timeStep });
        await projected(ctx, result.position);
        return reply.status(204).send(null);
      },
    );
  };
}
