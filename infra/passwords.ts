import * as scryptTypes from 'scrypt-kdf';

// scrypt-kdf 4's types declare named exports, but the module only has a default export.
const scrypt = (scryptTypes as unknown as { default: typeof scryptTypes }).default;

/** scrypt with logN 15 (≈130 ms a hash on these machines): slow for guessers, fine for people. */
const params = { logN: 15, r: 8, p: 1 } as const;

export async function hashPassword(password: string): Promise<string> {
  return Buffer.from(await scrypt.kdf(password, params)).toString('base64');
}

export async function verifyPassword(hash: string, password: string): Promise<boolean> {
  return scrypt.verify(Buffer.from(hash, 'base64'), password);
}

/** Spends the same time as a real check when there is no account, so timing reveals nothing. */
let decoy: Promise<string> | undefined;
export async function verifyAgainstDecoy(password: string): Promise<false> {
  decoy ??= hashPassword('decoy password for absent accounts');
  await verifyPassword(await decoy, password);
  return false;
}
