import { z } from 'zod';
import type { Decider } from '../eventsourcing/decider.ts';
import { defineEvents, type EventOf } from '../eventsourcing/event-schemas.ts';

/**
 * Failed sign-ins on an account, in a stream of their own so that guessing never grows the user's
 * stream. Successful sign-ins are the SessionStarted events; together they are the sign-in history.
 */
export const signInAttemptsStream = (userId: string) => `signins-${userId}`;

const signInFailureReason = z.enum(['wrong_password', 'wrong_mfa_code', 'wrong_recovery_code']);
export type SignInFailureReason = z.infer<typeof signInFailureReason>;

export const signInAttemptEvents = defineEvents({
  SignInFailed: z.object({ userId: z.string(), reason: signInFailureReason }),
});
export type SignInAttemptEvent = EventOf<typeof signInAttemptEvents>;
export type SignInAttemptCommand = { type: 'RecordFailedSignIn'; userId: string; reason: SignInFailureReason };

export const signInAttempts: Decider<SignInAttemptCommand, SignInAttemptEvent, null> = {
  events: signInAttemptEvents,
  initialState: () => null,
  evolve: (state) => state,
  decide: (command) => [{ type: 'SignInFailed', data: { userId: command.userId, reason: command.reason } }],
};
