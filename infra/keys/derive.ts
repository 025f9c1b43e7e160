import { createHmac, hkdfSync } from 'node:crypto';

/** Keys for single purposes, derived from the master key so there is one secret to keep. */
export function deriveKey(masterKey: Buffer, purpose: 'email-index' | 'session-signing' | 'external-id' | 'request-digest'): Buffer {
  return Buffer.from(hkdfSync('sha256', masterKey, Buffer.alloc(0), `cloudventory:${purpose}`, 32));
}

export const normaliseEmail = (email: string) => email.trim().toLowerCase();

/**
 * A keyed hash of a normalised e-mail address: lets sign-in and the uniqueness check find an
 * address without storing it in the clear (stream names and indexes are not encrypted).
 */
export function emailIndexer(masterKey: Buffer): (email: string) => string {
  const key = deriveKey(masterKey, 'email-index');
  return (email) => createHmac('sha256', key).update(normaliseEmail(email)).digest('hex');
}
