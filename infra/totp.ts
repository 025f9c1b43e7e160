import { Secret, TOTP } from 'otpauth';

/**
 * Time-based one-time passwords (RFC 6238) with what every authenticator app expects: SHA-1,
 * 6 digits, 30-second steps, a 160-bit secret in base32.
 */
const ISSUER = 'Cloudventory';
const PERIOD = 30;
/** One step either side absorbs clock drift between the phone and the server. */
const WINDOW = 1;

export function newTotpSecret(): string {
  return new Secret({ size: 20 }).base32;
}

/** The `otpauth://` URL the QR code carries: issuer Cloudventory, labelled with the user's address. */
export function otpauthUrl(secret: string, email: string): string {
  return new TOTP({ issuer: ISSUER, label: email, secret: Secret.fromBase32(secret), period: PERIOD }).toString();
}

/** The time step the code belongs to (so it can be accepted only once), or null when it matches none. */
export function matchTotp(secret: string, code: string, now: Date): number | null {
  const timestamp = now.getTime();
  const delta = TOTP.validate({ token: code, secret: Secret.fromBase32(secret), period: PERIOD, timestamp, window: WINDOW });
  // validate() answers the step offset (0 for the current step), or null.
  return delta === null ? null : TOTP.counter({ period: PERIOD, timestamp }) + delta;
}
