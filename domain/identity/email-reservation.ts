import { z } from 'zod';
import { ConflictError } from '../errors.ts';
import type { Decider } from '../eventsourcing/decider.ts';
import { defineEvents, type EventOf } from '../eventsourcing/event-schemas.ts';

/**
 * One stream per normalised e-mail address (named by its keyed hash), appended with `no_stream`:
 * of two sign-ups racing for one address, exactly one gets the reservation.
 */
export const emailReservationStream = (emailHash: string) => `email-${emailHash}`;

export const emailReservationEvents = defineEvents({
  EmailReserved: z.object({ userId: z.string() }),
  EmailReleased: z.object({ userId: z.string() }),
});
export type EmailReservationEvent = EventOf<typeof emailReservationEvents>;
export type EmailReservationCommand = { type: 'ReserveEmail'; userId: string } | { type: 'ReleaseEmail'; userId: string };
export interface EmailReservationState {
  holder?: string;
}

export const emailReservation: Decider<EmailReservationCommand, EmailReservationEvent, EmailReservationState> = {
  events: emailReservationEvents,
  initialState: () => ({}),
  evolve: (_state, event) => (event.type === 'EmailReserved' ? { holder: event.data.userId } : {}),
  decide: (command, state) => {
    if (command.type === 'ReleaseEmail') return state.holder === command.userId ? [{ type: 'EmailReleased', data: { userId: command.userId } }] : [];
    if (state.holder === command.userId) return [];
    if (state.holder) throw new ConflictError('An account with this e-mail address already exists', [{ path: '/email', message: 'already registered' }]);
    return [{ type: 'EmailReserved', data: { userId: command.userId } }];
  },
};
