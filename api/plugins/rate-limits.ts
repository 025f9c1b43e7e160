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
  const options = {
    global: false,
    errorResponseBuilder: (_request: FastifyRequest, context: object) => new AppError('RATE_LIMITED', `Too many attempts; try again in ${(context as { after?: string }).after ?? 'a minute'}`),
  };
  // The plugin runs one of its limiters per request; the per-account limiter is a second
  // registration (in its own context, registered first) so that both limits apply.
  let accountLimiter: FastifyInstance['rateLimit'] | undefined;
  await app.register(async (child) => {
    await child.register(fastifyRateLimit, options);
    accountLimiter = child.rateLimit.bind(child);
  });
  await app.register(fastifyRateLimit, options);
  app.decorate('rateLimitPerAccount', accountLimiter!);
}

declare module 'fastify' {
  interface FastifyInstance {
    rateLimitPerAccount: FastifyInstance['rateLimit'];
  }
}

export interface Limit {
  max: number;
  /** e.g. '1 minute', '15 minutes', '1 hour' */
  per: string;
}

/**
 * The one table of limits, per source IP and per account, for the routes people could abuse. A
 * sign-in from a browser known to the account counts per device instead of per account (see
 * api/known-devices.ts), so strangers' failures cannot lock the owner out.
 */
export const limits = {
  signUp: { ip: { max: 100, per: '1 hour' } },
  signIn: { ip: { max: 60, per: '1 minute' }, account: { max: 10, per: '15 minutes' } },
  secondFactor: { ip: { max: 30, per: '1 minute' }, account: { max: 10, per: '15 minutes' } },
  passwordReset: { ip: { max: 20, per: '1 hour' }, account: { max: 5, per: '1 hour' } },
  emailToken: { ip: { max: 30, per: '1 minute' }, account: { max: 10, per: '1 hour' } },
  passwordCheck: { ip: { max: 30, per: '1 minute' }, account: { max: 10, per: '15 minutes' } },
} satisfies Record<string, { ip: Limit; account?: Limit }>;

const limiting = new WeakSet<object>();
/** Whether a preHandler hook is one of this table's limits (the route then documents its 429). */
export const isRateLimited = (hook: unknown) => typeof hook === 'function' && limiting.has(hook);

/**
 * The preHandler hooks enforcing one line of the table: per IP, and per account when the route
 * names one (`account` returns, e.g., the signed-in user or a hash of the e-mail in the body; only
 * what the request has proven, never a claim it merely makes). Without an account, the IP stands in.
 */
export function rateLimited(
  app: FastifyInstance,
  name: keyof typeof limits,
  account?: (request: FastifyRequest) => string | undefined | Promise<string | undefined>,
): preHandlerAsyncHookHandler[] {
  const limit: { ip: Limit; account?: Limit } = limits[name];
  const hooks = [app.rateLimit({ max: limit.ip.max, timeWindow: limit.ip.per, groupId: `${name}:ip`, keyGenerator: (request) => `${name}:ip:${request.ip}` })];
  if (limit.account && account)
    hooks.push(
      app.rateLimitPerAccount({
        max: limit.account.max,
        timeWindow: limit.account.per,
        groupId: `${name}:account`,
        keyGenerator: async (request) => `${name}:account:${(await account(request)) ?? request.ip}`,
      }),
    );
  for (const hook of hooks) limiting.add(hook);
  return hooks;
}
