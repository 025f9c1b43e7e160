import { aggregateStream } from '../../domain/eventsourcing/aggregate-stream.ts';
import type { EventStore } from '../../domain/eventsourcing/event-store.ts';
import { userEvents, userStream, type UserEvent } from '../../domain/identity/user.ts';
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
  const { state } = await aggregateStream(events, { events: userEvents, initialState: (): SealedRecipient => ({}), evolve: addressed }, userStream(userId));
  const { email, firstName } = state;
  const address = email && (await vault.open(userId, email));
  if (!address) return undefined;
  return { email: address, firstName: (firstName && (await vault.open(userId, firstName))) ?? null };
}

/** The sealed address and first name, as a user's events leave them. */
interface SealedRecipient {
  email?: Sealed | undefined;
  firstName?: Sealed | undefined;
}

function addressed(state: SealedRecipient, event: UserEvent): SealedRecipient {
  switch (event.type) {
    case 'UserRegistered':
      return { email: event.data.email, firstName: event.data.firstName };
    case 'EmailChanged':
      return event.data.email ? { ...state, email: event.data.email } : state;
    case 'ProfileUpdated':
      return event.data.firstName === undefined ? state : { ...state, firstName: event.data.firstName ?? undefined };
    default:
      return state;
  }
}
