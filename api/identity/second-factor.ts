import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { AppError, ValidationError } from '../../domain/errors.ts';
import { aggregateStream } from '../../domain/eventsourcing/aggregate-stream.ts';
import { mfa, mfaStream, type MfaState } from '../../domain/identity/mfa.ts';
import type { Sealed } from '../../domain/privacy/personal-data.ts';
import { matchTotp } from '../../infra/totp.ts';
import { execute, type AppContext } from '../context.ts';
import { hashToken } from '../tokens.ts';
import { loadUser } from '../users.ts';

/** The second factor: TOTP codes, recovery codes and the signed challenge between the two steps of a sign-in. */

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
export async function timeStepOf(ctx: AppContext, userId: string, secret: Sealed | undefined, code: string): Promise<number | null> {
  const opened = secret && (await ctx.vault.open(userId, secret));
  return opened ? matchTotp(opened, code, ctx.now()) : null;
}

/** Recovery codes are compared case- and punctuation-insensitively: people retype them. */
export const recoveryCodeHash = (code: string) => hashToken(code.toLowerCase().replace(/[^a-z0-9]/g, ''));

/** 10 characters from an alphabet without look-alikes (about 50 bits), shown as `xxxxx-xxxxx`. */
export function newRecoveryCode(randomInt: (max: number) => number): string {
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
