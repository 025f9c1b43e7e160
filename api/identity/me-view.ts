import { z } from 'zod';
import { NotFoundError } from '../../domain/errors.ts';
import { mfaQueries } from '../../projections/identity/mfa.ts';
import { identityQueries } from '../../projections/identity/queries.ts';
import type { AppContext } from '../context.ts';

/** The `user` object of GET /api/me. */
export const meUser = z.object({
  id: z.string(),
  email: z.string(),
  firstName: z.string().nullable(),
  lastName: z.string().nullable(),
  timezone: z.string(),
  verified: z.boolean(),
  mfaEnabled: z.boolean(),
});

/** The `user` object of GET /api/me, from the read models. */
export async function meUserView(ctx: AppContext, userId: string): Promise<z.infer<typeof meUser>> {
  const account = await identityQueries(ctx.documents).user(userId);
  if (!account) throw new NotFoundError('No such user');
  const { email, firstName, lastName, timezone, verified } = account;
  return { id: userId, email, firstName, lastName, timezone, verified, mfaEnabled: await mfaQueries(ctx.documents).enabled(userId) };
}
