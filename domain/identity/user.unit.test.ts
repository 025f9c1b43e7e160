import { describe, expect, it } from 'vitest';
import { given } from '../eventsourcing/specification.ts';
import type { Sealed } from '../privacy/personal-data.ts';
import type { IssuedToken } from './tokens.ts';
import { PASSWORD_RESET_INTERVAL_MS, SIGN_UP_ATTEMPT_NOTICE_INTERVAL_MS, user, VERIFICATION_RESEND_INTERVAL_MS, type UserEvent } from './user.ts';

const sealed = (value: string) => `sealed:${value}` as Sealed;
const at = (iso: string) => new Date(iso);
const HOUR = 3600_000;

/** A token issued at `issuedAt`, valid for `hours`. */
function token(name: string, issuedAt: string, hours: number): IssuedToken {
  return { tokenHash: `hash-${name}`, token: sealed(name), issuedAt, expiresAt: new Date(Date.parse(issuedAt) + hours * HOUR).toISOString() };
}

const registration = {
  userId: 'u-1',
  email: sealed('ada@example.com'),
  emailHash: 'email-ada',
  firstName: sealed('Ada'),
  timezone: 'Europe/London',
  passwordHash: 'pw-1',
  verification: token('verify-1', '2026-03-01T10:00:00.000Z', 24),
};
const registered: UserEvent = { type: 'UserRegistered', data: registration };
const verified: UserEvent = { type: 'EmailVerified', data: { emailHash: 'email-ada' } };

describe('registering', () => {
  it('records the new user with their sealed details and a verification token', () => {
    given(user, []).when({ type: 'RegisterUser', ...registration }).then([registered]);
  });

  it('refuses to register the same user twice', () => {
    given(user, [registered]).when({ type: 'RegisterUser', ...registration }).thenThrows('CONFLICT');
  });

  it('registers an invited user with the address already verified (the invitation proved it)', () => {
    const { verification: _verification, ...invited } = registration;
    given(user, [])
      .when({ type: 'RegisterInvitedUser', ...invited })
      .then([
        { type: 'UserRegistered', data: invited },
        { type: 'EmailVerified', data: { emailHash: 'email-ada' } },
      ]);
  });

  it('answers commands for a user that does not exist with NOT_FOUND', () => {
    given(user, []).when({ type: 'ChangePassword', passwordHash: 'pw-2' }).thenThrows('NOT_FOUND');
  });
});

describe('verification mail', () => {
  const resend = token('verify-2', '2026-03-01T10:05:00.000Z', 24);

  it('sends another once the interval has passed', () => {
    given(user, [registered])
      .when({ type: 'RequestVerificationMail', verification: resend, now: at('2026-03-01T10:05:00.000Z') })
      .then([{ type: 'VerificationMailRequested', data: { verification: resend } }]);
  });

  it('refuses to resend too soon', () => {
    const tooSoon = new Date(Date.parse(registration.verification.issuedAt) + VERIFICATION_RESEND_INTERVAL_MS - 1);
    given(user, [registered]).when({ type: 'RequestVerificationMail', verification: resend, now: tooSoon }).thenThrows('RATE_LIMITED', /less than a minute ago/);
  });

  it('refuses to resend once verified', () => {
    given(user, [registered, verified]).when({ type: 'RequestVerificationMail', verification: resend, now: at('2026-03-02T10:00:00.000Z') }).thenThrows('CONFLICT');
  });
});

