import { describe, expect, it } from 'vitest';
import type { ScanSchedule } from '../domain/connections/scan-schedule.ts';
import { nextRunAt } from './next-run.ts';

const at = (iso: string) => new Date(iso);
const daily = (hour: number): ScanSchedule => ({ kind: 'daily', hour });
/** Each run's next run, `count` times: what the scheduler does day after day. */
function runs(schedule: ScanSchedule, timezone: string, from: string, count: number): string[] {
  const found: string[] = [];
  let after = at(from);
  for (let i = 0; i < count; i++) {
    after = nextRunAt(schedule, timezone, after)!;
    found.push(after.toISOString());
  }
  return found;
}

describe('next run of a schedule', () => {
  it('never runs a schedule that is off', () => {
    expect(nextRunAt({ kind: 'off' }, 'Europe/Paris', at('2026-03-01T12:00:00Z'))).toBeUndefined();
  });

  it('runs hourly at the top of each local hour, strictly after the last run', () => {
    expect(nextRunAt({ kind: 'hourly' }, 'Europe/Paris', at('2026-03-01T10:20:00Z'))?.toISOString()).toBe('2026-03-01T11:00:00.000Z');
    expect(nextRunAt({ kind: 'hourly' }, 'Europe/Paris', at('2026-03-01T11:00:00Z'))?.toISOString()).toBe('2026-03-01T12:00:00.000Z');
    // Nepal is UTC+05:45: its hours start at a quarter past the UTC hour.
    expect(nextRunAt({ kind: 'hourly' }, 'Asia/Kathmandu', at('2026-03-01T10:20:00Z'))?.toISOString()).toBe('2026-03-01T11:15:00.000Z');
  });

  it('runs hourly through a DST change without a gap of two hours or a double run', () => {
    expect(runs({ kind: 'hourly' }, 'Europe/Paris', '2026-03-29T00:30:00Z', 3)).toEqual(['2026-03-29T01:00:00.000Z', '2026-03-29T02:00:00.000Z', '2026-03-29T03:00:00.000Z']);
  });

  it('runs daily at the local hour later today, or tomorrow once it has passed', () => {
    expect(nextRunAt(daily(3), 'Europe/Paris', at('2026-03-01T01:00:00Z'))?.toISOString()).toBe('2026-03-01T02:00:00.000Z');
    expect(nextRunAt(daily(3), 'Europe/Paris', at('2026-03-01T02:00:00Z'))?.toISOString()).toBe('2026-03-02T02:00:00.000Z');
    expect(nextRunAt(daily(0), 'Europe/Paris', at('2026-03-01T12:00:00Z'))?.toISOString()).toBe('2026-03-01T23:00:00.000Z');
  });

  it('keeps 03:00 local across the change to summer time in Europe/Paris (29 March 2026)', () => {
    expect(runs(daily(3), 'Europe/Paris', '2026-03-27T12:00:00Z', 3)).toEqual(['2026-03-28T02:00:00.000Z', '2026-03-29T01:00:00.000Z', '2026-03-30T01:00:00.000Z']);
  });

  it('moves an hour the clocks skip to the end of the gap instead of dropping the day', () => {
    // 02:00 does not exist in Paris on 29 March 2026: the scan runs at 03:00 CEST.
    expect(runs(daily(2), 'Europe/Paris', '2026-03-28T12:00:00Z', 2)).toEqual(['2026-03-29T01:00:00.000Z', '2026-03-30T00:00:00.000Z']);
    // From late on the evening before the 23-hour day, that day is still the next one.
    expect(nextRunAt(daily(2), 'Europe/Paris', at('2026-03-28T22:30:00Z'))?.toISOString()).toBe('2026-03-29T01:00:00.000Z');
  });

  it('runs an hour the clocks repeat once, in Europe/Paris (25 October 2026)', () => {
    expect(runs(daily(2), 'Europe/Paris', '2026-10-24T12:00:00Z', 2)).toEqual(['2026-10-25T00:00:00.000Z', '2026-10-26T01:00:00.000Z']);
    expect(runs(daily(3), 'Europe/Paris', '2026-10-24T12:00:00Z', 2)).toEqual(['2026-10-25T02:00:00.000Z', '2026-10-26T02:00:00.000Z']);
  });

  it('keeps the local hour across both changes in America/New_York (8 March and 1 November 2026)', () => {
    expect(runs(daily(3), 'America/New_York', '2026-03-06T12:00:00Z', 3)).toEqual(['2026-03-07T08:00:00.000Z', '2026-03-08T07:00:00.000Z', '2026-03-09T07:00:00.000Z']);
    // 02:00 is skipped on 8 March: run at 03:00 EDT.
    expect(nextRunAt(daily(2), 'America/New_York', at('2026-03-07T12:00:00Z'))?.toISOString()).toBe('2026-03-08T07:00:00.000Z');
    // 01:00 happens twice on 1 November: the first one only.
    expect(runs(daily(1), 'America/New_York', '2026-10-31T12:00:00Z', 2)).toEqual(['2026-11-01T05:00:00.000Z', '2026-11-02T06:00:00.000Z']);
  });
});
