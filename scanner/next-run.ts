import type { ScanSchedule } from '../domain/connections/scan-schedule.ts';

/**
 * When a schedule next runs, strictly after `after`, in wall-clock time of `timezone`. Pure: the
 * scheduler, the API and the tests all ask this one function.
 *
 * Every UTC offset in use is a whole number of quarter hours, and so is every DST change: walking
 * quarter-hour instants and reading their local time with Intl finds each local "HH:00" exactly.
 */
export function nextRunAt(schedule: ScanSchedule, timezone: string, after: Date): Date | undefined {
  if (schedule.kind === 'off') return undefined;
  const first = Math.floor(after.getTime() / QUARTER_HOUR_MS) * QUARTER_HOUR_MS + QUARTER_HOUR_MS;
  if (schedule.kind === 'hourly') {
    for (let t = first; t < first + SEARCH_LIMIT_MS; t += QUARTER_HOUR_MS) if (localTime(timezone, t).endsWith(':00')) return new Date(t);
    throw new Error(`no local hour in ${timezone} after ${after.toISOString()}`);
  }
  // The next local day whose HH:00 lies after `after` (comparing wall-clock text, which sorts):
  // an hour repeated when clocks go back is then not run a second time.
  const startedAt = localTime(timezone, after.getTime());
  const hour = String(schedule.hour).padStart(2, '0');
  const today = `${startedAt.slice(0, 10)}T${hour}:00`;
  const target = startedAt < today ? today : `${dayAfter(startedAt.slice(0, 10))}T${hour}:00`;
  // The first instant at or past the target: the hour itself, or, when clocks skip it (spring
  // forward), the moment the skipped hour ends; a daily scan is moved, never dropped.
  for (let t = first; t < first + SEARCH_LIMIT_MS; t += QUARTER_HOUR_MS) if (localTime(timezone, t) >= target) return new Date(t);
  throw new Error(`no ${target} in ${timezone} after ${after.toISOString()}`);
}

const QUARTER_HOUR_MS = 15 * 60_000;
const DAY_MS = 24 * 3_600_000;
/** Far past any day plus any DST change. */
const SEARCH_LIMIT_MS = 3 * DAY_MS;

/** The calendar date after `YYYY-MM-DD` (calendar arithmetic: a local day may last 23 or 25 hours). */
function dayAfter(date: string): string {
  const [year, month, day] = date.split('-').map(Number) as [number, number, number];
  return new Date(Date.UTC(year, month - 1, day + 1)).toISOString().slice(0, 10);
}

const formats = new Map<string, Intl.DateTimeFormat>();

/** `YYYY-MM-DDTHH:MM` on the clocks of `timezone` at instant `t`. */
function localTime(timezone: string, t: number): string {
  let format = formats.get(timezone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-US', { timeZone: timezone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit' });
    formats.set(timezone, format);
  }
  const parts = Object.fromEntries(format.formatToParts(t).map((part) => [part.type, part.value]));
  return `${parts.year}-${parts.month}-${parts.day}T${parts.hour}:${parts.minute}`;
}