describe('verifying the e-mail address', () => {
  it('verifies with the token from the mail', () => {
    given(user, [registered]).when({ type: 'VerifyEmail', tokenHash: 'hash-verify-1', now: at('2026-03-01T12:00:00.000Z') }).then([verified]);
  });

  it('verifies with the newer token after a resend', () => {
    const resend = token('verify-2', '2026-03-01T10:05:00.000Z', 24);
    given(user, [registered, { type: 'VerificationMailRequested', data: { verification: resend } }])
      .when({ type: 'VerifyEmail', tokenHash: 'hash-verify-2', now: at('2026-03-01T12:00:00.000Z') })
      .then([verified]);
  });

  it('refuses an expired token', () => {
    given(user, [registered]).when({ type: 'VerifyEmail', tokenHash: 'hash-verify-1', now: at('2026-03-02T10:00:00.000Z') }).thenThrows('VALIDATION_FAILED', /expired/);
  });

  it('refuses a token used already', () => {
    given(user, [registered, verified]).when({ type: 'VerifyEmail', tokenHash: 'hash-verify-1', now: at('2026-03-01T12:00:00.000Z') }).thenThrows('CONFLICT', /already verified/);
  });

  it('refuses an unknown token', () => {
    given(user, [registered]).when({ type: 'VerifyEmail', tokenHash: 'hash-forged', now: at('2026-03-01T12:00:00.000Z') }).thenThrows('VALIDATION_FAILED', /not valid/);
  });
});

describe('password reset', () => {
  const reset = token('reset-1', '2026-03-05T09:00:00.000Z', 1);
  const requested: UserEvent = { type: 'PasswordResetRequested', data: { reset } };

  it('issues a reset token', () => {
    given(user, [registered]).when({ type: 'RequestPasswordReset', reset, now: at('2026-03-05T09:00:00.000Z') }).then([requested]);
  });

  it('quietly issues nothing when asked again too soon, so nobody can flood the inbox or learn anything from an error', () => {
    const again = token('reset-2', '2026-03-05T09:00:30.000Z', 1);
    given(user, [registered, requested]).when({ type: 'RequestPasswordReset', reset: again, now: new Date(Date.parse(reset.issuedAt) + PASSWORD_RESET_INTERVAL_MS - 1) }).then([]);
  });

  it('issues another once the interval has passed', () => {
    const again = token('reset-2', '2026-03-05T09:01:00.000Z', 1);
    given(user, [registered, requested])
      .when({ type: 'RequestPasswordReset', reset: again, now: at('2026-03-05T09:01:00.000Z') })
      .then([{ type: 'PasswordResetRequested', data: { reset: again } }]);
  });

  it('sets the new password with a valid token', () => {
    given(user, [registered, requested])
      .when({ type: 'ResetPassword', tokenHash: 'hash-reset-1', passwordHash: 'pw-2', now: at('2026-03-05T09:30:00.000Z') })
      .then([{ type: 'PasswordReset', data: { passwordHash: 'pw-2' } }]);
  });

  it('refuses a token after its hour', () => {
    given(user, [registered, requested])
      .when({ type: 'ResetPassword', tokenHash: 'hash-reset-1', passwordHash: 'pw-2', now: at('2026-03-05T10:00:00.000Z') })
      .thenThrows('VALIDATION_FAILED', /expired/);
  });

  it('refuses a token used already', () => {
    given(user, [registered, requested, { type: 'PasswordReset', data: { passwordHash: 'pw-2' } }])
      .when({ type: 'ResetPassword', tokenHash: 'hash-reset-1', passwordHash: 'pw-3', now: at('2026-03-05T09:31:00.000Z') })
      .thenThrows('VALIDATION_FAILED', /already been used/);
  });

  it('ends every open reset link once the password is reset with one of them', () => {
    const second = token('reset-2', '2026-03-05T09:05:00.000Z', 1);
    given(user, [registered, requested, { type: 'PasswordResetRequested', data: { reset: second } }, { type: 'PasswordReset', data: { passwordHash: 'pw-2' } }])
      .when({ type: 'ResetPassword', tokenHash: 'hash-reset-1', passwordHash: 'pw-3', now: at('2026-03-05T09:31:00.000Z') })
      .thenThrows('VALIDATION_FAILED', /already been used/);
  });

  it('ends open reset links when the password is changed meanwhile', () => {
    given(user, [registered, requested, { type: 'PasswordChanged', data: { passwordHash: 'pw-2' } }])
      .when({ type: 'ResetPassword', tokenHash: 'hash-reset-1', passwordHash: 'pw-3', now: at('2026-03-05T09:31:00.000Z') })
      .thenThrows('VALIDATION_FAILED', /already been used/);
  });

  it('refuses an unknown token', () => {
    given(user, [registered, requested])
      .when({ type: 'ResetPassword', tokenHash: 'hash-forged', passwordHash: 'pw-2', now: at('2026-03-05T09:30:00.000Z') })
      .thenThrows('VALIDATION_FAILED', /not valid/);
  });
});

