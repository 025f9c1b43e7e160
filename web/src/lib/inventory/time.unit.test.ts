import { describe, expect, it } from 'vitest';
import { fromLocalInput, sameInstant, toLocalInput } from './time';

describe('instants read in a time zone', () => {
  it('reads an instant as the wall clock of the zone, to the second', () => {
    expect(toLocalInput('2026-01-01T06:30:05.123Z', 'Asia/Kolkata')).toBe('2026-01-01T12:00:05');
    expect(toLocalInput('2026-07-01T11:00:00Z', 'Europe/London')).toBe('2026-07-01T12:00:00');
    expect(toLocalInput('not a date', 'UTC')).toBe('');
  });

  it('turns a wall-clock reading back into the instant, with or without seconds (Chrome drops ":00")', () => {
    expect(fromLocalInput('2026-01-01T12:00:05', 'Asia/Kolkata')).toBe('2026-01-01T06:30:05.000Z');
    expect(fromLocalInput('2026-01-01T12:00', 'Asia/Kolkata')).toBe('2026-01-01T06:30:00.000Z');
    expect(fromLocalInput('2026-07-01T12:00:00', 'Europe/London')).toBe('2026-07-01T11:00:00.000Z');
    expect(fromLocalInput('2026-01-15T08:00:00', 'America/New_York')).toBe('2026-01-15T13:00:00.000Z');
  });

  it('round-trips every reading outside the hour daylight saving skips or repeats', () => {
    for (const iso of ['2026-03-29T00:59:59.000Z', '2026-03-29T01:00:00.000Z', '2026-10-24T23:30:00.000Z', '2026-10-25T02:30:00.000Z', '2026-12-31T23:59:59.000Z']) {
      expect(fromLocalInput(toLocalInput(iso, 'Europe/London'), 'Europe/London')).toBe(iso);
    }
  });

  it('refuses what is not a date and time', () => {
    expect(fromLocalInput('', 'UTC')).toBeUndefined();
    expect(fromLocalInput('2026-01-01', 'UTC')).toBeUndefined();
    expect(fromLocalInput('yesterday', 'UTC')).toBeUndefined();
  });

  it('falls back to UTC for a zone the browser does not know', () => {
    expect(toLocalInput('2026-01-01T06:30:05Z', 'Not/AZone')).toBe('2026-01-01T06:30:05');
  });

  it('knows one instant however it is written', () => {
    expect(sameInstant('2026-01-01T06:30:05Z', '2026-01-01T12:00:05+05:30')).toBe(true);
    expect(sameInstant('2026-01-01T06:30:05Z', undefined)).toBe(false);
  });
});
