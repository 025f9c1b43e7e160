import type { EventStore } from '../../domain/eventsourcing/event-store.ts';
import type { PersonalDataVault, Sealed } from '../../domain/privacy/personal-data.ts';

export interface Recipient {
  email: string;
  firstName: string | null;
}

/**
 * A user's current address and first name, read from their stream (the source of truth), so a mail
 * never waits for, or races with, another projection. Undefined once the user is erased.
 */
export async function recipientOf(events: EventStore, vault: PersonalDataVault, userId: string): Promise<Recipient | undefined> {
  let email: Sealed | undefined;
  let firstName: Sealed | undefined;
  for await (const event of events.readStream(`user-${userId}`)) {
    const data = event.data as { email?: Sealed; firstName?: Sealed | null; newEmail?: Sealed };
    if (event.type === 'UserRegistered') {
      email = data.email;
      firstName = data.firstName ?? undefined;
    }
    if (event.type === 'EmailChanged' && data.email) email = data.email;
    if (event.type === 'ProfileUpdated' && data.firstName !== undefined) firstName = data.firstName ?? undefined;
  }
  const address = email && (await vault.open(userId, email));
  if (!address) return undefined;
  return { email: address, firstName: (firstName && (await vault.open(userId, firstName))) ?? null };
}
