import { z } from 'zod';
import { AppError, ConflictError, ValidationError } from '../errors.ts';
import type { Decider } from '../eventsourcing/decider.ts';
import { defineEvents, type EventOf } from '../eventsourcing/event-schemas.ts';
import { sealed, type Sealed } from '../privacy/personal-data.ts';
import { checkToken, issuedToken, type IssuedToken } from './tokens.ts';

export const userStream = (userId: string) => `user-${userId}`;

/** Only the fields given change; a name set to null is removed. */
const profileChanges = z.object({ firstName: sealed.nullable().optional(), lastName: sealed.nullable().optional(), timezone: z.string().optional() });
export type ProfileChanges = z.infer<typeof profileChanges>;

export const userEvents = defineEvents({
  /** No verification token when the address was already proven (the user came through an invitation). */
  UserRegistered: z.object({
    userId: z.string(),
    email: sealed,
    emailHash: z.string(),
    firstName: sealed.optional(),
    lastName: sealed.optional(),
    timezone: z.string(),
    passwordHash: z.string(),
    verification: issuedToken.optional(),
  }),
  VerificationMailRequested: z.object({ verification: issuedToken }),
  EmailVerified: z.object({ emailHash: z.string() }),
  PasswordResetRequested: z.object({ reset: issuedToken }),
  PasswordReset: z.object({ passwordHash: z.string() }),
  PasswordChanged: z.object({ passwordHash: z.string() }),
  ProfileUpdated: profileChanges,
  /** `currentEmail` is the address being replaced: the alert goes there even if the change is confirmed before the mail is sent. */
  EmailChangeRequested: z.object({ newEmail: sealed, newEmailHash: z.string(), currentEmail: sealed, confirmation: issuedToken }),
  EmailChanged: z.object({ email: sealed, emailHash: z.string(), previousEmailHash: z.string() }),
  /** Someone tried to sign up with this account's address: its owner is told (at most hourly), the stranger is not. */
  SignUpAttempted: z.object({ at: z.string() }),
});
export type UserEvent = EventOf<typeof userEvents>;

/** What a new account is made of, however it signs up. */
interface Registration {
  userId: string;
  email: Sealed;
  emailHash: string;
  firstName?: Sealed;
  lastName?: Sealed;
  timezone: string;
  passwordHash: string;
}

export type UserCommand =
  | ({ type: 'RegisterUser'; verification: IssuedToken } & Registration)
  /** Sign-up through an invitation: the invitation link mailed to the address proves it. */
  | ({ type: 'RegisterInvitedUser' } & Registration)
  | { type: 'RequestVerificationMail'; verification: IssuedToken; now: Date }
  | { type: 'VerifyEmail'; tokenHash: string; now: Date }
  | { type: 'RequestPasswordReset'; reset: IssuedToken; now: Date }
  | { type: 'ResetPassword'; tokenHash: string; passwordHash: string; now: Date }
  /** The current password has been checked by the caller (hashes are verified outside the decider). */
  | { type: 'ChangePassword'; passwordHash: string }
  | ({ type: 'UpdateProfile' } & ProfileChanges)
  | { type: 'RequestEmailChange'; newEmail: Sealed; newEmailHash: string; confirmation: IssuedToken }
  | { type: 'ConfirmEmailChange'; tokenHash: string; now: Date }
  /** A sign-up named `emailHash`, an address already reserved by this user. */
  | { type: 'NoteSignUpAttempt'; emailHash: string; now: Date };

interface TokenState {
  tokenHash: string;
  issuedAt: string;
  expiresAt: string;
  usedAt?: string;
}

export interface UserState {
  registered: boolean;
  userId?: string;
  emailHash?: string;
  email?: Sealed;
  passwordHash?: string;
  /** 1 for the password chosen at sign-up, one more at each change or reset: what an MFA challenge is bound to. */
  passwordVersion: number;
  verified: boolean;
  verifications: TokenState[];
  passwordResets: TokenState[];
  /** The latest change asked for; a newer request replaces it (its address is released by the caller). */
  pendingEmailChange?: TokenState & { email: Sealed; emailHash: string };
  lastSignUpAttemptAt?: string;
}

