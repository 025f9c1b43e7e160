import { describe, it } from 'vitest';
import { given } from '../eventsourcing/specification.ts';
import type { Sealed } from '../privacy/personal-data.ts';
import { mfa, type MfaEvent } from './mfa.ts';

const secret = 'sealed-secret-1' as Sealed;
const otherSecret = 'sealed-secret-2' as Sealed;
const codes = Array.from({ length: 10 }, (_, i) => `hash-${i}`);

const setUp: MfaEvent = { type: 'MfaSetupStarted', data: { secret } };
const setUpAgain: MfaEvent = { type: 'MfaSetupStarted', data: { secret: otherSecret } };
const disabled: MfaEvent = { type: 'MfaDisabled', data: {} };
const enabled: MfaEvent[] = [setUp, { type: 'MfaEnabled', data: { recoveryCodeHashes: codes } }, { type: 'MfaCodeAccepted', data: { timeStep: 100 } }];

describe('setting up MFA', () => {
  it('starts with a new secret', () => {
    given(mfa, []).when({ type: 'StartMfaSetup', secret }).then([setUp]);
  });

  it('may start again before it is on, and then wants a code for the new secret', () => {
    given(mfa, [setUp]).when({ type: 'StartMfaSetup', secret: otherSecret }).then([setUpAgain]);
    given(mfa, [setUp, setUpAgain])
      .when({ type: 'EnableMfa', secret, timeStep: 100, recoveryCodeHashes: codes })
      .thenThrows('CONFLICT', /started again/);
  });

  it('is refused while MFA is on', () => {
    given(mfa, enabled).when({ type: 'StartMfaSetup', secret: otherSecret }).thenThrows('CONFLICT', /already on/);
  });
});

describe('turning MFA on', () => {
  it('turns on with a valid code, keeps the recovery code hashes and uses up the code', () => {
    given(mfa, [setUp])
      .when({ type: 'EnableMfa', secret, timeStep: 100, recoveryCodeHashes: codes })
      .then([
        { type: 'MfaEnabled', data: { recoveryCodeHashes: codes } },
        { type: 'MfaCodeAccepted', data: { timeStep: 100 } },
      ]);
  });

  it('refuses a code that matched no time step', () => {
    given(mfa, [setUp]).when({ type: 'EnableMfa', secret, timeStep: null, recoveryCodeHashes: codes }).thenThrows('VALIDATION_FAILED', /code is not right/);
  });

  it('needs a setup first, and only once', () => {
    given(mfa, []).when({ type: 'EnableMfa', secret: undefined, timeStep: 100, recoveryCodeHashes: codes }).thenThrows('CONFLICT', /setup first/);
    given(mfa, enabled).when({ type: 'EnableMfa', secret, timeStep: 101, recoveryCodeHashes: codes }).thenThrows('CONFLICT', /already on/);
  });
});

const answered = (challengeId: string): MfaEvent => ({ type: 'SignInChallengeAnswered', data: { challengeId } });

