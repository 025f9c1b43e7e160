import { createHash, randomUUID } from 'node:crypto';

/**
 * Event ids derived from the command id: a retried command produces the same ids, and the store
 * stores a repeated id once. Formatted as a version-8 (custom) UUID, which EventStoreDB requires.
 */
export function deriveEventId(commandId: string, index: number): string {
  const hex = createHash('sha256').update(`${commandId}\u0000${index}`).digest('hex');
  const variant = ((parseInt(hex[16]!, 16) & 0x3) | 0x8).toString(16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-8${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

export const newId = (): string => randomUUID();
