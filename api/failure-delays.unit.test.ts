import { describe, expect, it } from 'vitest';
import { failureDelays } from './failure-delays.ts';

describe('failure delays', () => {
  it('grow with each failure up to a ceiling, are per account, and are forgotten after success or time', () => {
    let now = 0;
    const delays = failureDelays(() => now);
    expect(delays.delayMs('a')).toBe(0);
    const seen: number[] = [];
    for (let i = 0; i < 8; i++) {
      delays.recordFailure('a');
      seen.push(delays.delayMs('a'));
    }
    expect(seen).toEqual([250, 500, 1000, 2000, 4000, 8000, 8000, 8000]);
    expect(delays.delayMs('b')).toBe(0);
    now += 15 * 60_000 + 1;
    expect(delays.delayMs('a')).toBe(0);
    delays.recordFailure('a');
    delays.recordFailure('a');
    delays.clear('a');
    expect(delays.delayMs('a')).toBe(0);
  });
});