describe('changing the password', () => {
  it('records the new hash', () => {
    given(user, [registered]).when({ type: 'ChangePassword', passwordHash: 'pw-2' }).then([{ type: 'PasswordChanged', data: { passwordHash: 'pw-2' } }]);
  });

  it('counts versions of the password, 1 at sign-up and one more at each change or reset, for what is bound to one of them', () => {
    const history: UserEvent[] = [registered, { type: 'PasswordChanged', data: { passwordHash: 'pw-2' } }, { type: 'PasswordReset', data: { passwordHash: 'pw-3' } }];
    expect(history.slice(0, 1).reduce(user.evolve, user.initialState()).passwordVersion).toBe(1);
    expect(history.reduce(user.evolve, user.initialState()).passwordVersion).toBe(3);
  });
});

describe('profile', () => {
  it('records only the fields given', () => {
    given(user, [registered])
      .when({ type: 'UpdateProfile', lastName: sealed('Byron'), timezone: 'Europe/Paris' })
      .then([{ type: 'ProfileUpdated', data: { lastName: sealed('Byron'), timezone: 'Europe/Paris' } }]);
  });

  it('records a removed name as null', () => {
    given(user, [registered]).when({ type: 'UpdateProfile', firstName: null }).then([{ type: 'ProfileUpdated', data: { firstName: null } }]);
  });

  it('records nothing when nothing is given', () => {
    given(user, [registered]).when({ type: 'UpdateProfile' }).then([]);
  });
});