describe('signing in with a second factor', () => {
  it('accepts a code for a later time step, and marks the challenge answered', () => {
    given(mfa, enabled).when({ type: 'SignInWithCode', timeStep: 101, challengeId: 'c-1' }).then([{ type: 'MfaCodeAccepted', data: { timeStep: 101 } }, answered('c-1')]);
  });

  it('answers each challenge once, whatever the second factor', () => {
    const signedIn: MfaEvent[] = [...enabled, { type: 'MfaCodeAccepted', data: { timeStep: 101 } }, answered('c-1')];
    given(mfa, signedIn).when({ type: 'SignInWithCode', timeStep: 102, challengeId: 'c-1' }).thenThrows('UNAUTHENTICATED', /already been completed/);
    given(mfa, signedIn).when({ type: 'SignInWithRecoveryCode', codeHash: 'hash-2', challengeId: 'c-1' }).thenThrows('UNAUTHENTICATED', /already been completed/);
    given(mfa, signedIn).when({ type: 'SignInWithCode', timeStep: 102, challengeId: 'c-2' }).then([{ type: 'MfaCodeAccepted', data: { timeStep: 102 } }, answered('c-2')]);
  });

  it('keeps answered challenges answered across turning MFA off and on again', () => {
    const again: MfaEvent[] = [...enabled, answered('c-1'), disabled, setUpAgain, { type: 'MfaEnabled', data: { recoveryCodeHashes: codes } }];
    given(mfa, again).when({ type: 'SignInWithRecoveryCode', codeHash: 'hash-2', challengeId: 'c-1' }).thenThrows('UNAUTHENTICATED', /already been completed/);
  });

  it('refuses a replayed code, and an older one', () => {
    given(mfa, enabled).when({ type: 'SignInWithCode', timeStep: 100, challengeId: 'c-1' }).thenThrows('UNAUTHENTICATED', /code is not right/);
    given(mfa, enabled).when({ type: 'SignInWithCode', timeStep: 99, challengeId: 'c-1' }).thenThrows('UNAUTHENTICATED');
  });

  it('refuses a wrong code', () => {
    given(mfa, enabled).when({ type: 'SignInWithCode', timeStep: null, challengeId: 'c-1' }).thenThrows('UNAUTHENTICATED');
  });

  it('accepts each recovery code once', () => {
    given(mfa, enabled).when({ type: 'SignInWithRecoveryCode', codeHash: 'hash-3', challengeId: 'c-1' }).then([{ type: 'RecoveryCodeUsed', data: { codeHash: 'hash-3' } }, answered('c-1')]);
    const used: MfaEvent = { type: 'RecoveryCodeUsed', data: { codeHash: 'hash-3' } };
    given(mfa, [...enabled, used]).when({ type: 'SignInWithRecoveryCode', codeHash: 'hash-3', challengeId: 'c-2' }).thenThrows('UNAUTHENTICATED', /already used/);
    given(mfa, [...enabled, used]).when({ type: 'SignInWithRecoveryCode', codeHash: 'hash-4', challengeId: 'c-2' }).then([{ type: 'RecoveryCodeUsed', data: { codeHash: 'hash-4' } }, answered('c-2')]);
  });

  it('refuses an unknown recovery code', () => {
    given(mfa, enabled).when({ type: 'SignInWithRecoveryCode', codeHash: 'hash-of-a-guess', challengeId: 'c-1' }).thenThrows('UNAUTHENTICATED');
  });

  it('asks for a new sign-in when MFA is not on (any more)', () => {
    given(mfa, []).when({ type: 'SignInWithCode', timeStep: 5, challengeId: 'c-1' }).thenThrows('UNAUTHENTICATED', /sign in again/);
    given(mfa, [...enabled, disabled]).when({ type: 'SignInWithRecoveryCode', codeHash: 'hash-1', challengeId: 'c-1' }).thenThrows('UNAUTHENTICATED');
  });
});

describe('turning MFA off', () => {
  it('turns off with a fresh code', () => {
    given(mfa, enabled)
      .when({ type: 'DisableMfa', timeStep: 102 })
      .then([
        { type: 'MfaCodeAccepted', data: { timeStep: 102 } },
        { type: 'MfaDisabled', data: {} },
      ]);
  });

  it('refuses a wrong or replayed code', () => {
    given(mfa, enabled).when({ type: 'DisableMfa', timeStep: null }).thenThrows('VALIDATION_FAILED');
    given(mfa, enabled).when({ type: 'DisableMfa', timeStep: 100 }).thenThrows('VALIDATION_FAILED');
  });

  it('is refused when MFA is not on', () => {
    given(mfa, [setUp]).when({ type: 'DisableMfa', timeStep: 100 }).thenThrows('CONFLICT', /not on/);
  });

  it('forgets the old secret: a new setup starts from scratch, even within the same time step', () => {
    const off: MfaEvent[] = [...enabled, { type: 'MfaCodeAccepted', data: { timeStep: 102 } }, disabled];
    given(mfa, off).when({ type: 'SignInWithRecoveryCode', codeHash: 'hash-0', challengeId: 'c-1' }).thenThrows('UNAUTHENTICATED');
    given(mfa, [...off, setUpAgain])
      .when({ type: 'EnableMfa', secret: otherSecret, timeStep: 102, recoveryCodeHashes: codes })
      .then([
        { type: 'MfaEnabled', data: { recoveryCodeHashes: codes } },
        { type: 'MfaCodeAccepted', data: { timeStep: 102 } },
      ]);
  });
});
