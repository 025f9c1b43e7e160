import { formatTime } from '$lib/format';
import type { FreshnessScope, InventoryFreshness } from './api';
import { placeName, typePlural } from './describe';

/**
 * Where a view of the inventory cannot be trusted, in sentences: what was never listed completely
 * (so an empty list there proves nothing) and what was listed too long before the instant shown.
 * Scopes are grouped by account, type and status so a whole missing service reads as one line.
 */
export function freshnessWarnings(freshness: InventoryFreshness, timezone?: string): string[] {
  if (freshness.scopes.length === 0) {
    return [`Nothing in this view had been scanned as of ${formatTime(freshness.asOf, timezone)} — absence here does not mean nothing is there.`];
  }
  const accounts = new Set(freshness.scopes.map((s) => s.accountId));
  const groups = new Map<string, FreshnessScope[]>();
  for (const scope of freshness.scopes) {
    if (scope.status === 'fresh') continue;
    const id = `${scope.status}\u0000${scope.accountId}\u0000${scope.type}`;
    groups.set(id, [...(groups.get(id) ?? []), scope]);
  }
  const lines: Array<{ order: string; text: string }> = [];
  for (const scopes of groups.values()) {
    const first = scopes[0]!;
    const where = whereOf(scopes.map((s) => s.region), accounts.size > 1 ? first.accountId : undefined);
    if (first.status === 'unknown') {
      lines.push({ order: `0${first.type}${where}`, text: `${typePlural(first.type)} ${where} have never been scanned completely — absence there does not mean nothing is there.` });
    } else {
      const oldest = scopes.map((s) => s.lastCompleteAt ?? '').sort()[0];
      lines.push({
        order: `1${first.type}${where}`,
        text: `${typePlural(first.type)} ${where} were last scanned completely ${formatTime(oldest, timezone)}, more than a day before the time shown — they may have changed since.`,
      });
    }
  }
  return lines.sort((a, b) => a.order.localeCompare(b.order)).map((line) => line.text);
}

function whereOf(regions: string[], accountId: string | undefined): string {
  const places = [...new Set(regions)].sort().map(placeName);
  const listed = places.length <= 1 ? (places[0] ?? '') : `${places.slice(0, -1).join(', ')} and ${places.at(-1)}`;
  const inAccount = accountId ? ` of account ${accountId}` : '';
  return places.length === 1 && places[0] === 'account-wide' ? `(account-wide${inAccount})` : `in ${listed}${inAccount}`;
}
