/**
 * Instants as a date-time picker shows them: the wall-clock reading in the person's own time zone
 * (the one every other date on the page is shown in), seconds included so a scan's instant fits.
 */

const readingFormat = (timeZone: string) =>
  new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23' });

function formatterFor(timeZone: string): Intl.DateTimeFormat {
  try {
    return readingFormat(timeZone);
  } catch {
    return readingFormat('UTC');
  }
}

/** `2026-11-27T11:00:05` for an instant read in `timeZone`: a `datetime-local` value. */
export function toLocalInput(iso: string, timeZone: string): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return '';
  const parts = formatterFor(timeZone).formatToParts(date);
  const part = (type: Intl.DateTimeFormatPartTypes) => parts.find((p) => p.type === type)?.value ?? '00';
  return `${part('year')}-${part('month')}-${part('day')}T${part('hour')}:${part('minute')}:${part('second')}`;
}

/** The instant a `datetime-local` value names in `timeZone`, as ISO UTC; undefined when it is not a date. */
export function fromLocalInput(local: string, timeZone: string): string | undefined {
  const match = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?$/.exec(local);
  if (!match) return undefined;
  const [year, month, day, hour, minute, second = 0] = match.slice(1).map((part) => (part === undefined ? undefined : Number(part))) as [number, number, number, number, number, number?];
  const wall = Date.UTC(year, month - 1, day, hour, minute, second);
  if (Number.isNaN(wall)) return undefined;
  // The zone's offset where the wall-clock time falls: guessed at the wall time, then corrected once
  // (exact everywhere except in the hour daylight saving skips, which no clock shows, or repeats,
  // where the later of the two instants is taken).
  const offsetAt = (instant: number) => Date.parse(`${toLocalInput(new Date(instant).toISOString(), timeZone)}Z`) - instant;
  let instant = wall - offsetAt(wall);
  instant = wall - offsetAt(instant);
  return new Date(instant).toISOString();
}

/** The same instant however it was written (`…Z`, an offset, milliseconds or not). */
export const sameInstant = (a: string | undefined, b: string | undefined) => !!a && !!b && Date.parse(a) === Date.parse(b);