describe('changing the e-mail address', () => {
  const confirmation = token('change-1', '2026-03-10T08:00:00.000Z', 24);
  const request = { type: 'RequestEmailChange', newEmail: sealed('ada@new.example'), newEmailHash: 'email-new', confirmation } as const;
  const requested: UserEvent = {
    type: 'EmailChangeRequested',
    data: { newEmail: sealed('ada@new.example'), newEmailHash: 'email-new', currentEmail: sealed('ada@example.com'), confirmation },
  };
  const changed: UserEvent = { type: 'EmailChanged', data: { email: sealed('ada@new.example'), emailHash: 'email-new', previousEmailHash: 'email-ada' } };

  it('records the request with the address it replaces, for the alert', () => {
    given(user, [registered]).when(request).then([requested]);
  });

  it('refuses the address the account already has', () => {
    given(user, [registered]).when({ ...request, newEmailHash: 'email-ada' }).thenThrows('VALIDATION_FAILED', /already your e-mail address/);
  });

  it('changes the address with the token', () => {
    given(user, [registered, requested]).when({ type: 'ConfirmEmailChange', tokenHash: 'hash-change-1', now: at('2026-03-10T09:00:00.000Z') }).then([changed]);
  });

  it('counts the new address as verified, so an old verification link no longer applies', () => {
    given(user, [registered, requested, changed])
      .when({ type: 'RequestVerificationMail', verification: token('verify-9', '2026-03-10T09:00:00.000Z', 24), now: at('2026-03-10T09:00:00.000Z') })
      .thenThrows('CONFLICT', /already verified/);
  });

  it('names the previous address after a second change', () => {
    const second = token('change-2', '2026-03-11T08:00:00.000Z', 24);
    given(user, [registered, requested, changed, { type: 'EmailChangeRequested', data: { newEmail: sealed('ada@third.example'), newEmailHash: 'email-third', currentEmail: sealed('ada@new.example'), confirmation: second } }])
      .when({ type: 'ConfirmEmailChange', tokenHash: 'hash-change-2', now: at('2026-03-11T09:00:00.000Z') })
      .then([{ type: 'EmailChanged', data: { email: sealed('ada@third.example'), emailHash: 'email-third', previousEmailHash: 'email-new' } }]);
  });

  it('refuses an expired token', () => {
    given(user, [registered, requested]).when({ type: 'ConfirmEmailChange', tokenHash: 'hash-change-1', now: at('2026-03-11T08:00:00.000Z') }).thenThrows('VALIDATION_FAILED', /expired/);
  });

  it('refuses a token used already', () => {
    given(user, [registered, requested, changed]).when({ type: 'ConfirmEmailChange', tokenHash: 'hash-change-1', now: at('2026-03-10T09:00:00.000Z') }).thenThrows('CONFLICT', /already been confirmed/);
  });

  it('refuses the token of a change replaced by a newer request', () => {
    const newer = token('change-2', '2026-03-10T08:30:00.000Z', 24);
    given(user, [registered, requested, { type: 'EmailChangeRequested', data: { ...requested.data, newEmailHash: 'email-other', confirmation: newer } } as UserEvent])
      .when({ type: 'ConfirmEmailChange', tokenHash: 'hash-change-1', now: at('2026-03-10T09:00:00.000Z') })
      .thenThrows('VALIDATION_FAILED', /not valid/);
  });

  it('refuses a token when no change was asked for', () => {
    given(user, [registered]).when({ type: 'ConfirmEmailChange', tokenHash: 'hash-change-1', now: at('2026-03-10T09:00:00.000Z') }).thenThrows('VALIDATION_FAILED', /not valid/);
  });

  it('ends the reset links mailed to the old address once the new one is confirmed', () => {
    const reset = token('reset-1', '2026-03-10T08:10:00.000Z', 1);
    given(user, [registered, { type: 'PasswordResetRequested', data: { reset } }, requested, changed])
      .when({ type: 'ResetPassword', tokenHash: 'hash-reset-1', passwordHash: 'pw-2', now: at('2026-03-10T08:20:00.000Z') })
      .thenThrows('VALIDATION_FAILED', /address this account no longer uses/);
  });

  it('still resets with a link mailed to the new address after the change', () => {
    const reset = token('reset-2', '2026-03-10T09:10:00.000Z', 1);
    given(user, [registered, requested, changed, { type: 'PasswordResetRequested', data: { reset } }])
      .when({ type: 'ResetPassword', tokenHash: 'hash-reset-2', passwordHash: 'pw-2', now: at('2026-03-10T09:20:00.000Z') })
      .then([{ type: 'PasswordReset', data: { passwordHash: 'pw-2' } }]);
  });
});

describe('a sign-up with the address of this account', () => {
  const noted: UserEvent = { type: 'SignUpAttempted', data: { at: '2026-03-12T10:00:00.000Z' } };

  it('is noted, so the owner can be told', () => {
    given(user, [registered]).when({ type: 'NoteSignUpAttempt', emailHash: 'email-ada', now: at('2026-03-12T10:00:00.000Z') }).then([noted]);
  });

  it('is noted at most once an hour, so nobody can flood the inbox', () => {
    const tooSoon = new Date(Date.parse(noted.data.at) + SIGN_UP_ATTEMPT_NOTICE_INTERVAL_MS - 1);
    given(user, [registered, noted]).when({ type: 'NoteSignUpAttempt', emailHash: 'email-ada', now: tooSoon }).then([]);
    const later = new Date(Date.parse(noted.data.at) + SIGN_UP_ATTEMPT_NOTICE_INTERVAL_MS);
    given(user, [registered, noted]).when({ type: 'NoteSignUpAttempt', emailHash: 'email-ada', now: later }).then([{ type: 'SignUpAttempted', data: { at: later.toISOString() } }]);
  });

  it('is not noted for an address the user has asked to change to but not confirmed: it is not theirs yet', () => {
    given(user, [registered]).when({ type: 'NoteSignUpAttempt', emailHash: 'email-new', now: at('2026-03-12T10:00:00.000Z') }).then([]);
  });

  it('is NOT_FOUND while the account holding the address is still being registered', () => {
    given(user, []).when({ type: 'NoteSignUpAttempt', emailHash: 'email-ada', now: at('2026-03-12T10:00:00.000Z') }).thenThrows('NOT_FOUND');
  });
});
