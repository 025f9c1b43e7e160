import { z } from 'zod';
import { sealed } from '../privacy/personal-data.ts';

/**
 * A single-use token sent by mail. The event keeps only its hash (to check it) and the token sealed
 * for its subject (so the mail worker can send it, and erasure shreds it).
 */
export const issuedToken = z.object({ tokenHash: z.string(), token: sealed, issuedAt: z.string(), expiresAt: z.string() });
export type IssuedToken = z.infer<typeof issuedToken>;

export const VERIFICATION_TOKEN_HOURS = 24;
export const RESET_TOKEN_HOURS = 1;
export const INVITATION_TOKEN_DAYS = 7;

export type TokenCheck = 'valid' | 'unknown' | 'expired' | 'used';

export function checkToken(token: { expiresAt: string; usedAt?: string } | undefined, now: Date): TokenCheck {
  if (!token) return 'unknown';
  if (token.usedAt) return 'used';
  return Date.parse(token.expiresAt) <= now.getTime() ? 'expired' : 'valid';
}
