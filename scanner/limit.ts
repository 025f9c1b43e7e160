/**
 * At most `max` tasks at once; the others wait their turn in order. Limiters nest: a partition
 * holds its scan's slot and a slot of the worker's overall limit, so one large account cannot
 * starve the others and the process never runs more AWS listings than it can carry.
 */
export interface Limiter {
  run<T>(task: () => Promise<T>): Promise<T>;
}

export function createLimiter(max: number): Limiter {
  let active = 0;
  const waiting: Array<() => void> = [];
  return {
    async run(task) {
      if (active >= max) await new Promise<void>((resolve) => waiting.push(resolve));
      else active++;
      try {
        return await task();
      } finally {
        // The slot passes straight to the next waiter, so `active` counts it still taken.
        const next = waiting.shift();
        if (next) next();
        else active--;
      }
    },
  };
}
