import { z } from 'zod';
import { ConflictError } from '../errors.ts';
import type { Decider } from '../eventsourcing/decider.ts';
import { defineEvents, type EventOf } from '../eventsourcing/event-schemas.ts';

/**
 * One stream per (organisation, AWS account), appended with `no_stream` the first time: of two
 * requests racing to connect the same account, exactly one gets the reservation. Deleting the
 * connection releases it, so the account can be connected again. (Not `connection-…`: the
 * connection projection reads those streams.)
 */
export const accountReservationStream = (orgId: string, accountId: string) => `aws-account-${orgId}-${accountId}`;

export const accountReservationEvents = defineEvents({
  AwsAccountReserved: z.object({ accountId: z.string(), connectionId: z.string() }),
  AwsAccountReleased: z.object({ accountId: z.string(), connectionId: z.string() }),
});
export type AccountReservationEvent = EventOf<typeof accountReservationEvents>;

export type AccountReservationCommand =
  | { type: 'ReserveAwsAccount'; accountId: string; connectionId: string }
  | { type: 'ReleaseAwsAccount'; accountId: string; connectionId: string };

export interface AccountReservationState {
  /** The connection holding the account, if any. */
  holder?: string;
}

export const accountReservation: Decider<AccountReservationCommand, AccountReservationEvent, AccountReservationState> = {
  events: accountReservationEvents,
  initialState: () => ({}),
  evolve: (_state, event) => (event.type === 'AwsAccountReserved' ? { holder: event.data.connectionId } : {}),
  decide: (command, state) => {
    const { accountId, connectionId } = command;
    if (command.type === 'ReleaseAwsAccount') return state.holder === connectionId ? [{ type: 'AwsAccountReleased', data: { accountId, connectionId } }] : [];
    if (state.holder === connectionId) return [];
    if (state.holder)
      throw new ConflictError(`AWS account ${accountId} is already connected to this organisation`, { connectionId: state.holder, accountId });
    return [{ type: 'AwsAccountReserved', data: { accountId, connectionId } }];
  },
};
