import { ValidationError } from '../errors.ts';

export const MIN_PASSWORD_LENGTH = 12;
export const MAX_PASSWORD_LENGTH = 256;

/**
 * The commonest passwords of 12+ characters seen in breach corpora, lowercased, plus the
 * patterns people reach for when told "at least 12 characters".
 */
const common = new Set([
  '123456789012', '1234567890123', '12345678901234', '123456789abc', '1q2w3e4r5t6y', 'qwertyuiopas', 'qwerty123456',
  'qwertyuiop12', 'password1234', 'password12345', 'password123!', 'passwordpassword', 'iloveyou1234', 'aaaaaaaaaaaa',
  'abcdefghijkl', 'abc123abc123', 'welcome12345', 'letmein12345', 'administrator', 'changeme1234', 'football1234',
  'baseball1234', 'monkey123456', 'sunshine1234', 'princess1234', '111111111111', '000000000000', '123123123123',
  'qazwsxedcrfv', '1qaz2wsx3edc', 'zaq12wsxcde3', 'asdfghjkl123', 'trustno11234', 'superman1234', 'cloudventory',
  'cloudventory1', 'cloudventory123', 'correcthorsebatterystaple',
]);

/** At least 12 characters, not one of the commonest, not one character repeated. */
export function assertAcceptablePassword(password: string): void {
  if (password.length < MIN_PASSWORD_LENGTH) throw new ValidationError(`Password must be at least ${MIN_PASSWORD_LENGTH} characters`, [{ path: '/password', message: 'too short' }]);
  if (password.length > MAX_PASSWORD_LENGTH) throw new ValidationError(`Password must be at most ${MAX_PASSWORD_LENGTH} characters`, [{ path: '/password', message: 'too long' }]);
  const lowered = password.toLowerCase();
  if (common.has(lowered) || new Set(lowered).size <= 2)
    throw new ValidationError('This password is too common; choose one that is harder to guess', [{ path: '/password', message: 'too common' }]);
}
