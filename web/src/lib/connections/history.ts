import type { Scan } from '$lib/api';

/** Scans shown at a time in a connection's history. */
export const HISTORY_PAGE = 10;

/** What went wrong in a partial or failed scan, in a sentence. */
export function problemsOf(scan: Scan): string | undefined {
  if (scan.status !== 'partial' && scan.status !== 'failed') return undefined;
  const bad = scan.partitions.filter((p) => p.outcome !== 'ok' && p.outcome !== 'pending');
  const first = bad.find((p) => p.advice)?.advice;
  return `${bad.length} of ${scan.partitions.length} not listed${first ? `: ${first}` : ''}${bad.length > 1 ? ' (and more: open the scan)' : ''}.`;
}
