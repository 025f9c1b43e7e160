import fastifyRateLimit from '@fastify/rate-limit';
import type { FastifyInstance, FastifyRequest, preHandlerAsyncHookHandler } from 'fastify';
import { AppError } from '../../domain/errors.ts';

/**
 * Rate limits for the routes people could abuse (sign-in, MFA, reset, verification, sign-up):
 * each such route limits per source IP and per account, so neither many addresses against one
 * account nor one address against many accounts gets far. Counters live in process memory, which
 * is right for one process; several processes would share a store (the plugin supports Redis).
 */
export async function registerRateLimits(app: FastifyInstance): Promise<void> {
  await app.register(fastifyRateLimit, {
    global: false,
    errorResponseBuilder: (_request, context) => new AppError('RATE_LIMITED', `Too many attempts; try again in ${(context as { after?: string }).after ?? 'a minute'}`),
  });
}

export interface Limit {
  max: number;
  /** e.g. '1 minute', '15 minutes', '1 hour' */
  per: string;
}

export function perIp(app: FastifyInstance, name: string, limit: Limit): preHandlerAsyncHookHandler {
  return app.rateLimit({ max: limit.max, timeWindow: limit.per, groupId: `${name}:ip`, keyGenerator: (request) => `${name}:ip:${request.ip}` });
}

/** `account` names the account the request is about (e.g. a hash of the e-mail in the body). */
export function perAccount(app: FastifyInstance, name: string, limit: Limit, account: (request: FastifyRequest) => string | undefined): preHandlerAsyncHookHandler {
  return app.rateLimit({
    max: limit.max,
    timeWindow: limit.per,
    groupId: `${name}:account`,
    keyGenerator: (request) => `${name}:account:${account(request) ?? request.ip}`,
  });
}
