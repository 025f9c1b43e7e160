import { describe, expect, it } from 'vitest';
import { accessKeyAge } from './access-key-age.ts';

const now = new Date('2025-06-30T12:00:00Z');
const daysAgo = (days: number) => new Date(now.getTime() - days * 86_400_000);

describe('accessKeyAge', () => {
  it.each([
    [0, 'under-30-days'],
    [29.9, 'under-30-days'],
    [30, '30-to-90-days'],
    [89.9, '30-to-90-days'],
    [90, '90-to-365-days'],
    [364.9, '90-to-365-days'],
    [365, 'over-365-days'],
    [2000, 'over-365-days'],
  ] as const)('puts a key %d days old in %s', (days, bucket) => {
    expect(accessKeyAge(daysAgo(days), now)).toBe(bucket);
  });

  it('says unknown when AWS gives no creation date', () => {
    expect(accessKeyAge(undefined, now)).toBe('unknown');
  });
});
