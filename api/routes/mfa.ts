import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import QRCode from 'qrcode';
import { z } from 'zod';
import { NotFoundError, ValidationError } from '../../domain/errors.ts';
import { mfa, mfaStream, RECOVERY_CODE_COUNT } from '../../domain/identity/mfa.ts';
import { verifyPassword } from '../../infra/passwords.ts';
import { newTotpSecret, otpauthUrl } from '../../infra/totp.ts';
import { identityQueries } from '../../projections/identity/queries.ts';
import { execute, projected, type AppContext } from '../context.ts';
import { rateLimited } from '../plugins/rate-limits.ts';
import * as s from '../schemas.ts';
import { loadMfa, newRecoveryCode, recoveryCodeHash, timeStepOf, totpCode } from '../identity/second-factor.ts';
import { loadUser } from '../users.ts';

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
