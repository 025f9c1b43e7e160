import { accountReservationEvents } from '../connections/account-reservation.ts';
import { connectionEvents } from '../connections/connection.ts';
import { emailReservationEvents } from '../identity/email-reservation.ts';
import { mfaEvents } from '../identity/mfa.ts';
import { sessionEvents } from '../identity/session.ts';
import { signInAttemptEvents } from '../identity/sign-in-attempts.ts';
import { userEvents } from '../identity/user.ts';
import { inventoryEvents } from '../inventory/partition.ts';
import { organizationEvents } from '../organizations/organization.ts';
import { scanEvents } from '../scans/scan.ts';
import { combineEvents, type EventOf } from './event-schemas.ts';
import type { RecordedEvent } from './event-store.ts';

/**
 * Every event type Cloudventory stores, with its schema and upcasters (each defined beside the
 * decider that records it). Readers that are not one aggregate's fold — projections, the mail
 * outbox, the scan worker and scheduler — read the log through here.
 */
export const storedEvents = combineEvents(
  userEvents,
  mfaEvents,
  sessionEvents,
  emailReservationEvents,
  signInAttemptEvents,
  organizationEvents,
  connectionEvents,
  accountReservationEvents,
  scanEvents,
  inventoryEvents,
);
export type StoredEvent = EventOf<typeof storedEvents>;
export type StoredEventType = StoredEvent['type'];

/** A stored event of any type, in its current shape; MalformedEventError for an unknown type or a shape no schema reads. */
export const parseEvent = (recorded: RecordedEvent): StoredEvent => storedEvents.parse(recorded);

/**
 * The stored event if it is of one of `types` (the ones a reader handles), parsed; undefined when it
 * is of another type, which the reader does not handle. Readers on a hot path pass a constant list.
 */
export function parseEventOf<Type extends StoredEventType>(recorded: RecordedEvent, types: readonly Type[]): Extract<StoredEvent, { type: Type }> | undefined {
  return (types as readonly string[]).includes(recorded.type) ? (storedEvents.parse(recorded) as Extract<StoredEvent, { type: Type }>) : undefined;
}
