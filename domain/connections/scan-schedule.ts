import { z } from 'zod';
import { ValidationError } from '../errors.ts';

/**
 * When a connection is scanned without anyone asking. A daily scan runs at a local hour in the
 * ORGANISATION's timezone (people think of "3 at night" where they are, DST included).
 */
export const scanSchedule = z.discriminatedUnion('kind', [z.object({ kind: z.literal('off') }), z.object({ kind: z.literal('hourly') }), z.object({ kind: z.literal('daily'), hour: z.number() })]);
export type ScanSchedule = z.infer<typeof scanSchedule>;

/**
 * A new connection is scanned daily at 03:00 local: an inventory nobody refreshes goes stale without
 * anyone noticing, and 03:00 keeps the AWS API calls away from the customer's working hours.
 * A connection that never chose a schedule has this one (no event is written at creation).
 */
export const DEFAULT_SCAN_SCHEDULE: ScanSchedule = { kind: 'daily', hour: 3 };

/** The schedule as stored: only its own fields, a daily hour a whole hour of the day. */
export function validSchedule(schedule: ScanSchedule): ScanSchedule {
  switch (schedule.kind) {
    case 'off':
    case 'hourly':
      return { kind: schedule.kind };
    case 'daily':
      if (!Number.isInteger(schedule.hour) || schedule.hour < 0 || schedule.hour > 23)
        throw new ValidationError('A daily scan runs at a whole hour from 0 to 23', [{ path: '/hour', message: 'must be a whole hour from 0 to 23' }]);
      return { kind: 'daily', hour: schedule.hour };
  }
}

export const sameSchedule = (a: ScanSchedule, b: ScanSchedule): boolean => a.kind === b.kind && (a.kind !== 'daily' || a.hour === (b as { hour: number }).hour);
