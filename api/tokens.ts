import { createHash, randomBytes } from 'node:crypto';
import type { IssuedToken } from '../domain/identity/tokens.ts';
import type { AppContext } from './context.ts';

export const hashToken = (token: string) => createHash('sha256').update(token).digest('hex');

/** A fresh single-use token: its hash to check it, sealed for its subject so the mail can carry it. */
export async function issueToken(ctx: AppContext, subject: string, validForMs: number): Promise<{ token: string; issued: IssuedToken }> {
  const token = randomBytes(32).toString('base64url');
  const now = ctx.now();
  return {
    token,
    issued: {
      tokenHash: hashToken(token),
      token: await ctx.vault.seal(subject, token),
      issuedAt: now.toISOString(),
      expiresAt: new Date(now.getTime() + validForMs).toISOString(),
    },
  };
}
