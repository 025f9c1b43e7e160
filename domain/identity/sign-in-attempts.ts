import type { Decider } from '../eventsourcing/decider.ts';

/**
 * Failed sign-ins on an account, in a stream of their own so that guessing never grows the user's
 * stream. Successful sign-ins are the SessionStarted events; together they are the sign-in history.
 */
export const signInAttemptsStream = (userId: string) => `signins-${userId}`;

export type SignInFailureReason = 'wrong_password' | 'wrong_mfa_code' | 'wrong_recovery_code';

export type SignInAttemptEvent = { type: 'SignInFailed'; data: { userId: string; reason: SignInFailureReason } };
export type SignInAttemptCommand = { type: 'RecordFailedSignIn'; userId: string; reason: SignInFailureReason };

export const signInAttempts: Decider<SignInAttemptCommand, SignInAttemptEvent, null> = {
  initialState: () => null,
  evolve: (state) => state,
  decide: (command) => [{ type: 'SignInFailed', data: { userId: command.userId, reason: command.reason } }],
};