/** How often a verification mail may be requested again. */
export const VERIFICATION_RESEND_INTERVAL_MS = 60_000;
/** Reset mails to one account are sent at most this often, so nobody can flood someone's inbox with them. */
export const PASSWORD_RESET_INTERVAL_MS = 60_000;
/** The owner hears of sign-ups with their address at most this often, so strangers cannot flood their inbox. */
export const SIGN_UP_ATTEMPT_NOTICE_INTERVAL_MS = 3600_000;

const tokenState = ({ tokenHash, issuedAt, expiresAt }: IssuedToken): TokenState => ({ tokenHash, issuedAt, expiresAt });
/** Marks every token still open as spent, e.g. all reset links once the password has changed. */
const spend = (tokens: TokenState[], reason: string) => tokens.map((t) => ({ ...t, usedAt: t.usedAt ?? reason }));
/** Why a reset link stopped working when it was never used: it went to the address the account had before. */
const ADDRESS_REPLACED = 'address-replaced';

function evolve(state: UserState, event: UserEvent): UserState {
  switch (event.type) {
    case 'UserRegistered':
      return {
        ...state,
        registered: true,
        userId: event.data.userId,
        emailHash: event.data.emailHash,
        email: event.data.email,
        passwordHash: event.data.passwordHash,
        passwordVersion: 1,
        verifications: event.data.verification ? [tokenState(event.data.verification)] : [],
      };
    case 'VerificationMailRequested':
      return { ...state, verifications: [...state.verifications, tokenState(event.data.verification)] };
    case 'EmailVerified':
      return { ...state, verified: true, verifications: spend(state.verifications, 'verified') };
    case 'PasswordResetRequested':
      return { ...state, passwordResets: [...state.passwordResets, tokenState(event.data.reset)] };
    // A new password ends every reset link still open, whichever way it was set.
    case 'PasswordReset':
      return { ...state, passwordHash: event.data.passwordHash, passwordVersion: state.passwordVersion + 1, passwordResets: spend(state.passwordResets, 'reset') };
    case 'PasswordChanged':
      return { ...state, passwordHash: event.data.passwordHash, passwordVersion: state.passwordVersion + 1, passwordResets: spend(state.passwordResets, 'changed') };
    case 'EmailChangeRequested':
      return { ...state, pendingEmailChange: { ...tokenState(event.data.confirmation), email: event.data.newEmail, emailHash: event.data.newEmailHash } };
    // Confirming from the new mailbox proves it; links sent to the old address must no longer verify
    // anything, nor reset the password (whoever still reads the old mailbox is not the owner any more).
    case 'EmailChanged':
      return {
        ...state,
        email: event.data.email,
        emailHash: event.data.emailHash,
        verified: true,
        verifications: spend(state.verifications, 'replaced'),
        passwordResets: spend(state.passwordResets, ADDRESS_REPLACED),
        ...(state.pendingEmailChange ? { pendingEmailChange: { ...state.pendingEmailChange, usedAt: 'confirmed' } } : {}),
      };
    case 'SignUpAttempted':
      return { ...state, lastSignUpAttemptAt: event.data.at };
    default:
      return state;
  }
}

