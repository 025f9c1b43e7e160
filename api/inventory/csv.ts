import type { ResourceSummary } from '../../projections/inventory/queries.ts';

/** The columns of an inventory export, in order. */
export const CSV_HEADER = 'arn,type,name,account,region,tags,validFrom';

/**
 * One CSV cell: quoted when it holds a comma, a quote or a line break; and a text a spreadsheet
 * would run as a formula (starting with = + - @, or a tab or carriage return) prefixed with `'`.
 */
export function csvCell(text: string): string {
  const safe = /^[=+\-@\t\r]/.test(text) ? `'${text}` : text;
  return /[",\n\r]/.test(safe) ? `"${safe.replaceAll('"', '""')}"` : safe;
}

/** Tags as one cell's text: `k=v; k2=v2`, in key order. */
const tagsText = (tags: Record<string, string>) =>
  Object.keys(tags)
    .sort()
    .map((key) => `${key}=${tags[key]}`)
    .join('; ');

/** The export as CSV lines (the header first), one resource a line, produced as the resources arrive. */
export async function* csvRows(resources: AsyncIterable<ResourceSummary>): AsyncGenerator<string> {
  yield `${CSV_HEADER}\n`;
  for await (const r of resources) yield [r.arn, r.type, r.name, r.accountId, r.region, tagsText(r.tags), r.validFrom].map(csvCell).join(',') + '\n';
}

/** The export as one JSON array, written an element at a time. */
export async function* jsonRows(resources: AsyncIterable<ResourceSummary>): AsyncGenerator<string> {
  let first = true;
  yield '[';
  for await (const r of resources) {
    yield (first ? '\n' : ',\n') + JSON.stringify(r);
    first = false;
  }
  yield '\n]\n';
}
