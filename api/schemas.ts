import { z } from 'zod';
import { MAX_PASSWORD_LENGTH } from '../domain/identity/password-policy.ts';

/** Shapes shared by several routes, validated at the edge. */
export const email = z.string().trim().max(254, 'is too long').pipe(z.email({ error: 'must be an e-mail address' }));
export const password = z.string().min(1, 'is required').max(MAX_PASSWORD_LENGTH, 'is too long');
export const personName = z.string().trim().max(100, 'must be at most 100 characters');
export const timezone = z.string().refine((tz) => {
  try {
    new Intl.DateTimeFormat('en', { timeZone: tz });
    return tz.includes('/') || tz === 'UTC';
  } catch {
    return false;
  }
}, 'must be an IANA time zone such as Europe/Paris');
export const id = z.uuid({ error: 'must be an id' });
export const token = z.string().regex(/^[\w-]{20,100}$/, 'is not a valid token');
export const errorResponse = z.object({ error: z.object({ code: z.string(), message: z.string(), details: z.unknown().optional() }) });
