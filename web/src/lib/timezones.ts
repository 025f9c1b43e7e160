/** The browser's own time zone, the default for new accounts. */
export function browserTimezone(): string {
  try {
    return Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
  } catch {
    return 'UTC';
  }
}

/** Every IANA zone the browser knows, always including `extra` (the current value) and UTC. */
export function timezoneList(extra?: string): string[] {
  let zones: string[];
  try {
    zones = Intl.supportedValuesOf('timeZone');
  } catch {
    zones = [];
  }
  const all = new Set(zones);
  all.add('UTC');
  if (extra) all.add(extra);
  return [...all].sort((a, b) => a.localeCompare(b));
}
