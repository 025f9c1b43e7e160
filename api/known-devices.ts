import { createHmac, timingSafeEqual } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { AppContext } from './context.ts';

/**
 * A browser that has signed in to an account carries a known-device cookie for it: signed here,
 * bound to the user id, renewed at each successful sign-in. It grants nothing by itself (the password
 * and second factor are still asked for); it only lets that browser's sign-in attempts count apart
 * from strangers', so that strangers failing against an account cannot lock its owner out.
 */
export const KNOWN_DEVICE_COOKIE = 'cv_device';
const KNOWN_FOR_MS = 365 * 24 * 3600_000;

export function knownDevices(ctx: AppContext) {
  // Its own key, derived from the session key, so a known-device mark can never pass for a token.
  const key = createHmac('sha256', ctx.sessionSigningKey).update('known-device').digest();
  const signatureOf = (claims: string) => createHmac('sha256', key).update(claims).digest();

  /** The device id the request's cookie names for this user, if we signed it for them within the year. */
  function deviceOf(request: FastifyRequest, userId: string): string | undefined {
    const [user, device, issuedAt, signature, ...extra] = (request.cookies[KNOWN_DEVICE_COOKIE] ?? '').split('.');
    if (!user || !device || !issuedAt || !signature || extra.length > 0) return undefined;
    const expected = signatureOf(`${user}.${device}.${issuedAt}`);
    const given = Buffer.from(signature, 'base64url');
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return undefined;
    const age = ctx.now().getTime() - Number(issuedAt);
    return user === userId && age >= 0 && age <= KNOWN_FOR_MS ? device : undefined;
  }

  /** Marks this browser as known for the user (keeping its device id if it was known already). */
  function remember(request: FastifyRequest, reply: FastifyReply, userId: string): void {
    const claims = `${userId}.${deviceOf(request, userId) ?? ctx.newId()}.${ctx.now().getTime()}`;
    reply.setCookie(KNOWN_DEVICE_COOKIE, `${claims}.${signatureOf(claims).toString('base64url')}`, {
      httpOnly: true,
      sameSite: 'strict',
      secure: request.protocol === 'https' || ctx.config.publicUrl.startsWith('https:'),
      // Only sign-in needs it.
      path: '/api/auth',
      maxAge: KNOWN_FOR_MS / 1000,
    });
  }

  return { deviceOf, remember };
}
