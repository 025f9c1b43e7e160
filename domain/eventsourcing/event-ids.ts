import { createHash } from 'node:crypto';

/**
 * Event ids derived from the command id: a retried command produces the same ids, and the store
 * stores a repeated id once. Formatted as a version-8 (custom) UUID, which EventStoreDB requires.
 */
export function deriveEventId(commandId: string, index: number): string {
  const hex = createHash('sha256').update(`${commandId}\u0000${index}`).digest('hex');
  const variant = ((parseInt(hex[16]!, 16) & 0x3) | 0x8).toString(16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-8${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

/**
 * The ids of the events one decision of a command appends, derived from the command id and what was
 * decided: deciding the same again gets the same ids (the store keeps them once), while any other
 * decision under that command id gets other ids, so the store never answers it with events it did
 * not store: its append fails on the expected revision instead.
 */
export function decisionEventIds(commandId: string, decision: unknown, count: number): string[] {
  const digest = createHash('sha256').update(JSON.stringify(decision)).digest('hex');
  return Array.from({ length: count }, (_, index) => deriveEventId(`${commandId}\u0000${digest}`, index));
}
