/**
 * How old an access key is, in the buckets security reviews use (rotate at 90 days). A bucket, not
 * the age in days: the age changes every day, the bucket only when the key crosses a threshold,
 * which is a change worth an event ("key now older than 90 days").
 */
export type AccessKeyAge = 'under-30-days' | '30-to-90-days' | '90-to-365-days' | 'over-365-days' | 'unknown';

const DAY_MS = 86_400_000;

export function accessKeyAge(created: Date | undefined, now: Date): AccessKeyAge {
  if (!created) return 'unknown';
  const days = (now.getTime() - created.getTime()) / DAY_MS;
  if (days < 30) return 'under-30-days';
  if (days < 90) return '30-to-90-days';
  if (days < 365) return '90-to-365-days';
  return 'over-365-days';
}
