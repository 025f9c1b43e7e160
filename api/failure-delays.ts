/**
 * Growing delays after failed attempts in one bucket: the first failure costs nothing extra, then
 * 250 ms, 500 ms, 1 s, ... up to 8 s, forgotten 15 minutes after the last failure. This slows a
 * guesser who spreads attempts under the rate limits. A bucket is an account, or a browser known to
 * it (api/routes/auth.ts), so strangers' failures never slow the owner's own browser.
 */
const FORGET_AFTER_MS = 15 * 60_000;
const MAX_DELAY_MS = 8000;

export function failureDelays(now: () => number = Date.now) {
  const failures = new Map<string, { count: number; lastAt: number }>();
  const current = (key: string) => {
    const entry = failures.get(key);
    if (!entry || now() - entry.lastAt > FORGET_AFTER_MS) return 0;
    return entry.count;
  };
  return {
    delayMs(key: string): number {
      const count = current(key);
      return count === 0 ? 0 : Math.min(250 * 2 ** (count - 1), MAX_DELAY_MS);
    },
    recordFailure(key: string): void {
      failures.set(key, { count: current(key) + 1, lastAt: now() });
      if (failures.size > 100_000) failures.clear();
    },
    clear(key: string): void {
      failures.delete(key);
    },
  };
}

export type FailureDelays = ReturnType<typeof failureDelays>;