function decide(command: UserCommand, state: UserState): UserEvent[] {
  if (command.type === 'RegisterUser') {
    if (state.registered) throw new ConflictError('This user is already registered');
    const { type: _type, ...data } = command;
    return [{ type: 'UserRegistered', data }];
  }
  if (command.type === 'RegisterInvitedUser') {
    if (state.registered) throw new ConflictError('This user is already registered');
    const { type: _type, ...data } = command;
    return [
      { type: 'UserRegistered', data },
      { type: 'EmailVerified', data: { emailHash: data.emailHash } },
    ];
  }
  if (!state.registered) throw new AppError('NOT_FOUND', 'No such user');
  switch (command.type) {
    case 'RequestVerificationMail': {
      if (state.verified) throw new ConflictError('This e-mail address is already verified');
      const last = state.verifications.at(-1);
      if (last && command.now.getTime() - Date.parse(last.issuedAt) < VERIFICATION_RESEND_INTERVAL_MS)
        throw new AppError('RATE_LIMITED', 'A verification mail was sent less than a minute ago; check your inbox or try again shortly');
      return [{ type: 'VerificationMailRequested', data: { verification: command.verification } }];
    }
    case 'VerifyEmail': {
      const outcome = checkToken(state.verifications.find((v) => v.tokenHash === command.tokenHash), command.now);
      if (outcome === 'valid') return [{ type: 'EmailVerified', data: { emailHash: state.emailHash! } }];
      if (state.verified) throw new ConflictError('This e-mail address is already verified');
      if (outcome === 'expired') throw new ValidationError('This verification link has expired; ask for a new one');
      throw new ValidationError('This verification link is not valid');
    }
    case 'RequestPasswordReset': {
      // Too soon is not an error: the caller must not learn anything about the account from the answer.
      const last = state.passwordResets.at(-1);
      if (last && command.now.getTime() - Date.parse(last.issuedAt) < PASSWORD_RESET_INTERVAL_MS) return [];
      return [{ type: 'PasswordResetRequested', data: { reset: command.reset } }];
    }
    case 'ResetPassword': {
      const reset = state.passwordResets.find((t) => t.tokenHash === command.tokenHash);
      const outcome = checkToken(reset, command.now);
      if (outcome === 'valid') return [{ type: 'PasswordReset', data: { passwordHash: command.passwordHash } }];
      if (outcome === 'expired') throw new ValidationError('This password reset link has expired; ask for a new one');
      if (reset?.usedAt === ADDRESS_REPLACED)
        throw new ValidationError('This password reset link was sent to an address this account no longer uses; ask for a new one');
      if (outcome === 'used') throw new ValidationError('This password reset link has already been used; ask for a new one');
      throw new ValidationError('This password reset link is not valid');
    }
    case 'ChangePassword':
      return [{ type: 'PasswordChanged', data: { passwordHash: command.passwordHash } }];
    case 'UpdateProfile': {
      const { type: _type, ...changes } = command;
      const data = Object.fromEntries(Object.entries(changes).filter(([, value]) => value !== undefined)) as ProfileChanges;
      return Object.keys(data).length === 0 ? [] : [{ type: 'ProfileUpdated', data }];
    }
    case 'RequestEmailChange': {
      if (command.newEmailHash === state.emailHash) throw new ValidationError('This is already your e-mail address', [{ path: '/newEmail', message: 'is your current address' }]);
      const { newEmail, newEmailHash, confirmation } = command;
      return [{ type: 'EmailChangeRequested', data: { newEmail, newEmailHash, currentEmail: state.email!, confirmation } }];
    }
    case 'ConfirmEmailChange': {
      const pending = state.pendingEmailChange;
      const outcome = checkToken(pending?.tokenHash === command.tokenHash ? pending : undefined, command.now);
      if (outcome === 'valid') return [{ type: 'EmailChanged', data: { email: pending!.email, emailHash: pending!.emailHash, previousEmailHash: state.emailHash! } }];
      if (outcome === 'used') throw new ConflictError('This e-mail address change has already been confirmed');
      if (outcome === 'expired') throw new ValidationError('This confirmation link has expired; ask for the change again');
      throw new ValidationError('This confirmation link is not valid');
    }
    case 'NoteSignUpAttempt': {
      // Reserved for an address change not confirmed yet: the address is not this user's to be told about.
      if (command.emailHash !== state.emailHash) return [];
      const last = state.lastSignUpAttemptAt;
      if (last && command.now.getTime() - Date.parse(last) < SIGN_UP_ATTEMPT_NOTICE_INTERVAL_MS) return [];
      return [{ type: 'SignUpAttempted', data: { at: command.now.toISOString() } }];
    }
  }
}

export const user: Decider<UserCommand, UserEvent, UserState> = {
  events: userEvents,
  initialState: () => ({ registered: false, passwordVersion: 0, verified: false, verifications: [], passwordResets: [] }),
  evolve,
  decide,
};
