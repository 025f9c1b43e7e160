import { describe, expect, it } from 'vitest';
import { assertAcceptablePassword } from './password-policy.ts';

describe('password policy', () => {
  it.each([
    ['plum-Kettle-41-sailing'],
    ['a long passphrase with spaces'],
    ['ünïcødé-pässwörd-🚀'],
  ])('accepts %s', (password) => {
    expect(() => assertAcceptablePassword(password)).not.toThrow();
  });

  it.each([
    ['elevenchars', /at least 12 characters/],
    ['Password1234', /too common/],
    ['CLOUDVENTORY123', /too common/],
    ['abababababababab', /too common/],
    ['x'.repeat(257), /at most 256 characters/],
  ])('refuses %s', (password, message) => {
    expect(() => assertAcceptablePassword(password)).toThrow(message);
  });
});
