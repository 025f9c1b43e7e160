import type { ScanSchedule } from '$lib/api';

/** An hour of the organisation's day: `03:00`. */
export const hourLabel = (hour: number) => `${String(hour).padStart(2, '0')}:00`;

export const scheduleLabel = (schedule: ScanSchedule) =>
  schedule.kind === 'off' ? 'Off: scans run only when someone starts one' : schedule.kind === 'hourly' ? 'Every hour' : `Every day at ${hourLabel(schedule.hour)}`;
