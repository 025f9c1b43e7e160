import { z } from 'zod';

/**
 * Personal data inside events is sealed with its subject's data key (DESIGN.md §6): deleting the
 * key (erasure) leaves only ciphertext behind. Deciders pass sealed values through untouched.
 */
export type Sealed = string & { readonly __brand: 'Sealed' };

/** A sealed value as events store it: only that it is a string can be checked without its key. */
export const sealed = z.custom<Sealed>((value) => typeof value === 'string', 'must be a sealed value (a string)');

export interface PersonalDataVault {
  seal(subject: string, plaintext: string): Promise<Sealed>;
  /** The plaintext, or undefined when the subject's key has been destroyed (erased). */
  open(subject: string, sealed: Sealed): Promise<string | undefined>;
  /** Crypto-shredding: every value sealed for this subject becomes unreadable. */
  forget(subject: string): Promise<void>;
}
