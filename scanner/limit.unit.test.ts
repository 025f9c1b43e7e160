import { describe, expect, it } from 'vitest';
import { createLimiter } from './limit.ts';

describe('a limiter', () => {
  it('runs at most its limit at once, the others in order, and passes results and failures through', async () => {
    const limiter = createLimiter(2);
    let active = 0;
    let peak = 0;
    const order: number[] = [];
    const task = (n: number) =>
      limiter.run(async () => {
        active++;
        peak = Math.max(peak, active);
        await new Promise((r) => setTimeout(r, 5));
        order.push(n);
        active--;
        if (n === 3) throw new Error('three');
        return n;
      });

    const results = await Promise.allSettled([1, 2, 3, 4, 5].map(task));

    expect(peak).toBe(2);
    expect(order).toEqual([1, 2, 3, 4, 5]);
    expect(results.map((r) => (r.status === 'fulfilled' ? r.value : (r.reason as Error).message))).toEqual([1, 2, 'three', 4, 5]);
  });
});
