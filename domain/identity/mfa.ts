import { z } from 'zod';
import { AppError, ConflictError, ValidationError } from '../errors.ts';
import type { Decider } from '../eventsourcing/decider.ts';
import { defineEvents, type EventOf } from '../eventsourcing/event-schemas.ts';
import { sealed, type Sealed } from '../privacy/personal-data.ts';

/**
 * A user's second factor (TOTP), in its own stream so that sign-ins with a code never grow the
 * user's stream. Checking a code needs the opened secret and the clock, so the API matches the code
 * and passes the matched time step (or null): the decider owns the rules that a code is accepted once,
 * that recovery codes are single use, and that a sign-in challenge (the password step) is answered once.
 */
export const mfaStream = (userId: string) => `mfa-${userId}`;

export const RECOVERY_CODE_COUNT = 10;

export const mfaEvents = defineEvents({
  MfaSetupStarted: z.object({ secret: sealed }),
  MfaEnabled: z.object({ recoveryCodeHashes: z.array(z.string()) }),
  MfaDisabled: z.object({}),
  MfaCodeAccepted: z.object({ timeStep: z.number() }),
  RecoveryCodeUsed: z.object({ codeHash: z.string() }),
  SignInChallengeAnswered: z.object({ challengeId: z.string() }),
});
export type MfaEvent = EventOf<typeof mfaEvents>;

/**
 * `timeStep` is the TOTP time step the code matched, or null when it matched none; for EnableMfa,
 * `secret` is the pending secret the code was checked against (undefined when there was none).
 */
export type MfaCommand =
  | { type: 'StartMfaSetup'; secret: Sealed }
  | { type: 'EnableMfa'; secret: Sealed | undefined; timeStep: number | null; recoveryCodeHashes: string[] }
  | { type: 'DisableMfa'; timeStep: number | null }
  | { type: 'SignInWithCode'; timeStep: number | null; challengeId: string }
  | { type: 'SignInWithRecoveryCode'; codeHash: string; challengeId: string };

export interface MfaState {
  enabled: boolean;
  /** The secret in use once enabled. */
  secret?: Sealed;
  /** The secret shown at setup, waiting for a first code. */
  pendingSecret?: Sealed;
  unusedRecoveryCodes: string[];
  /** The last time step accepted: a code for it or an earlier one is a replay. */
  lastTimeStep?: number;
  /** Challenges that have started a session; each earns one. */
  answeredChallenges: string[];
}

const initialState = (): MfaState => ({ enabled: false, unusedRecoveryCodes: [], answeredChallenges: [] });

function evolve(state: MfaState, event: MfaEvent): MfaState {
  switch (event.type) {
    case 'MfaSetupStarted':
      // A new secret: time steps accepted for an older one say nothing about it.
      return { ...state, pendingSecret: event.data.secret, lastTimeStep: undefined };
    case 'MfaEnabled':
      return { ...state, enabled: true, secret: state.pendingSecret, pendingSecret: undefined, unusedRecoveryCodes: event.data.recoveryCodeHashes };
    case 'MfaDisabled':
      return { ...initialState(), answeredChallenges: state.answeredChallenges };
    case 'MfaCodeAccepted':
      return { ...state, lastTimeStep: event.data.timeStep };
    case 'RecoveryCodeUsed':
      return { ...state, unusedRecoveryCodes: state.unusedRecoveryCodes.filter((hash) => hash !== event.data.codeHash) };
    case 'SignInChallengeAnswered':
      return { ...state, answeredChallenges: [...state.answeredChallenges, event.data.challengeId] };
    default:
      return state;
  }
}

/** The code's time step, if it matched and was not used before; undefined otherwise. */
function freshTimeStep(timeStep: number | null, state: MfaState): number | undefined {
  if (timeStep === null) return undefined;
  return state.lastTimeStep !== undefined && timeStep <= state.lastTimeStep ? undefined : timeStep;
}

/** A challenge already answered is a replay: whoever holds it must give the password again. */
function assertChallengeOpen(challengeId: string, state: MfaState): void {
  if (state.answeredChallenges.includes(challengeId)) throw new AppError('UNAUTHENTICATED', 'This sign-in has already been completed; please sign in again');
}

const wrongCode = () => new ValidationError('The code is not right; enter the current code from your authenticator app', [{ path: '/code', message: 'is not right' }]);

function decide(command: MfaCommand, state: MfaState): MfaEvent[] {
  switch (command.type) {
    case 'StartMfaSetup':
      if (state.enabled) throw new ConflictError('Multi-factor authentication is already on; turn it off first to set it up again');
      return [{ type: 'MfaSetupStarted', data: { secret: command.secret } }];
    case 'EnableMfa': {
      if (state.enabled) throw new ConflictError('Multi-factor authentication is already on');
      if (!state.pendingSecret) throw new ConflictError('Start the multi-factor setup first');
      // The code was checked against this secret; a setup started meanwhile shows another one.
      if (command.secret !== state.pendingSecret) throw new ConflictError('The multi-factor setup was started again; scan the new QR code');
      const timeStep = freshTimeStep(command.timeStep, state);
      if (timeStep === undefined) throw wrongCode();
      return [
        { type: 'MfaEnabled', data: { recoveryCodeHashes: command.recoveryCodeHashes } },
        { type: 'MfaCodeAccepted', data: { timeStep } },
      ];
    }
    case 'DisableMfa': {
      if (!state.enabled) throw new ConflictError('Multi-factor authentication is not on');
      const timeStep = freshTimeStep(command.timeStep, state);
      if (timeStep === undefined) throw wrongCode();
      return [
        { type: 'MfaCodeAccepted', data: { timeStep } },
        { type: 'MfaDisabled', data: {} },
      ];
    }
    case 'SignInWithCode': {
      if (!state.enabled) throw new AppError('UNAUTHENTICATED', 'Please sign in again');
      assertChallengeOpen(command.challengeId, state);
      const timeStep = freshTimeStep(command.timeStep, state);
      if (timeStep === undefined) throw new AppError('UNAUTHENTICATED', 'The code is not right; enter the current code from your authenticator app');
      return [
        { type: 'MfaCodeAccepted', data: { timeStep } },
        { type: 'SignInChallengeAnswered', data: { challengeId: command.challengeId } },
      ];
    }
    case 'SignInWithRecoveryCode':
      if (!state.enabled) throw new AppError('UNAUTHENTICATED', 'Please sign in again');
      assertChallengeOpen(command.challengeId, state);
      if (!state.unusedRecoveryCodes.includes(command.codeHash)) throw new AppError('UNAUTHENTICATED', 'This recovery code is not right or was already used');
      return [
        { type: 'RecoveryCodeUsed', data: { codeHash: command.codeHash } },
        { type: 'SignInChallengeAnswered', data: { challengeId: command.challengeId } },
      ];
  }
}

export const mfa: Decider<MfaCommand, MfaEvent, MfaState> = { events: mfaEvents, initialState, evolve, decide };
